// Outbound webhooks over real sockets: Jasmin DLR callbacks per dlr-level and method, REST v1
// signed status events, row 21 (receiver down then back: back-off, same event id, order per
// message, nothing lost) and row 28 at delivery time (names resolving to loopback, redirects).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { backoffDelay } from '../../src/lib/backoff.js';
import { newMessageId } from '../../src/domain/index.js';
import { WebhookSender, UrlGuard, signWebhook, webhooksForState } from '../../src/gateway/index.js';
import { SqliteStore, type WebhookItem } from '../../src/store/index.js';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver, until } from '../support/http-receiver.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const doc = (extra: Record<string, unknown> = {}) => ({
  users: [
    {
      username: 'shop',
      password: 'pw',
      balance: 10,
      rate: 0.01,
      webhookSecret: 'whsec_' + Buffer.from('shop-secret').toString('base64'),
    },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 2 }, failPrefixes: ['4479'] }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  webhooks: { allow: ['127.0.0.1'], backoff: { initialMs: 20, maxMs: 100 } },
  ...extra,
});

async function send(port: number, fields: Record<string, string>): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/send`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'shop', password: 'pw', content: 'hi', ...fields }),
  });
  const j = (await r.json()) as { data?: { messageid: string }; error?: unknown };
  assert.equal(r.status, 200, JSON.stringify(j));
  return j.data!.messageid;
}

test('dlr-level 1, 2 and 3 by GET and POST: the right callbacks, Jasmin fields, in order; failures reported', async () => {
  const rx = await startReceiver();
  const h = await configuredHermod(doc());
  try {
    const l1 = await send(h.httpPort, {
      to: '447700900001',
      'dlr-url': `${rx.url}/l1?app=x`,
      'dlr-level': '1',
      'dlr-method': 'GET',
    });
    const l2 = await send(h.httpPort, {
      to: '447700900002',
      'dlr-url': `${rx.url}/l2`,
      'dlr-level': '2',
      'dlr-method': 'POST',
    });
    const l3 = await send(h.httpPort, {
      to: '447700900003',
      'dlr-url': `${rx.url}/l3`,
      'dlr-level': '3',
      'dlr-method': 'GET',
    });
    const none = await send(h.httpPort, { to: '447700900004' });
    const bad = await send(h.httpPort, { to: '447912345678', 'dlr-url': `${rx.url}/bad`, 'dlr-level': '3' });
    await until('all callbacks', () => rx.received.length === 1 + 1 + 2 + 2);
    const at = (path: string) => rx.received.filter((r) => r.path === path);
    const [a] = at('/l1');
    assert.equal(a.method, 'GET');
    assert.deepEqual(
      a.query,
      { app: 'x', id: l1, message_status: 'ESME_ROK', level: '1', connector: 'sim' },
      'the URL keeps its own query',
    );
    const [b] = at('/l2');
    assert.equal(b.method, 'POST');
    assert.equal(b.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(
      Object.keys(b.form).sort(),
      [
        'connector',
        'dlvrd',
        'donedate',
        'err',
        'id',
        'id_smsc',
        'level',
        'message_status',
        'sub',
        'subdate',
        'text',
      ].sort(),
      "Jasmin's level-2 fields",
    );
    assert.equal(b.form.id, l2);
    assert.equal(b.form.level, '2');
    assert.equal(b.form.dlvrd, '001');
    assert.match(b.form.subdate, /^\d{10}$/);
    const c = at('/l3');
    assert.deepEqual(
      c.map((x) => [x.method, x.query.id, x.query.level]),
      [
        ['GET', l3, '1'],
        ['GET', l3, '2'],
      ],
      'level 3: acknowledgement then final, in order',
    );
    assert.equal(at('/none').length, 0);
    assert.ok(!rx.received.some((r) => (r.query.id ?? r.form.id) === none), 'no dlr asked, none sent');
    // A permanent SMSC error: level 1 carries the error, level 2 says undelivered.
    const f = at('/bad');
    assert.deepEqual(
      f.map((x) => x.form.level),
      ['1', '2'],
    );
    assert.equal(f[0].form.id, bad);
    assert.match(f[0].form.message_status, /^ESME_R/);
    assert.notEqual(f[0].form.message_status, 'ESME_ROK');
    assert.equal(f[1].form.dlvrd, '000');
    for (const r of rx.received) {
      assert.match(String(r.headers['webhook-id']), /^[0-9a-z]+$/, 'every callback carries its event id');
      // The sender writes its headers as a list, Host included, as node:http would have.
      assert.equal(r.headers.host, new URL(rx.url).host);
      assert.equal(r.headers['user-agent'], 'Hermod-Webhooks/1');
      assert.equal(r.headers.connection, 'keep-alive');
      if (r.method === 'POST') assert.equal(r.headers['content-length'], String(Buffer.byteLength(r.raw)));
    }
  } finally {
    await h.stop();
    await rx.close();
  }
});

test('REST v1 status callbacks: JSON envelope, Twilio-like statuses, Standard Webhooks signature per user', async () => {
  const rx = await startReceiver();
  const h = await configuredHermod(doc());
  try {
    const user = (await h.store.getUserByName('shop'))!;
    const id = await h.gateway.submit(user, {
      systemId: 'shop',
      source: 'Shop',
      destination: '447700900123',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('rest'),
      registeredDelivery: 0,
      meta: { origin: 'rest', callbackUrl: `${rx.url}/status`, clientRef: 'order-7', tags: ['otp'] },
    });
    await until('sent and delivered events', () => rx.received.length === 2);
    const key = Buffer.from('shop-secret');
    for (const r of rx.received) {
      const sig = createHmac('sha256', key)
        .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.raw}`)
        .digest('base64');
      assert.equal(r.headers['webhook-signature'], `v1,${sig}`, 'verifies with the user secret');
      assert.equal(r.headers['content-type'], 'application/json');
    }
    const events = rx.received.map(
      (r) =>
        r.json as {
          data: { id: string; event_type: string; occurred_at: string; payload: Record<string, unknown> };
          meta: { attempt: number; delivered_to: string };
        },
    );
    assert.deepEqual(
      events.map((e) => [e.data.event_type, e.data.payload.status]),
      [
        ['message.sent', 'sent'],
        ['message.finalized', 'delivered'],
      ],
    );
    assert.equal(events[0].data.id, rx.received[0].headers['webhook-id']);
    assert.deepEqual(events[1].data.payload, {
      id,
      status: 'delivered',
      from: 'Shop',
      to: '447700900123',
      client_ref: 'order-7',
      tags: ['otp'],
    });
    assert.deepEqual(events[1].meta, { attempt: 1, delivered_to: `${rx.url}/status` });
    assert.ok(!Number.isNaN(Date.parse(events[1].data.occurred_at)));
  } finally {
    await h.stop();
    await rx.close();
  }
});

