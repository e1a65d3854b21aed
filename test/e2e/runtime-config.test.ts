// Connectors and routes changed at runtime through the admin API (issue 4/5): a connector
// added while Hermod runs, pointed at the npm `smpp` package's SMSC (a peer we did not write),
// carries traffic once PUT /routes names it; a bad definition is refused naming its key; a
// connector in use cannot be removed; a replaced one keeps its queue and its password; and a
// restart on the same SQLite file runs what the API set, warning once about what it overrides;
// on PostgreSQL, a second node runs what the first one changed without a restart, told by
// NOTIFY within moments (its listening connection recovers when the server ends it), with the
// poll as the fallback for a change no notification told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod, type RunningHermod } from '../../src/compose/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, type DefinitionsEvent } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { until } from '../support/until.js';
import { recordingSmsc } from '../support/npm-smsc.js';
import { startReceiver } from '../support/http-receiver.js';
import { hermod, json, ok } from '../support/cli.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';

const ADMIN = 'runtime-admin-key-0001';
const API_KEY = 'hk_runtime_test_key_0001';
const admin = { authorization: `Bearer ${ADMIN}` };

/** The file of these tests: a simulator "sim", a file connector "old", a default route. */
const FILE = {
  admin: { keys: [ADMIN] },
  users: [{ username: 'shop', password: 'pw', balance: 100, rate: 0.01, apiKeys: [API_KEY] }],
  connectors: [
    { id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } },
    { id: 'old', type: 'simulator', latencyMs: { min: 0, max: 0 } },
  ],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
};

/** Hermod on `dir`'s SQLite file with FILE; its warnings collected. */
async function start(
  dir: string,
  doc: unknown = FILE,
  env: Record<string, string> = {},
): Promise<RunningHermod & { warnings: { msg: string; overridden?: string[] }[] }> {
  const warnings: { msg: string; overridden?: string[] }[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string }) },
  );
  const config = parseConfig(
    doc,
    {
      HERMOD_DATA_DIR: dir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      ...env,
    },
    'test',
  );
  return Object.assign(await startHermod(config, { logger }), { warnings });
}

const call = (h: RunningHermod, method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown) =>
  h.api.inject({
    method,
    url: `/v1/admin${url}`,
    headers: admin,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

/** Milliseconds from `t0` (performance.now()) until `cond` holds, checked every 2 ms; throws `timed out: <what>` after `ms`. */
async function msUntil(t0: number, what: string, cond: () => boolean, ms: number): Promise<number> {
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return Math.round(performance.now() - t0);
}

/** Node `h`'s definition events from now on (the app's own subscriber was there first and hears each before this one). */
function definitionEvents(h: RunningHermod): DefinitionsEvent[] {
  const events: DefinitionsEvent[] = [];
  h.store.onDefinitionsChanged!((e) => events.push(e));
  return events;
}

/** Until node `h` has listened `n` times and finished the sync that each (re)connect starts. */
async function listened(h: RunningHermod, events: DefinitionsEvent[], n = 1): Promise<void> {
  await until(
    `node ${h.config.store.type === 'postgres' ? h.config.store.nodeId : ''} listening (${n})`,
    () => events.filter((e) => e.kind === 'listening').length >= n,
    3000,
  );
  await h.definitions.sync(); // queued behind the app's
}

const routeNames = (h: RunningHermod) =>
  h.gateway
    .routes()
    .map((r) => r.name)
    .join();

/** The backend of node `node` LISTENing on `schema`'s channel (application_name `hermod-definitions <node>`). */
async function listenerPid(admin: pg.Client, schema: string, node: string): Promise<number | undefined> {
  const { rows } = await admin.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND query = $2',
    [`hermod-definitions ${node}`, `LISTEN "hermod_definitions_${schema}"`],
  );
  return (rows[0] as { pid: number } | undefined)?.pid;
}

async function send(h: RunningHermod, to: string): Promise<string> {
  const res = await h.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { authorization: `Bearer ${API_KEY}` },
    payload: { to, from: 'Shop', text: 'hi' },
  });
  assert.equal(res.statusCode, 202, res.body);
  return (res.json() as { id: string }).id;
}

