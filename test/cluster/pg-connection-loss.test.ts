// Issue 18, "Done when": PostgreSQL goes away under a cluster's load and comes back. The
// shared server is not restarted (other tests use it): every connection of the cluster's
// nodes is ended with pg_terminate_backend, which is what they see of a restart or a
// failover. The nodes stay up, reconnect and accept again, and nothing acknowledged is lost.
//
// Marked todo while a node dies of it: an ended connection is thrown as an unhandled 'error'
// event (idle pool clients: no pool 'error' listener; clients checked out of the pool: none
// on the client) or an unhandled rejection (GroupCommit.run's commit, the dispatcher loop's
// claim). The todo goes when the store and the dispatcher survive it; the test then counts.
const NODES_SURVIVE_CONNECTION_LOSS = true;
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requirePostgres } from '../support/services.js';
import { Cluster, DEFAULT_USERS } from './harness.js';
import { CustomerLoad, missingAtSmsc, waitFor } from './load.js';

test(
  'cluster: every PostgreSQL connection of 2 nodes ended mid-load: they reconnect, nothing acknowledged lost',
  {
    timeout: 240_000,
    todo: NODES_SURVIVE_CONNECTION_LOSS
      ? false
      : 'a node exits when PostgreSQL ends its connections (see above)',
  },
  async (t) => {
    if (!(await requirePostgres(t))) return;
    const started = Date.now();
    const cluster = await Cluster.start({
      nodes: 2,
      name: 'hermod_cluster_pgloss',
      simulator: { throttle: 300 },
    });
    const load = new CustomerLoad(cluster, {
      users: DEFAULT_USERS,
      bindsPerUser: 2,
      window: 10,
      prefix: 'p',
    });
    try {
      await load.start();
      await load.until(300, 40_000);
      // Twice, a second apart: a node must survive losing the connections it has just made.
      const ended: number[] = [];
      for (let i = 0; i < 2; i++) {
        ended.push(await cluster.terminateBackends());
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.ok(ended[0] >= 2, `the nodes' connections were ended (${ended.join(', ')})`);
      const ackedAtCut = load.acked.size;
      // Accepting again: new acknowledgements, so commits go through new connections.
      await load.until(ackedAtCut + 300, 40_000);
      await load.stop();
      assert.deepEqual(
        cluster.nodes.filter((n) => n.proc?.child.exitCode !== null).map((n) => n.id),
        [],
        'every node survived losing its database connections',
      );
      // The backlog drains at the SMSC's pace (the simulator throttles each bind to 300/s and
      // Hermod's rate climbs back after its ESME_RTHROTTLED): on a quick machine thousands
      // are queued when the load stops. Wait while it shrinks; a stall of 15 s is a failure.
      let left = Infinity;
      let moved = Date.now();
      await waitFor(() => {
        const n = missingAtSmsc(load, cluster).length;
        if (n < left) [left, moved] = [n, Date.now()];
        return n === 0 || Date.now() - moved > 15_000;
      }, 150_000);
      assert.deepEqual(missingAtSmsc(load, cluster), [], 'every acknowledged message reached the SMSC');
      for (const n of cluster.nodes)
        assert.ok(
          await waitFor(
            async () =>
              (await cluster.backends(n.index)).some((b) => b.name.startsWith('hermod-definitions')),
            15_000,
          ),
          `node ${n.id} listens for definition changes again`,
        );
      const store = await cluster.openStore();
      try {
        const stored = new Map(
          (await store.listMessages({ limit: 100_000 })).map((m) => [m.body.toString(), m.id]),
        );
        assert.deepEqual(
          [...load.acked.values()].filter((a) => stored.get(a.token) !== a.messageId),
          [],
          'every acknowledged message is in the database under its id',
        );
      } finally {
        await store.close();
      }
      console.log(
        `cluster connection loss: ${ended.join(' + ')} backends ended, acked ${load.acked.size} (${ackedAtCut} before the cut), ` +
          `refused ${load.refused.length}, at the SMSC ${cluster.received.length}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    } finally {
      await load.stop();
      await cluster.stop();
    }
  },
);
