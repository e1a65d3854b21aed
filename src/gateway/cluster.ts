/**
 * This node's view of the cluster (issue 18, docs/scaling.md): it heartbeats through the
 * store's `ClusterStore`, keeps the last list of nodes, renews the named leases its users want
 * (the leader's, connectors' bind slots) on every beat, and hands out this node's share of a
 * cluster-wide rate in proportion to the demand each node reported. No database round trip is
 * made per message: everything a hot path asks (`holds`, `isLeader`, `share`) is answered from
 * memory, at most one heartbeat old.
 *
 * On SQLite the store is one node: every lease is held and every share is the whole rate.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { systemClock, type Clock, type Timer } from '../lib/clock.js';
import type { ClusterLease, ClusterNode, ClusterStore, NodeLoad, ReapedNode } from '../store/cluster.js';

/** The leader's lease: singletons (sweeps, expiries, campaign runners, alerts) run where it is held. */
export const LEADER_LEASE = 'leader';

export interface ClusterOptions {
  store: ClusterStore;
  nodeId: string;
  version: string;
  /** Heartbeat period (default 2 s). */
  heartbeatMs?: number;
  /** A node silent this long is dead (default 10 s); leases last as long. */
  deadAfterMs?: number;
  clock?: Clock;
  /** What the node reports of its load beyond CPU and memory, read at every beat. */
  load?: LoadSource;
}

/** What a node reports of its load beyond CPU and memory (read at every beat). */
export type LoadSource = () => Partial<Omit<NodeLoad, 'cpu' | 'rssBytes' | 'demand'>>;

/** The cluster as `hermod cluster status` and `GET /admin/cluster` show it. */
export interface ClusterStatus {
  /** The node that answered. */
  self: string;
  /** The leader's node id (undefined while nobody holds the lease). */
  leader: string | undefined;
  heartbeatMs: number;
  deadAfterMs: number;
  /** Every node the store knows, newest heartbeat first, with its heartbeat's age (ms, this node's last beat's view). */
  nodes: (ClusterNode & { heartbeatAgeMs: number })[];
  /** The named leases held now. */
  leases: ClusterLease[];
}

export interface ClusterEvents {
  /** Another node was declared dead by this node's beat; what it held was freed. */
  nodeDead: [ReapedNode];
  /** This node took (true) or lost (false) the leader's lease. */
  leadership: [boolean];
  /** A lease this node held was not renewed (another node has it, or this node was declared dead). */
  leaseLost: [string];
  /** A beat failed (the store is unreachable); leases are kept until they would have run out. */
  beatFailed: [Error];
  /** A beat worked (the nodes and leases are fresh). */
  beat: [];
}

export class Cluster extends EventEmitter<ClusterEvents> {
  readonly nodeId: string;
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  private readonly clock: Clock;
  private readonly startedAt: number;
  private timer: Timer | undefined;
  private beating: Promise<void> | undefined;
  private known: ClusterNode[] = [];
  private readonly wanted = new Set<string>([LEADER_LEASE]);
  /** Leases held, with when they run out by this node's clock (a beat that fails keeps them until then). */
  private readonly heldUntil = new Map<string, number>();
  private readonly demand = new Map<string, number>();
  private loadSource: LoadSource | undefined;
  /** This node's last beat: the database's time of it and this node's (ages are told from them). */
  private lastBeat = { db: 0, local: 0 };
  private cpuMark = process.cpuUsage();
  private cpuAt: number;

  constructor(private readonly o: ClusterOptions) {
    super();
    this.nodeId = o.nodeId;
    this.heartbeatMs = o.heartbeatMs ?? 2_000;
    this.deadAfterMs = o.deadAfterMs ?? 10_000;
    this.clock = o.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.cpuAt = this.startedAt;
    this.loadSource = o.load;
  }

  /** Where the load comes from, once the interfaces that know it exist (read at every beat). */
  reportLoad(source: LoadSource): void {
    this.loadSource = source;
  }

  /** The first beat (so that leases are decided before anything asks), then one every period. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = this.clock.setInterval(() => void this.beat(), this.heartbeatMs);
  }

  /** Stops beating and leaves: this node's leases go to the others at once. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.beating;
    const held = [...this.heldUntil.keys()];
    this.heldUntil.clear();
    for (const name of held) this.emit('leaseLost', name);
    await this.o.store.leave(this.nodeId).catch(() => undefined);
  }

  /** Beating (started and not stopped). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Every node the store knows, as of the last beat. */
  nodes(): ClusterNode[] {
    return this.known;
  }

  /** Nodes up as of the last beat (this one included). */
  liveNodes(): ClusterNode[] {
    return this.known.filter((n) => n.state === 'up');
  }

  /**
   * Whether another live node reported this connector ready at its last beat (it holds its
   * bind, say): the connector is up for the cluster even when it is not here.
   */
  readyElsewhere(connectorId: string): boolean {
    return this.liveNodes().some(
      (n) => n.id !== this.nodeId && (n.load.readyConnectors ?? []).includes(connectorId),
    );
  }

  /** Nodes and leases now (one read of the leases; the nodes as of the last beat). */
  async status(): Promise<ClusterStatus> {
    const leases = await this.o.store.leases();
    const { db, local } = this.lastBeat;
    const since = this.clock.now() - local;
    return {
      self: this.nodeId,
      leader: leases.find((l) => l.name === LEADER_LEASE)?.holder,
      heartbeatMs: this.heartbeatMs,
      deadAfterMs: this.deadAfterMs,
      nodes: this.known.map((n) => ({ ...n, heartbeatAgeMs: Math.max(0, db - n.heartbeatAt + since) })),
      leases,
    };
  }

  isLeader(): boolean {
    return this.holds(LEADER_LEASE);
  }

