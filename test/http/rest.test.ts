// REST v1 through app.inject() and over a real socket, against a running Hermod (demo
// configuration: SQLite, built-in simulator). Idempotency-Key as
// docs/rest-api.md describes it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { buildApiApp } from '../../src/http/api-app.js';
import { requestHash } from '../../src/http/rest/idempotency.js';
import { hashApiKey, hashPassword, newApiKey } from '../../src/domain/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod, demoHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { startReceiver } from '../support/http-receiver.js';

type H = Awaited<ReturnType<typeof demoHermod>>;
let h: H;
const auth = { authorization: `Bearer ${DEMO_API_KEY}` };

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  h.api.inject({
    method: 'POST',
    url,
    headers: { ...auth, ...headers },
    payload: payload as Record<string, unknown>,
  });
const get = (url: string, headers: Record<string, string> = auth) =>
  h.api.inject({ method: 'GET', url, headers });

function assertProblem(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const p = res.json() as Record<string, unknown>;
  assert.equal(p.status, status);
  assert.equal(p.code, code);
  assert.equal(
    p.type,
    `https://hermod.dev/problems/${code.slice('HERMOD_ERR_'.length).toLowerCase().replace(/_/g, '-')}`,
  );
  assert.equal(typeof p.title, 'string');
  assert.equal(typeof p.detail, 'string');
  assert.equal(typeof p.permanent, 'boolean');
}

before(async () => {
  h = await demoHermod();
});
after(async () => {
  await h.stop();
});

test('POST /v1/messages → 202 with id, status, encoding, segments, cost; GET shows it with its timeline until delivered', async () => {
  const res = await post('/v1/messages', {
    to: '+447700900123',
    from: 'Hermod',
    text: 'Hello from REST',
    client_ref: 'order-1',
    tags: ['t1'],
    callback_url: 'https://example.com/cb',
    callback_failover_url: 'https://backup.example.com/cb',
    validity_period: 3600,
  });
  assert.equal(res.statusCode, 202, res.body);
  const m = res.json();
  assert.match(m.id, /^[0-9a-z]{26}$/);
  assert.equal(m.status, 'queued');
  assert.equal(m.to, '+447700900123');
  assert.equal(m.from, 'Hermod');
  assert.equal(m.encoding, 'gsm7');
  assert.equal(m.segments, 1);
  assert.equal(m.cost, '0.01');
  assert.equal(m.client_ref, 'order-1');
  assert.deepEqual(m.tags, ['t1']);
  assert.equal(m.callback_url, 'https://example.com/cb');
  assert.equal(m.callback_failover_url, 'https://backup.example.com/cb');
  assert.ok(Date.parse(m.valid_until) > Date.now());
  const stored = (await h.store.getMessage(m.id))!;
  assert.equal(stored.body.toString('latin1'), 'Hello from REST', 'GSM-7 unpacked: one septet per octet');
  assert.equal(stored.meta.origin, 'rest');

  await until('delivered', async () => (await h.store.getMessage(m.id))?.state === 'delivered');
  const shown = await get(`/v1/messages/${m.id}`);
  assert.equal(shown.statusCode, 200);
  const d = shown.json();
  assert.equal(d.status, 'delivered');
  assert.equal(d.text, 'Hello from REST');
  assert.deepEqual(
    d.timeline.map((e: { state: string }) => e.state),
    ['accepted', 'queued', 'sent', 'delivered'],
  );
  assert.ok(d.timeline.every((e: { at: string }) => Number.isFinite(Date.parse(e.at))));
});