test('a connector added at runtime carries traffic after PUT /routes; bad definitions 400 naming the key; in use → 409; replaced with its queue and password; all of it still there after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-runtime-'));
  const smsc = await recordingSmsc();
  let h = await start(dir);
  try {
    assert.deepEqual(h.warnings, [], 'a first start overrides nothing');
    const sim = (await call(h, 'GET', '/connectors/sim')).json() as {
      definition: Record<string, unknown>;
      source: string;
    };
    assert.equal(sim.source, 'config');
    assert.equal(sim.definition.type, 'simulator');

    // Added at runtime: 201, bound without a restart, no password in what GET shows.
    const def = {
      type: 'smpp',
      host: '127.0.0.1',
      port: smsc.port,
      systemId: 'hermod',
      password: 'secret1',
      window: 5,
    };
    const put = await call(h, 'PUT', '/connectors/up', def);
    assert.equal(put.statusCode, 201, put.body);
    const created = put.json() as { id: string; source: string; definition: Record<string, unknown> };
    assert.equal(created.id, 'up');
    assert.equal(created.source, 'api');
    assert.equal(created.definition.host, '127.0.0.1');
    assert.equal('password' in created.definition, false);
    await until('up bound', () => h.gateway.getConnector('up')?.ready === true);
    assert.deepEqual(smsc.passwords, ['secret1']);
    const listed = (await call(h, 'GET', '/connectors')).json() as {
      connectors: { id: string; definition: Record<string, unknown> }[];
    };
    assert.deepEqual(
      listed.connectors.map((c) => c.id),
      ['sim', 'old', 'up'],
    );
    assert.ok(listed.connectors.every((c) => !('password' in c.definition)));
    assert.ok(
      !(await call(h, 'GET', '/connectors')).body.includes('secret1'),
      'the password appears nowhere in the listing',
    );

    // Nothing goes to it before a route names it.
    const before = await send(h, '+447700900123');
    await until('sent through sim', async () => (await h.store.getMessage(before))?.connectorId === 'sim');

    const routes = {
      routes: [
        { name: 'uk', prefixes: ['44'], connectors: ['up'] },
        { name: 'default', connectors: ['sim'] },
      ],
    };
    assert.equal(((await call(h, 'GET', '/routes')).json() as { source: string }).source, 'config');
    const r = await call(h, 'PUT', '/routes', routes);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((r.json() as { source: string }).source, 'api');
    assert.deepEqual(
      (r.json() as { routes: { name: string; connectors: string[] }[] }).routes.map((x) => [
        x.name,
        x.connectors,
      ]),
      [
        ['uk', ['up']],
        ['default', ['sim']],
      ],
    );
    const test44 = (await call(h, 'GET', '/routes/test?to=447700900123')).json() as {
      route: { name: string };
      connectors: { id: string }[];
    };
    assert.equal(test44.route.name, 'uk');
    assert.equal(test44.connectors[0].id, 'up');
    const id = await send(h, '+447700900123');
    await until('the submit reached the npm SMSC', () => smsc.submits.length === 1);
    assert.equal(smsc.submits[0].destination_addr, '447700900123');
    await until('recorded as sent through up', async () => (await h.store.getMessage(id))?.state === 'sent');
    assert.equal((await h.store.getMessage(id))?.connectorId, 'up');

    // Bad definitions: 400 problem+json naming the key; nothing changed.
    const bad = await call(h, 'PUT', '/connectors/bad', {
      type: 'smpp',
      host: '127.0.0.1',
      port: 70000,
      systemId: 'x',
      windw: 3,
    });
    assert.equal(bad.statusCode, 400);
    assert.match(String(bad.headers['content-type']), /application\/problem\+json/);
    const p = bad.json() as { code: string; detail: string };
    assert.equal(p.code, 'HERMOD_ERR_INVALID_DEFINITION');
    assert.match(p.detail, /connector\.windw: unknown key \(did you mean "window"\?\)/);
    assert.match(p.detail, /connector\.port: expected an integer 1\.\.65535, got 70000/);
    assert.equal((await call(h, 'GET', '/connectors/bad')).statusCode, 404);
    const badRoutes = await call(h, 'PUT', '/routes', {
      routes: [
        { name: 'x', prefixes: ['1'], connectors: ['nope'] },
        { name: 'y', connectors: ['sim'], users: ['ghost'] },
      ],
    });
    assert.equal(badRoutes.statusCode, 400);
    assert.equal(
      (badRoutes.json() as { detail: string }).detail,
      'routes[0].connectors[0]: unknown connector "nope"; routes[1].users[0]: unknown user "ghost"',
    );
    assert.equal(
      (await call(h, 'PUT', '/routes', [{ name: 'x', connectors: ['sim'] }])).statusCode,
      400,
      'the list goes under "routes"',
    );
    assert.deepEqual(
      h.gateway.routes().map((x) => x.name),
      ['uk', 'default'],
      'a refused list changes nothing',
    );

    // In use: a route names it → 409 with the reason; unknown → 404.
    const named = await call(h, 'DELETE', '/connectors/up');
    assert.equal(named.statusCode, 409);
    assert.equal((named.json() as { code: string }).code, 'HERMOD_ERR_CONNECTOR_IN_USE');
    assert.match((named.json() as { detail: string }).detail, /route "uk" names it/);
    assert.equal((await call(h, 'DELETE', '/connectors/ghost')).statusCode, 404);

    // Queued for it: stopped, a message waits in its queue; routes move away; still 409.
    await call(h, 'POST', '/connectors/up/stop');
    const waiting = await send(h, '+447700900124');
    await until('queued for up', async () => (await h.store.queueDepth('up')) === 1);
    assert.equal(
      (await call(h, 'PUT', '/routes', { routes: [{ name: 'default', connectors: ['sim'] }] })).statusCode,
      200,
    );
    const queued = await call(h, 'DELETE', '/connectors/up');
    assert.equal(queued.statusCode, 409);
    assert.match((queued.json() as { detail: string }).detail, /1 message is queued for it/);

    // Replaced while that message waits: the new definition (no password given) binds with the
    // stored password and sends the queued message; the same id, the same queue.
    const replaced = await call(h, 'PUT', '/connectors/up', {
      ...def,
      password: undefined,
      window: 2,
      systemType: 'cmt',
    });
    assert.equal(replaced.statusCode, 200, replaced.body);
    assert.equal((replaced.json() as { definition: Record<string, unknown> }).definition.systemType, 'cmt');
    await until('the queued message went out through the new up', () => smsc.submits.length === 2);
    assert.equal(smsc.submits[1].destination_addr, '447700900124');
    assert.deepEqual(
      smsc.passwords,
      ['secret1', 'secret1'],
      'the replacement bound with the stored password',
    );
    await until('waiting sent', async () => (await h.store.getMessage(waiting))?.state === 'sent');

    // The file's "old" removed for good, the file's "sim" changed: both through the API.
    assert.equal((await call(h, 'DELETE', '/connectors/old')).statusCode, 204);
    assert.equal((await call(h, 'GET', '/connectors/old')).statusCode, 404);
    assert.equal(
      (
        await call(h, 'PUT', '/connectors/sim', {
          type: 'simulator',
          latencyMs: { min: 0, max: 0 },
          throttle: 50,
        })
      ).statusCode,
      200,
    );
    assert.equal(
      (
        await call(h, 'PUT', '/routes', {
          routes: [
            { name: 'uk', prefixes: ['44'], connectors: ['up'] },
            { name: 'default', connectors: ['sim'] },
          ],
        })
      ).statusCode,
      200,
    );
  } finally {
    await h.stop();
  }

  // Restarted on the same file with the same configuration: what the API set runs.
  h = await start(dir);
  try {
    const listed = (await call(h, 'GET', '/connectors')).json() as {
      connectors: { id: string; source: string; definition: Record<string, unknown> }[];
    };
    assert.deepEqual(
      listed.connectors.map((c) => [c.id, c.source]),
      [
        ['sim', 'api'],
        ['up', 'api'],
      ],
      '"old" stays removed; "up" is back',
    );
    assert.equal(
      listed.connectors[0].definition.throttle,
      50,
      'the API definition of "sim" wins over the file',
    );
    assert.equal(listed.connectors[1].definition.systemType, 'cmt');
    assert.deepEqual(
      h.gateway.routes().map((x) => [x.name, x.connectors]),
      [
        ['uk', ['up']],
        ['default', ['sim']],
      ],
    );
    const warned = h.warnings.filter((w) => w.overridden);
    assert.equal(warned.length, 1, 'one warning');
    assert.deepEqual(warned[0].overridden, ['connector "sim"', 'connector "old" (removed)', 'the MT routes']);
    assert.match(
      warned[0].msg,
      /the store overrides the configuration file for connector "sim", connector "old" \(removed\), the MT routes/,
    );
    await until('up bound again', () => h.gateway.getConnector('up')?.ready === true);
    assert.equal(smsc.passwords.at(-1), 'secret1', 'the stored password survived the restart');
    const id = await send(h, '+447700900125');
    await until('sent through up after the restart', () => smsc.submits.length === 3);
    await until('recorded', async () => (await h.store.getMessage(id))?.connectorId === 'up');
  } finally {
    await h.stop();
  }

  // The file changed: a new file connector and its route are seeded; the API's rows still win.
  const changed = {
    ...FILE,
    connectors: [...FILE.connectors, { id: 'extra', type: 'simulator' }],
    routes: [{ name: 'x', prefixes: ['33'], connectors: ['extra'] }, ...FILE.routes],
  };
  h = await start(dir, changed);
  try {
    assert.deepEqual(
      h.gateway.listConnectors().map((c) => c.id),
      ['sim', 'up', 'extra'],
    );
    assert.deepEqual(
      h.gateway.routes().map((x) => x.name),
      ['uk', 'default'],
      'routes set through the API win over the file',
    );
    assert.equal(((await call(h, 'GET', '/connectors/extra')).json() as { source: string }).source, 'config');
  } finally {
    await h.stop();
    await smsc.close();
  }
});