test('row 21: the receiver is down, then errors, then comes back: retried with back-off, same event ids, in order, nothing lost', async () => {
  const rx = await startReceiver();
  rx.mode = 'reset';
  const h = await configuredHermod(doc());
  const delays: { attempt: number; delay: number }[] = [];
  h.webhooks.on('retry', (w: WebhookItem, _e: string, delay: number) =>
    delays.push({ attempt: w.attempts, delay }),
  );
  try {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        await send(h.httpPort, { to: `44770090010${i}`, 'dlr-url': `${rx.url}/dlr`, 'dlr-level': '3' }),
      );
    await until('messages delivered at the SMSC', async () =>
      (await Promise.all(ids.map((id) => h.store.getMessage(id)))).every((m) => m?.state === 'delivered'),
    );
    await until('several failed attempts while down', () => h.webhooks.stats.failedAttempts >= 10);
    rx.mode = 'error'; // up, but failing: it sees the event ids
    await until('attempts seen while failing', () => rx.refused.length >= 5);
    assert.equal(rx.received.length, 0);
    rx.mode = 'ok';
    await until('every callback delivered', () => rx.received.length === 10);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(rx.received.length, 10, 'each event delivered exactly once after acceptance');
    const delivered = rx.received.map((r) => String(r.headers['webhook-id']));
    assert.equal(new Set(delivered).size, 10);
    for (const r of rx.refused)
      assert.ok(
        delivered.includes(String(r.headers['webhook-id'])),
        'a refused attempt and its later success share the event id',
      );
    for (const id of ids) {
      assert.deepEqual(
        rx.received.filter((r) => r.form.id === id).map((r) => r.form.level),
        ['1', '2'],
        `order kept for ${id}`,
      );
    }
    assert.equal(await h.store.webhookDepth(), 0);
    // Back-off: each retry delay lies in the policy's window for its attempt (20 ms doubling to 100 ms, 50 % jitter).
    assert.ok(
      delays.some((d) => d.attempt >= 3),
      'several attempts per item',
    );
    for (const d of delays) {
      const top = backoffDelay({ initialMs: 20, maxMs: 100, factor: 2, jitter: 0.5 }, d.attempt - 1, () => 1);
      assert.ok(
        d.delay >= top / 2 && d.delay <= top,
        `attempt ${d.attempt}: ${d.delay} ms within [${top / 2}, ${top}]`,
      );
    }
  } finally {
    await h.stop();
    await rx.close();
  }
});

