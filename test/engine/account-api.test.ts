// The account's own settings on REST v1 (issue 15): API keys made, used and revoked by a
// member admin's session; the webhook URL and its signing secret (a real delivery, signed
// with the rotated secret); how to bind over SMPP and a new SMPP password; roles (a viewer
// reads, never changes); two-factor sign-in with codes computed here by otpauth, counted by
// the login limiter; the Secure cookie behind a TLS proxy; the demo flag of the sign-in page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { configuredHermod, demoHermod } from '../support/hermod.js';
import { startReceiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';
import { verifyPassword } from '../../src/domain/index.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

async function setup() {
  const h = await demoHermod();
  const inject = (method: Method, url: string, headers: Record<string, string> = {}, payload?: unknown) =>
    h.api.inject({
      method,
      url,
      headers,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const signIn = async (email: string, password: string, code?: string) => {
    const r = await inject('POST', '/v1/session', {}, { email, password, ...(code ? { code } : {}) });
    assert.equal(r.statusCode, 201, r.body);
    const auth = { authorization: `Bearer ${r.json().token}` };
    return (method: Method, url: string, payload?: unknown) => inject(method, url, auth, payload);
  };
  const member = async (email: string, role: 'admin' | 'viewer') => {
    await h.engine.people.createMember('demo', role, { email, password: 'correct horse 1', chosen: true });
    return signIn(email, 'correct horse 1');
  };
  return { h, inject, signIn, member };
}

test('API keys: an admin creates one (shown once), it works, it is listed without its secret, revoked it is refused; a viewer only reads', async (t) => {
  const { h, inject, member } = await setup();
  t.after(() => h.stop());
  const admin = await member('ada@shop.example', 'admin');
  const viewer = await member('vic@shop.example', 'viewer');

  const made = await admin('POST', '/v1/api-keys', { label: 'shop backend' });
  assert.equal(made.statusCode, 201, made.body);
  const key = made.json().key as string;
  assert.match(key, /^hk_/);
  assert.equal(made.json().label, 'shop backend');
  const withKey = (url: string) => inject('GET', url, { authorization: `Bearer ${key}` });
  assert.equal((await withKey('/v1/balance')).statusCode, 200);
  assert.equal((await withKey('/v1/balance')).json().username, 'demo');

  const list = await viewer('GET', '/v1/api-keys');
  assert.equal(list.statusCode, 200);
  const mine = (list.json().data as { id: number; label: string; created_at: string }[]).find(
    (k) => k.id === made.json().id,
  );
  assert.deepEqual(Object.keys(mine!).sort(), ['created_at', 'id', 'label']);
  assert.ok(!list.body.includes(key), 'never the key again');

  const refused = await viewer('POST', '/v1/api-keys', {});
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().code, 'HERMOD_ERR_FORBIDDEN_ROLE');
  assert.equal((await viewer('DELETE', `/v1/api-keys/${made.json().id}`)).statusCode, 403);

  assert.equal((await admin('DELETE', `/v1/api-keys/${made.json().id}`)).statusCode, 204);
  assert.equal((await withKey('/v1/balance')).statusCode, 401, 'refused at once after revoke');
  const again = await admin('DELETE', `/v1/api-keys/${made.json().id}`);
  assert.equal(again.json().code, 'HERMOD_ERR_UNKNOWN_API_KEY');
});

test('webhook: the default callback URL gets the status events of messages sent without one, signed with the rotated secret', async (t) => {
  const { h, member } = await setup();
  const rx = await startReceiver();
  t.after(async () => {
    await h.stop();
    await rx.close();
  });
  const admin = await member('ada@shop.example', 'admin');
  const viewer = await member('vic@shop.example', 'viewer');
  const first = await viewer('GET', '/v1/webhook');
  assert.deepEqual(first.json(), { url: null, has_secret: false, secret_hint: null, updated_at: null });

  const bad = await admin('PUT', '/v1/webhook', { url: 'ftp://hooks.example/x' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().detail, /^url: refused/);
  assert.equal((await viewer('PUT', '/v1/webhook', { url: `${rx.url}/status` })).statusCode, 403);

  const set = await admin('PUT', '/v1/webhook', { url: `${rx.url}/status` });
  assert.equal(set.statusCode, 200, set.body);
  assert.equal(set.json().url, `${rx.url}/status`);
  const rotated = await admin('POST', '/v1/webhook/secret');
  assert.equal(rotated.statusCode, 200, rotated.body);
  const secret = rotated.json().secret as string;
  assert.match(secret, /^whsec_/);
  assert.equal(rotated.json().secret_hint, secret.slice(-4));
  const seen = await viewer('GET', '/v1/webhook');
  assert.equal(seen.json().has_secret, true);
  assert.ok(!seen.body.includes(secret), 'never the secret again');

  await until('simulator bound', () => h.simulator?.ready === true);
  const sent = await admin('POST', '/v1/messages', { to: '+447700900123', from: 'Shop', text: 'hi' });
  assert.equal(sent.statusCode, 202, sent.body);
  await until('a status event', () => rx.received.some((r) => r.path === '/status'));
  const ev = rx.received.find((r) => r.path === '/status')!;
  const sig = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
    .update(`${ev.headers['webhook-id']}.${ev.headers['webhook-timestamp']}.${ev.raw}`)
    .digest('base64');
  assert.equal(ev.headers['webhook-signature'], `v1,${sig}`);
});

test('SMPP: how to bind (system_id, host, port), a new password for binds; a viewer may not set it', async (t) => {
  const { h, member } = await setup();
  t.after(() => h.stop());
  const admin = await member('ada@shop.example', 'admin');
  const viewer = await member('vic@shop.example', 'viewer');
  const info = await viewer('GET', '/v1/smpp');
  assert.deepEqual(info.json(), {
    system_id: 'demo',
    host: '127.0.0.1',
    port: h.smppPort,
    tls_port: null,
    password_set: true,
  });
  assert.equal((await viewer('PUT', '/v1/smpp/password', { password: 'secret1' })).statusCode, 403);
  const long = await admin('PUT', '/v1/smpp/password', { password: 'much-too-long' });
  assert.equal(long.statusCode, 400);
  assert.match(long.json().detail, /password/);
  assert.equal((await admin('PUT', '/v1/smpp/password', { password: 'secret1' })).statusCode, 204);
  const u = await h.gateway.services.accounts.byName('demo');
  assert.equal(verifyPassword('secret1', u!.passwordHash), true);
  assert.equal(verifyPassword('demo', u!.passwordHash), false);
});

test('two-factor sign-in: an operator sets it up, confirms with a code, then signs in with one; wrong codes count toward the lockout', async (t) => {
  const { h, inject, signIn } = await setup();
  t.after(() => h.stop());
  const op = await signIn('admin', 'admin');
  assert.deepEqual((await op('GET', '/v1/session/totp')).json(), { enabled: false });
  const setup1 = await op('POST', '/v1/session/totp');
  assert.equal(setup1.statusCode, 201, setup1.body);
  const { secret, uri, qr_svg } = setup1.json() as { secret: string; uri: string; qr_svg: string };
  assert.match(uri, /^otpauth:\/\/totp\/Hermod:admin\?/);
  assert.match(qr_svg, /^<svg/);
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  // Set up, not confirmed: sign-ins do not ask yet.
  await signIn('admin', 'admin');
  const wrong = await op('POST', '/v1/session/totp/confirm', { code: '000000' });
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.json().detail, /^code: /);
  assert.equal((await op('POST', '/v1/session/totp/confirm', { code: totp.generate() })).statusCode, 204);
  assert.deepEqual((await op('GET', '/v1/session/totp')).json(), { enabled: true });

  const post = (body: object, address = '10.0.0.1') =>
    h.api.inject({ method: 'POST', url: '/v1/session', payload: body, remoteAddress: address });
  const noCode = await post({ email: 'admin', password: 'admin' });
  assert.equal(noCode.statusCode, 401);
  assert.equal(noCode.json().code, 'HERMOD_ERR_CODE_REQUIRED');
  assert.equal(noCode.headers['set-cookie'], undefined, 'no session without the code');
  const badCode = await post({ email: 'admin', password: 'admin', code: '123456' });
  assert.equal(badCode.json().code, 'HERMOD_ERR_SIGN_IN_FAILED');
  const code = totp.generate();
  const ok = await post({ email: 'admin', password: 'admin', code });
  assert.equal(ok.statusCode, 201, ok.body);
  const twice = await post({ email: 'admin', password: 'admin', code });
  assert.equal(twice.statusCode, 401, 'a code signs in once');
  const next = () => totp.generate({ timestamp: Date.now() + 30_000 });

  // Wrong codes are failed sign-ins: the address is locked out as for wrong passwords.
  for (let i = 0; i < 5; i++) await post({ email: 'admin', password: 'admin', code: '000000' }, '10.0.0.2');
  const locked = await post({ email: 'admin', password: 'admin', code: totp.generate() }, '10.0.0.2');
  assert.equal(locked.statusCode, 429);

  // Off needs a code too; then sign-ins need none.
  const op2 = await signIn('admin', 'admin', next());
  assert.equal((await op2('POST', '/v1/session/totp/disable', { code: '000000' })).statusCode, 400);
  const off = await op2('POST', '/v1/session/totp/disable', {
    code: totp.generate(),
  });
  assert.equal(off.statusCode, 204, off.body);
  await signIn('admin', 'admin');
  assert.equal((await inject('GET', '/v1/session/totp')).statusCode, 401);
});

test('the session cookie is Secure when the request came over TLS (a proxy saying https), not over plain HTTP', async (t) => {
  const { h, inject } = await setup();
  t.after(() => h.stop());
  const plain = await inject('POST', '/v1/session', {}, { email: 'demo', password: 'demo' });
  assert.doesNotMatch(String(plain.headers['set-cookie']), /Secure/);
  const tls = await inject(
    'POST',
    '/v1/session',
    { 'x-forwarded-proto': 'https' },
    { email: 'demo', password: 'demo' },
  );
  assert.match(String(tls.headers['set-cookie']), /; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
  const out = await inject('DELETE', '/v1/session', {
    authorization: `Bearer ${tls.json().token}`,
    'x-forwarded-proto': 'https',
  });
  assert.match(String(out.headers['set-cookie']), /Max-Age=0; Secure$/);
});

test('GET /v1/sign-in says demo mode to anyone, and only that; false outside demo mode', async (t) => {
  const demo = await demoHermod();
  t.after(() => demo.stop());
  const r = await demo.api.inject({ method: 'GET', url: '/v1/sign-in' });
  assert.deepEqual([r.statusCode, r.json()], [200, { demo: true }]);
  const prod = await configuredHermod({
    admin: { keys: ['admin-key-for-this-test-0123456789'] },
    users: [{ username: 'shop', password: 'pwshop1', balance: 1, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  t.after(() => prod.stop());
  const p = await prod.api.inject({ method: 'GET', url: '/v1/sign-in' });
  assert.deepEqual([p.statusCode, p.json()], [200, { demo: false }]);
});