test('syncSoon() coalesces a burst: calls while a sync waits share it, calls while one runs get exactly one more after it', async () => {
  const h = await start(mkdtempSync(join(tmpdir(), 'hermod-runtime-burst-')));
  try {
    const read = h.store.listConnectorDefinitions.bind(h.store);
    let reads = 0;
    let gate = Promise.resolve();
    let open = () => undefined as void;
    h.store.listConnectorDefinitions = async () => {
      reads++;
      await gate;
      return read();
    };
    const burst = Array.from({ length: 10 }, () => h.definitions.syncSoon());
    assert.equal(new Set(burst).size, 1, 'ten calls before it starts: one sync');
    await Promise.all(burst);
    assert.equal(reads, 1);

    gate = new Promise((r) => (open = r));
    const running = h.definitions.syncSoon();
    await until('the sync is reading the store', () => reads === 2);
    const after = Array.from({ length: 10 }, () => h.definitions.syncSoon());
    assert.notEqual(
      after[0],
      running,
      'a call while one runs is not answered by it (it may have read too early)',
    );
    assert.equal(new Set(after).size, 1);
    open();
    await Promise.all([running, ...after]);
    assert.equal(reads, 3, 'the running sync and one more, not one per call');

    await h.definitions.stop();
    assert.deepEqual(await h.definitions.syncSoon(), [], 'none after stop()');
    assert.equal(reads, 3);
  } finally {
    await h.stop();
  }
});