  /** True while this node holds the named lease (renewed on every beat). */
  holds(name: string): boolean {
    const until = this.heldUntil.get(name);
    return until !== undefined && until > this.clock.now();
  }

  /** Asks for a named lease from now on (renewed on every beat); true when held now. */
  async want(name: string): Promise<boolean> {
    this.wanted.add(name);
    await this.renew([name]);
    return this.holds(name);
  }

  /** Gives a named lease up (e.g. a connector stopped). */
  async unwant(name: string): Promise<void> {
    this.wanted.delete(name);
    if (this.heldUntil.delete(name)) await this.o.store.release(this.nodeId, [name]);
  }

  /** The named leases held now across the cluster (one store round trip; `prefix` narrows them). */
  leases(prefix?: string): Promise<ClusterLease[]> {
    return this.o.store.leases(prefix);
  }

  /** What this node would send per second for a rate key were nothing throttling it (reported on the next beat). */
  setDemand(key: string, perS: number): void {
    if (perS > 0) this.demand.set(key, perS);
    else this.demand.delete(key);
  }

  /**
   * This node's share of a cluster-wide rate, cut by `fairShares` from the demands the live
   * nodes reported on their last heartbeats (this node's own as reported too, so that every
   * node cuts from the same figures and the shares add up to the rate). One node alone gets
   * the whole rate.
   */
  share(key: string, rate: number): number {
    const live = this.liveNodes();
    const me = live.findIndex((n) => n.id === this.nodeId);
    if (live.length <= 1 || me < 0) return rate;
    return fairShares(
      live.map((n) => n.load.demand[key] ?? 0),
      rate,
    )[me];
  }

  private beat(): Promise<void> {
    // One beat at a time: a slow store must not pile beats up.
    this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    try {
      const r = await this.o.store.beat({
        id: this.nodeId,
        host: hostname(),
        pid: process.pid,
        version: this.o.version,
        startedAt: this.startedAt,
        load: this.load(),
        deadAfterMs: this.deadAfterMs,
      });
      this.known = r.nodes;
      const local = this.clock.now();
      this.lastBeat = { db: r.nodes.find((n) => n.id === this.nodeId)?.heartbeatAt ?? local, local };
      for (const dead of r.reaped) this.emit('nodeDead', dead);
      if (r.wasDeclaredDead) this.dropAll();
      await this.renew([...this.wanted]);
      this.emit('beat');
    } catch (err) {
      this.emit('beatFailed', err instanceof Error ? err : new Error(String(err)));
      this.expire();
    }
  }

  /** Renews (or takes) the named leases, and reports those lost. */
  private async renew(names: string[]): Promise<void> {
    const wasLeader = this.isLeader();
    const until = this.clock.now() + this.deadAfterMs;
    const held = new Set(await this.o.store.hold({ nodeId: this.nodeId, names, ttlMs: this.deadAfterMs }));
    for (const name of names) {
      if (held.has(name)) this.heldUntil.set(name, until);
      else if (this.heldUntil.delete(name)) this.emit('leaseLost', name);
    }
    if (this.isLeader() !== wasLeader) this.emit('leadership', this.isLeader());
  }

  /** After a failed beat: leases whose time ran out are lost (another node may have them now). */
  private expire(): void {
    const wasLeader = this.isLeader();
    const now = this.clock.now();
    for (const [name, until] of this.heldUntil)
      if (until <= now) {
        this.heldUntil.delete(name);
        this.emit('leaseLost', name);
      }
    if (wasLeader && !this.isLeader()) this.emit('leadership', false);
  }

  /** This node was declared dead while paused: whatever it held may be another's now. */
  private dropAll(): void {
    const wasLeader = this.isLeader();
    for (const name of [...this.heldUntil.keys()]) {
      this.heldUntil.delete(name);
      this.emit('leaseLost', name);
    }
    if (wasLeader) this.emit('leadership', false);
  }

  private load(): NodeLoad {
    const now = this.clock.now();
    const used = process.cpuUsage(this.cpuMark);
    const cpu = now > this.cpuAt ? (used.user + used.system) / 1000 / (now - this.cpuAt) : 0;
    this.cpuMark = process.cpuUsage();
    this.cpuAt = now;
    const given = this.loadSource?.() ?? {};
    return {
      acceptedPerS: given.acceptedPerS ?? 0,
      upstreamBinds: given.upstreamBinds ?? 0,
      customerBinds: given.customerBinds ?? 0,
      ...(given.readyConnectors ? { readyConnectors: given.readyConnectors } : {}),
      rssBytes: process.memoryUsage.rss(),
      cpu: Math.round(cpu * 1000) / 1000,
      demand: Object.fromEntries(this.demand),
    };
  }
}

/**
 * A max-min fair split of `rate` by demand: a node wanting less than an equal part of what is
 * left gets what it wants (with a tenth more, room to grow before its next report), the
 * others split the rest equally. A node that reported no demand keeps a floor of a tenth of
 * an equal share, so that new traffic there is served before its heartbeat tells the others;
 * with no demand anywhere the split is equal. The parts never add up to more than the rate.
 */
export function fairShares(demands: readonly number[], rate: number): number[] {
  const n = demands.length;
  const floor = rate / (n * 10);
  const wanting = demands.flatMap((d, i) => (d > 0 ? [i] : [])).sort((a, b) => demands[a] - demands[b]);
  if (wanting.length === 0) return demands.map(() => rate / n);
  const out = demands.map((d) => (d > 0 ? 0 : floor));
  let left = rate - floor * (n - wanting.length);
  wanting.forEach((i, k) => {
    out[i] = Math.min(Math.max(floor, demands[i] * 1.1), left / (wanting.length - k));
    left -= out[i];
  });
  return out;
}