test('row 21: items survive a restart and are delivered after it; expired items are dropped and logged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-wh-'));
  const rx = await startReceiver();
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  const store = new SqliteStore(join(dir, 'h.db'));
  const item = (extra: Partial<Parameters<SqliteStore['addWebhooks']>[0][number]> = {}) => ({
    eventId: newMessageId(),
    kind: 'jasmin_mo' as const,
    messageId: newMessageId(),
    owner: '',
    url: `${rx.url}/mo`,
    method: 'POST' as const,
    body: JSON.stringify({ from: '447700900123', content: 'hello' }),
    expiresAt: Date.now() + 60_000,
    ...extra,
  });
  const kept = item();
  await store.addWebhooks([kept, item({ expiresAt: Date.now() + 50, url: `${rx.url}/late` })]);
  await store.close();
  await new Promise((r) => setTimeout(r, 60));
  const again = new SqliteStore(join(dir, 'h.db'));
  const sender = new WebhookSender(again, { guard: new UrlGuard({ allow: ['127.0.0.1'] }), log, pollMs: 20 });
  try {
    sender.start();
    await until('delivered after the restart', () => rx.received.length === 1);
    assert.equal(rx.received[0].headers['webhook-id'], kept.eventId);
    assert.equal(rx.received[0].form.content, 'hello');
    await until('the expired one dropped', () => sender.stats.expired === 1);
    assert.ok(lines.some((l) => l.includes('webhook expired undelivered') && l.includes('/late')));
  } finally {
    await sender.stop();
    await again.close();
    await rx.close();
  }
});