test('start refuses a store whose routes name a connector removed through the API, saying which key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-runtime-'));
  let h = await start(dir);
  try {
    assert.equal((await call(h, 'DELETE', '/connectors/old')).statusCode, 204);
  } finally {
    await h.stop();
  }
  // The file (whose routes the store follows) now routes through "old", which the API removed for good.
  const doc = { ...FILE, routes: [{ name: 'default', connectors: ['old'] }] };
  h = await start(dir, doc).catch((err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /routes\[0\]\.connectors\[0\]: unknown connector "old"/);
    return undefined as unknown as Awaited<ReturnType<typeof start>>;
  });
  assert.equal(h, undefined, 'start was refused');
});

test('a connector replaced while submits are in flight: they finish on the old bind (answered, recorded, never sent twice), then the new one binds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-runtime-'));
  const smsc = await recordingSmsc(400);
  const h = await start(dir);
  try {
    const def = {
      type: 'smpp',
      host: '127.0.0.1',
      port: smsc.port,
      systemId: 'hermod',
      password: 'pw',
      window: 10,
    };
    assert.equal((await call(h, 'PUT', '/connectors/up', def)).statusCode, 201);
    assert.equal(
      (await call(h, 'PUT', '/routes', { routes: [{ name: 'all', connectors: ['up'] }] })).statusCode,
      200,
    );
    await until('up bound', () => h.gateway.getConnector('up')?.ready === true);
    const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => send(h, `+44770090020${i}`)));
    await until('5 submits at the SMSC, none answered yet', () => smsc.submits.length === 5);
    const old = h.gateway.getConnector('up')!;
    assert.equal(old.status().window.inUse, 5, 'all five in flight');
    const replaced = await call(h, 'PUT', '/connectors/up', { ...def, window: 3 });
    assert.equal(replaced.statusCode, 200, replaced.body);
    // The PUT answers once the old connector's in-flight submits were answered and recorded.
    for (const id of ids)
      assert.equal((await h.store.getMessage(id))?.state, 'sent', `${id} sent before the replace finished`);
    assert.deepEqual(
      (await Promise.all(ids.map((id) => h.store.getMessage(id)))).map((m) => m?.upstreamId).sort(),
      ['npm-1', 'npm-2', 'npm-3', 'npm-4', 'npm-5'],
    );
    assert.equal(old.status().state, 'stopped');
    assert.notEqual(h.gateway.getConnector('up'), old);
    await until('the new one bound', () => h.gateway.getConnector('up')?.ready === true);
    assert.equal(smsc.passwords.length, 2);
    const after = await send(h, '+447700900299');
    await until('sent through the new bind', async () => (await h.store.getMessage(after))?.state === 'sent');
    assert.equal(smsc.submits.length, 6, 'nothing was sent twice');
    assert.equal(h.gateway.getConnector('up')!.status().window.size, 3);
  } finally {
    await h.stop();
    await smsc.close();
  }
});

