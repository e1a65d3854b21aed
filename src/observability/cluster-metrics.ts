/**
 * The cluster's metrics (docs/architecture.md, "Cluster"): nodes by state as this node saw
 * them at its last heartbeat, whether this node leads, and the nodes its heartbeats declared
 * dead with what that freed. Structural inputs: this layer imports no core.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The cluster as the metrics read it at scrape time. */
export interface ClusterView {
  nodes(): readonly { state: string }[];
  isLeader(): boolean;
}

/** What one dead node held and a beat of this node freed. */
export interface ReapedCounts {
  requeued: number;
  outbox: number;
  webhooks: number;
  campaigns: number;
  leases: readonly string[];
}

const STATES = ['up', 'left', 'dead'] as const;

export class ClusterMetrics {
  readonly reaped: Counter;
  readonly freed: Counter<'kind'>;

  constructor(registry: Registry, cluster: ClusterView) {
    const registers = [registry];
    new Gauge({
      name: 'hermod_cluster_nodes',
      help: 'Nodes of the cluster by state (up, left, dead), as of this node’s last heartbeat',
      labelNames: ['state'],
      registers,
      collect() {
        const nodes = cluster.nodes();
        for (const s of STATES) this.set({ state: s }, nodes.filter((n) => n.state === s).length);
      },
    });
    new Gauge({
      name: 'hermod_cluster_leader',
      help: 'Whether this node holds the leader’s lease (runs the sweeps, expiries and campaign scan): 1 or 0',
      registers,
      collect() {
        this.set(cluster.isLeader() ? 1 : 0);
      },
    });
    this.reaped = new Counter({
      name: 'hermod_cluster_nodes_reaped_total',
      help: 'Nodes this node’s heartbeats declared dead (silent past cluster.deadAfterMs)',
      registers,
    });
    this.freed = new Counter({
      name: 'hermod_cluster_reaped_items_total',
      help: 'What dead nodes held and this node’s heartbeats freed, by kind (queue, outbox, webhooks, campaigns, leases)',
      labelNames: ['kind'],
      registers,
    });
  }

  /** Counts one node declared dead and what was freed of it. */
  record(r: ReapedCounts): void {
    this.reaped.inc();
    this.freed.inc({ kind: 'queue' }, r.requeued);
    this.freed.inc({ kind: 'outbox' }, r.outbox);
    this.freed.inc({ kind: 'webhooks' }, r.webhooks);
    this.freed.inc({ kind: 'campaigns' }, r.campaigns);
    this.freed.inc({ kind: 'leases' }, r.leases.length);
  }
}