test('UCS-2 chosen when GSM-7 cannot carry the text; long text counts its parts; binary is base64; gsm7 forced on emoji → problem', async () => {
  const u = (
    await post('/v1/messages', { to: '+447700900124', from: '+447700900999', text: 'Привет 👋' })
  ).json();
  assert.equal(u.encoding, 'ucs2');
  assert.equal(u.from, '447700900999');
  const long = (
    await post('/v1/messages', { to: '+447700900124', from: 'Hermod', text: 'x'.repeat(161) })
  ).json();
  assert.equal(long.segments, 2);
  assert.equal(long.cost, '0.02', 'charged per part');
  await until('long delivered', async () => (await h.store.getMessage(long.id))?.state === 'delivered');
  const shownLong = (await get(`/v1/messages/${long.id}`)).json();
  assert.deepEqual(
    shownLong.parts.map((p: { seq: number; state: string }) => [p.seq, p.state]),
    [
      [1, 'delivered'],
      [2, 'delivered'],
    ],
  );
  assert.ok(
    shownLong.timeline.some((e: { part?: number }) => e.part === 2),
    'part events in the timeline',
  );
  assert.equal(shownLong.text, 'x'.repeat(161));
  const bin = await post('/v1/messages', {
    to: '+447700900124',
    from: 'Hermod',
    binary: Buffer.from([0, 1, 2, 255]).toString('base64'),
  });
  assert.equal(bin.statusCode, 202);
  assert.equal(bin.json().encoding, 'binary');
  assert.equal(bin.json().binary, 'AAEC/w==');
  assertProblem(
    await post('/v1/messages', { to: '+447700900124', from: 'Hermod', text: 'hi 👋', encoding: 'gsm7' }),
    400,
    'HERMOD_ERR_UNENCODABLE',
  );
  assertProblem(
    await post('/v1/messages', { to: '+447700900124', from: 'Hermod' }),
    400,
    'HERMOD_ERR_BAD_REQUEST',
  );
  assertProblem(
    await post('/v1/messages', { to: '+447700900124', from: 'Hermod', text: 'x', callback_url: 'ftp://x' }),
    400,
    'HERMOD_ERR_INVALID_CALLBACK_URL',
  );
  assertProblem(
    await post('/v1/messages', {
      to: '+447700900124',
      from: 'Hermod',
      text: 'x',
      callback_url: 'https://example.com/cb',
      callback_failover_url: 'ftp://x',
    }),
    400,
    'HERMOD_ERR_INVALID_CALLBACK_URL',
  );
  assertProblem(
    await post('/v1/messages', {
      to: '+447700900124',
      from: 'Hermod',
      text: 'x',
      callback_failover_url: 'https://example.com/cb',
    }),
    400,
    'HERMOD_ERR_BAD_REQUEST',
  );
  assertProblem(
    await post('/v1/messages', { to: '+447700900124', from: 'bad-sender!', text: 'x' }),
    400,
    'HERMOD_ERR_INVALID_SOURCE',
  );
});

test('problem+json: bad JSON, schema violation, bad number, unknown id, no key, bad key, unknown route', async () => {
  const bad = await h.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"to": "+44',
  });
  assertProblem(bad, 400, 'HERMOD_ERR_BAD_JSON');
  assertProblem(
    await post('/v1/messages', { to: '+447700900123', from: 'Hermod', text: 'x', unknown_field: 1 }),
    400,
    'HERMOD_ERR_VALIDATION',
  );
  assertProblem(
    await post('/v1/messages', { to: '447700900123', from: 'Hermod', text: 'no plus' }),
    400,
    'HERMOD_ERR_INVALID_DESTINATION',
  );
  assertProblem(
    await post('/v1/messages', { to: '+12', from: 'Hermod', text: 'too short' }),
    400,
    'HERMOD_ERR_INVALID_DESTINATION',
  );
  assertProblem(await get('/v1/messages/0000000000aaaaaaaaaaaaaaaa'), 404, 'HERMOD_ERR_NOT_FOUND');
  const none = await get('/v1/balance', {});
  assertProblem(none, 401, 'HERMOD_ERR_UNAUTHORIZED');
  assert.equal(none.headers['www-authenticate'], 'Bearer');
  assertProblem(
    await get('/v1/balance', { authorization: 'Bearer hk_wrong_key_000000000' }),
    401,
    'HERMOD_ERR_UNAUTHORIZED',
  );
  assertProblem(await get('/v1/nothing-here'), 404, 'HERMOD_ERR_NOT_FOUND');
  assertProblem(await get('/v1/messages?cursor=bm9wZQ'), 400, 'HERMOD_ERR_INVALID_CURSOR');
  assertProblem(await get('/v1/messages?status=nonsense'), 400, 'HERMOD_ERR_VALIDATION');
});

