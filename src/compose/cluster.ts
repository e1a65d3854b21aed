/**
 * The cluster's wiring (docs/architecture.md, "Cluster: membership, leader, singletons"):
 * this node's membership with the configured timings, what it reports of its load at each
 * heartbeat, and the log lines and metrics of what its heartbeats see (a node declared dead
 * and what was freed of it, leadership moving, a beat that failed).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Cluster, type Gateway } from '../gateway/index.js';
import type { Store } from '../store/index.js';
import type { Config } from '../config/index.js';
import { ClusterMetrics, type HermodMetrics } from '../observability/index.js';

/** This node's id in the cluster: `store.nodeId` (HERMOD_NODE_ID) on PostgreSQL, else the host's name. */
export function nodeIdOf(c: Config['store']): string {
  return (c.type === 'postgres' ? c.nodeId : undefined) ?? hostname();
}

/** This node's membership (not started), with the configured heartbeat and dead-after times. */
export function newCluster(config: Config, store: Store, version: string): Cluster {
  return new Cluster({
    store: store.cluster,
    nodeId: nodeIdOf(config.store),
    version,
    heartbeatMs: config.cluster.heartbeatMs,
    deadAfterMs: config.cluster.deadAfterMs,
  });
}

/** What the node's load report reads: accepted messages (a running total), binds both ways. */
export interface LoadInputs {
  gateway: Gateway;
  metrics: HermodMetrics;
  customerBinds: () => number;
}

/** Reports accepted/s (since the last beat), upstream and customer binds and ready connectors. */
export function reportLoad(cluster: Cluster, i: LoadInputs): void {
  let last = { at: Date.now(), accepted: i.metrics.totals.accepted };
  cluster.reportLoad(() => {
    const now = { at: Date.now(), accepted: i.metrics.totals.accepted };
    const s = (now.at - last.at) / 1000;
    const acceptedPerS = s > 0 ? Math.round(((now.accepted - last.accepted) / s) * 10) / 10 : 0;
    last = now;
    const connectors = i.gateway.listConnectors();
    let upstreamBinds = 0;
    for (const c of connectors) {
      const st = c.status();
      upstreamBinds += (st.bound ? 1 : 0) + (st.receiver?.bound ? 1 : 0);
    }
    return {
      acceptedPerS,
      upstreamBinds,
      customerBinds: i.customerBinds(),
      // Up: bound (a receive-only connector is up, never ready; routes never name it).
      readyConnectors: connectors.filter((c) => c.up ?? c.ready).map((c) => c.id),
    };
  });
}

/** One log line per event worth an operator's eye, and the cluster's metrics. */
export function watchCluster(cluster: Cluster, log: Logger, metrics: HermodMetrics): ClusterMetrics {
  const m = new ClusterMetrics(metrics.registry, cluster);
  const clog = log.child({ component: 'cluster', node: cluster.nodeId });
  cluster.on('nodeDead', (r) => {
    m.record(r);
    clog.warn(
      {
        dead: r.id,
        requeued: r.requeued,
        outbox: r.outbox,
        webhooks: r.webhooks,
        campaigns: r.campaigns,
        leases: r.leases,
      },
      `node ${r.id} declared dead (silent over ${cluster.deadAfterMs} ms): its claims and leases freed`,
    );
  });
  cluster.on('leadership', (leads) =>
    clog.info({ leader: leads }, leads ? 'this node leads the cluster' : 'this node no longer leads'),
  );
  // A store outage fails every beat: one line when it starts, one when a beat works again.
  let failing = false;
  cluster.on('beatFailed', (err) => {
    if (!failing) clog.error({ err }, 'cluster heartbeat failed; leases are kept until they run out');
    failing = true;
  });
  // At a clean stop every lease is given up: not worth a warning.
  cluster.on('leaseLost', (name) => cluster.running && clog.warn({ lease: name }, 'lease lost'));
  const beatOk = () => {
    if (failing) clog.info('cluster heartbeat works again');
    failing = false;
  };
  cluster.on('beat', beatOk);
  return m;
}
