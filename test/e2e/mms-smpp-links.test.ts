// An inbound MMS routed to an SMPP customer (an MO route whose target is a user): the MMSC
// simulator's DeliverReq reaches Hermod over MM7, and the customer's bind gets one deliver_sm
// whose text is the subject, the text and a signed link per picture; fetching each link
// returns the picture's bytes. A route with `mmsAsLinks: false` gives the text alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MmscSimulator } from '../../src/mm7/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { SmppClient, decodeText, type Pdu } from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { GIF, PNG } from '../support/media-samples.js';

const OUTBOUND = { username: 'hermod', password: 'vasp-secret-1' };
const INBOUND = { username: 'mmsc', password: 'relay-secret-1' };
const PUBLIC = 'http://media.hermod.test';

test('inbound MMS → SMPP customer: deliver_sm with subject, text and one signed link per item that serves the bytes; mmsAsLinks: false → text only', async () => {
  const mmsc = await MmscSimulator.start({ credentials: [OUTBOUND], vaspCredentials: INBOUND });
  const h = await configuredHermod({
    media: { publicUrl: PUBLIC, linkTtlS: 3600 },
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [
      { id: 'mms', type: 'mm7', url: mmsc.url, ...OUTBOUND, vaspId: 'acme', vasId: 'pics', inbound: INBOUND },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['mms'] }],
    moRoutes: [
      { prefixes: ['5556'], user: 'shop', mmsAsLinks: false },
      { prefixes: ['5555'], user: 'shop' },
    ],
  });
  mmsc.setVasp(`http://127.0.0.1:${h.apiPort}/v1/hooks/connectors/mms/mm7`, INBOUND);
  const c = new SmppClient({
    host: '127.0.0.1',
    port: h.smppPort,
    systemId: 'shop',
    password: 'pw',
    reconnect: false,
  });
  const inbound: Extract<Pdu, { command: 'deliver_sm' }>[] = [];
  c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
    inbound.push(pdu as Extract<Pdu, { command: 'deliver_sm' }>);
    respond();
  });
  const textOf = (pdu: Extract<Pdu, { command: 'deliver_sm' }>) =>
    decodeText(pdu.shortMessage.length ? pdu.shortMessage : pdu.tlvs.messagePayload!, pdu.dataCoding);
  const deliver = (to: string) =>
    mmsc.deliver({
      from: { kind: 'number', value: '+447700900555' },
      to: [{ kind: 'shortCode', value: to }],
      subject: 'Look',
      parts: [
        { contentType: 'image/png', contentId: 'p1', contentLocation: 'one.png', bytes: PNG },
        { contentType: 'image/gif', contentId: 'p2', contentLocation: 'two.gif', bytes: GIF },
        { contentType: 'text/plain; charset=utf-8', contentId: 't', bytes: Buffer.from('Two pictures') },
      ],
    });
  try {
    await c.connect();
    assert.equal((await deliver('5555')).status.code, 1000);
    await until('the MMS at the bind', () => inbound.length === 1);
    const lines = textOf(inbound[0]).split('\n');
    assert.equal(inbound[0].sourceAddr, '447700900555');
    assert.deepEqual(lines.slice(0, 2), ['Look', 'Two pictures']);
    assert.equal(lines.length, 4, 'one link per picture');
    const bodies = [];
    for (const link of lines.slice(2)) {
      assert.ok(link.startsWith(`${PUBLIC}/media/`), link);
      assert.match(link, /[?&]expires=\d+&signature=[0-9a-f]+/);
      const res = await h.api.inject({ method: 'GET', url: link.slice(PUBLIC.length) });
      assert.equal(res.statusCode, 200, res.body);
      bodies.push(res.rawPayload);
      const forged = await h.api.inject({
        method: 'GET',
        url: link.slice(PUBLIC.length).replace(/.$/, (x) => (x === '0' ? '1' : '0')),
      });
      assert.notEqual(forged.statusCode, 200, 'a link with a forged signature serves nothing');
    }
    assert.deepEqual(bodies, [PNG, GIF]);

    assert.equal((await deliver('5556')).status.code, 1000);
    await until('the text-only MMS at the bind', () => inbound.length === 2);
    assert.equal(textOf(inbound[1]), 'Two pictures', 'mmsAsLinks: false → the text alone');
  } finally {
    await c.close().catch(() => undefined);
    await h.stop();
    await mmsc.close();
  }
});

test('moRoutes[].mmsAsLinks: a boolean, on a user target only; named by key path', () => {
  const check = (route: Record<string, unknown>) => {
    try {
      parseConfig(
        {
          users: [{ username: 'shop', password: 'pw' }],
          connectors: [{ id: 'sim', type: 'simulator' }],
          routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
          moRoutes: [route],
        },
        {},
        'test',
      );
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.issues.map((i) => i.path);
    }
  };
  assert.deepEqual(check({ prefixes: [], user: 'shop', mmsAsLinks: false }), []);
  assert.deepEqual(check({ prefixes: [], url: 'http://127.0.0.1/x', mmsAsLinks: true }), [
    'moRoutes[0].mmsAsLinks',
  ]);
  assert.deepEqual(check({ prefixes: [], user: 'shop', mmsAsLinks: 'yes' }), ['moRoutes[0].mmsAsLinks']);
});