test('on PostgreSQL: a connector and routes set through the API run again after a restart on the same schema', async (t) => {
  if (!(await requirePostgres(t))) return;
  const env = {
    HERMOD_DATABASE_URL: PG_URL,
    HERMOD_DATABASE_SCHEMA: `hermod_rt_${randomBytes(5).toString('hex')}`,
  };
  const dir = mkdtempSync(join(tmpdir(), 'hermod-runtime-'));
  try {
    let h = await start(dir, FILE, env);
    try {
      assert.equal(h.config.store.type, 'postgres');
      assert.equal(
        (await call(h, 'PUT', '/connectors/fr', { type: 'simulator', latencyMs: { min: 0, max: 0 } }))
          .statusCode,
        201,
      );
      assert.equal(
        (
          await call(h, 'PUT', '/routes', {
            routes: [
              { name: 'fr', prefixes: ['33'], connectors: ['fr'] },
              { name: 'default', connectors: ['sim'] },
            ],
          })
        ).statusCode,
        200,
      );
      assert.equal((await call(h, 'DELETE', '/connectors/old')).statusCode, 204);
    } finally {
      await h.stop();
    }
    h = await start(dir, FILE, env);
    try {
      assert.deepEqual(
        h.gateway.listConnectors().map((c) => c.id),
        ['sim', 'fr'],
      );
      assert.deepEqual(
        h.gateway.routes().map((r) => r.name),
        ['fr', 'default'],
      );
      assert.deepEqual(h.warnings.find((w) => w.overridden)?.overridden, [
        'connector "old" (removed)',
        'the MT routes',
      ]);
      await until('fr bound', () => h.gateway.getConnector('fr')?.ready === true);
      const id = await send(h, '+33612345678');
      await until('delivered through fr', async () => (await h.store.getMessage(id))?.state === 'delivered');
      assert.equal((await h.store.getMessage(id))?.connectorId, 'fr');
    } finally {
      await h.stop();
    }
  } finally {
    await PostgresStore.dropSchema(PG_URL, env.HERMOD_DATABASE_SCHEMA);
  }
});

