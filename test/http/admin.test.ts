// The admin API through inject() against a real gateway (SQLite file, simulator connector
// over a real SMPP socket): auth, users and credit, connectors live status and runtime
// stop/start, routes and "test a number", opt-outs, messages and statistics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildAdminApp } from '../../src/http/admin/index.js';
import { buildApiApp } from '../../src/http/api-app.js';
import { userSettings, verifyPassword } from '../../src/domain/index.js';
import { configuredHermod, demoHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const KEY = 'test-admin-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };

async function withAdmin(
  fn: (app: FastifyInstance, h: Awaited<ReturnType<typeof demoHermod>>) => Promise<void>,
  doc?: unknown,
) {
  const h = doc ? await configuredHermod(doc) : await demoHermod();
  const app = await buildAdminApp({ gateway: h.gateway, keys: [KEY, 'second-admin-key-abcdefgh'] });
  try {
    await fn(app, h);
  } finally {
    await app.close();
    await h.stop();
  }
}

const text = (s: string) => ({
  systemId: 'demo',
  source: 'Hermod',
  destination: s,
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hello admin'),
  registeredDelivery: 1,
});

test('admin auth: refused without a key and with a wrong one (401 problem+json); either configured key works', () =>
  withAdmin(async (app) => {
    const none = await app.inject({ method: 'GET', url: '/v1/admin/users' });
    assert.equal(none.statusCode, 401);
    assert.match(String(none.headers['content-type']), /^application\/problem\+json/);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    assert.equal(none.json().code, 'HERMOD_ERR_UNAUTHORIZED');
    assert.deepEqual(Object.keys(none.json()).sort(), [
      'code',
      'detail',
      'permanent',
      'status',
      'title',
      'type',
    ]);
    const wrong = await app.inject({
      method: 'GET',
      url: '/v1/admin/users',
      headers: { authorization: 'Bearer not-the-key' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'HERMOD_ERR_INVALID_ADMIN_KEY');
    const basic = await app.inject({
      method: 'GET',
      url: '/v1/admin/users',
      headers: { authorization: `Basic ${KEY}` },
    });
    assert.equal(basic.statusCode, 401);
    // Unknown admin paths are refused before they are even looked up.
    assert.equal((await app.inject({ method: 'GET', url: '/v1/admin/nope' })).statusCode, 401);
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/nope', headers: auth })).json().code,
      'HERMOD_ERR_NOT_FOUND',
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/users', headers: auth })).statusCode,
      200,
    );
    assert.equal(
      (
        await app.inject({
          method: 'GET',
          url: '/v1/admin/users',
          headers: { authorization: 'Bearer second-admin-key-abcdefgh' },
        })
      ).statusCode,
      200,
    );
  }));

test('admin API with no keys configured refuses everything', async () => {
  const h = await demoHermod();
  const app = await buildAdminApp({ gateway: h.gateway, keys: [] });
  try {
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/users', headers: auth })).statusCode,
      401,
    );
  } finally {
    await app.close();
    await h.stop();
  }
});

test('admin users: list, create, duplicate, show, change password/rate/enabled, credit top-up and refusal', () =>
  withAdmin(async (app, h) => {
    const list = await app.inject({ method: 'GET', url: '/v1/admin/users', headers: auth });
    assert.deepEqual(
      list
        .json()
        .users.map((u: { username: string; balance: string; rate: string }) => [
          u.username,
          u.balance,
          u.rate,
        ]),
      [['demo', '100.00', '0.01']],
    );
    const created = await app.inject({
      method: 'POST',
      url: '/v1/admin/users',
      headers: auth,
      payload: { username: 'alice', password: 'secret1', balance: '12.50', rate: 0.02 },
    });
    assert.equal(created.statusCode, 201);
    assert.deepEqual(
      { ...(created.json() as object), id: 0 },
      {
        id: 0,
        username: 'alice',
        enabled: true,
        balance: '12.50',
        balanceMicros: 12_500_000,
        rate: '0.02',
        rateMicros: 20_000,
        group: null,
        smsCount: null,
        settings: userSettings(),
      },
    );
    assert.ok(
      verifyPassword('secret1', (await h.store.getUserByName('alice'))!.passwordHash),
      'stored as a hash that verifies',
    );
    const dup = await app.inject({
      method: 'POST',
      url: '/v1/admin/users',
      headers: auth,
      payload: { username: 'alice', password: 'x' },
    });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().code, 'HERMOD_ERR_USER_EXISTS');
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/admin/users',
      headers: auth,
      payload: { username: 'bob', password: 'far-too-long' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'HERMOD_ERR_VALIDATION');
    assert.match(bad.json().detail, /password/);
    assert.equal(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/admin/users',
          headers: auth,
          payload: { username: 'bob', password: 'pw', balance: '1.1234567' },
        })
      ).json().code,
      'HERMOD_ERR_INVALID_AMOUNT',
    );

    const changed = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/alice',
      headers: auth,
      payload: { password: 'newpw', rate: '0.05', enabled: false },
    });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json().rate, '0.05');
    assert.equal(changed.json().enabled, false);
    assert.equal(changed.json().balance, '12.50', 'a change keeps the balance');
    const alice = (await h.store.getUserByName('alice'))!;
    assert.ok(verifyPassword('newpw', alice.passwordHash));
    assert.equal(alice.enabled, false);
    assert.equal(
      (await app.inject({ method: 'PATCH', url: '/v1/admin/users/alice', headers: auth, payload: {} }))
        .statusCode,
      400,
    );

    const topped = await app.inject({
      method: 'POST',
      url: '/v1/admin/users/alice/credit',
      headers: auth,
      payload: { amount: '7.5' },
    });
    assert.equal(topped.statusCode, 200);
    assert.equal(topped.json().balance, '20.00');
    assert.equal(await h.store.getBalance(alice.id), 20_000_000);
    const tooMuch = await app.inject({
      method: 'POST',
      url: '/v1/admin/users/alice/credit',
      headers: auth,
      payload: { amount: -20.000001 },
    });
    assert.equal(tooMuch.statusCode, 409);
    assert.equal(tooMuch.json().code, 'HERMOD_ERR_INSUFFICIENT_BALANCE');
    assert.equal(await h.store.getBalance(alice.id), 20_000_000);
    const shown = await app.inject({ method: 'GET', url: '/v1/admin/users/alice', headers: auth });
    assert.equal(shown.json().balance, '20.00');
    const missing = await app.inject({ method: 'GET', url: '/v1/admin/users/nobody', headers: auth });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'HERMOD_ERR_UNKNOWN_USER');
    assert.equal(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/admin/users/nobody/credit',
          headers: auth,
          payload: { amount: 1 },
        })
      ).statusCode,
      404,
    );
  }));