test('row 28 at delivery time: a name resolving to loopback, a literal private address and a redirect are refused and logged; an operator can allow them', async () => {
  const rx = await startReceiver();
  rx.answer = (r) =>
    r.path === '/redirect'
      ? { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } }
      : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-wh-'));
  const store = new SqliteStore(join(dir, 'h.db'));
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  const item = (url: string) => ({
    eventId: newMessageId(),
    kind: 'jasmin_dlr' as const,
    messageId: newMessageId(),
    owner: '',
    url,
    method: 'GET' as const,
    body: '{"id":"x"}',
    expiresAt: Date.now() + 60_000,
  });
  // No allowance: a name resolving to loopback and a literal private address.
  const strict = new WebhookSender(store, { guard: new UrlGuard(), log, pollMs: 20 });
  try {
    await store.addWebhooks([
      item(`http://localhost:${rx.port}/rebind`),
      item(`http://10.0.0.1:${rx.port}/private`),
    ]);
    strict.start();
    await until('two dropped', () => strict.stats.dropped === 2);
    assert.equal(rx.received.length, 0, 'neither was connected to');
  } finally {
    await strict.stop();
  }
  // Loopback allowed: the receiver answers with a redirect to the metadata service.
  const loop = new WebhookSender(store, { guard: new UrlGuard({ allow: ['127.0.0.1'] }), log, pollMs: 20 });
  try {
    await store.addWebhooks([item(`${rx.url}/redirect`)]);
    loop.start();
    await until('the redirect dropped', () => loop.stats.dropped === 1);
    assert.deepEqual(
      rx.received.map((r) => r.path),
      ['/redirect'],
      'the redirect was not followed',
    );
    assert.equal(await store.webhookDepth(), 0);
    const refusals = lines.filter((l) => l.includes('webhook refused'));
    assert.equal(refusals.length, 3);
    assert.ok(refusals.some((l) => l.includes('localhost resolves to') && l.includes('loopback')));
    assert.ok(refusals.some((l) => l.includes('10.0.0.1 is in private')));
    assert.ok(refusals.some((l) => l.includes('redirects are not followed')));
  } finally {
    await loop.stop();
  }
  const open = new WebhookSender(store, { guard: new UrlGuard({ allowPrivateNetworks: true }), pollMs: 20 });
  try {
    await store.addWebhooks([item(`http://localhost:${rx.port}/allowed`)]);
    open.start();
    await until('delivered when allowed', () => rx.received.some((r) => r.path === '/allowed'));
  } finally {
    await open.stop();
    await store.close();
    await rx.close();
  }
});

test('row 28: the guard refuses private, loopback, link-local and unspecified space in every spelling', async () => {
  const g = new UrlGuard();
  for (const url of [
    'http://127.0.0.1/',
    'http://127.1.2.3:8080/x',
    'http://10.20.30.40/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://localhost/',
    'ftp://example.com/',
    'http://user:pw@example.com/',
  ]) {
    await assert.rejects(
      g.check(url),
      (e: Error & { code?: string }) => e.code === 'HERMOD_ERR_URL_REFUSED',
      url,
    );
  }
  assert.equal((await g.check('http://93.184.216.34/dlr')).hostname, '93.184.216.34');
  assert.equal((await g.check('https://172.32.0.1/')).hostname, '172.32.0.1', 'just outside 172.16/12');
  const allowed = new UrlGuard({ allow: ['10.1.0.0/16', 'receiver.internal'] });
  assert.ok(await allowed.check('http://10.1.2.3/'));
  await assert.rejects(allowed.check('http://10.2.0.1/'));
  assert.ok(await allowed.check('http://receiver.internal/'));
  assert.ok(await new UrlGuard({ allowPrivateNetworks: true }).check('http://127.0.0.1/'));
});

