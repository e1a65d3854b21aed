// Definition changes pushed between PostgreSQL nodes (LISTEN/NOTIFY): a write on one store is
// heard by the other stores of its schema when it commits, never by the writer itself nor by
// another schema, and the listening connection comes back after the server ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, type DefinitionsEvent } from '../../src/store/index.js';
import { definitionsChannel } from '../../src/store/postgres/definitions-listener.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { until } from '../support/until.js';

const tag = () => randomBytes(5).toString('hex');

/** A store's definition events, in the order they came. */
function record(store: PostgresStore): DefinitionsEvent[] {
  const events: DefinitionsEvent[] = [];
  store.onDefinitionsChanged((e) => events.push(e));
  return events;
}

const changes = (events: DefinitionsEvent[]) => events.filter((e) => e.kind === 'changed').map((e) => e.node);
const listening = (events: DefinitionsEvent[]) => events.filter((e) => e.kind === 'listening').length;

/** The backends LISTENing for `node` on `store`'s channel. */
async function listenerPids(admin: pg.Client, store: PostgresStore, node: string): Promise<number[]> {
  const { rows } = await admin.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND query = $2',
    [`hermod-definitions ${node}`, `LISTEN "${store.definitionsChannel}"`],
  );
  return rows.map((r: { pid: number }) => r.pid);
}

test('definitionsChannel: hermod_definitions_<schema>; a schema too long for that gets 63 bytes ending in a hash, so two long schemas alike at the start do not share one', () => {
  assert.equal(definitionsChannel('hermod'), 'hermod_definitions_hermod');
  const long = (end: string) => `tenant_${'x'.repeat(50)}_${end}`;
  const [a, b] = [definitionsChannel(long('a')), definitionsChannel(long('b'))];
  assert.equal(a.length, 63);
  assert.match(a, /^hermod_definitions_tenant_x+_[0-9a-f]{12}$/);
  assert.notEqual(a, b);
  assert.equal(
    definitionsChannel('s'.repeat(44)),
    `hermod_definitions_${'s'.repeat(44)}`,
    '63 bytes exactly: kept as it is',
  );
});

test('PostgreSQL: a definition write on one node is heard by the other nodes of its schema, with the writer’s node id; not by the writer, nor by another schema; a delete of nothing is not told', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_notify_${tag()}`;
  const other = `hermod_notify_${tag()}`;
  const a = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: `a-${tag()}` });
  const b = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: `b-${tag()}` });
  const c = await PostgresStore.open({ connectionString: PG_URL, schema: other, nodeId: `c-${tag()}` });
  const c2 = await PostgresStore.open({ connectionString: PG_URL, schema: other, nodeId: `c2-${tag()}` });
  try {
    const [atA, atB, atC] = [record(a), record(b), record(c)];
    await until(
      'all three listening',
      () => listening(atA) === 1 && listening(atB) === 1 && listening(atC) === 1,
    );

    await a.putConnectorDefinition('fr', { type: 'simulator' }, 'api');
    await until('b hears the connector', () => changes(atB).length === 1);
    assert.deepEqual(changes(atB), [a.nodeId]);
    await a.putRouteDefinitions([{ name: 'fr', connectors: ['fr'] }], 'api');
    await a.putRouteDefinitions([], 'api', 'mo');
    assert.equal(await a.deleteConnectorDefinition('none'), false);
    assert.equal(await a.deleteConnectorDefinition('fr'), true);
    await until('b hears the routes, the MO routes and the delete', () => changes(atB).length === 4);

    // Notifications reach each listener in commit order: once a hears b's write and c hears
    // c2's, whatever a's own writes would have told them has arrived.
    await b.putConnectorDefinition('de', { type: 'simulator' }, 'api');
    await c2.putConnectorDefinition('it', { type: 'simulator' }, 'api');
    await until('a hears b, c hears c2', () => changes(atA).length > 0 && changes(atC).length > 0);
    assert.deepEqual(changes(atA), [b.nodeId], 'the writer skips its own writes');
    assert.deepEqual(changes(atC), [c2.nodeId], 'another schema hears nothing of this one');
    assert.deepEqual(
      changes(atB),
      [a.nodeId, a.nodeId, a.nodeId, a.nodeId],
      'b heard each of a’s four writes, and not the delete of nothing',
    );

    // A subscriber that comes while the connection listens is told so, once.
    const late: DefinitionsEvent[] = [];
    const off = b.onDefinitionsChanged((e) => late.push(e));
    await until('the late subscriber is told listening', () => late.length === 1);
    assert.deepEqual(late, [{ kind: 'listening' }]);
    off();
    await a.putConnectorDefinition('fr', { type: 'simulator' }, 'api');
    await until('b hears it', () => changes(atB).length === 5);
    assert.equal(late.length, 1, 'an unsubscribed listener hears no more');
  } finally {
    for (const s of [a, b, c, c2]) await s.close();
    await PostgresStore.dropSchema(PG_URL, schema);
    await PostgresStore.dropSchema(PG_URL, other);
  }
});

test('PostgreSQL: the listening connection, terminated by the server, reconnects (lost, then listening) and hears later writes; close() ends it for good', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_notify_${tag()}`;
  const a = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: `a-${tag()}` });
  const b = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: `b-${tag()}` });
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const atB = record(b);
    await until('b listening', () => listening(atB) === 1);
    const [first] = await listenerPids(admin, b, b.nodeId);
    assert.ok(first, 'b’s LISTEN backend is in pg_stat_activity under its application_name');

    const { rows } = await admin.query('SELECT pg_terminate_backend($1) AS ok', [first]);
    assert.equal(rows[0].ok, true);
    await until('b lost its connection and listens again', () => listening(atB) === 2);
    const lost = atB.find((e): e is Extract<DefinitionsEvent, { kind: 'lost' }> => e.kind === 'lost');
    assert.ok(lost, JSON.stringify(atB));
    assert.ok(
      lost.retryInMs >= 250 && lost.retryInMs <= 500,
      `the first retry waits 0.25–0.5 s: ${lost.retryInMs}`,
    );
    assert.deepEqual(
      atB.map((e) => e.kind),
      ['listening', 'lost', 'listening'],
    );
    const [second] = await listenerPids(admin, b, b.nodeId);
    assert.ok(second !== undefined && second !== first, `a new backend listens: ${first} → ${second}`);

    await a.putRouteDefinitions([{ name: 'after', connectors: ['x'] }], 'api');
    await until('b hears a write made after the reconnect', () => changes(atB).length === 1, 3000);

    await b.close();
    await until(
      'close() ended the LISTEN connection',
      async () => (await listenerPids(admin, b, b.nodeId)).length === 0,
      3000,
    );
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(await listenerPids(admin, b, b.nodeId), [], 'and nothing reconnects after close()');
  } finally {
    await admin.end();
    await a.close();
    await b.close().catch(() => undefined);
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});
