// The Jasmin API's authorizations and part counts over real sockets (fetch → Hermod's :1401 →
// simulator, or an SMPP connector to the npm `smpp` package's server): httpBalance and
// httpRate refuse /balance and /rate as Jasmin's credential validator does; dlrMethod,
// dlrLevel and hexContent refuse giving dlr-method, dlr-level and hex-content (and only
// that); /rate's submit_sm_count and price are what /send then charges, also on a connector
// whose GSM text goes out as Latin-1 (dataCoding 3).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver, type Receiver } from '../support/http-receiver.js';
import { recordingSmsc } from '../support/npm-smsc.js';
import { until } from '../support/until.js';

type Hermod = Awaited<ReturnType<typeof configuredHermod>>;
let h: Hermod;
let smsc: Awaited<ReturnType<typeof recordingSmsc>>;
let dlrs: Receiver;

const user = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  password: 'pw',
  balance: 10,
  rate: 0.01,
  ...extra,
});

before(async () => {
  smsc = await recordingSmsc();
  dlrs = await startReceiver();
  h = await configuredHermod({
    users: [
      user('shop'),
      user('nobalance', { authorizations: { httpBalance: false } }),
      user('norate', { authorizations: { httpRate: false }, httpApi: { responseFormat: 'jasmin' } }),
      user('nomethod', { authorizations: { dlrMethod: false } }),
      user('nolevel', { authorizations: { dlrLevel: false } }),
      user('nohex', { authorizations: { hexContent: false } }),
    ],
    connectors: [
      { id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } },
      { id: 'latin', type: 'smpp', host: '127.0.0.1', port: smsc.port, systemId: 'hermod', dataCoding: 3 },
    ],
    routes: [
      { name: 'de-latin', prefixes: ['49'], type: 'static', connectors: ['latin'], rate: 0.05 },
      { name: 'default', type: 'static', connectors: ['sim'], rate: 0.02 },
    ],
    webhooks: { allow: ['127.0.0.1'], backoff: { initialMs: 20, maxMs: 200 } },
  });
  await until('upstream bound', () => h.connectors.get('latin')!.ready);
});
after(async () => {
  await h.stop();
  await smsc.close();
  await dlrs.close();
});