test('webhook items from a state change: Jasmin levels and REST statuses', () => {
  const m = {
    id: 'm1',
    userId: 1,
    systemId: 'shop',
    source: 'S',
    destination: '447700900123',
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.alloc(0),
    registeredDelivery: 0,
    priority: 0,
    connectorId: 'sim',
    priceMicros: 0,
    state: 'queued' as const,
    upstreamId: 'up1',
    error: null,
    createdAt: Date.UTC(2026, 0, 2, 3, 4),
    updatedAt: 0,
    meta: {
      dlr: { url: 'http://r/', level: 2 as const, method: 'POST' as const },
      callbackUrl: 'http://r/cb',
    },
  };
  const sent = webhooksForState(m, { state: 'sent', at: 0 });
  assert.deepEqual(
    sent.map((w) => w.kind),
    ['rest'],
    'level 2 skips the acknowledgement',
  );
  // A receipt parked before its submit_sm_resp comes back from JSON with string dates.
  const parked = JSON.parse(
    JSON.stringify({
      id: 'up1',
      stat: 'UNDELIV',
      state: 'undelivered',
      sub: 1,
      dlvrd: 0,
      err: '012',
      submitDate: new Date(Date.UTC(2026, 0, 2, 3, 4)),
      doneDate: new Date(Date.UTC(2026, 0, 2, 3, 5)),
      text: 'a'.repeat(30),
    }),
  );
  const fin = webhooksForState(m, { state: 'undelivered', at: 0, receipt: parked });
  const jasmin = JSON.parse(fin[0].body) as Record<string, string>;
  assert.deepEqual(jasmin, {
    id: 'm1',
    id_smsc: 'up1',
    message_status: 'UNDELIV',
    level: '2',
    connector: 'sim',
    subdate: '2601020304',
    donedate: '2601020305',
    sub: '001',
    dlvrd: '000',
    err: '012',
    text: 'a'.repeat(20),
  });
  const rest = JSON.parse(fin[1].body) as {
    event_type: string;
    payload: { status: string; error_code: string };
  };
  assert.deepEqual(
    [rest.event_type, rest.payload.status, rest.payload.error_code],
    ['message.finalized', 'undelivered', '012'],
  );
  assert.equal(
    signWebhook('plain', 'e1', 10, '{}'),
    `v1,${createHmac('sha256', 'plain').update('e1.10.{}').digest('base64')}`,
  );
});

test('a long message gets one level-1 and one level-2 callback for all its parts (sub/dlvrd count parts)', async () => {
  const rx = await startReceiver();
  const h = await configuredHermod(doc());
  try {
    const id = await send(h.httpPort, {
      to: '447700900077',
      content: 'x'.repeat(300),
      'dlr-url': `${rx.url}/long`,
      'dlr-level': '3',
    });
    await until('both callbacks', () => rx.received.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.received.length, 2, 'one per level, not one per part');
    const [l1, l2] = rx.received;
    assert.deepEqual([l1.form.level, l1.form.id, l1.form.message_status], ['1', id, 'ESME_ROK']);
    assert.deepEqual(
      [l2.form.level, l2.form.id, l2.form.message_status, l2.form.sub, l2.form.dlvrd],
      ['2', id, 'DELIVRD', '002', '002'],
    );
  } finally {
    await h.stop();
    await rx.close();
  }
});

test('a burst to one receiver at its per-host limit: claimed only as fast as it can wait, none handed back, no pause for the poll', async () => {
  const rx = await startReceiver();
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-wh-')), 'h.db'));
  const n = 600;
  await store.addWebhooks(
    Array.from({ length: n }, () => ({
      eventId: newMessageId(),
      kind: 'jasmin_dlr' as const,
      messageId: newMessageId(),
      owner: '',
      url: `${rx.url}/dlr`,
      method: 'GET' as const,
      body: JSON.stringify({ id: 'x', message_status: 'DELIVRD', level: '2' }),
      expiresAt: Date.now() + 600_000,
    })),
  );
  // 2 slots for the receiver, 10 in flight, 100 may wait. Before, every claim took 10 more
  // than were running, up to the 100 waiting; the rest were handed back, due a second later,
  // and the sender then slept until its poll: a minute here.
  const sender = new WebhookSender(store, {
    guard: new UrlGuard({ allow: ['127.0.0.1'] }),
    perHost: 2,
    concurrency: 10,
    pollMs: 60_000,
  });
  try {
    sender.start();
    await until('every callback, before the poll', () => rx.received.length === n, 30_000);
    assert.equal(sender.stats.deferred, 0, 'none handed back for want of a slot');
    assert.equal(sender.stats.delivered, n);
  } finally {
    await sender.stop();
    await store.close();
    await rx.close();
  }
});
