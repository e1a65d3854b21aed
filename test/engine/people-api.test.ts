// Web users on the demo Hermod: sign-in (cookie and Bearer), who is signed in, sign-out,
// roles on REST v1 (viewer, sender, admin, owner), CSRF for the cookie, the login limits,
// members managed by an account admin, operators on the admin API with their session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { configuredHermod, demoHermod } from '../support/hermod.js';
import { DEMO_ADMIN_KEY, DEMO_API_KEY } from '../../src/config/index.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Session {
  token: string;
  csrf: string;
  cookie: string;
}

async function setup() {
  const h = await demoHermod();
  const inject = (
    method: Method,
    url: string,
    o: { payload?: unknown; headers?: Record<string, string>; address?: string } = {},
  ) =>
    h.api.inject({
      method,
      url,
      headers: o.headers ?? {},
      ...(o.payload !== undefined ? { payload: o.payload as object } : {}),
      ...(o.address ? { remoteAddress: o.address } : {}),
    });
  const withKey = (method: Method, url: string, payload?: unknown) =>
    inject(method, url, { payload, headers: { authorization: `Bearer ${DEMO_API_KEY}` } });
  const admin = (method: Method, url: string, payload?: unknown) =>
    inject(method, url, { payload, headers: { authorization: `Bearer ${DEMO_ADMIN_KEY}` } });
  const signIn = async (email: string, password: string, address?: string): Promise<Session> => {
    const r = await inject('POST', '/v1/session', {
      payload: { email, password },
      ...(address ? { address } : {}),
    });
    assert.equal(r.statusCode, 201, r.body);
    const cookie = String(r.headers['set-cookie']);
    return { token: r.json().token, csrf: r.json().csrf, cookie: cookie.split(';')[0] };
  };
  const bearer = (s: Session, method: Method, url: string, payload?: unknown) =>
    inject(method, url, { payload, headers: { authorization: `Bearer ${s.token}` } });
  const byCookie = (s: Session, method: Method, url: string, payload?: unknown, csrf = true) =>
    inject(method, url, {
      payload,
      headers: { cookie: s.cookie, ...(csrf ? { 'x-hermod-csrf': s.csrf } : {}) },
    });
  return { h, inject, withKey, admin, signIn, bearer, byCookie };
}

const isProblem = (r: LightMyRequestResponse, status: number, code: string) => {
  assert.equal(r.statusCode, status, r.body);
  assert.match(String(r.headers['content-type']), /application\/problem\+json/);
  assert.equal(r.json().code, code, r.body);
};