/** A form POST; a field set to undefined is left out. */
async function call(path: string, fields: Record<string, string | undefined>) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  const r = await fetch(`http://127.0.0.1:${h.httpPort}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}
const send = (username: string, fields: Record<string, string | undefined>) =>
  call('/send', { username, password: 'pw', to: '447700900123', content: 'hello', ...fields });
const errorOf = (r: { body: string }) =>
  (JSON.parse(r.body) as { error: { code: string; message: string; status: number } }).error;
const idOf = (r: { body: string }) => (JSON.parse(r.body) as { data: { messageid: string } }).data.messageid;

test('/balance without httpBalance and /rate without httpRate: 400 "Authorization failed for user [...]", as Jasmin', async () => {
  const balance = await call('/balance', { username: 'nobalance', password: 'pw' });
  assert.equal(balance.status, 400);
  assert.deepEqual(errorOf(balance), {
    code: 'HERMOD_ERR_FORBIDDEN_BALANCE',
    message: 'Authorization failed for user [nobalance] (Cannot check balance).',
    status: 400,
  });
  assert.equal(
    (await call('/rate', { username: 'nobalance', password: 'pw', to: '447700900123' })).status,
    200,
    'httpRate is its own authorization',
  );

  // A Jasmin-format user gets Jasmin's body: the reason as a JSON string (its /rate answers JSON).
  const rate = await call('/rate', { username: 'norate', password: 'pw', to: '447700900123' });
  assert.equal(rate.status, 400);
  assert.match(rate.type, /^application\/json/);
  assert.equal(rate.body, '"Authorization failed for user [norate] (Cannot check rate)."');
  assert.equal((await call('/balance', { username: 'norate', password: 'pw' })).status, 200);

  // Authentication still comes first: a wrong password is not told about authorizations.
  assert.equal((await call('/balance', { username: 'nobalance', password: 'nope' })).status, 403);
});

test('dlrMethod false refuses a /send that gives dlr-method; the default method is still allowed', async () => {
  const given = await send('nomethod', { 'dlr-url': `${dlrs.url}/dlr`, 'dlr-method': 'GET' });
  assert.equal(given.status, 400);
  assert.deepEqual(errorOf(given), {
    code: 'HERMOD_ERR_FORBIDDEN_DLR_METHOD',
    message: 'this account may not set a DLR method',
    status: 400,
  });
  const implied = await send('nomethod', { 'dlr-url': `${dlrs.url}/dlr` });
  assert.equal(implied.status, 200, implied.body);
  assert.deepEqual((await h.store.getMessage(idOf(implied)))?.meta.dlr, {
    url: `${dlrs.url}/dlr`,
    level: 1,
    method: 'POST',
  });
});

test('dlrLevel false refuses dlr-level, but dlr=yes with a dlr-url alone is accepted and reported at the default level', async () => {
  const given = await send('nolevel', { dlr: 'yes', 'dlr-url': `${dlrs.url}/level`, 'dlr-level': '1' });
  assert.equal(given.status, 400);
  assert.equal(errorOf(given).code, 'HERMOD_ERR_FORBIDDEN_DLR_LEVEL');
  const plain = await send('nolevel', { dlr: 'yes', 'dlr-url': `${dlrs.url}/level` });
  assert.equal(plain.status, 200, plain.body);
  const id = idOf(plain);
  await until('the level 1 DLR', () => dlrs.received.some((r) => r.path === '/level' && r.form.id === id));
  const got = dlrs.received.filter((r) => r.path === '/level');
  assert.deepEqual(
    got.map((r) => [r.form.id, r.form.level, r.form.message_status]),
    [[id, '1', 'ESME_ROK']],
    'only the accepted message, at level 1',
  );
});

test('hexContent false refuses hex-content whatever its coding; content as text passes', async () => {
  for (const coding of [undefined, '0', '8']) {
    const r = await send('nohex', {
      content: undefined,
      'hex-content': '00680065006c006c006f',
      ...(coding ? { coding } : {}),
    });
    assert.equal(r.status, 400, `coding ${coding ?? 'none'}: ${r.body}`);
    assert.deepEqual(errorOf(r), {
      code: 'HERMOD_ERR_FORBIDDEN_HEX_CONTENT',
      message: 'this account may not send binary content (given as hex-content)',
      status: 400,
    });
  }
  assert.equal((await send('nohex', { content: 'hello' })).status, 200);
  assert.equal(
    (await send('shop', { content: undefined, 'hex-content': '68656c6c6f' })).status,
    200,
    'allowed by default',
  );
});

test('/rate answers the parts and price /send then charges, on a dataCoding 3 connector too', async () => {
  // 150 GSM characters: one SMS as GSM-7, two parts as Latin-1 (140 octets per SMS, 134 per part).
  const text = 'Grüße aus Köln, café à la carte. ' + 'x'.repeat(117);
  for (const [to, parts, rate] of [
    ['4915112345678', 2, 0.05],
    ['447700900123', 1, 0.02],
  ] as const) {
    const quoted = await call('/rate', { username: 'shop', password: 'pw', to, content: text });
    assert.equal(quoted.status, 200, quoted.body);
    assert.deepEqual(JSON.parse(quoted.body), { submit_sm_count: parts, unit_rate: rate }, `/rate to ${to}`);
    const before = JSON.parse((await call('/balance', { username: 'shop', password: 'pw' })).body) as {
      balance: number;
    };
    const sent = await send('shop', { to, content: text });
    assert.equal(sent.status, 200, sent.body);
    const answer = (JSON.parse(sent.body) as { data: { messageid: string; segments: number } }).data;
    assert.equal(answer.segments, parts, '/send says the parts it charged');
    const m = (await h.store.getMessage(answer.messageid))!;
    assert.equal(m.meta.segments, parts);
    assert.equal(m.priceMicros, Math.round(parts * rate * 1_000_000), 'charged submit_sm_count × unit_rate');
    const afterSend = JSON.parse((await call('/balance', { username: 'shop', password: 'pw' })).body) as {
      balance: number;
    };
    assert.equal(Math.round((before.balance - afterSend.balance) * 1_000_000), m.priceMicros);
  }
  await until('the Latin-1 parts upstream', () => smsc.submits.length >= 2);
  assert.equal(
    smsc.submits.filter((p) => p.data_coding === 3).length,
    2,
    'and two parts are what the SMSC gets',
  );
  // The gateway's own quote (REST /v1/rates, the admin test-a-number) agrees as well.
  const shop = (await h.store.getUserByName('shop'))!;
  assert.deepEqual(
    await h.gateway
      .quote({ user: shop, destination: '4915112345678', text })
      .then((q) => [q.parts, q.totalMicros]),
    [2, 100_000],
  );
});