test("admin groups: create, list with member counts, change; disabling a group refuses its users' submits (HERMOD_ERR_GROUP_DISABLED) at once", () =>
  withAdmin(async (app, h) => {
    const created = await app.inject({
      method: 'PUT',
      url: '/v1/admin/groups/retail',
      headers: auth,
      payload: { description: 'shops' },
    });
    assert.equal(created.statusCode, 201);
    assert.deepEqual(
      { ...(created.json() as object), createdAt: 0, updatedAt: 0 },
      { id: 'retail', description: 'shops', enabled: true, users: 0, createdAt: 0, updatedAt: 0 },
    );
    const joined = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { group: 'retail' },
    });
    assert.equal(joined.statusCode, 200);
    assert.equal(joined.json().group, 'retail');
    const unknown = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { group: 'nope' },
    });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().code, 'HERMOD_ERR_UNKNOWN_GROUP');

    const demo = async () => (await h.store.getUserByName('demo'))!;
    await h.gateway.submit(await demo(), text('447700900010')); // caches the (enabled) group
    const off = await app.inject({
      method: 'PUT',
      url: '/v1/admin/groups/retail',
      headers: auth,
      payload: { enabled: false },
    });
    assert.equal(off.statusCode, 200);
    assert.equal(off.json().enabled, false);
    assert.equal(off.json().description, 'shops', 'an omitted description is kept');
    await assert.rejects(h.gateway.submit(await demo(), text('447700900011')), {
      code: 'HERMOD_ERR_GROUP_DISABLED',
    });
    const list = await app.inject({ method: 'GET', url: '/v1/admin/groups', headers: auth });
    assert.deepEqual(
      list
        .json()
        .groups.map((g: { id: string; enabled: boolean; users: number }) => [g.id, g.enabled, g.users]),
      [['retail', false, 1]],
    );
    await app.inject({
      method: 'PUT',
      url: '/v1/admin/groups/retail',
      headers: auth,
      payload: { enabled: true },
    });
    await h.gateway.submit(await demo(), text('447700900012'));
    assert.equal(
      (await app.inject({ method: 'PUT', url: '/v1/admin/groups/bad%20id', headers: auth, payload: {} }))
        .statusCode,
      400,
    );
  }));