test('sign-in: the cookie and the token, who is signed in, the same 401 for an unknown email and a wrong password, sign-out', async (t) => {
  const { h, inject, withKey, signIn, bearer, byCookie } = await setup();
  t.after(() => h.stop());
  // The account (its API key) adds its owner with a password the owner chose on the phone.
  const made = await withKey('POST', '/v1/members', {
    email: 'Owner@Shop.example',
    display_name: 'Olive',
    role: 'owner',
    password: 'first-temporary-1',
  });
  assert.equal(made.statusCode, 201, made.body);
  assert.equal(made.json().user.must_change_password, true);
  assert.equal(made.json().setup_token, undefined);

  const r = await inject('POST', '/v1/session', {
    payload: { email: 'owner@shop.EXAMPLE', password: 'first-temporary-1' },
  });
  assert.equal(r.statusCode, 201, r.body);
  const cookie = String(r.headers['set-cookie']);
  assert.match(
    cookie,
    /^hermod_session=hs_[A-Za-z0-9_-]{43}; Path=\/v1; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
  );
  const body = r.json();
  assert.equal(cookie.split(';')[0], `hermod_session=${body.token}`);
  assert.deepEqual(
    [body.user.email, body.user.kind, body.user.role, body.account.username],
    ['Owner@Shop.example', 'member', 'owner', 'demo'],
  );
  assert.ok(body.user.last_sign_in_at);
  const s: Session = { token: body.token, csrf: body.csrf, cookie: cookie.split(';')[0] };

  // Who is signed in: by cookie and by Bearer.
  const who = await byCookie(s, 'GET', '/v1/session');
  assert.equal(who.statusCode, 200);
  assert.equal(who.json().csrf, s.csrf);
  assert.equal((await bearer(s, 'GET', '/v1/session')).json().user.role, 'owner');

  // A temporary password: nothing on REST v1 until it is changed.
  isProblem(await bearer(s, 'GET', '/v1/balance'), 403, 'HERMOD_ERR_PASSWORD_CHANGE_REQUIRED');
  isProblem(
    await bearer(s, 'POST', '/v1/session/password', {
      current_password: 'wrong-password-1',
      new_password: 'x'.repeat(12),
    }),
    403,
    'HERMOD_ERR_WRONG_PASSWORD',
  );
  const short = await bearer(s, 'POST', '/v1/session/password', {
    current_password: 'first-temporary-1',
    new_password: 'short',
  });
  isProblem(short, 400, 'HERMOD_ERR_VALIDATION');
  assert.match(short.json().detail, /^new_password: must have at least 10 characters/);
  isProblem(
    await bearer(s, 'POST', '/v1/session/password', {
      current_password: 'first-temporary-1',
      new_password: 'OWNER@shop.example',
    }),
    400,
    'HERMOD_ERR_VALIDATION',
  );
  const other = await signIn('owner@shop.example', 'first-temporary-1');
  const changed = await bearer(s, 'POST', '/v1/session/password', {
    current_password: 'first-temporary-1',
    new_password: 'olive-owns-the-shop',
  });
  assert.equal(changed.statusCode, 204, changed.body);
  assert.equal((await bearer(s, 'GET', '/v1/balance')).statusCode, 200);
  // The other browser was signed out by the change; the old password no longer works.
  isProblem(await bearer(other, 'GET', '/v1/session'), 401, 'HERMOD_ERR_UNAUTHORIZED');

  // One answer for an unknown email and a wrong password.
  const wrong = await inject('POST', '/v1/session', {
    payload: { email: 'owner@shop.example', password: 'first-temporary-1' },
    address: '10.0.0.1',
  });
  const unknown = await inject('POST', '/v1/session', {
    payload: { email: 'nobody@shop.example', password: 'first-temporary-1' },
    address: '10.0.0.2',
  });
  isProblem(wrong, 401, 'HERMOD_ERR_SIGN_IN_FAILED');
  isProblem(unknown, 401, 'HERMOD_ERR_SIGN_IN_FAILED');
  assert.equal(wrong.json().detail, unknown.json().detail);
  assert.equal(wrong.headers['set-cookie'], undefined);

  // Sign-out: by cookie it needs the CSRF header; then the token signs nobody in.
  isProblem(await byCookie(s, 'DELETE', '/v1/session', undefined, false), 403, 'HERMOD_ERR_CSRF');
  const out = await byCookie(s, 'DELETE', '/v1/session');
  assert.equal(out.statusCode, 204);
  assert.match(String(out.headers['set-cookie']), /^hermod_session=; .*Max-Age=0/);
  isProblem(await byCookie(s, 'GET', '/v1/session'), 401, 'HERMOD_ERR_UNAUTHORIZED');
  isProblem(await bearer(s, 'GET', '/v1/balance'), 401, 'HERMOD_ERR_UNAUTHORIZED');
  isProblem(await inject('GET', '/v1/session'), 401, 'HERMOD_ERR_UNAUTHORIZED');

  // Login CSRF: what a cross-site form can send (text/plain, urlencoded) signs nobody in.
  for (const [type, status] of [
    ['text/plain', 400],
    ['application/x-www-form-urlencoded', 415],
  ] as const) {
    const r = await h.api.inject({
      method: 'POST',
      url: '/v1/session',
      headers: { 'content-type': type },
      payload: JSON.stringify({ email: 'owner@shop.example', password: 'olive-owns-the-shop' }),
    });
    assert.equal(r.statusCode, status, type);
    assert.equal(r.headers['set-cookie'], undefined);
  }

  // Behind a TLS-terminating proxy the cookie is Secure.
  const proxied = await inject('POST', '/v1/session', {
    payload: { email: 'owner@shop.example', password: 'olive-owns-the-shop' },
    headers: { 'x-forwarded-proto': 'https' },
  });
  assert.match(String(proxied.headers['set-cookie']), /; Secure$/);

  // The OpenAPI document has the session, members and web-user routes.
  const doc = (await inject('GET', '/openapi.json')).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  for (const [path, method] of [
    ['/v1/session', 'post'],
    ['/v1/session', 'get'],
    ['/v1/session', 'delete'],
    ['/v1/session/password', 'post'],
    ['/v1/session/setup', 'post'],
    ['/v1/members', 'get'],
    ['/v1/members', 'post'],
    ['/v1/members/{id}', 'patch'],
    ['/v1/members/{id}', 'delete'],
    ['/v1/members/{id}/reset', 'post'],
    ['/v1/admin/web-users', 'post'],
    ['/v1/admin/web-users/{id}', 'delete'],
  ])
    assert.ok(doc.paths[path]?.[method], `${method} ${path} is documented`);
});