test('on PostgreSQL with two nodes: what one node’s admin API changes, the other runs within moments, told by NOTIFY (the poll set to an hour), without a restart', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_rt_${randomBytes(5).toString('hex')}`;
  const env = (node: string) => ({
    HERMOD_DATABASE_URL: PG_URL,
    HERMOD_DATABASE_SCHEMA: schema,
    HERMOD_NODE_ID: node,
  });
  const doc = { ...FILE, store: { definitionsPollS: 3600 } };
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const a = await start(mkdtempSync(join(tmpdir(), 'hermod-runtime-a-')), doc, env('a'));
    const b = await start(mkdtempSync(join(tmpdir(), 'hermod-runtime-b-')), doc, env('b'));
    try {
      // Listening, and done with the sync that follows, before the change: so only a
      // notification can bring it (the poll is an hour away).
      await listened(b, definitionEvents(b));
      assert.ok(
        await listenerPid(admin, schema, 'b'),
        'b LISTENs on a connection of its own, named in pg_stat_activity',
      );
      assert.deepEqual(await b.definitions.sync(), [], 'in line with the store: a sync changes nothing');
      let t0 = performance.now();
      assert.equal(
        (await call(a, 'PUT', '/connectors/fr', { type: 'simulator', latencyMs: { min: 0, max: 0 } }))
          .statusCode,
        201,
      );
      const connectorMs = await msUntil(
        t0,
        'node b has fr, told by NOTIFY',
        () => b.gateway.getConnector('fr') !== undefined,
        3000,
      );
      t0 = performance.now();
      assert.equal(
        (
          await call(a, 'PUT', '/routes', {
            routes: [
              { name: 'fr', prefixes: ['33'], connectors: ['fr'] },
              { name: 'default', connectors: ['sim'] },
            ],
          })
        ).statusCode,
        200,
      );
      const routesMs = await msUntil(
        t0,
        'node b runs the new routes, told by NOTIFY',
        () => routeNames(b) === 'fr,default',
        3000,
      );
      t.diagnostic(
        `node a's admin call → node b runs it, by NOTIFY: connector ${connectorMs} ms, MT routes ${routesMs} ms (definitionsPollS: 3600)`,
      );
      assert.equal((await call(a, 'DELETE', '/connectors/old')).statusCode, 204);
      assert.equal(
        (
          await call(a, 'PUT', '/mo-routes', {
            moRoutes: [{ name: 'fr-replies', prefixes: ['777'], originConnectors: ['fr'], user: 'shop' }],
          })
        ).statusCode,
        200,
      );

      await until(
        'node b runs fr and no "old"',
        () => b.gateway.getConnector('fr')?.ready === true && b.gateway.getConnector('old') === undefined,
        3000,
      );
      await until(
        'node b runs the new MO routes',
        () => b.gateway.moRoutes()[0]?.name === 'fr-replies',
        3000,
      );
      assert.equal(b.definitions.moRoutesSource(), 'api');
      const shown = (await call(b, 'GET', '/connectors/fr')).json() as { source: string };
      assert.equal(shown.source, 'api', 'node b shows it as the API wrote it');
      assert.equal(b.definitions.routesSource(), 'api');
      const id = await send(b, '+33612345678');
      await until('delivered through fr', async () => (await b.store.getMessage(id))?.state === 'delivered');
      assert.equal((await b.store.getMessage(id))?.connectorId, 'fr');
      assert.deepEqual(await b.definitions.sync(), [], 'and nothing is applied twice');
      assert.deepEqual(
        await a.definitions.sync(),
        [],
        'node a skipped its own notifications and is in line too',
      );
    } finally {
      await b.stop();
      await a.stop();
    }
  } finally {
    await admin.end();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});

