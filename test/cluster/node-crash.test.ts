// Issue 18, "Done when": three Hermod processes on one PostgreSQL schema, a customer load
// spread over them; one node is killed -9 mid-load. Every message acknowledged to a customer
// is in the database and reaches the SMSC, the survivors keep sending, the dead node's queue
// leases come back, and every duplicate at the SMSC was in flight on the dead node and says
// so in its history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTART_REQUEUE_DETAIL } from '../../src/store/index.js';
import { requirePostgres } from '../support/services.js';
import { Cluster, DEFAULT_USERS } from './harness.js';
import { CustomerLoad, duplicatesAtSmsc, missingAtSmsc, waitFor } from './load.js';

/**
 * Cluster membership: a node that stops heartbeating is dead after `cluster.deadAfterMs`
 * (10 s), and the next beat of a live node frees its leases; so they are free this soon after
 * the kill, without its restart.
 */
const TAKEOVER_WITHIN_MS = 15_000;
/** History details that mark a message requeued from a dead process's claim. */
const REQUEUE_DETAILS = new Set([RESTART_REQUEUE_DETAIL]);

test(
  'cluster: kill -9 one of 3 nodes mid-load: nothing acknowledged lost, its leases return, each duplicate reported',
  { timeout: 240_000 },
  async (t) => {
    if (!(await requirePostgres(t))) return;
    const started = Date.now();
    const phases: string[] = [];
    const mark = (what: string) => phases.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // A slow SMSC (throttling above 200/s per bind): a backlog is queued, and claimed, at the kill.
    const cluster = await Cluster.start({
      nodes: 3,
      name: 'hermod_cluster_crash',
      simulator: { throttle: 200 },
    });
    mark('up');
    const load = new CustomerLoad(cluster, {
      users: DEFAULT_USERS,
      bindsPerUser: 3,
      window: 10,
      prefix: 'c',
    });
    try {
      await load.start();
      await load.until(450, 40_000);
      // The node holding the connector's one bind (the cluster's only sender, so the claims in
      // flight are its own): its bind must move to another node as well.
      const holder = (await cluster.status())?.leases?.find((l) =>
        l.name.startsWith('bind:upstream:'),
      )?.holder;
      const index = cluster.nodes.findIndex((n) => n.id === holder);
      assert.ok(index >= 0, `one node holds the connector's bind (${holder})`);
      const victim = cluster.nodes[index];
      mark('killed');
      const killedAt = Date.now();
      await cluster.kill(index);
      // Its connections end as PostgreSQL notices the dead sockets; a commit it sent is done by then.
      await waitFor(async () => (await cluster.backends(index)).length === 0, 10_000);
      const heldAtKill = await cluster.leasesHeldBy(victim.id);
      const sentAtKill = cluster.received.length;
      // The customers of the dead node rebind to the others; the load goes on a little.
      const ackedAtKill = load.acked.size;
      await load.until(ackedAtKill + 150, 30_000);
      await load.stop();
      const byVictim = [...load.acked.values()].filter((a) => a.node === victim.id).length;
      assert.ok(byVictim > 0, 'the killed node had acknowledged messages');
      assert.ok(heldAtKill.length > 0, 'the killed node held queue leases at the kill (a backlog existed)');
      assert.ok(
        sentAtKill < ackedAtKill,
        `a backlog existed at the kill (${sentAtKill} of ${ackedAtKill} sent)`,
      );

      const held = new Set(heldAtKill.map((l) => l.messageId));
      const heldTokens = new Set(
        [...load.acked.values()].filter((a) => held.has(a.messageId)).map((a) => a.token),
      );
      // Membership: the dead node's leases (its claims, its bind) come back within seconds,
      // without its restart, and another node binds and sends everything.
      const returned = await waitFor(
        async () => (await cluster.leasesHeldBy(victim.id)).length === 0,
        TAKEOVER_WITHIN_MS - (Date.now() - killedAt),
      );
      assert.ok(returned, `the dead node's leases returned within ${TAKEOVER_WITHIN_MS} ms of the kill`);
      const rebound = await waitFor(async () => {
        const h = (await cluster.status())?.leases?.find((l) => l.name.startsWith('bind:upstream:'))?.holder;
        return h !== undefined && h !== victim.id;
      }, TAKEOVER_WITHIN_MS);
      assert.ok(rebound, 'another node holds the connector’s bind');
      await waitFor(() => missingAtSmsc(load, cluster).length === 0, 30_000);
      assert.deepEqual(missingAtSmsc(load, cluster), [], 'the survivors sent every acknowledged message');

      // The node comes back under its own id: its start frees whatever it held.
      mark('restarting');
      const restarted = await cluster.restart(index);
      mark('restarted');
      assert.deepEqual(
        await cluster.leasesHeldBy(victim.id),
        [],
        'the restarted node holds none of its old leases',
      );
      await waitFor(() => missingAtSmsc(load, cluster).length === 0, 30_000);
      assert.deepEqual(missingAtSmsc(load, cluster), [], 'every acknowledged message reached the SMSC');

      mark('drained');
      const store = await cluster.openStore();
      try {
        const stored = new Map(
          (await store.listMessages({ limit: 100_000 })).map((m) => [m.body.toString(), m.id]),
        );
        const notStored = [...load.acked.values()].filter((a) => stored.get(a.token) !== a.messageId);
        assert.deepEqual(notStored, [], 'every acknowledged message is in the database under its id');
        const twice = duplicatesAtSmsc(cluster);
        const unreported: string[] = [];
        for (const tk of twice) {
          const id = stored.get(tk);
          const history = id ? await store.history(id) : [];
          if (!history.some((e) => REQUEUE_DETAILS.has(e.detail ?? ''))) unreported.push(tk);
        }
        assert.deepEqual(unreported, [], 'every message sent twice says in its history that it was requeued');
        assert.deepEqual(
          twice.filter((tk) => !heldTokens.has(tk) && !heldIds(stored, tk, held)),
          [],
          'every duplicate was held by the dead node at the kill',
        );
        assert.ok(
          twice.length <= heldAtKill.length,
          `duplicates ${twice.length} ≤ in flight ${heldAtKill.length}`,
        );
        console.log(
          `cluster crash: acked ${load.acked.size} (${byVictim} by the killed node), held by it at the kill ${heldAtKill.length}, ` +
            `at the SMSC before the kill ${sentAtKill}, after ${cluster.received.length}, duplicates ${twice.length}, ` +
            `requeued at restart ${requeuedAtStart(restarted.output())}; ${phases.join(', ')}`,
        );
      } finally {
        await store.close();
      }
    } finally {
      await load.stop();
      await cluster.stop();
    }
  },
);

/** True when token `tk`'s stored message was among the dead node's leases (acked or not). */
function heldIds(stored: Map<string, string>, tk: string, held: Set<string>): boolean {
  const id = stored.get(tk);
  return id !== undefined && held.has(id);
}

/** The restarted process's count of messages requeued from its dead predecessor's claims. */
function requeuedAtStart(output: string): number {
  for (const l of output.split('\n')) {
    if (!l.startsWith('{')) continue;
    const j = JSON.parse(l) as { msg?: string; messages?: number };
    if (j.msg?.startsWith('messages claimed by the previous process requeued at start'))
      return j.messages ?? 0;
  }
  return 0;
}