test('roles: a viewer reads only, a sender sends but manages no one, an admin manages members; the owner and the last admin stay', async (t) => {
  const { h, inject, withKey, signIn, bearer, byCookie } = await setup();
  t.after(() => h.stop());
  const owner = await withKey('POST', '/v1/members', { email: 'owner@shop', role: 'owner' });
  // Invited: a one-time set-password token instead of a password.
  const token = owner.json().setup_token as string;
  assert.match(token, /^hsp_/);
  assert.equal(owner.json().user.has_password, false);
  isProblem(
    await inject('POST', '/v1/session', { payload: { email: 'owner@shop', password: 'anything-at-all' } }),
    401,
    'HERMOD_ERR_SIGN_IN_FAILED',
  );
  isProblem(
    await inject('POST', '/v1/session/setup', { payload: { token, password: 'demo' + 'x'.repeat(2) } }),
    400,
    'HERMOD_ERR_VALIDATION',
  );
  const set = await inject('POST', '/v1/session/setup', { payload: { token, password: 'owner-password-1' } });
  assert.equal(set.statusCode, 200, set.body);
  isProblem(
    await inject('POST', '/v1/session/setup', { payload: { token, password: 'owner-password-2' } }),
    400,
    'HERMOD_ERR_INVALID_SETUP_TOKEN',
  );
  const o = await signIn('owner@shop', 'owner-password-1');

  // The owner (an admin) adds a viewer and a sender, with passwords of their own choosing later.
  const add = async (email: string, role: string) => {
    const r = await byCookie(o, 'POST', '/v1/members', { email, role });
    assert.equal(r.statusCode, 201, r.body);
    const tok = r.json().setup_token;
    assert.equal(
      (await inject('POST', '/v1/session/setup', { payload: { token: tok, password: `${role}-password-1` } }))
        .statusCode,
      200,
    );
    return { id: r.json().user.id as number, session: await signIn(email, `${role}-password-1`) };
  };
  const viewer = await add('viewer@shop', 'viewer');
  const sender = await add('sender@shop', 'sender');

  // Viewer: reads; any change is 403 problem+json (after the CSRF check for the cookie).
  assert.equal((await byCookie(viewer.session, 'GET', '/v1/balance')).statusCode, 200);
  // The owner, the viewer, the sender and the demo's own sign-in (`demo`, demo mode).
  assert.equal((await bearer(viewer.session, 'GET', '/v1/members')).json().data.length, 4);
  isProblem(
    await byCookie(viewer.session, 'POST', '/v1/contacts', { number: '+447700900123' }, false),
    403,
    'HERMOD_ERR_CSRF',
  );
  const refused = await byCookie(viewer.session, 'POST', '/v1/messages', {
    to: '+447700900123',
    from: 'Shop',
    text: 'hi',
  });
  isProblem(refused, 403, 'HERMOD_ERR_FORBIDDEN_ROLE');
  assert.match(refused.json().detail, /needs the sender role or above; you are viewer/);
  isProblem(
    await bearer(viewer.session, 'POST', '/v1/contacts', { number: '+447700900123' }),
    403,
    'HERMOD_ERR_FORBIDDEN_ROLE',
  );

  // Sender: sends (Bearer, and cookie with CSRF), adds contacts; cannot manage people.
  const sent = await bearer(sender.session, 'POST', '/v1/messages', {
    to: '+447700900123',
    from: 'Shop',
    text: 'hi',
  });
  assert.equal(sent.statusCode, 202, sent.body);
  assert.equal(
    (
      await byCookie(sender.session, 'POST', '/v1/messages', {
        to: '+447700900124',
        from: 'Shop',
        text: 'hi',
      })
    ).statusCode,
    202,
  );
  isProblem(
    await byCookie(
      sender.session,
      'POST',
      '/v1/messages',
      { to: '+447700900124', from: 'Shop', text: 'hi' },
      false,
    ),
    403,
    'HERMOD_ERR_CSRF',
  );
  assert.equal(
    (await bearer(sender.session, 'POST', '/v1/contacts', { number: '+447700900125' })).statusCode,
    201,
  );
  isProblem(
    await bearer(sender.session, 'POST', '/v1/members', { email: 'x@shop', role: 'viewer' }),
    403,
    'HERMOD_ERR_FORBIDDEN_ROLE',
  );
  isProblem(
    await bearer(sender.session, 'PATCH', `/v1/members/${viewer.id}`, { role: 'admin' }),
    403,
    'HERMOD_ERR_FORBIDDEN_ROLE',
  );
  // The message is the account's: the API key sees it.
  assert.equal((await withKey('GET', `/v1/messages/${sent.json().id}`)).statusCode, 200);

  // Admin (the owner): promote, demote, disable, remove; the owner stays.
  const promoted = await bearer(o, 'PATCH', `/v1/members/${viewer.id}`, { role: 'sender' });
  assert.equal(promoted.json().role, 'sender');
  assert.equal(
    (await bearer(viewer.session, 'POST', '/v1/contacts', { number: '+447700900126' })).statusCode,
    201,
    'the new role counts at once',
  );
  const ownerId = (await bearer(o, 'GET', '/v1/session')).json().user.id;
  isProblem(
    await bearer(o, 'PATCH', `/v1/members/${ownerId}`, { role: 'sender' }),
    409,
    'HERMOD_ERR_OWNER_PROTECTED',
  );
  isProblem(await bearer(o, 'DELETE', `/v1/members/${ownerId}`), 409, 'HERMOD_ERR_OWNER_PROTECTED');
  isProblem(
    await bearer(o, 'POST', '/v1/members', { email: 'two@shop', role: 'owner' }),
    409,
    'HERMOD_ERR_OWNER_EXISTS',
  );
  isProblem(
    await bearer(o, 'POST', '/v1/members', { email: 'VIEWER@shop', role: 'viewer' }),
    409,
    'HERMOD_ERR_WEB_USER_EXISTS',
  );
  const badEmail = await bearer(o, 'POST', '/v1/members', { email: 'not an email', role: 'viewer' });
  isProblem(badEmail, 400, 'HERMOD_ERR_VALIDATION');
  assert.match(badEmail.json().detail, /^email: /);
  const disabled = await bearer(o, 'PATCH', `/v1/members/${sender.id}`, { enabled: false });
  assert.equal(disabled.json().enabled, false);
  isProblem(await bearer(sender.session, 'GET', '/v1/balance'), 401, 'HERMOD_ERR_UNAUTHORIZED');
  isProblem(
    await inject('POST', '/v1/session', { payload: { email: 'sender@shop', password: 'sender-password-1' } }),
    401,
    'HERMOD_ERR_SIGN_IN_FAILED',
  );
  assert.equal((await bearer(o, 'DELETE', `/v1/members/${sender.id}`)).statusCode, 204);
  isProblem(await bearer(o, 'GET', `/v1/members/${sender.id}`), 404, 'HERMOD_ERR_NOT_FOUND');
  // A reset token for someone who forgot their password.
  const reset = await bearer(o, 'POST', `/v1/members/${viewer.id}/reset`);
  assert.match(reset.json().setup_token, /^hsp_/);
  assert.equal(
    (
      await inject('POST', '/v1/session/setup', {
        payload: { token: reset.json().setup_token, password: 'a-new-password-9' },
      })
    ).statusCode,
    200,
  );
  const v = await signIn('viewer@shop', 'a-new-password-9');

  // Ownership: only the owner hands it over, and becomes an admin.
  isProblem(await bearer(v, 'POST', `/v1/members/${viewer.id}/owner`), 403, 'HERMOD_ERR_FORBIDDEN_ROLE');
  const handed = await bearer(o, 'POST', `/v1/members/${viewer.id}/owner`);
  assert.equal(handed.statusCode, 200, handed.body);
  assert.equal(handed.json().role, 'owner');
  assert.equal((await bearer(o, 'GET', '/v1/session')).json().user.role, 'admin');
  isProblem(await bearer(o, 'POST', `/v1/members/${ownerId}/owner`), 403, 'HERMOD_ERR_FORBIDDEN_ROLE');
});

