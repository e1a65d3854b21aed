// An upstream provider over HTTP (connector type http), here a real HTTP server in the test
// standing in for an SMS API: the message goes out as one JSON request built from the
// templates (the whole text, however long), the provider's id is read from its answer, its
// delivery report comes back to /v1/hooks/connectors/{id}/dlr and the message ends
// delivered; 503 is retried, 400 fails the message; an inbound message posted to .../mo is
// stored and routed; a bad token is 401; the admin API hides
// the provider's credentials; definitions are checked naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { decodeText } from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const API_KEY = 'hk_http_connector_test_0001';
const ADMIN = 'http-connector-admin-0001';
const TOKEN = 'dlr-token-0123456789';
const MO_TOKEN = 'mo-token-0123456789';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, string>;
}

/** The provider: answers { data: { id } }, or the status `answer(body)` gives. */
async function provider(answer: (body: Record<string, string>) => number | undefined) {
  const seen: Seen[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, string>;
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      const status = answer(body);
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no' }));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: { id: `p-${++n}` } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    seen,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const connector = (port: number) => ({
  id: 'prov',
  type: 'http',
  url: `http://127.0.0.1:${port}/v2/sms`,
  format: 'json',
  params: { to: '+{to}', from: '{from}', body: '{text}', reference: '{id}' },
  headers: { Authorization: 'Bearer provider-secret' },
  messageId: { json: 'data.id' },
  window: 4,
  dlr: {
    token: TOKEN,
    idField: 'mid',
    statusField: 'state',
    errField: 'code',
    delivered: ['DELIVERED'],
    undelivered: ['FAILED'],
  },
  mo: { token: MO_TOKEN, textField: 'body' },
});