test('admin PATCH user: settings merge per section and take effect at once; a bad value filter is a 400 naming the field; SMS-count quota set and cleared', () =>
  withAdmin(async (app, h) => {
    const demo = async () => (await h.store.getUserByName('demo'))!;
    await h.gateway.submit(await demo(), text('447700900020')); // caches the user
    const filtered = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: {
        settings: { valueFilters: { destinationAddr: '^4477009001' }, authorizations: { priority: false } },
      },
    });
    assert.equal(filtered.statusCode, 200);
    assert.equal(filtered.json().settings.valueFilters.destinationAddr, '^4477009001');
    assert.equal(filtered.json().settings.valueFilters.content, '.*', 'other filters keep their values');
    assert.equal(filtered.json().settings.authorizations.priority, false);
    assert.equal(filtered.json().settings.authorizations.httpSend, true);
    await assert.rejects(h.gateway.submit(await demo(), text('447700900200')), {
      code: 'HERMOD_ERR_FILTER_DESTINATION',
    });
    await h.gateway.submit(await demo(), text('447700900100'));
    // A second patch of another section keeps the first one's values.
    const source = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { settings: { defaults: { sourceAddr: 'Brand' } } },
    });
    assert.equal(source.json().settings.defaults.sourceAddr, 'Brand');
    assert.equal(source.json().settings.valueFilters.destinationAddr, '^4477009001');

    const badRe = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { settings: { valueFilters: { content: '(' } } },
    });
    assert.equal(badRe.statusCode, 400);
    assert.match(String(badRe.headers['content-type']), /^application\/problem\+json/);
    assert.equal(badRe.json().code, 'HERMOD_ERR_INVALID_ACCOUNT');
    assert.match(badRe.json().detail, /settings\.valueFilters\.content/);
    const badTp = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { settings: { throughput: { http: -1 } } },
    });
    assert.equal(badTp.statusCode, 400);
    assert.match(badTp.json().detail, /throughput\.http/);
    const badFlag = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { settings: { authorizations: { httpSend: 'maybe' } } },
    });
    assert.equal(badFlag.statusCode, 400);
    assert.match(badFlag.json().detail, /httpSend/);
    assert.equal((await demo()).settings.valueFilters.content, '.*', 'a refused patch changes nothing');

    const quota = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { smsCount: 1 },
    });
    assert.equal(quota.json().smsCount, 1);
    await h.gateway.submit(await demo(), text('447700900101'));
    await assert.rejects(h.gateway.submit(await demo(), text('447700900102')), {
      code: 'HERMOD_ERR_SMS_QUOTA',
    });
    const unlimited = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: auth,
      payload: { smsCount: null },
    });
    assert.equal(unlimited.json().smsCount, null);
    await h.gateway.submit(await demo(), text('447700900103'));
    assert.equal(
      (
        await app.inject({
          method: 'PATCH',
          url: '/v1/admin/users/demo',
          headers: auth,
          payload: { smsCount: -1 },
        })
      ).statusCode,
      400,
    );
  }));