test('the login limits apply to sign-ins: locked after the failures of an address, 429', async (t) => {
  const { h, inject } = await setup();
  t.after(() => h.stop());
  await inject('POST', '/v1/members', {
    payload: { email: 'ada@shop', role: 'admin', password: 'ada-password-1' },
    headers: { authorization: `Bearer ${DEMO_API_KEY}` },
  });
  const attempt = (password: string) =>
    inject('POST', '/v1/session', { payload: { email: 'ada@shop', password }, address: '192.0.2.7' });
  const answers = [];
  for (let i = 0; i < 6; i++) answers.push(await attempt(`wrong-password-${i}`));
  assert.deepEqual(
    answers.map((a) => a.json().code),
    [...Array(5).fill('HERMOD_ERR_SIGN_IN_FAILED'), 'HERMOD_ERR_SIGN_IN_LOCKED'],
  );
  // Locked: even the right password is refused from that address, and said so (429).
  isProblem(await attempt('ada-password-1'), 429, 'HERMOD_ERR_SIGN_IN_LOCKED');
  // From another address the right password works (the per-email limit is not reached).
  const ok = await inject('POST', '/v1/session', {
    payload: { email: 'ada@shop', password: 'ada-password-1' },
    address: '192.0.2.8',
  });
  assert.equal(ok.statusCode, 201, ok.body);
});