test('http connector: one JSON request per message, the provider’s id from its answer, its DLR callback → delivered; 503 retried, 400 failed', async () => {
  let failNext = 0;
  const p = await provider((body) => {
    if (body.to === '+447700900400') return 400;
    if (body.to === '+447700900503' && failNext++ === 0) return 503;
    return undefined;
  });
  const h = await configuredHermod({
    admin: { keys: [ADMIN] },
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [API_KEY] }],
    connectors: [connector(p.port)],
    routes: [{ name: 'default', type: 'static', connectors: ['prov'] }],
    moRoutes: [{ prefixes: ['5555'], user: 'shop' }],
  });
  const send = async (to: string, text: string) => {
    const res = await h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${API_KEY}` },
      payload: { to, from: 'Shop', text },
    });
    assert.equal(res.statusCode, 202, res.body);
    return (res.json() as { id: string }).id;
  };
  const state = async (id: string) => (await h.store.getMessage(id))?.state;
  const hook = (query: string, payload?: string) =>
    h.api.inject({
      method: payload ? 'POST' : 'GET',
      url: `/v1/hooks/connectors/prov/dlr?${query}`,
      ...(payload ? { payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
    });
  try {
    const long = 'Привет из Hermod! '.repeat(12);
    const id = await send('+447700900123', long);
    await until('sent to the provider', async () => (await state(id)) === 'sent');
    assert.equal(p.seen.length, 1, 'one request for a 4-part UCS-2 text');
    const req = p.seen[0];
    assert.equal(req.path, '/v2/sms');
    assert.equal(req.headers.authorization, 'Bearer provider-secret');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(req.body, { to: '+447700900123', from: 'Shop', body: long, reference: id });
    assert.equal((await h.store.getMessage(id))?.upstreamId, 'p-1');

    assert.equal((await hook(`token=wrong-token-0123456789`, 'mid=p-1&state=DELIVERED')).statusCode, 401);
    const enroute = await hook(`token=${TOKEN}&mid=p-1&state=ENROUTE`);
    assert.deepEqual(
      [enroute.statusCode, enroute.body],
      [200, 'status "ENROUTE" is not final: nothing changes'],
    );
    assert.equal((await hook(`token=${TOKEN}`, 'state=DELIVERED')).statusCode, 400, 'no id field');
    assert.equal(
      (
        await h.api.inject({
          method: 'GET',
          url: `/v1/hooks/connectors/ghost/dlr?token=${TOKEN}&mid=1&state=DELIVERED`,
        })
      ).statusCode,
      404,
    );
    const ok = await hook(`token=${TOKEN}`, 'mid=p-1&state=delivered&code=0');
    assert.deepEqual([ok.statusCode, ok.body], [200, 'OK']);
    assert.equal(await state(id), 'delivered', 'stored before the provider got its 200');

    // 503: transient, sent again after the back-off; 400: permanent.
    const retried = await send('+447700900503', 'try again');
    const refused = await send('+447700900400', 'never');
    await until('retried and sent', async () => (await state(retried)) === 'sent');
    await until('refused for good', async () => (await state(refused)) === 'failed');
    assert.equal(p.seen.filter((s) => s.body.to === '+447700900503').length, 2);
    assert.equal(
      p.seen.filter((s) => s.body.to === '+447700900400').length,
      1,
      'a permanent error is not retried',
    );
    assert.match((await h.store.getMessage(refused))?.error ?? '', /provider answered 400/);
    const upstream = (await h.store.getMessage(retried))?.upstreamId;
    assert.match(upstream ?? '', /^p-\d+$/);
    const undeliv = await hook(`token=${TOKEN}&mid=${upstream}&state=FAILED&code=34`);
    assert.equal(undeliv.statusCode, 200);
    assert.equal(await state(retried), 'undelivered');

    // An inbound message from the provider: stored (and routed) before the 200.
    const mo = (query: string, payload: string) =>
      h.api.inject({
        method: 'POST',
        url: `/v1/hooks/connectors/prov/mo?${query}`,
        payload,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    assert.equal(
      (await mo('token=wrong-token-01234567', 'from=%2B447700900777&to=5555&body=x')).statusCode,
      401,
    );
    assert.equal(
      (await mo(`token=${MO_TOKEN}`, 'from=%2B447700900777&to=5555')).statusCode,
      400,
      'no text field',
    );
    const got = await mo(
      `token=${MO_TOKEN}`,
      `from=%2B447700900777&to=5555&body=${encodeURIComponent('Ответ: да')}`,
    );
    assert.deepEqual([got.statusCode, got.body], [200, 'OK']);
    const [inbound] = await h.store.listMo(5);
    assert.deepEqual(
      [inbound.source, inbound.destination, inbound.connectorId, inbound.routedTo],
      ['447700900777', '5555', 'prov', 'shop'],
    );
    assert.equal(decodeText(inbound.body, inbound.dataCoding), 'Ответ: да');

    // The admin API shows the definition without the provider's credentials, and the live state.
    const shown = (
      await h.api.inject({
        method: 'GET',
        url: '/v1/admin/connectors/prov',
        headers: { authorization: `Bearer ${ADMIN}` },
      })
    ).json() as {
      type: string;
      counters: { submits: number; receipts: number; mos: number };
      definition: { headers: Record<string, string>; dlr: { token: string }; mo: { token: string } };
    };
    assert.equal(shown.type, 'http');
    assert.deepEqual(shown.definition.headers, { Authorization: '(hidden)' });
    assert.equal(shown.definition.dlr.token, '(hidden)');
    assert.equal(shown.definition.mo.token, '(hidden)');
    assert.deepEqual([shown.counters.submits, shown.counters.receipts, shown.counters.mos], [4, 2, 1]);
    assert.ok(!JSON.stringify(shown).includes('provider-secret'));
  } finally {
    await h.stop();
    await p.close();
  }
});

test('http connector definitions are checked naming the key', () => {
  const issues = (over: Record<string, unknown>) => {
    try {
      parseConfig(
        {
          connectors: [{ ...connector(1), ...over }],
          routes: [{ name: 'default', type: 'static', connectors: ['prov'] }],
        },
        { HERMOD_DATA_DIR: '/tmp' },
        'test',
      );
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      // A refused connector also leaves the route naming it unknown: not what is tested here.
      return err.issues.filter((i) => !i.path.startsWith('routes')).map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(issues({}), []);
  assert.deepEqual(issues({ messageId: { regex: 'id=\\w+' } }), [
    'connectors[0].messageId.regex: needs a capturing group: the id is its first group',
  ]);
  assert.deepEqual(issues({ messageId: {} }), [
    'connectors[0].messageId: give exactly one of json (a dotted path in a JSON answer, e.g. data.id) or regex (its first group is the id)',
  ]);
  assert.deepEqual(issues({ url: 'ftp://x/y' }), [
    'connectors[0].url: expected an http:// or https:// URL, got "ftp://x/y"',
  ]);
  assert.deepEqual(issues({ method: 'GET' }), [
    'connectors[0].format: only POST has a body format (GET sends params in the query string)',
  ]);
  assert.deepEqual(issues({ dlr: { token: 'short', delivered: ['OK'] } }), [
    "connectors[0].dlr.token: at least 16 characters (it is the callback's only credential), got 5",
  ]);
  assert.deepEqual(issues({ mo: { token: 'tiny' } }), [
    "connectors[0].mo.token: at least 16 characters (it is the callback's only credential), got 4",
  ]);
  assert.deepEqual(issues({ type: 'htp' }), [
    'connectors[0].type: expected one of simulator, smpp, http, mm7, telnyx, twilio, got "htp"',
  ]);
});