test('admin: an unknown key in a body or query → 400 problem naming it, nothing changed (standalone and mounted in the API app)', () =>
  withAdmin(async (app, h) => {
    const demo = async () => (await h.store.getUserByName('demo'))!;
    const was = await demo();
    const mounted = await buildApiApp({
      gateway: h.gateway,
      version: 'test',
      connectors: () => [],
      docs: false,
      adminKeys: [KEY],
    });
    try {
      for (const [name, a] of [
        ['standalone', app],
        ['mounted', mounted],
      ] as const) {
        const refused = async (res: LightMyRequestResponse, path: string) => {
          assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
          assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
          assert.equal(res.json().code, 'HERMOD_ERR_VALIDATION');
          assert.equal(
            res.json().detail,
            `${path}: unknown property (not in the schema; check its spelling)`,
            name,
          );
        };
        const send = (method: 'POST' | 'PATCH' | 'PUT' | 'GET', url: string, payload?: object) =>
          a.inject({ method, url: `/v1/admin${url}`, headers: auth, ...(payload ? { payload } : {}) });
        // The incident: the typo was stripped, the patch answered 200 and changed nothing.
        await refused(
          await send('PATCH', '/users/demo', { settings: { throughputp: { http: 5 } } }),
          'body/settings/throughputp',
        );
        await refused(
          await send('PATCH', '/users/demo', { settings: { throughput: { htpp: 5 } } }),
          'body/settings/throughput/htpp',
        );
        await refused(await send('PATCH', '/users/demo', { enabled: false, rates: '0.5' }), 'body/rates');
        await refused(
          await send('POST', '/users', { username: 'bob', password: 'pw', balanse: 10 }),
          'body/balanse',
        );
        // `note` is a field of the credit (the ledger's); a misspelt one is still refused.
        await refused(await send('POST', '/users/demo/credit', { amount: 1, notes: 'x' }), 'body/notes');
        await refused(await send('PUT', '/groups/g1', { enabled: true, descripton: 'x' }), 'body/descripton');
        await refused(
          await send('POST', '/optouts', { msisdn: '447700900555', sender: 'Hermod', reason: 'x' }),
          'body/reason',
        );
        await refused(await send('GET', '/messages?stat=sent'), 'querystring/stat');
      }
    } finally {
      await mounted.close();
    }
    assert.deepEqual(await demo(), was, 'the user is unchanged');
    assert.equal(await h.store.getUserByName('bob'), undefined, 'no user was created');
    assert.equal(await h.store.getGroup('g1'), undefined, 'no group was created');
    assert.equal(await h.store.isOptedOut('447700900555', 'Hermod'), false, 'no opt-out was stored');
  }));

test('admin connectors: live status of the simulator connector; stop holds its queue, start binds and drains it', () =>
  withAdmin(async (app, h) => {
    await until('bound', () => h.gateway.getConnector('sim')!.ready);
    const demo = (await h.store.getUserByName('demo'))!;
    const first = await h.gateway.submit(demo, text('447700900001'));
    await until('sent', async () => ['sent', 'delivered'].includes((await h.store.getMessage(first))!.state));

    const list = await app.inject({ method: 'GET', url: '/v1/admin/connectors', headers: auth });
    assert.equal(list.statusCode, 200);
    const [sim] = list.json().connectors;
    assert.equal(sim.id, 'sim');
    assert.equal(sim.type, 'simulator');
    assert.equal(sim.state, 'bound');
    assert.equal(sim.bound, true);
    assert.equal(sim.window.size, 50);
    assert.equal(sim.counters.submits, 1);
    assert.equal(sim.counters.submitted, 1);
    assert.equal(sim.counters.binds, 1);
    assert.equal(sim.queueDepth, 0);
    assert.ok(sim.throughput.perSecond > 0, 'one submit in the last 10 s');
    assert.match(sim.remote, /^127\.0\.0\.1:\d+$/);

    const stopped = await app.inject({ method: 'POST', url: '/v1/admin/connectors/sim/stop', headers: auth });
    assert.equal(stopped.statusCode, 200);
    assert.equal(stopped.json().state, 'stopped');
    assert.equal(stopped.json().bound, false);
    const held = await h.gateway.submit(demo, text('447700900002'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await h.store.getMessage(held))!.state, 'queued', 'not sent while stopped');
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/connectors/sim', headers: auth })).json().queueDepth,
      1,
    );

    const started = await app.inject({
      method: 'POST',
      url: '/v1/admin/connectors/sim/start',
      headers: auth,
    });
    assert.equal(started.statusCode, 200);
    assert.notEqual(started.json().state, 'stopped');
    await until('sent after start', async () =>
      ['sent', 'delivered'].includes((await h.store.getMessage(held))!.state),
    );
    const after = (
      await app.inject({ method: 'GET', url: '/v1/admin/connectors/sim', headers: auth })
    ).json();
    assert.equal(after.state, 'bound');
    assert.equal(after.counters.binds, 2);
    assert.equal(after.counters.disconnects, 1);
    assert.equal(after.queueDepth, 0);

    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/admin/connectors/nope/stop',
      headers: auth,
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'HERMOD_ERR_UNKNOWN_CONNECTOR');
  }));

