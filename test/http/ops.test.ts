// Operations and documentation endpoints of the REST API app: /metrics after a message
// went through, /healthz and /readyz (application/health+json), and the OpenAPI document
// covering every registered route.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { buildApiApp, routesOf } from '../../src/http/api-app.js';
import { demoHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESTART_REQUEUE_DETAIL, SqliteStore } from '../../src/store/index.js';
import { newMessageId } from '../../src/domain/index.js';

type H = Awaited<ReturnType<typeof demoHermod>>;
let h: H;

before(async () => {
  h = await demoHermod();
});
after(async () => {
  await h.stop();
});

/** The value of one sample line of the Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

test('/metrics exposes message counters, connector state, queue depth, histograms and build info after a message goes through', async () => {
  await until('bound', () => h.connectors.get('sim')!.ready);
  const res = await h.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    payload: { to: '+447700900123', from: 'Hermod', text: 'metrics' },
  });
  assert.equal(res.statusCode, 202);
  await until('delivered', async () => (await h.store.getMessage(res.json().id))?.state === 'delivered');
  const m = await h.api.inject({ method: 'GET', url: '/metrics' });
  assert.equal(m.statusCode, 200);
  assert.match(String(m.headers['content-type']), /^text\/plain/);
  const text = m.body;
  assert.ok(
    (sample(text, 'hermod_messages_total', { direction: 'mt', connector: 'sim', status: 'accepted' }) ?? 0) >=
      1,
    text,
  );
  assert.ok(
    (sample(text, 'hermod_messages_total', { direction: 'mt', connector: 'sim', status: 'sent' }) ?? 0) >= 1,
  );
  assert.ok(
    (sample(text, 'hermod_messages_total', { direction: 'mt', connector: 'sim', status: 'delivered' }) ??
      0) >= 1,
  );
  assert.ok((sample(text, 'hermod_submit_duration_seconds_count', { connector: 'sim' }) ?? 0) >= 1);
  assert.ok((sample(text, 'hermod_dlr_latency_seconds_count', { connector: 'sim' }) ?? 0) >= 1);
  assert.equal(sample(text, 'hermod_connector_up', { connector: 'sim' }), 1);
  assert.equal(typeof sample(text, 'hermod_queue_messages', { connector: 'sim' }), 'number');
  assert.equal(sample(text, 'hermod_build_info'), 1);
  assert.ok(
    (sample(text, 'hermod_http_requests_total', { api: 'rest', route: '/v1/messages', code: '202' }) ?? 0) >=
      1,
  );
  for (const alert of [
    'delivery_rate_low',
    'connector_down',
    'error_rate_high',
    'queue_backlog',
    'spend_high',
  ])
    assert.equal(sample(text, 'hermod_alert_active', { alert }), 0, alert);
  assert.doesNotMatch(text, /447700900123/, 'no phone numbers in labels');
});

test('/healthz passes; /readyz passes with the store writable and the connector bound, fails (503) when no connector is bound', async () => {
  const live = await h.api.inject({ method: 'GET', url: '/healthz' });
  assert.equal(live.statusCode, 200);
  assert.match(String(live.headers['content-type']), /^application\/health\+json/);
  assert.equal(live.json().status, 'pass');
  await until('bound', () => h.connectors.get('sim')!.ready);
  const ready = await h.api.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200, ready.body);
  assert.match(String(ready.headers['content-type']), /^application\/health\+json/);
  const r = ready.json();
  assert.equal(r.status, 'pass');
  assert.equal(r.checks['store:writable'][0].status, 'pass');
  assert.deepEqual(r.checks['connectors:bound'], [{ componentId: 'sim', status: 'pass' }]);

  const down = await buildApiApp({
    gateway: h.gateway,
    version: 't',
    connectors: () => [{ id: 'a', ready: false }],
    docs: false,
  });
  try {
    const res = await down.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().status, 'fail');
    assert.equal(res.json().checks['connectors:bound'][0].output, 'not bound');
  } finally {
    await down.close();
  }
  const half = await buildApiApp({
    gateway: h.gateway,
    version: 't',
    connectors: () => [
      { id: 'a', ready: false },
      { id: 'b', ready: true },
    ],
    docs: false,
  });
  try {
    const res = await half.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'warn');
  } finally {
    await half.close();
  }
});

test('OpenAPI: /openapi.json is a valid OpenAPI 3 document that covers every registered route; /docs serves the reference', async () => {
  const routes: { method: string; url: string; hidden: boolean }[] = [];
  const app = await buildApiApp({
    gateway: h.gateway,
    version: 't',
    connectors: () => [],
    metrics: { contentType: 'text/plain', metrics: async () => '' },
  });
  try {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    // Structural checks of OpenAPI 3.0 (no network, no external validator).
    assert.match(doc.openapi, /^3\.0\.\d$/);
    assert.equal(typeof doc.info.title, 'string');
    assert.equal(typeof doc.info.version, 'string');
    const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
    const refs: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      assert.ok(path.startsWith('/'), path);
      for (const [method, op] of Object.entries(item)) {
        if (!methods.has(method)) continue;
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has responses`);
        for (const code of Object.keys(op.responses))
          assert.match(code, /^([1-5]\d\d|[1-5]XX|default)$/, `${method} ${path} response key ${code}`);
        const params = path.match(/\{[^}]+\}/g) ?? [];
        const declared = ((op as { parameters?: { in: string; name: string }[] }).parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => `{${p.name}}`);
        assert.deepEqual(declared.sort(), params.sort(), `${method} ${path} declares its path parameters`);
      }
    }
    JSON.stringify(doc).replace(/"\$ref":"([^"]+)"/g, (_m, r: string) => (refs.push(r), ''));
    for (const r of refs) {
      const m = /^#\/components\/schemas\/(.+)$/.exec(r);
      assert.ok(m && doc.components.schemas[m[1]], `reference ${r} resolves`);
    }
    // Every route registered (except the docs pages and the document itself) is documented.
    routes.push(...routesOf(app));
    // Hidden from the document: the document itself and the web console's pages and assets only.
    const consolePaths = new Set(['/', '/*', '/assets/*']);
    assert.deepEqual(
      routes.filter(
        (r) =>
          r.hidden && !r.url.startsWith('/docs') && r.url !== '/openapi.json' && !consolePaths.has(r.url),
      ),
      [],
    );
    const documented = routes.filter(
      (r) =>
        !r.url.startsWith('/docs') &&
        r.url !== '/openapi.json' &&
        !consolePaths.has(r.url) &&
        r.method !== 'head',
    );
    assert.ok(routes.some((r) => r.url === '/openapi.json' && r.hidden));
    assert.ok(documented.length >= 10, `routes found: ${JSON.stringify(routes)}`);
    for (const r of documented) {
      const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[r.method], `${r.method.toUpperCase()} ${r.url} is in the OpenAPI document`);
    }
    assert.ok(doc.paths['/v1/messages'].post.security, 'v1 routes declare bearer security');
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  } finally {
    await app.close();
  }
});

test('after a restart, /metrics counts the messages a previous process had claimed when it stopped (hermod_restart_requeued_total)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-test-'));
  // A process that claimed a message and died before it was sent or released.
  const before = new SqliteStore(join(dataDir, 'hermod.db'));
  const u = await before.upsertUser({
    username: 'demo',
    passwordHash: 'x',
    balanceMicros: 1_000_000,
    rateMicros: 10_000,
  });
  const id = newMessageId();
  await before.accept({
    id,
    userId: u.id,
    systemId: 'demo',
    source: 'Hermod',
    destination: '447700900123',
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from('claimed'),
    registeredDelivery: 0,
    priority: 0,
    connectorId: 'sim',
    priceMicros: 10_000,
  });
  assert.equal((await before.claim('sim', 10, 60_000)).length, 1);
  await before.close();
  const again = await demoHermod(dataDir);
  try {
    const m = await again.api.inject({ method: 'GET', url: '/metrics' });
    assert.equal(sample(m.body, 'hermod_restart_requeued_total'), 1, m.body);
    assert.ok(
      (await again.store.history(id)).some(
        (e) => e.state === 'queued' && e.detail === RESTART_REQUEUE_DETAIL,
      ),
    );
    await until(
      'the requeued message is sent again',
      async () => (await again.store.getMessage(id))?.state === 'delivered',
    );
  } finally {
    await again.stop();
  }
});