test('operators: created with an admin key, their session opens the admin API (CSRF for the cookie); members are refused there', async (t) => {
  const { h, inject, admin, withKey, signIn, bearer, byCookie } = await setup();
  t.after(() => h.stop());
  const made = await admin('POST', '/v1/admin/web-users', {
    kind: 'operator',
    email: 'ops@hermod.example',
    password: 'operator-password-1',
  });
  assert.equal(made.statusCode, 201, made.body);
  assert.deepEqual(
    [made.json().user.kind, made.json().user.accountId, made.json().user.role],
    ['operator', null, null],
  );
  isProblem(
    await admin('POST', '/v1/admin/web-users', { kind: 'operator', email: 'x@h', account: 'demo' }),
    400,
    'HERMOD_ERR_VALIDATION',
  );
  const op = await signIn('ops@hermod.example', 'operator-password-1');
  // Temporary password: changed first (the session endpoints work meanwhile).
  assert.equal((await bearer(op, 'GET', '/v1/session')).json().user.must_change_password, true);
  assert.equal(
    (
      await bearer(op, 'POST', '/v1/session/password', {
        current_password: 'operator-password-1',
        new_password: 'operator-password-2',
      })
    ).statusCode,
    204,
  );

  // The admin API with the operator's session, by Bearer and by cookie.
  const users = await bearer(op, 'GET', '/v1/admin/users');
  assert.equal(users.statusCode, 200, users.body);
  assert.ok(users.json().users.some((u: { username: string }) => u.username === 'demo'));
  // This operator and the demo's (`admin`, demo mode).
  assert.equal((await byCookie(op, 'GET', '/v1/admin/web-users?kind=operator')).json().webUsers.length, 2);
  isProblem(
    await byCookie(
      op,
      'POST',
      '/v1/admin/web-users',
      { kind: 'member', account: 'demo', role: 'owner', email: 'o@shop' },
      false,
    ),
    403,
    'HERMOD_ERR_CSRF',
  );
  const member = await byCookie(op, 'POST', '/v1/admin/web-users', {
    kind: 'member',
    account: 'demo',
    role: 'admin',
    email: 'boss@shop',
    password: 'boss-password-1',
  });
  assert.equal(member.statusCode, 201, member.body);
  isProblem(
    await bearer(op, 'POST', '/v1/admin/web-users', {
      kind: 'member',
      account: 'nobody',
      role: 'admin',
      email: 'n@shop',
    }),
    404,
    'HERMOD_ERR_UNKNOWN_USER',
  );
  const owned = await bearer(op, 'POST', `/v1/admin/web-users/${member.json().user.id}/owner`);
  assert.equal(owned.json().role, 'owner', owned.body);
  isProblem(
    await bearer(op, 'POST', `/v1/admin/web-users/${made.json().user.id}/owner`),
    404,
    'HERMOD_ERR_NOT_FOUND',
  );
  const listed = await bearer(op, 'GET', '/v1/admin/web-users?account=demo');
  assert.deepEqual(
    listed.json().webUsers.map((u: { email: string }) => u.email),
    ['demo', 'boss@shop'],
  );
  // The last operator stays (the demo's own operator `admin` disabled first).
  const demoOps = (await bearer(op, 'GET', '/v1/admin/web-users?kind=operator')).json().webUsers as {
    id: number;
    email: string;
  }[];
  const demoAdmin = demoOps.find((u) => u.email === 'admin')!;
  assert.equal(
    (await bearer(op, 'PATCH', `/v1/admin/web-users/${demoAdmin.id}`, { enabled: false })).statusCode,
    200,
  );
  isProblem(
    await bearer(op, 'PATCH', `/v1/admin/web-users/${made.json().user.id}`, { enabled: false }),
    409,
    'HERMOD_ERR_LAST_ADMIN',
  );

  // An operator is not an account: REST v1 refuses its session.
  isProblem(await bearer(op, 'GET', '/v1/balance'), 403, 'HERMOD_ERR_FORBIDDEN_ROLE');
  // A member's session is refused on the admin API; a bad token is the admin API's 401.
  const boss = await signIn('boss@shop', 'boss-password-1');
  isProblem(await bearer(boss, 'GET', '/v1/admin/users'), 403, 'HERMOD_ERR_FORBIDDEN_ROLE');
  isProblem(
    await inject('GET', '/v1/admin/users', { headers: { authorization: 'Bearer hs_nothing' } }),
    401,
    'HERMOD_ERR_UNAUTHORIZED',
  );
  // The admin key and the API key keep working as before.
  assert.equal((await admin('GET', '/v1/admin/users')).statusCode, 200);
  // boss@shop and the demo's own sign-in.
  assert.equal((await withKey('GET', '/v1/members')).json().data.length, 2);
  // Signed out, the operator's token opens nothing.
  assert.equal((await bearer(op, 'DELETE', '/v1/session')).statusCode, 204);
  isProblem(await bearer(op, 'GET', '/v1/admin/users'), 401, 'HERMOD_ERR_UNAUTHORIZED');
});