test('on PostgreSQL: node b’s listening connection ended by the server: what changed meanwhile arrives by the sync at its reconnect, a later change by NOTIFY on the new connection', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_rt_${randomBytes(5).toString('hex')}`;
  const env = (node: string) => ({
    HERMOD_DATABASE_URL: PG_URL,
    HERMOD_DATABASE_SCHEMA: schema,
    HERMOD_NODE_ID: node,
  });
  const doc = { ...FILE, store: { definitionsPollS: 3600 } };
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const a = await start(mkdtempSync(join(tmpdir(), 'hermod-runtime-a-')), doc, env('a'));
    const b = await start(mkdtempSync(join(tmpdir(), 'hermod-runtime-b-')), doc, env('b'));
    try {
      const events = definitionEvents(b);
      await listened(b, events);
      const first = await listenerPid(admin, schema, 'b');
      assert.ok(first);
      assert.equal((await admin.query('SELECT pg_terminate_backend($1) AS ok', [first])).rows[0].ok, true);
      // Written behind Hermod's back (no NOTIFY) while b has no listener: only the sync that
      // follows b's reconnect can bring it.
      const missed = [
        { name: 'missed', prefixes: ['49'], connectors: ['sim'] },
        { name: 'default', connectors: ['sim'] },
      ];
      await admin.query(
        `UPDATE ${schema}.mt_routes SET routes = $1, source = 'api', updated_at = $2 WHERE id = 1`,
        [JSON.stringify(missed), Date.now()],
      );
      await until(
        'node b reconnected and read what it missed',
        () => routeNames(b) === 'missed,default',
        3000,
      );
      assert.deepEqual(
        events.map((e) => e.kind),
        ['listening', 'lost', 'listening'],
      );
      const second = await listenerPid(admin, schema, 'b');
      assert.ok(second !== undefined && second !== first, `a new backend listens: ${first} → ${second}`);
      assert.ok(
        b.warnings.some((w) => /connection that hears other nodes' changes failed/.test(w.msg)),
        JSON.stringify(b.warnings),
      );
      assert.equal(
        routeNames(a),
        'default',
        'node a, not told, still runs its routes (its poll is an hour away)',
      );

      await listened(b, events, 2);
      const t0 = performance.now();
      assert.equal(
        (await call(a, 'PUT', '/connectors/fr', { type: 'simulator', latencyMs: { min: 0, max: 0 } }))
          .statusCode,
        201,
      );
      assert.equal(
        (
          await call(a, 'PUT', '/routes', {
            routes: [
              { name: 'fr', prefixes: ['33'], connectors: ['fr'] },
              { name: 'default', connectors: ['sim'] },
            ],
          })
        ).statusCode,
        200,
      );
      const ms = await msUntil(
        t0,
        'node b runs fr and its route, told on the new connection',
        () => b.gateway.getConnector('fr') !== undefined && routeNames(b) === 'fr,default',
        3000,
      );
      t.diagnostic(`after the reconnect, node a → node b by NOTIFY: ${ms} ms`);
    } finally {
      await b.stop();
      await a.stop();
    }
  } finally {
    await admin.end();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});

test('on PostgreSQL: a change no notification told (written behind Hermod’s back) still reaches a node by the poll, within definitionsPollS', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_rt_${randomBytes(5).toString('hex')}`;
  const env = { HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema, HERMOD_NODE_ID: 'b' };
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const b = await start(
      mkdtempSync(join(tmpdir(), 'hermod-runtime-b-')),
      { ...FILE, store: { definitionsPollS: 0.3 } },
      env,
    );
    try {
      await listened(b, definitionEvents(b));
      const routes = [
        { name: 'polled', prefixes: ['49'], connectors: ['sim'] },
        { name: 'default', connectors: ['sim'] },
      ];
      const t0 = performance.now();
      await admin.query(
        `UPDATE ${schema}.mt_routes SET routes = $1, source = 'api', updated_at = $2 WHERE id = 1`,
        [JSON.stringify(routes), Date.now()],
      );
      const ms = await msUntil(
        t0,
        'node b polled the change',
        () => routeNames(b) === 'polled,default',
        2000,
      );
      t.diagnostic(`by the poll alone (definitionsPollS: 0.3): ${ms} ms`);
    } finally {
      await b.stop();
    }
  } finally {
    await admin.end();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});

