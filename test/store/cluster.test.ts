// Cluster membership and named leases (src/store/cluster.ts, src/gateway/cluster.ts): nodes of
// one PostgreSQL schema see each other, a silent node is declared dead by the next beat of a
// live one and what it held is freed in that beat (its claimed messages requeued with the
// restart-requeue history entry), a named lease has one holder, and a node's share of a
// cluster-wide rate follows the demand the nodes report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  PostgresStore,
  RESTART_REQUEUE_DETAIL,
  campaignOwner,
  openEngineStores,
  SingleNodeClusterStore,
  type NodeBeat,
} from '../../src/store/index.js';
import { Cluster, fairShares } from '../../src/gateway/index.js';
import { newMessageId } from '../../src/domain/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';

const tag = () => randomBytes(5).toString('hex');
const idle = { acceptedPerS: 0, upstreamBinds: 0, customerBinds: 0, rssBytes: 0, cpu: 0, demand: {} };
const beat = (id: string, deadAfterMs: number): NodeBeat => ({
  id,
  host: 'h',
  pid: 1,
  version: 't',
  startedAt: 1,
  load: idle,
  deadAfterMs,
});

test('one node (SQLite): the cluster is this node; it leads, holds what it asks and gets the whole of any rate', async () => {
  const cluster = new Cluster({ store: new SingleNodeClusterStore(), nodeId: 'solo', version: 't' });
  await cluster.start();
  try {
    assert.deepEqual(
      cluster.liveNodes().map((n) => n.id),
      ['solo'],
    );
    assert.equal(cluster.isLeader(), true);
    assert.equal(await cluster.want('bind:c1:0'), true);
    assert.equal(cluster.share('customer:shop', 50), 50);
  } finally {
    await cluster.stop();
  }
  assert.equal(cluster.isLeader(), false, 'a stopped node holds nothing');
});

