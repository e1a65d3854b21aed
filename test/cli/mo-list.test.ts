// Inbound messages of every kind over real sockets: the simulator (the SMSC) sends MOs that
// an MO route takes to a customer, to a URL, or that no route takes; GET /v1/admin/inbound
// and `hermod mo list` show all of them, the unrouted ones alone with routed=false /
// --unrouted (docs/routing.md: an MO without a route is stored and visible).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';
import { until } from '../support/until.js';

const ADMIN = 'mo-list-admin-key-0123456789';

test('GET /v1/admin/inbound and hermod mo list: routed to a user, to a URL and unrouted MOs, filters, pages; --help', async () => {
  const help = ok(await hermod(['mo', 'list', '--help']), 'mo list --help').stdout;
  for (const opt of [
    'Usage: hermod mo list',
    '--unrouted',
    '--routed',
    '--from <number>',
    '--to <number>',
    '--connector <id>',
    '--user <username>',
    '--limit <n>',
    '--cursor <cursor>',
    '--url <url>',
    '--key <key>',
    '--json',
    'HERMOD_ADMIN_KEY',
  ])
    assert.ok(help.includes(opt), `mo list --help mentions ${opt}`);
  assert.match(ok(await hermod(['mo', '--help']), 'mo --help').stdout, /^ {2}list\b/m);

  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [
      { prefixes: ['12345'], user: 'shop' },
      { prefixes: ['777'], url: 'https://example.com/mo' },
    ],
    admin: { keys: [ADMIN] },
  });
  const url = `http://127.0.0.1:${h.apiPort}`;
  const api = (...args: string[]) => hermod([...args, '--url', url, '--key', ADMIN]);
  const admin = async (path: string) => {
    const res = await fetch(`${url}/v1/admin${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return {
      status: res.status,
      body: (await res.json()) as {
        inbound: {
          id: string;
          from: string;
          to: string;
          text: string;
          routed: boolean;
          routedTo: string | null;
          routedUrl: string | null;
        }[];
        nextCursor: string | null;
        code?: string;
      },
    };
  };
  try {
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    sim.sendMo('hermod', { from: '447700900001', to: '12345', text: 'to the shop' });
    await until('1', async () => (await h.store.listMo(10)).length === 1);
    sim.sendMo('hermod', { from: '447700900002', to: '777', text: 'to a webhook' });
    await until('2', async () => (await h.store.listMo(10)).length === 2);
    sim.sendMo('hermod', { from: '447700900003', to: '99999', text: 'nobody routes this' });
    await until('3', async () => (await h.store.listMo(10)).length === 3);
    sim.sendMo('hermod', { from: '447700900004', to: '88888', text: 'nor this' });
    await until('4', async () => (await h.store.listMo(10)).length === 4);

    const all = await admin('/inbound');
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.inbound.map((m) => [m.text, m.routed, m.routedTo, m.routedUrl]),
      [
        ['nor this', false, null, null],
        ['nobody routes this', false, null, null],
        ['to a webhook', true, null, 'https://example.com/mo'],
        ['to the shop', true, 'shop', null],
      ],
      'every kind, newest first',
    );
    assert.equal(all.body.nextCursor, null);
    assert.deepEqual(
      (await admin('/inbound?routed=false')).body.inbound.map((m) => m.to),
      ['88888', '99999'],
      'only the unrouted (a URL target counts as routed)',
    );
    assert.deepEqual(
      (await admin('/inbound?routed=true')).body.inbound.map((m) => m.to),
      ['777', '12345'],
    );
    assert.deepEqual(
      (await admin('/inbound?from=%2B447700900003')).body.inbound.map((m) => m.text),
      ['nobody routes this'],
      'a leading + is ignored',
    );
    assert.deepEqual(
      (await admin('/inbound?to=12345&user=shop&connector=sim')).body.inbound.map((m) => m.text),
      ['to the shop'],
    );
    assert.deepEqual((await admin('/inbound?connector=other')).body.inbound, []);
    const p1 = (await admin('/inbound?routed=false&limit=1')).body;
    assert.equal(p1.inbound[0].to, '88888');
    assert.ok(p1.nextCursor);
    const p2 = (await admin(`/inbound?routed=false&limit=1&cursor=${p1.nextCursor}`)).body;
    assert.deepEqual([p2.inbound.map((m) => m.to), p2.nextCursor], [['99999'], null]);
    const bad = await admin('/inbound?routed=maybe');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'HERMOD_ERR_VALIDATION');

    const [table, unrouted, unroutedJson, page] = await Promise.all([
      api('mo', 'list'),
      api('mo', 'list', '--unrouted'),
      api('mo', 'list', '--unrouted', '--json'),
      api('mo', 'list', '--limit', '1'),
    ]);
    const t = ok(table, 'mo list').stdout;
    assert.match(t, /^ID\s+RECEIVEDAT\s+CONNECTOR\s+FROM\s+TO\s+TARGET\s+TEXT$/m);
    assert.match(t, /\s447700900001\s+12345\s+user shop\s+to the shop$/m);
    assert.match(t, /\s447700900002\s+777\s+url https:\/\/example\.com\/mo\s+to a webhook$/m);
    assert.match(t, /\s447700900003\s+99999\s+\(no route\)\s+nobody routes this$/m);
    const u = ok(unrouted, 'mo list --unrouted').stdout;
    assert.equal(u.trim().split('\n').length, 3, `a header and two rows: ${u}`);
    assert.ok(!u.includes('to the shop') && !u.includes('to a webhook'));
    assert.deepEqual(
      json<{ inbound: { to: string; routed: boolean }[] }>(
        ok(unroutedJson, 'mo list --unrouted --json'),
      ).inbound.map((m) => [m.to, m.routed]),
      [
        ['88888', false],
        ['99999', false],
      ],
    );
    const cursor = /^more: --cursor ([0-9a-z]{26})$/m.exec(ok(page, 'mo list --limit 1').stdout)?.[1];
    assert.ok(cursor, page.stdout);
    assert.match(
      ok(await api('mo', 'list', '--limit', '1', '--cursor', cursor), 'mo list --cursor').stdout,
      /nobody routes this/,
    );
    const both = await api('mo', 'list', '--routed', '--unrouted');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--routed or --unrouted, not both/);
  } finally {
    await h.stop();
  }
});
