/**
 * Cluster membership and named leases (issue 18, docs/scaling.md). Nodes sharing one
 * PostgreSQL database register and heartbeat here; a node whose heartbeat is older than the
 * dead-after time is declared dead by the next live node's heartbeat, in the same transaction
 * that frees what it held (queue claims, outbox and webhook leases, named leases), so its work
 * moves at once instead of at lease expiry. Named leases give one holder per name across the
 * cluster: the leader (singletons: sweeps, expiries, campaign runners, alerts) and a
 * connector's bind slots.
 *
 * The embedded SQLite store is one node by construction (the data directory's lock stops a
 * second process): `SingleNodeClusterStore` answers from memory.
 */

/** What a node reports of itself on every heartbeat (shown by `hermod cluster status`). */
export interface NodeLoad {
  /** Messages accepted per second over the last heartbeat period. */
  acceptedPerS: number;
  /** Upstream binds (SMPP sessions to SMSCs) this node holds. */
  upstreamBinds: number;
  /** Customer SMPP binds on this node. */
  customerBinds: number;
  /**
   * Connectors ready to send on this node (bound, or able to call their API): a connector
   * is up for the cluster while one live node has it ready (the leader's failover and alerts).
   */
  readyConnectors?: string[];
  /** Resident memory, bytes. */
  rssBytes: number;
  /** CPU used over the last heartbeat period, as a fraction of one core. */
  cpu: number;
  /**
   * Demand per rate key (e.g. `customer:<systemId>`, `connector:<id>`): what this node would
   * send per second were nothing throttling it. Nodes share a cluster-wide rate in proportion.
   */
  demand: Record<string, number>;
}

export type NodeState = 'up' | 'left' | 'dead';

/**
 * The owner a node's campaign runners write in `campaigns.lease_owner`: the node's id, then a
 * tag of the process, so that a dead node's runner leases are found (and freed) by its id.
 */
export function campaignOwner(nodeId: string, tag: string): string {
  return `${nodeId}/${tag}`;
}

export interface ClusterNode {
  id: string;
  host: string;
  pid: number;
  version: string;
  startedAt: number;
  heartbeatAt: number;
  state: NodeState;
  load: NodeLoad;
}

/** One heartbeat: who this node is and how it is doing. */
export interface NodeBeat {
  id: string;
  host: string;
  pid: number;
  version: string;
  startedAt: number;
  load: NodeLoad;
  /** A node silent for longer than this is declared dead by this beat. */
  deadAfterMs: number;
}

/** What a dead node held and this beat freed. */
export interface ReapedNode {
  id: string;
  /** Queue entries requeued (each with the restart-requeue history entry). */
  requeued: number;
  /** Outbox and webhook items whose leases were freed. */
  outbox: number;
  webhooks: number;
  /** Campaigns whose runner lease was the node's, freed for the leader's next scan. */
  campaigns: number;
  /** Named leases released. */
  leases: string[];
}

export interface BeatResult {
  /** Every node the store knows, this one included, newest heartbeat first. */
  nodes: ClusterNode[];
  /** Nodes this beat declared dead, with what it freed of theirs. */
  reaped: ReapedNode[];
  /**
   * This node had been declared dead before this beat (a pause longer than the dead-after
   * time): its claims and leases were freed meanwhile, so it must drop what it holds in
   * memory (bind slots, the leader's work) before taking anything again.
   */
  wasDeclaredDead: boolean;
}

export interface ClusterLease {
  name: string;
  holder: string;
  until: number;
}

/** Take or renew named leases for one node. */
export interface LeaseClaim {
  nodeId: string;
  names: readonly string[];
  ttlMs: number;
}

export interface ClusterStore {
  /** Registers or refreshes this node, declares silent nodes dead and frees what they held. */
  beat(b: NodeBeat): Promise<BeatResult>;
  /**
   * Takes each named lease that is free, expired or already this node's, until now + ttlMs;
   * returns the names this node holds after the call (one statement for all names).
   */
  hold(c: LeaseClaim): Promise<string[]>;
  /** Releases this node's leases (all of them when `names` is absent). */
  release(nodeId: string, names?: readonly string[]): Promise<void>;
  /** The leases held now (expired ones left out), by name; `prefix` narrows them. */
  leases(prefix?: string): Promise<ClusterLease[]>;
  /** A clean stop: the node is marked `left` and its leases released. */
  leave(nodeId: string): Promise<void>;
}

/** The embedded store's cluster: this process alone, holding every lease it asks for. */
export class SingleNodeClusterStore implements ClusterStore {
  private node: ClusterNode | undefined;
  private readonly held = new Map<string, ClusterLease>();

  async beat(b: NodeBeat): Promise<BeatResult> {
    const { deadAfterMs: _deadAfter, ...who } = b;
    this.node = { ...who, heartbeatAt: Date.now(), state: 'up' };
    return { nodes: [this.node], reaped: [], wasDeclaredDead: false };
  }

  async hold(c: LeaseClaim): Promise<string[]> {
    const until = Date.now() + c.ttlMs;
    for (const name of c.names) this.held.set(name, { name, holder: c.nodeId, until });
    return [...c.names];
  }

  async release(nodeId: string, names?: readonly string[]): Promise<void> {
    for (const [name, l] of this.held)
      if (l.holder === nodeId && (!names || names.includes(name))) this.held.delete(name);
  }

  async leases(prefix = ''): Promise<ClusterLease[]> {
    const now = Date.now();
    return [...this.held.values()]
      .filter((l) => l.until > now && l.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async leave(nodeId: string): Promise<void> {
    if (this.node?.id === nodeId) this.node = { ...this.node, state: 'left' };
    await this.release(nodeId);
  }
}