test('split listeners (server.adminPort), real sockets: operators sign in on the admin listener, members on the public one', async (t) => {
  const ADMIN_KEY = 'people-test-admin-key-0123';
  const API_KEY = 'hk_people_test_key_0123456789';
  const h = await configuredHermod({
    server: { adminPort: 0 },
    admin: { keys: [ADMIN_KEY] },
    users: [{ username: 'shop', password: 'pwshop1', balance: 1, rate: 0.01, apiKeys: [API_KEY] }],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  t.after(() => h.stop());
  const pub = `http://127.0.0.1:${h.apiPort}`;
  const adm = `http://127.0.0.1:${h.adminPort}`;
  const post = (url: string, body: unknown, authorization: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
    });
  const get = (url: string, token: string) =>
    fetch(url, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
  const signIn = async (base: string, email: string, password: string) => {
    const r = await fetch(`${base}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(r.status, 201);
    return ((await r.json()) as { token: string }).token;
  };
  const op = await post(
    `${adm}/v1/admin/web-users`,
    { kind: 'operator', email: 'ops@h.example', password: 'operator-password-1' },
    `Bearer ${ADMIN_KEY}`,
  );
  assert.equal(op.status, 201);
  const member = await post(
    `${pub}/v1/members`,
    { email: 'clerk@shop.example', role: 'sender', password: 'clerk-password-1' },
    `Bearer ${API_KEY}`,
  );
  assert.equal(member.status, 201);

  const opToken = await signIn(adm, 'ops@h.example', 'operator-password-1');
  const change = await post(
    `${adm}/v1/session/password`,
    { current_password: 'operator-password-1', new_password: 'operator-password-2' },
    `Bearer ${opToken}`,
  );
  assert.equal(change.status, 204);
  assert.equal(await get(`${adm}/v1/admin/users`, opToken), 200);
  assert.equal(await get(`${pub}/v1/admin/users`, opToken), 404, 'the public listener has no admin API');

  const clerk = await signIn(pub, 'clerk@shop.example', 'clerk-password-1');
  assert.equal(await get(`${adm}/v1/admin/users`, clerk), 403);
  // One session store: the token from either listener says who it is on the other.
  assert.equal(await get(`${adm}/v1/session`, clerk), 200);
});