const routedDoc = {
  users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.03 }],
  connectors: [
    { id: 'fr1', type: 'simulator', latencyMs: { min: 0, max: 0 } },
    { id: 'fr2', type: 'simulator', latencyMs: { min: 0, max: 0 } },
    { id: 'uk', type: 'simulator', latencyMs: { min: 0, max: 0 } },
  ],
  routes: [
    { name: 'france', prefixes: ['33'], type: 'failover', connectors: ['fr1', 'fr2'], rate: 0.02 },
    { name: 'uk', prefixes: ['44'], type: 'static', connectors: ['uk'] },
  ],
};

test('admin routes: ordered list; test a number gives route, connectors (healthy first) and price', () =>
  withAdmin(async (app, h) => {
    await until('bound', () => h.gateway.listConnectors().every((c) => c.ready));
    const routes = (await app.inject({ method: 'GET', url: '/v1/admin/routes', headers: auth })).json()
      .routes;
    assert.deepEqual(
      routes.map((r: { position: number; name: string; connectors: string[]; rate: string | null }) => [
        r.position,
        r.name,
        r.connectors,
        r.rate,
      ]),
      [
        [1, 'france', ['fr1', 'fr2'], '0.02'],
        [2, 'uk', ['uk'], null],
      ],
    );
    const fr = (
      await app.inject({ method: 'GET', url: '/v1/admin/routes/test?to=%2B33612345678', headers: auth })
    ).json();
    assert.equal(fr.to, '33612345678');
    assert.deepEqual(fr.route, { position: 1, name: 'france', type: 'failover' });
    assert.deepEqual(fr.connectors, [
      { id: 'fr1', ready: true },
      { id: 'fr2', ready: true },
    ]);
    assert.equal(fr.price, '0.02');
    assert.equal(fr.priceSource, 'route');
    await h.gateway.stopConnector('fr1');
    const down = (
      await app.inject({ method: 'GET', url: '/v1/admin/routes/test?to=33612345678', headers: auth })
    ).json();
    assert.deepEqual(down.connectors, [
      { id: 'fr2', ready: true },
      { id: 'fr1', ready: false },
    ]);
    const uk = (
      await app.inject({
        method: 'GET',
        url: '/v1/admin/routes/test?to=447700900123&user=shop',
        headers: auth,
      })
    ).json();
    assert.equal(uk.route.name, 'uk');
    assert.equal(uk.price, '0.03');
    assert.equal(uk.priceSource, 'user');
    const long = (
      await app.inject({
        method: 'GET',
        url: `/v1/admin/routes/test?to=447700900123&user=shop&text=${'a'.repeat(200)}`,
        headers: auth,
      })
    ).json();
    assert.deepEqual([long.parts, long.total], [2, '0.06'], 'two parts at the user’s rate');
    assert.equal(
      (
        await app.inject({
          method: 'GET',
          url: '/v1/admin/routes/test?to=4915112345678&user=shop',
          headers: auth,
        })
      ).json().routable,
      false,
    );
    const none = (
      await app.inject({ method: 'GET', url: '/v1/admin/routes/test?to=4915112345678', headers: auth })
    ).json();
    assert.equal(none.routable, false);
    assert.equal(none.route, null);
    const bad = await app.inject({ method: 'GET', url: '/v1/admin/routes/test?to=hello', headers: auth });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'HERMOD_ERR_INVALID_NUMBER');
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/routes/test', headers: auth })).json().code,
      'HERMOD_ERR_VALIDATION',
    );
  }, routedDoc));