test('an unknown key anywhere in a body or query → 400 problem naming it, and nothing is sent (a typo is never stripped and ignored)', async () => {
  const total = async () => (await h.store.countMessages()).reduce((n, c) => n + c.count, 0);
  const before = await total();
  const refused = async (res: LightMyRequestResponse, path: string) => {
    assertProblem(res, 400, 'HERMOD_ERR_VALIDATION');
    assert.equal(res.json().detail, `${path}: unknown property (not in the schema; check its spelling)`);
  };
  await refused(
    await post('/v1/messages', {
      to: '+447700900123',
      from: 'Hermod',
      text: 'x',
      callback_ulr: 'http://example.com/cb',
    }),
    'body/callback_ulr',
  );
  await refused(
    await post('/v1/messages/batch', { from: 'Hermod', text: 'x', to: ['+447700900123'], clientref: 'r1' }),
    'body/clientref',
  );
  await refused(
    await post('/v1/messages/batch', {
      from: 'Hermod',
      messages: [
        { to: '+447700900123', text: 'ok' },
        { to: '+447700900124', txt: 'typo' },
      ],
    }),
    'body/messages/1/txt',
  );
  await refused(await get('/v1/messages?stauts=delivered'), 'querystring/stauts');
  assert.equal(await total(), before, 'no message was accepted from a refused request');
});

test("a disabled user's key → 403 problem", async () => {
  const off = await h.store.upsertUser({
    username: 'off',
    passwordHash: hashPassword('pw'),
    balanceMicros: 1_000_000,
    rateMicros: 0,
    enabled: false,
  });
  const k = newApiKey();
  await h.store.addApiKey(off.id, k.hash);
  assertProblem(
    await get('/v1/balance', { authorization: `Bearer ${k.key}` }),
    403,
    'HERMOD_ERR_USER_DISABLED',
  );
});

test('no balance → 402 problem; another user never sees my messages', async () => {
  const poor = await h.store.upsertUser({
    username: 'poor',
    passwordHash: hashPassword('pw'),
    balanceMicros: 0,
    rateMicros: 10_000,
  });
  const k = newApiKey();
  await h.store.addApiKey(poor.id, k.hash, 'test');
  const res = await h.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { authorization: `Bearer ${k.key}` },
    payload: { to: '+447700900123', from: 'Poor', text: 'x' },
  });
  assertProblem(res, 402, 'HERMOD_ERR_NO_BALANCE');
  assert.equal(res.json().permanent, false, 'a top-up makes a retry succeed');
  const mine = (await post('/v1/messages', { to: '+447700900123', from: 'Hermod', text: 'private' })).json();
  assertProblem(
    await h.api.inject({
      method: 'GET',
      url: `/v1/messages/${mine.id}`,
      headers: { authorization: `Bearer ${k.key}` },
    }),
    404,
    'HERMOD_ERR_NOT_FOUND',
  );
  const list = await h.api.inject({
    method: 'GET',
    url: '/v1/messages',
    headers: { authorization: `Bearer ${k.key}` },
  });
  assert.deepEqual(list.json().data, []);
});

test('GET /v1/messages: filters and a cursor that stays stable when messages arrive between pages', async () => {
  const ref = `page-${Date.now()}`;
  const ids: string[] = [];
  for (let i = 0; i < 5; i++)
    ids.push(
      (
        await post('/v1/messages', {
          to: `+44770090020${i}`,
          from: 'Hermod',
          text: `p${i}`,
          client_ref: ref,
          tags: [i % 2 ? 'odd' : 'even'],
        })
      ).json().id,
    );
  const p1 = (await get(`/v1/messages?client_ref=${ref}&limit=2`)).json();
  assert.deepEqual(
    p1.data.map((m: { id: string }) => m.id),
    [ids[4], ids[3]],
  );
  assert.equal(typeof p1.next_cursor, 'string');
  await post('/v1/messages', { to: '+447700900209', from: 'Hermod', text: 'newer', client_ref: ref });
  const p2 = (await get(`/v1/messages?client_ref=${ref}&limit=2&cursor=${p1.next_cursor}`)).json();
  assert.deepEqual(
    p2.data.map((m: { id: string }) => m.id),
    [ids[2], ids[1]],
  );
  const p3 = (await get(`/v1/messages?client_ref=${ref}&limit=2&cursor=${p2.next_cursor}`)).json();
  assert.deepEqual(
    p3.data.map((m: { id: string }) => m.id),
    [ids[0]],
  );
  assert.equal(p3.next_cursor, null);
  const odd = (await get(`/v1/messages?client_ref=${ref}&tag=odd`)).json();
  assert.deepEqual(
    odd.data.map((m: { id: string }) => m.id),
    [ids[3], ids[1]],
  );
  const to = (await get(`/v1/messages?to=%2B447700900202`)).json();
  assert.deepEqual(
    to.data.map((m: { id: string }) => m.id),
    [ids[2]],
  );
  const future = (
    await get(`/v1/messages?client_ref=${ref}&since=${new Date(Date.now() + 3_600_000).toISOString()}`)
  ).json();
  assert.deepEqual(future.data, []);
});

