// Issue 18, "Done when": limits that hold across the cluster, measured from outside it.
// A connector limited to 1 bind and 100 msg/s keeps both across 3 nodes (counted at the
// SMSC); a customer limited to 50 msg/s gets 50 ± 5 across 3 nodes; a customer allowed 2
// binds gets 2 across the cluster, not 2 per node.
// (src/gateway/bind-slots.ts, the customers' throttle shares, src/smpp-server/bind-leases.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppClient } from '../../src/smpp/index.js';
import { requirePostgres } from '../support/services.js';
import { Cluster, type ClusterUser } from './harness.js';
import { CustomerLoad, waitFor } from './load.js';

const CONNECTOR_RATE = 100;
const CUSTOMER_RATE = 50;
/** The connector's limits in its definition: one bind across the cluster is each connector's own session, shared. */
const CONNECTOR_LIMITS = { throughput: CONNECTOR_RATE };
const SENDER: ClusterUser = { username: 'sender', password: 'pw-s' };
const LIMITED: ClusterUser = { username: 'limited', password: 'pw-l', smppRate: CUSTOMER_RATE };
const TWO_BINDS: ClusterUser = { username: 'twobinds', password: 'pw-t', maxBinds: 2 };
/** How long a rate is measured, after a settling time (the limiters' shares, the binds). */
const MEASURE_MS = 10_000;
const SETTLE_MS = 3_000;

test('cluster-wide limits across 3 nodes', { timeout: 300_000 }, async (t) => {
  if (!(await requirePostgres(t))) return;
  const cluster = await Cluster.start({
    nodes: 1,
    name: 'hermod_cluster_limits',
    users: [SENDER, LIMITED, TWO_BINDS],
    connector: CONNECTOR_LIMITS,
  });
  try {
    await cluster.add(2);
    await t.test('a connector limited to 1 bind and 100 msg/s holds both across 3 nodes', () =>
      connectorLimits(cluster),
    );
    await t.test('a customer limited to 50 msg/s gets 50 ± 5 across 3 nodes', () => customerRate(cluster));
    await t.test('a customer allowed 2 binds gets 2 across the cluster', () => customerBinds(cluster));
  } finally {
    await cluster.stop();
  }
});

async function connectorLimits(cluster: Cluster): Promise<void> {
  // The binds the SMSC has, sampled, and at every bind.
  let maxBinds = 0;
  const sample = () => (maxBinds = Math.max(maxBinds, cluster.sim.sessions.length));
  cluster.sim.on('bind', sample);
  const timer = setInterval(sample, 20);
  // Three binds of one customer, one per node, each well above 100/s.
  const load = new CustomerLoad(cluster, { users: [SENDER], bindsPerUser: 3, window: 50, prefix: 'k' });
  try {
    await load.start();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const to = Date.now();
    const n = cluster.received.filter((s) => s.at >= from && s.at < to && s.token.startsWith('k-')).length;
    const rate = n / ((to - from) / 1000);
    // The connector set the pace: a backlog of more than a second of its rate was left queued.
    const sentK = cluster.received.filter((s) => s.token.startsWith('k-')).length;
    assert.ok(
      load.acked.size - sentK > CONNECTOR_RATE,
      `the customers offered more than the connector may send (${load.acked.size} acknowledged, ${sentK} sent)`,
    );
    assert.ok(
      maxBinds <= 1,
      `the SMSC saw ${maxBinds} binds at once of a connector allowed 1 across the cluster`,
    );
    assert.ok(
      Math.abs(rate - CONNECTOR_RATE) <= CONNECTOR_RATE * 0.1,
      `the SMSC got ${rate.toFixed(1)} msg/s of a connector limited to ${CONNECTOR_RATE} across the cluster (± 10 %)`,
    );
    console.log(
      `cluster connector limits: ${rate.toFixed(1)} msg/s at the SMSC, ${maxBinds} bind(s) at most`,
    );
  } finally {
    clearInterval(timer);
    cluster.sim.off('bind', sample);
    await load.stop();
  }
}

async function customerRate(cluster: Cluster): Promise<void> {
  // One bind per node; a throttled submit fails at once (not retried), so acks are the rate.
  const load = new CustomerLoad(cluster, {
    users: [LIMITED],
    bindsPerUser: 3,
    window: 50,
    prefix: 'r',
    adaptiveThrottle: false,
  });
  try {
    await load.start();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const to = Date.now();
    const acked = [...load.acked.values()];
    const n = acked.filter((a) => a.at >= from && a.at < to).length;
    const rate = n / ((to - from) / 1000);
    const nodes = new Set(acked.map((a) => a.node));
    assert.equal(nodes.size, 3, 'the customer was acknowledged by every node');
    assert.ok(load.refused.length > 0, 'the customer offered more than its rate (some submits throttled)');
    assert.ok(
      Math.abs(rate - CUSTOMER_RATE) <= CUSTOMER_RATE * 0.1,
      `the customer got ${rate.toFixed(1)} msg/s of ${CUSTOMER_RATE} across 3 nodes (± 10 %)`,
    );
    console.log(`cluster customer rate: ${rate.toFixed(1)} msg/s acknowledged over ${nodes.size} nodes`);
  } finally {
    await load.stop();
  }
}

async function customerBinds(cluster: Cluster): Promise<void> {
  const clients: SmppClient[] = [];
  const outcomes: string[] = [];
  try {
    for (const n of cluster.live()) {
      const c = new SmppClient({
        host: '127.0.0.1',
        port: n.proc!.smppPort,
        systemId: TWO_BINDS.username,
        password: TWO_BINDS.password,
        reconnect: false,
      });
      try {
        await c.connect();
        clients.push(c);
        outcomes.push('bound');
      } catch (err) {
        outcomes.push(`refused: ${(err as Error).message}`);
      }
    }
    assert.equal(
      outcomes.filter((o) => o === 'bound').length,
      2,
      `2 binds across the cluster: ${outcomes.join('; ')}`,
    );
    // A bind freed on one node is free for another: close one, bind again elsewhere.
    await clients.shift()!.close();
    const port = cluster.live()[2].proc!.smppPort;
    assert.ok(
      await waitFor(async () => {
        const c = new SmppClient({
          host: '127.0.0.1',
          port,
          systemId: TWO_BINDS.username,
          password: TWO_BINDS.password,
          reconnect: false,
        });
        try {
          await c.connect();
          clients.push(c);
          return true;
        } catch {
          return false;
        }
      }, 10_000),
      'a bind freed on one node can be taken on another',
    );
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
}