test('MO routes set at runtime: PUT /mo-routes sends the next MO to a webhook; a bad list 400 naming the key; kept over a restart; hermod routes list/set --mo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-runtime-mo-'));
  const receiver = await startReceiver();
  const doc = {
    ...FILE,
    webhooks: { allow: ['127.0.0.1'] },
    moRoutes: [{ prefixes: ['12345'], user: 'shop' }],
  };
  let h = await start(dir, doc);
  try {
    const first = (await call(h, 'GET', '/mo-routes')).json() as {
      moRoutes: { position: number; user?: string }[];
      source: string;
    };
    assert.deepEqual(first, {
      moRoutes: [{ position: 1, prefixes: ['12345'], user: 'shop' }],
      source: 'config',
    });

    const bad = await call(h, 'PUT', '/mo-routes', {
      moRoutes: [
        { name: 'x', prefixes: ['555'], user: 'ghost' },
        { prefixes: ['1'], url: 'ftp://nope' },
      ],
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.body, /moRoutes\[0\]\.user: unknown user \\"ghost\\"/);
    assert.match(bad.body, /moRoutes\[1\]\.url: expected an http:\/\/ or https:\/\/ URL/);
    assert.equal((await call(h, 'PUT', '/mo-routes', {})).statusCode, 400, 'the list is required');
    assert.equal(h.gateway.moRoutes().length, 1, 'a refused list changes nothing');

    const hook = `${receiver.url}/mo`;
    const put = await call(h, 'PUT', '/mo-routes', {
      moRoutes: [
        { name: 'hook', prefixes: ['555'], originConnectors: ['sim'], url: hook },
        { prefixes: ['12345'], user: 'shop' },
      ],
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((put.json() as { source: string }).source, 'api');
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('sim bound', () => h.gateway.getConnector('sim')?.ready === true);
    sim.sendMo('hermod', { from: '447700900123', to: '55512', text: 'hello hook' });
    await until('the MO at the webhook', () =>
      receiver.received.some((r) => r.form.content === 'hello hook'),
    );
    const got = receiver.received.find((r) => r.form.content === 'hello hook')!;
    assert.deepEqual(
      [got.form.from, got.form.to, got.form['origin-connector']],
      ['447700900123', '55512', 'sim'],
    );
    const removal = await call(h, 'DELETE', '/connectors/old');
    assert.equal(removal.statusCode, 204, 'a connector no MO route names can go');

    const url = `http://127.0.0.1:${h.apiPort}`;
    const listed = ok(
      await hermod(['routes', 'list', '--mo', '--url', url, '--key', ADMIN]),
      'routes list --mo',
    ).stdout;
    assert.match(listed, new RegExp(`^1\\s+hook\\s+555\\s+sim\\s+POST ${hook.replace(/[.]/g, '\\.')}$`, 'm'));
    assert.match(listed, /^2\s+-\s+12345\s+\(any\)\s+user shop$/m);
    const file = join(dir, 'mo.yaml');
    writeFileSync(file, `moRoutes:\n  - { name: all, prefixes: [], user: shop }\n`);
    const set = json<{ moRoutes: { name?: string }[]; source: string }>(
      ok(
        await hermod(['routes', 'set', '--mo', '--file', file, '--json', '--url', url, '--key', ADMIN]),
        'routes set --mo --json',
      ),
    );
    assert.deepEqual([set.moRoutes.map((r) => r.name), set.source], [['all'], 'api']);
    await h.stop();

    h = await start(dir, doc);
    assert.ok(
      h.warnings.find((w) => w.overridden)?.overridden?.includes('the MO routes'),
      JSON.stringify(h.warnings),
    );
    const after = (await call(h, 'GET', '/mo-routes')).json() as {
      moRoutes: { name?: string }[];
      source: string;
    };
    assert.deepEqual(
      [after.moRoutes.map((r) => r.name), after.source],
      [['all'], 'api'],
      'what the API set runs after a restart',
    );
  } finally {
    await h.stop();
    await receiver.close();
  }
});