test('POST /v1/messages/batch: one result per recipient; a bad number among good ones fails alone', async () => {
  const before = await h.store.getBalance((await h.store.getUserByName('demo'))!.id);
  const res = await post('/v1/messages/batch', {
    from: 'Hermod',
    text: 'batch hello',
    to: ['+447700900301', 'not-a-number', '+447700900302', '+447700900303'],
  });
  assert.equal(res.statusCode, 200, res.body);
  const b = res.json();
  assert.equal(b.accepted, 3);
  assert.equal(b.failed, 1);
  assert.deepEqual(
    b.results.map((r: { ok: boolean }) => r.ok),
    [true, false, true, true],
  );
  assert.equal(b.results[1].error.code, 'HERMOD_ERR_INVALID_DESTINATION');
  assert.equal(b.results[1].index, 1);
  for (const r of b.results.filter((x: { ok: boolean }) => x.ok))
    assert.equal((await h.store.getMessage(r.message.id))?.destination, r.to.slice(1));
  assert.equal(
    await h.store.getBalance((await h.store.getUserByName('demo'))!.id),
    before - 3 * 10_000,
    'charged for the three accepted only',
  );

  const per = (
    await post('/v1/messages/batch', {
      from: 'Hermod',
      messages: [
        { to: '+447700900304', text: 'one' },
        { to: '+447700900305', text: 'двa', client_ref: 'r2' },
      ],
    })
  ).json();
  assert.equal(per.accepted, 2);
  assert.equal(per.results[1].message.encoding, 'ucs2');
  assert.equal(per.results[1].message.client_ref, 'r2');
  assertProblem(
    await post('/v1/messages/batch', { from: 'Hermod', text: 'x' }),
    400,
    'HERMOD_ERR_BAD_REQUEST',
  );

  // Thousands of recipients in one call.
  const many = Array.from({ length: 2000 }, (_, i) => `+4477009${String(10000 + i).padStart(5, '0')}`);
  const big = (await post('/v1/messages/batch', { from: 'Hermod', text: 'bulk', to: many })).json();
  assert.equal(big.accepted + big.failed, 2000);
  assert.equal(big.results.length, 2000);
  assert.deepEqual(
    big.results.map((r: { to: string }) => r.to),
    many,
    'results in request order',
  );
});

test('Idempotency-Key: 5 concurrent retries → one message, identical responses; different body → 422', async () => {
  const key = `idem-${Date.now()}`;
  const body = { to: '+447700900401', from: 'Hermod', text: 'exactly once', client_ref: key };
  const responses = await Promise.all(
    Array.from({ length: 5 }, () => post('/v1/messages', body, { 'idempotency-key': key })),
  );
  assert.deepEqual(
    responses.map((r) => r.statusCode),
    [202, 202, 202, 202, 202],
  );
  assert.equal(new Set(responses.map((r) => r.body)).size, 1, 'identical bodies');
  const listed = (await get(`/v1/messages?client_ref=${key}`)).json();
  assert.equal(listed.data.length, 1, 'one message');
  const later = await post('/v1/messages', body, { 'idempotency-key': key });
  assert.equal(later.body, responses[0].body);
  assert.equal(later.headers['idempotent-replayed'], 'true');
  assertProblem(
    await post('/v1/messages', { ...body, text: 'another text' }, { 'idempotency-key': key }),
    422,
    'HERMOD_ERR_IDEMPOTENCY_MISMATCH',
  );
  // A refused request is stored too: its retry gets the same refusal and sends nothing.
  const badKey = `${key}-bad`;
  const r1 = await post('/v1/messages', { ...body, to: '+1' }, { 'idempotency-key': badKey });
  const r2 = await post('/v1/messages', { ...body, to: '+1' }, { 'idempotency-key': badKey });
  assert.equal(r1.statusCode, 400);
  assert.equal(r2.body, r1.body);
  // Batch is idempotent too.
  const bb = {
    from: 'Hermod',
    text: 'batch once',
    to: ['+447700900402', '+447700900403'],
    client_ref: `${key}-b`,
  };
  const [b1, b2] = await Promise.all([
    post('/v1/messages/batch', bb, { 'idempotency-key': `${key}-b` }),
    post('/v1/messages/batch', bb, { 'idempotency-key': `${key}-b` }),
  ]);
  assert.equal(b1.body, b2.body);
  assert.equal((await get(`/v1/messages?client_ref=${key}-b`)).json().data.length, 2);
});