test('admin opt-outs: add (the gateway then refuses that number), list, remove, remove again is 404', () =>
  withAdmin(async (app, h) => {
    const add = await app.inject({
      method: 'POST',
      url: '/v1/admin/optouts',
      headers: auth,
      payload: { msisdn: '+447700900555', sender: 'Hermod' },
    });
    assert.equal(add.statusCode, 201);
    assert.equal(add.json().msisdn, '447700900555');
    const demo = (await h.store.getUserByName('demo'))!;
    await assert.rejects(h.gateway.submit(demo, text('447700900555')), { code: 'HERMOD_ERR_OPTED_OUT' });
    await app.inject({
      method: 'POST',
      url: '/v1/admin/optouts',
      headers: auth,
      payload: { msisdn: '447700900666', sender: 'Shop' },
    });
    const list = (await app.inject({ method: 'GET', url: '/v1/admin/optouts', headers: auth })).json()
      .optouts;
    assert.deepEqual(
      list.map((o: { msisdn: string; sender: string }) => [o.msisdn, o.sender]),
      [
        ['447700900555', 'Hermod'],
        ['447700900666', 'Shop'],
      ],
    );
    assert.equal(
      (
        await app.inject({ method: 'GET', url: '/v1/admin/optouts?msisdn=447700900666', headers: auth })
      ).json().optouts.length,
      1,
    );
    assert.equal(
      (
        await app.inject({
          method: 'DELETE',
          url: '/v1/admin/optouts/447700900555?sender=Hermod',
          headers: auth,
        })
      ).statusCode,
      204,
    );
    assert.equal(await h.store.isOptedOut('447700900555', 'Hermod'), false);
    await h.gateway.submit(demo, text('447700900555'));
    const again = await app.inject({
      method: 'DELETE',
      url: '/v1/admin/optouts/447700900555?sender=Hermod',
      headers: auth,
    });
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 'HERMOD_ERR_UNKNOWN_OPTOUT');
    assert.equal(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/admin/optouts',
          headers: auth,
          payload: { msisdn: '447700900555' },
        })
      ).statusCode,
      400,
    );
  }));

test('admin messages and stats: filters, cursor pages, one message with its history; counts by state and connector', () =>
  withAdmin(async (app, h) => {
    const demo = (await h.store.getUserByName('demo'))!;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await h.gateway.submit(demo, text(`44770090010${i}`)));
      await new Promise((r) => setTimeout(r, 2)); // distinct milliseconds: ids sort by time
    }
    await until('delivered', async () =>
      (await Promise.all(ids.map((id) => h.store.getMessage(id)))).every((m) => m!.state === 'delivered'),
    );
    const p1 = (await app.inject({ method: 'GET', url: '/v1/admin/messages?limit=3', headers: auth })).json();
    assert.deepEqual(
      p1.messages.map((m: { id: string }) => m.id),
      [ids[4], ids[3], ids[2]],
    );
    assert.equal(p1.messages[0].text, 'hello admin');
    assert.equal(p1.messages[0].price, '0.01');
    assert.equal(p1.nextCursor, ids[2]);
    const p2 = (
      await app.inject({
        method: 'GET',
        url: `/v1/admin/messages?limit=3&before=${p1.nextCursor}`,
        headers: auth,
      })
    ).json();
    assert.deepEqual(
      p2.messages.map((m: { id: string }) => m.id),
      [ids[1], ids[0]],
    );
    assert.equal(p2.nextCursor, null);
    const byTo = (
      await app.inject({ method: 'GET', url: '/v1/admin/messages?to=447700900102', headers: auth })
    ).json();
    assert.deepEqual(
      byTo.messages.map((m: { id: string }) => m.id),
      [ids[2]],
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/messages?state=failed', headers: auth })).json()
        .messages.length,
      0,
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/messages?user=nobody', headers: auth })).json()
        .messages.length,
      0,
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/messages?state=bogus', headers: auth })).statusCode,
      400,
    );
    const newer = (
      await app.inject({ method: 'GET', url: `/v1/admin/messages?after=${ids[2]}`, headers: auth })
    ).json();
    assert.deepEqual(
      newer.messages.map((m: { id: string }) => m.id),
      [ids[3], ids[4]],
    );
    const one = (
      await app.inject({ method: 'GET', url: `/v1/admin/messages/${ids[0]}`, headers: auth })
    ).json();
    assert.equal(one.state, 'delivered');
    assert.deepEqual(
      one.history.map((e: { state: string }) => e.state),
      ['accepted', 'queued', 'sent', 'delivered'],
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/messages/nope', headers: auth })).json().code,
      'HERMOD_ERR_UNKNOWN_MESSAGE',
    );

    const stats = (await app.inject({ method: 'GET', url: '/v1/admin/stats', headers: auth })).json();
    assert.deepEqual(stats.messages, {
      total: 5,
      byState: { delivered: 5 },
      byConnector: { sim: { delivered: 5 } },
    });
    assert.deepEqual(stats.queue, { depth: 0, byConnector: { sim: 0 } });
    assert.deepEqual(stats.connectors, { total: 1, bound: 1 });
    assert.equal(stats.mo.count, 0);
  }));