test('PostgreSQL: a silent node is declared dead by a live node’s beat, which requeues its claims (history says so) and frees its leases; the dead node learns it on its next beat', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_cluster_${tag()}`;
  const a = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'a' });
  const b = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'b' });
  try {
    const u = await a.upsertUser({
      username: 'shop',
      passwordHash: 'x',
      balanceMicros: 100_000,
      rateMicros: 1,
    });
    const id = newMessageId();
    await a.accept({
      id,
      userId: u.id,
      systemId: 'shop',
      source: 'Shop',
      destination: '447700900123',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('hi'),
      registeredDelivery: 0,
      priority: 0,
      connectorId: 'c1',
      priceMicros: 1,
    });
    await a.cluster.beat(beat('a', 60_000));
    assert.deepEqual(await a.cluster.hold({ nodeId: 'a', names: ['leader', 'bind:c1:0'], ttlMs: 60_000 }), [
      'leader',
      'bind:c1:0',
    ]);
    assert.equal((await a.claim('c1', 10, 60_000)).length, 1, 'a claims the message');

    const first = await b.cluster.beat(beat('b', 60_000));
    assert.deepEqual(first.reaped, [], 'a beat within the dead-after time: alive');
    assert.deepEqual(first.nodes.map((n) => [n.id, n.state]).sort(), [
      ['a', 'up'],
      ['b', 'up'],
    ]);
    assert.deepEqual(await b.cluster.hold({ nodeId: 'b', names: ['leader', 'bind:c1:1'], ttlMs: 60_000 }), [
      'bind:c1:1',
    ]);
    assert.deepEqual(await b.claim('c1', 10, 60_000), [], 'a’s claim holds');

    await new Promise((r) => setTimeout(r, 30));
    const second = await b.cluster.beat(beat('b', 20));
    assert.deepEqual(second.reaped, [
      { id: 'a', requeued: 1, outbox: 0, webhooks: 0, campaigns: 0, leases: ['bind:c1:0', 'leader'] },
    ]);
    assert.equal(second.nodes.find((n) => n.id === 'a')?.state, 'dead');
    assert.equal(
      (await b.claim('c1', 10, 60_000)).length,
      1,
      'b takes a’s message at once, not at lease expiry',
    );
    assert.equal((await b.history(id)).at(-1)?.detail, RESTART_REQUEUE_DETAIL);
    assert.deepEqual(await b.cluster.hold({ nodeId: 'b', names: ['leader'], ttlMs: 60_000 }), ['leader']);

    const back = await a.cluster.beat(beat('a', 60_000));
    assert.equal(back.wasDeclaredDead, true, 'a was paused, not restarted: it must drop what it held');
    assert.deepEqual(
      await a.cluster.hold({ nodeId: 'a', names: ['leader'], ttlMs: 60_000 }),
      [],
      'b leads now',
    );
    assert.equal((await a.cluster.beat(beat('a', 60_000))).wasDeclaredDead, false, 'told once');

    await b.cluster.leave('b');
    assert.deepEqual(
      (await a.cluster.leases()).map((l) => l.holder),
      [],
      'a clean stop releases its leases',
    );
    assert.deepEqual(await a.cluster.hold({ nodeId: 'a', names: ['leader'], ttlMs: 60_000 }), ['leader']);
  } finally {
    await a.close();
    await b.close();
  }
});

test('fairShares: equal parts without demand; a node wanting less than an equal part gets it (+10 %), the rest split equally; a node without demand keeps a floor; never more than the rate', () => {
  const round = (xs: number[]) => xs.map((x) => Math.round(x * 1000) / 1000);
  assert.deepEqual(round(fairShares([0, 0, 0, 0], 100)), [25, 25, 25, 25]);
  assert.deepEqual(round(fairShares([500, 500, 500], 60)), [20, 20, 20]);
  assert.deepEqual(round(fairShares([10, 500, 500], 60)), [11, 24.5, 24.5]);
  assert.deepEqual(round(fairShares([0, 500], 50)), [2.5, 47.5]);
  assert.deepEqual(round(fairShares([5, 5], 50)), [5.5, 5.5], 'room left unused when nobody wants it');
  for (const d of [
    [1, 2, 3],
    [0, 0, 7],
    [1e6, 1, 0, 3],
  ]) {
    const sum = fairShares(d, 42).reduce((a, b) => a + b, 0);
    assert.ok(sum <= 42 + 1e-9, `${d}: ${sum}`);
  }
});

test('PostgreSQL: two nodes share a rate by the demand each reported, and never both lead', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_cluster_${tag()}`;
  const sa = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'a' });
  const sb = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'b' });
  const a = new Cluster({ store: sa.cluster, nodeId: 'a', version: 't', heartbeatMs: 60_000 });
  const b = new Cluster({ store: sb.cluster, nodeId: 'b', version: 't', heartbeatMs: 60_000 });
  try {
    a.setDemand('customer:shop', 90);
    b.setDemand('customer:shop', 10);
    await a.start();
    await b.start();
    await a['beat'](); // a hears b's demand
    assert.equal([a.isLeader(), b.isLeader()].filter(Boolean).length, 1, 'one leader');
    const [ra, rb] = [a.share('customer:shop', 50), b.share('customer:shop', 50)];
    assert.ok(Math.abs(ra + rb - 50) < 1e-9, `the shares add up to the rate: ${ra} + ${rb}`);
    assert.deepEqual(
      [ra, rb].map((x) => Math.round(x * 1000) / 1000),
      [39, 11],
      'b wants 10 (+10 %), a the rest',
    );
    assert.equal(a.share('connector:none', 100), 50, 'no demand anywhere: equal shares');
  } finally {
    await b.stop();
    await a.stop();
    await sa.close();
    await sb.close();
  }
});

test('PostgreSQL: a dead node’s campaign runner leases (owner `<node id>/…`) are freed in its reap; another node’s, and a node whose id only starts alike, are not', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_cluster_${tag()}`;
  const a = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'a' });
  const b = await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'b' });
  try {
    await openEngineStores(a);
    const owners = [
      campaignOwner('a', '11:x'),
      campaignOwner('a', '12:y'),
      campaignOwner('ab', '1:z'),
      'b/1:w',
    ];
    for (const owner of owners)
      await a.engineHandle().pool.query(
        `INSERT INTO campaigns (user_id, name, sender, audience, state, created_at, updated_at, lease_owner, lease_until)
         VALUES (1, 'c', 'Shop', '{}', 'running', 1, 1, $1, $2)`,
        [owner, Date.now() + 3_600_000],
      );
    await a.cluster.beat(beat('a', 60_000));
    await a.cluster.beat(beat('ab', 60_000));
    await new Promise((r) => setTimeout(r, 30));
    const r = await b.cluster.beat(beat('b', 20));
    assert.deepEqual(r.reaped.map((x) => [x.id, x.campaigns]).sort(), [
      ['a', 2],
      ['ab', 1],
    ]);
    const left = await a
      .engineHandle()
      .pool.query('SELECT lease_owner FROM campaigns WHERE lease_owner IS NOT NULL');
    assert.deepEqual(
      left.rows.map((x: { lease_owner: string }) => x.lease_owner),
      ['b/1:w'],
      'the live node’s runner keeps its lease',
    );
  } finally {
    await a.close();
    await b.close();
  }
});