test('Idempotency-Key: a request whose key is still in flight elsewhere (another node) → 409 after the wait; once finished → replayed', async () => {
  const app = await buildApiApp({
    gateway: h.gateway,
    version: 'test',
    connectors: () => [],
    idempotency: { waitMs: 100 },
    docs: false,
  });
  try {
    const user = (await h.store.getUserByName('demo'))!;
    const body = { to: '+447700900501', from: 'Hermod', text: 'in flight' };
    const hash = requestHash('POST', '/v1/messages', body);
    const key = `flight-${Date.now()}`;
    assert.equal(
      (
        await h.store.beginIdempotent({
          userId: user.id,
          key,
          bodyHash: hash,
          ttlMs: 60_000,
          staleMs: 60_000,
        })
      ).kind,
      'new',
      'another node holds the key',
    );
    const res = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...auth, 'idempotency-key': key },
      payload: body,
    });
    assertProblem(res, 409, 'HERMOD_ERR_IDEMPOTENCY_IN_FLIGHT');
    assert.equal(res.json().permanent, false);
    assertProblem(
      await app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { ...auth, 'idempotency-key': key },
        payload: { ...body, text: 'other' },
      }),
      422,
      'HERMOD_ERR_IDEMPOTENCY_MISMATCH',
    );
    await h.store.finishIdempotent({
      userId: user.id,
      key,
      status: 202,
      response: JSON.stringify({
        status: 202,
        contentType: 'application/json; charset=utf-8',
        body: '{"id":"from-the-other-node"}',
      }),
    });
    const replay = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...auth, 'idempotency-key': key },
      payload: body,
    });
    assert.equal(replay.statusCode, 202);
    assert.equal(replay.json().id, 'from-the-other-node');
  } finally {
    await app.close();
  }
});

test('GET /v1/balance, /v1/rates, /v1/inbound (MO from the simulator, paged)', async () => {
  const bal = (await get('/v1/balance')).json();
  assert.match(bal.balance, /^\d+\.\d{2,6}$/);
  assert.equal(bal.username, 'demo');
  const rate = (await get('/v1/rates?to=%2B447700900123')).json();
  assert.deepEqual(rate, {
    to: '+447700900123',
    country: 'GB',
    rate: '0.01',
    rate_from: 'user',
    route: 'default',
    connector: 'sim',
  });
  const priced = (await get(`/v1/rates?to=%2B447700900123&text=${'x'.repeat(161)}`)).json();
  assert.equal(priced.parts, 2);
  assert.equal(priced.total, '0.02');
  assertProblem(await get('/v1/rates?to=447700900123'), 400, 'HERMOD_ERR_INVALID_DESTINATION');
  assertProblem(await get('/v1/rates'), 400, 'HERMOD_ERR_VALIDATION');

  const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
  await until('bound', () => h.connectors.get('sim')!.ready);
  sim.sendMo('hermod', { from: '447700900777', to: '12345', text: 'first reply' });
  sim.sendMo('hermod', { from: '447700900778', to: '12345', text: 'second reply' });
  await until('two MOs', async () => (await h.store.listMo(10, { routedTo: 'demo' })).length >= 2);
  const p1 = (await get('/v1/inbound?limit=1')).json();
  assert.equal(p1.data.length, 1);
  const p2 = (await get(`/v1/inbound?limit=1&cursor=${p1.next_cursor}`)).json();
  const texts = [p1.data[0].text, p2.data[0].text].sort();
  assert.deepEqual(texts, ['first reply', 'second reply']);
  assert.equal(p1.data[0].direction, 'inbound');
  assert.match(p1.data[0].from, /^\+44770090077[78]$/);
});

test('users[].apiKeys from the configuration authenticate (stored hashed)', async () => {
  const key = 'hk_config_key_1234567890';
  const c = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01, apiKeys: [key] }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  try {
    assert.equal((await c.store.getUserByApiKey(hashApiKey(key)))?.username, 'shop');
    // Over a real socket this time.
    const res = await fetch(`http://127.0.0.1:${c.apiPort}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+447700900123', from: 'Shop', text: 'over TCP' }),
    });
    assert.equal(res.status, 202);
    const m = (await res.json()) as { id: string };
    await until('delivered', async () => (await c.store.getMessage(m.id))?.state === 'delivered');
    const bad = await fetch(`http://127.0.0.1:${c.apiPort}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
  } finally {
    await c.stop();
  }
});

