// The cluster's limits on one node: how a node picks bind slots, its share of a connector's
// rate, customers' buckets at a node's share, and the slotted connector itself (issue 18).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  ClusterBoundConnector,
  RejectedError,
  holderShare,
  planSlots,
  Throttles,
  customerRateKey,
  type RateShares,
} from '../../src/gateway/index.js';
import { SmppConnector } from '../../src/connectors/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { SingleNodeClusterStore } from '../../src/store/index.js';
import { until } from '../support/until.js';
import { userSettings, type User } from '../../src/domain/index.js';

const view = (o: {
  slots: number;
  holders?: [number, string][];
  wanting?: string[];
  freeBefore?: number[];
  me?: string;
}) => ({
  slots: o.slots,
  me: o.me ?? 'a',
  holders: new Map(o.holders ?? []),
  wanting: o.wanting ?? ['a'],
  freeBefore: new Set(o.freeBefore ?? []),
});

test('planSlots: a lone node takes every slot; with others running the connector, its part only', () => {
  assert.deepEqual(planSlots(view({ slots: 3 })), { take: [0, 1, 2], release: [] });
  assert.deepEqual(planSlots(view({ slots: 3, wanting: ['a', 'b', 'c'] })), { take: [0], release: [] });
  assert.deepEqual(planSlots(view({ slots: 1, wanting: ['a', 'b'], holders: [[0, 'b']] })), {
    take: [],
    release: [],
  });
});

test('planSlots: a slot free for a beat is taken even past the part (its node died or never wanted it)', () => {
  const v = view({ slots: 2, wanting: ['a', 'b'], holders: [[0, 'a']], freeBefore: [1] });
  assert.deepEqual(planSlots(v), { take: [1], release: [] });
  const fresh = view({ slots: 2, wanting: ['a', 'b'], holders: [[0, 'a']] });
  assert.deepEqual(planSlots(fresh), { take: [], release: [] }, 'freed just now: b gets its turn');
});

test('planSlots: a node holding more than its part gives one back when another holds fewer than the even split', () => {
  const v = view({
    slots: 2,
    wanting: ['a', 'b'],
    holders: [
      [0, 'a'],
      [1, 'a'],
    ],
  });
  assert.deepEqual(planSlots(v), { take: [], release: [1] });
  const one = view({ slots: 1, wanting: ['a', 'b'], holders: [[0, 'a']] });
  assert.deepEqual(planSlots(one), { take: [], release: [] }, 'one slot never moves between live nodes');
});

test('holderShare: split by slots held, summing to the rate; none for a node without a slot', () => {
  const held = new Map([
    ['a', 1],
    ['b', 2],
  ]);
  const a = holderShare(90, 'a', held);
  const b = holderShare(90, 'b', held);
  assert.equal(a + b, 90);
  assert.equal(b, 60);
  assert.equal(holderShare(90, 'c', held), 0);
  assert.equal(holderShare(90, 'a', new Map([['a', 1]])), 90);
});

const user = (smpp: number): User => ({
  id: 1,
  username: 'shop',
  passwordHash: 'x',
  balanceMicros: 0,
  rateMicros: 0,
  enabled: true,
  group: null,
  smsCount: null,
  settings: userSettings({ throughput: { smpp } }),
});

test("Throttles with shares: this node's bucket runs at its share; the offered rate (throttled included) goes out as demand", async () => {
  const demand = new Map<string, number>();
  const shares: RateShares = {
    share: (_key, rate) => rate / 4,
    setDemand: (key, perS) => void demand.set(key, perS),
  };
  const t = new Throttles(shares, 200);
  let ok = 0;
  let refused = 0;
  for (let i = 0; i < 40; i++)
    try {
      t.check(user(40), 'smpp');
      ok++;
    } catch (err) {
      assert.ok(err instanceof RejectedError);
      refused++;
    }
  assert.equal(ok, 10, 'a burst of one second of the share (40 / 4)');
  assert.equal(refused, 30);
  await new Promise((r) => setTimeout(r, 250));
  t.check(user(40), 'smpp');
  const reported = demand.get(customerRateKey('smpp', 'shop'));
  assert.ok(reported !== undefined && reported > 100, `offered rate reported: ${reported}`);
});

test('ClusterBoundConnector: binds the slots it holds, left from before a restart included; its stop gives them back', async (t) => {
  const sim = new SmscSimulator({ latencyMs: { min: 0, max: 0 } });
  const port = await sim.listen();
  const store = new SingleNodeClusterStore();
  const cluster = new Cluster({ store, nodeId: 'n1', version: 'test', heartbeatMs: 200 });
  await cluster.start();
  // A lease under this node's id that nothing in this process uses (a restart within its time).
  await store.hold({ nodeId: 'n1', names: ['bind:up:0'], ttlMs: 10_000 });
  const c = new ClusterBoundConnector('up', {
    cluster,
    slots: 2,
    throughput: 10,
    make: () => new SmppConnector('up', { host: '127.0.0.1', port, systemId: 'hermod', reconnect: false }),
  });
  t.after(async () => {
    await c.close();
    await cluster.stop();
    await sim.close();
  });
  await c.start();
  await until('both slots bound', () => sim.sessions.length === 2 && c.ready);
  assert.deepEqual(c.heldSlots(), [0, 1]);
  assert.deepEqual(c.status().cluster, { slots: 2, held: [0, 1], holders: { 0: 'n1', 1: 'n1' }, share: 10 });
  await c.stop();
  assert.equal(c.status().state, 'stopped');
  assert.deepEqual(await store.leases('bind:'), [], 'the leases went back');
  await until('the SMSC saw the unbinds', () => sim.sessions.length === 0);
});