const callbackDoc = (key: string, webhooks?: unknown) => ({
  users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01, apiKeys: [key] }],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  ...(webhooks ? { webhooks } : {}),
});

test('SSRF guard: by default a callback_url or callback_failover_url in loopback or private space is refused at submit (400 HERMOD_ERR_URL_REFUSED), nothing stored', async () => {
  const key = 'hk_callback_deny_1234567890';
  const c = await configuredHermod(callbackDoc(key));
  const send = (url: string, payload: unknown) =>
    c.api.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${key}` },
      payload: payload as Record<string, unknown>,
    });
  try {
    const ref = `ssrf-${Date.now()}`;
    const loop = await send('/v1/messages', {
      to: '+447700900601',
      from: 'Shop',
      text: 'x',
      client_ref: ref,
      callback_url: 'http://127.0.0.1:9/cb',
    });
    assertProblem(loop, 400, 'HERMOD_ERR_URL_REFUSED');
    assert.match(loop.json().detail, /^callback_url refused: 127\.0\.0\.1 is in loopback/);
    assertProblem(
      await send('/v1/messages', {
        to: '+447700900601',
        from: 'Shop',
        text: 'x',
        client_ref: ref,
        callback_url: 'http://[::1]/cb',
      }),
      400,
      'HERMOD_ERR_URL_REFUSED',
    );
    const failover = await send('/v1/messages', {
      to: '+447700900601',
      from: 'Shop',
      text: 'x',
      client_ref: ref,
      callback_url: 'https://example.com/cb',
      callback_failover_url: 'http://169.254.169.254/latest',
    });
    assertProblem(failover, 400, 'HERMOD_ERR_URL_REFUSED');
    assert.match(failover.json().detail, /^callback_failover_url refused: .*link-local/);
    const batch = (
      await send('/v1/messages/batch', {
        from: 'Shop',
        text: 'x',
        client_ref: ref,
        to: ['+447700900602'],
        callback_url: 'http://10.1.2.3/cb',
      })
    ).json();
    assert.equal(batch.failed, 1);
    assert.equal(batch.results[0].error.code, 'HERMOD_ERR_URL_REFUSED');
    const listed = await c.api.inject({
      method: 'GET',
      url: `/v1/messages?client_ref=${ref}`,
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(listed.json().data.length, 0, 'a refused message is neither stored nor charged');
    assert.equal((await c.store.getUserByName('shop'))!.balanceMicros, 1_000_000);
  } finally {
    await c.stop();
  }
});

test("SSRF guard: the operator's webhooks.allow lets a loopback callback_url through at submit, and its events arrive (real sockets)", async () => {
  const receiver = await startReceiver();
  const key = 'hk_callback_allow_1234567890';
  const c = await configuredHermod(callbackDoc(key, { allow: ['127.0.0.1'] }));
  const send = (body: unknown) =>
    fetch(`http://127.0.0.1:${c.apiPort}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  try {
    const res = await send({
      to: '+447700900603',
      from: 'Shop',
      text: 'allowed',
      callback_url: `${receiver.url}/cb`,
    });
    assert.equal(res.status, 202, await res.clone().text());
    const m = (await res.json()) as { id: string };
    await until('an event at the loopback receiver', () =>
      receiver.received.some(
        (r) => (r.json as { data?: { payload?: { id?: string } } }).data?.payload?.id === m.id,
      ),
    );
    // Only what the operator allowed: other private space is still refused.
    const other = await send({
      to: '+447700900603',
      from: 'Shop',
      text: 'x',
      callback_url: 'http://10.1.2.3/cb',
    });
    assert.equal(other.status, 400);
    assert.equal(((await other.json()) as { code: string }).code, 'HERMOD_ERR_URL_REFUSED');
  } finally {
    await c.stop();
    await receiver.close();
  }
  const open = await configuredHermod(callbackDoc(key, { allowPrivateNetworks: true }));
  try {
    const res = await open.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${key}` },
      payload: { to: '+447700900604', from: 'Shop', text: 'x', callback_url: 'http://10.1.2.3/cb' },
    });
    assert.equal(res.statusCode, 202, res.body);
  } finally {
    await open.stop();
  }
});
