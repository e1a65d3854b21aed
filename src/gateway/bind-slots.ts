/**
 * Upstream binds as a cluster resource (issue 18; docs/architecture.md, "Cluster: binds and
 * rates"). A provider allows an account so many binds, whatever the number of Hermod nodes:
 * each of a connector's bind slots is a named lease `bind:<connectorId>:<slot>`, and a node
 * opens a session only for the slots it holds. A node takes at most its fair part of the slots
 * (ceil(slots / nodes running the connector)) unless a slot stayed free for a whole beat, gives
 * one back when another node holds fewer than its part, closes a session whose lease it lost,
 * and looks again every heartbeat: when a holder dies, its leases are freed by the next beat that
 * declares it dead and another node binds within a beat after that.
 *
 * The connector's throughput is cluster-wide too: the nodes holding its slots share it in
 * proportion to the slots each holds (they all claim from the one queue), re-read every beat,
 * paced here before the session's own pacing (which keeps the whole rate as its ceiling).
 *
 * Only the dispatcher of a node with a bound slot claims the connector's queue (it claims only
 * while `ready`), so a message queued anywhere is sent by a node holding a bind; `healthy`
 * tells routing that the connector is bound somewhere even when not here.
 */
import { TokenBucket, type Receipt } from '../smpp/index.js';
import type { OutboundPart, StoredMessage } from '../domain/index.js';
import type { Cluster } from './cluster.js';
import type {
  Connector,
  ConnectorFailure,
  ConnectorStatus,
  InboundPdu,
  LateSubmit,
  SubmitOutcome,
} from './connector.js';

/** What the slots need of the cluster (the `Cluster` service). */
export type BindCluster = Pick<
  Cluster,
  'nodeId' | 'heartbeatMs' | 'want' | 'unwant' | 'holds' | 'liveNodes' | 'leases' | 'setDemand' | 'on' | 'off'
>;

export interface BindSlotsOptions {
  cluster: BindCluster;
  /** Binds the provider allows across the cluster (default 1). */
  slots?: number;
  /** Submits per second across the cluster (undefined: no limit of its own). */
  throughput?: number | undefined;
  /** One session's connector (each slot gets its own; started only while the slot is held). */
  make: (slot: number) => Connector;
}

/** The lease of one bind slot. */
export const bindLease = (connectorId: string, slot: number): string => `bind:${connectorId}:${slot}`;
/** The demand key a node running the connector reports (1), so that others count it in the split. */
export const bindWantKey = (connectorId: string): string => `binds:${connectorId}`;
/** The demand key of a connector's offered rate (submits per second, throttled ones included). */
export const connectorRateKey = (connectorId: string): string => `connector:${connectorId}`;

/** What one node sees of a connector's slots at a beat. */
export interface SlotView {
  slots: number;
  me: string;
  /** Slot → the live node holding it. */
  holders: ReadonlyMap<number, string>;
  /** Live nodes running the connector (this one included). */
  wanting: readonly string[];
  /** Slots that were free at the previous look as well. */
  freeBefore: ReadonlySet<number>;
}

/**
 * Which slots to take and which to give back (pure): up to the node's part of the free slots,
 * any slot free for a beat, and one slot back when this node holds more than its part while
 * another node running the connector holds fewer than the even split.
 */
export function planSlots(v: SlotView): { take: number[]; release: number[] } {
  const nodes = Math.max(1, new Set([...v.wanting, v.me]).size);
  const target = Math.ceil(v.slots / nodes);
  const mine = [...v.holders].filter(([, n]) => n === v.me).map(([s]) => s);
  const free = Array.from({ length: v.slots }, (_, s) => s).filter((s) => !v.holders.has(s));
  const take: number[] = [];
  for (const s of free) if (mine.length + take.length < target || v.freeBefore.has(s)) take.push(s);
  if (take.length > 0 || mine.length <= target) return { take, release: [] };
  const counts = new Map<string, number>(v.wanting.map((n) => [n, 0]));
  for (const n of v.holders.values()) if (counts.has(n)) counts.set(n, counts.get(n)! + 1);
  const starved = [...counts].some(([n, c]) => n !== v.me && c < Math.floor(v.slots / nodes));
  return { take, release: starved ? [Math.max(...mine)] : [] };
}

/**
 * This node's part of a connector's rate (pure): in proportion to the slots each holder holds
 * (`held`: node → slots). Zero when this node holds none; the whole rate alone.
 */
export function holderShare(rate: number, me: string, held: ReadonlyMap<string, number>): number {
  const mine = held.get(me) ?? 0;
  let total = 0;
  for (const n of held.values()) total += n;
  return mine > 0 ? (rate * mine) / total : 0;
}

function notBound(id: string): ConnectorFailure {
  const e = new Error(`connector "${id}" holds no bound slot on this node`) as ConnectorFailure;
  e.transient = true;
  return e;
}

export class ClusterBoundConnector implements Connector {
  readonly slots: number;
  private readonly cluster: BindCluster;
  private readonly inners: Connector[];
  /** Slots this node holds (its sessions started). */
  private readonly mine = new Set<number>();
  private freeBefore = new Set<number>();
  private holders = new Map<number, string>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private turn = 0;
  private readonly bucket: TokenBucket | undefined;
  private share: number | null;
  private offered = 0;
  private offeredSince = Date.now();
  private readonly onLost = (name: string): void => {
    const slot = this.slotOf(name);
    if (slot !== undefined && this.mine.has(slot)) void this.lose(slot);
  };

  constructor(
    readonly id: string,
    private readonly o: BindSlotsOptions,
  ) {
    this.cluster = o.cluster;
    this.slots = Math.max(1, o.slots ?? 1);
    this.inners = Array.from({ length: this.slots }, (_, s) => o.make(s));
    this.share = o.throughput ?? null;
    this.bucket = o.throughput ? new TokenBucket(o.throughput) : undefined;
  }

  private get first(): Connector {
    return this.inners[0]!;
  }

  get ready(): boolean {
    return this.running && [...this.mine].some((s) => this.inners[s]!.ready);
  }

  /**
   * Metrics, alerts and /readyz: the sessions of the slots held here are bound; a node holding
   * none is up while another live node holds a slot (that node reports its own sessions).
   */
  get up(): boolean {
    if (this.mine.size === 0) return this.healthy;
    return [...this.mine].every((s) => this.inners[s]!.up ?? this.inners[s]!.ready);
  }

  /** Bound here, or a slot held by another live node (routing must not avoid it). */
  get healthy(): boolean {
    if (this.ready) return true;
    if (!this.running) return false;
    return [...this.holders.values()].some((n) => n !== this.cluster.nodeId);
  }

  get capacity(): number {
    const bound = [...this.mine].filter((s) => this.inners[s]!.ready).length;
    return this.first.capacity * Math.max(1, bound);
  }

  get capabilities() {
    return this.first.capabilities;
  }
  get split() {
    return this.first.split;
  }
  get dataCoding() {
    return this.first.dataCoding;
  }
  get dlrExpiryMs() {
    return this.first.dlrExpiryMs;
  }

  /** Slots held by this node now. */
  heldSlots(): number[] {
    return [...this.mine].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cluster.setDemand(bindWantKey(this.id), 1);
    this.cluster.on('leaseLost', this.onLost);
    this.timer = setInterval(() => void this.tick(), this.cluster.heartbeatMs);
    this.timer.unref();
    await this.tick();
  }

  stop(): Promise<void> {
    return this.halt((c) => c.stop());
  }

  close(): Promise<void> {
    return this.halt((c) => (c.close ? c.close() : c.stop()));
  }

  private async halt(end: (c: Connector) => Promise<void>): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    this.timer = undefined;
    this.cluster.off('leaseLost', this.onLost);
    this.cluster.setDemand(bindWantKey(this.id), 0);
    this.cluster.setDemand(connectorRateKey(this.id), 0);
    await this.ticking;
    const held = [...this.mine];
    this.mine.clear();
    this.holders.clear();
    await Promise.all(held.map((s) => this.cluster.unwant(bindLease(this.id, s)).catch(() => undefined)));
    await Promise.all(this.inners.map(end));
  }

  /** One look at the slots (at start and every heartbeat). */
  tick(): Promise<void> {
    this.ticking ??= this.look()
      .catch(() => undefined) // the store unreachable: the cluster's own beat reports it
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async look(): Promise<void> {
    if (!this.running) return;
    const me = this.cluster.nodeId;
    const live = this.cluster.liveNodes();
    const liveIds = new Set(live.map((n) => n.id).concat(me));
    this.holders = new Map();
    for (const l of await this.cluster.leases(`bind:${this.id}:`)) {
      const slot = this.slotOf(l.name);
      // A lease under this node's id that it does not use (left from before a restart) is free to it.
      const stale = l.holder === me && slot !== undefined && !this.mine.has(slot);
      if (slot !== undefined && liveIds.has(l.holder) && !stale) this.holders.set(slot, l.holder);
    }
    for (const s of [...this.mine]) if (this.holders.get(s) !== me) await this.lose(s);
    const wanting = live.filter((n) => (n.load.demand[bindWantKey(this.id)] ?? 0) > 0).map((n) => n.id);
    const plan = planSlots({
      slots: this.slots,
      me,
      holders: this.holders,
      wanting,
      freeBefore: this.freeBefore,
    });
    for (const s of plan.take) {
      if (!this.running) return;
      if (await this.cluster.want(bindLease(this.id, s))) await this.open(s);
      else await this.cluster.unwant(bindLease(this.id, s));
    }
    for (const s of plan.release) await this.lose(s);
    this.freeBefore = new Set(
      Array.from({ length: this.slots }, (_, s) => s).filter((s) => !this.holders.has(s)),
    );
    this.pace();
  }

  /**
   * The bucket takes this node's share: the rate split by the slots each node holds. Every
   * holder claims from the same queue, so their demand is alike; a split by the lease table
   * (which all nodes read alike) adds up to the rate, where one by demands measured a beat
   * apart did not. The offered rate still goes out on the beat (`hermod cluster status`).
   */
  private pace(): void {
    const now = Date.now();
    const measured = (this.offered * 1000) / Math.max(1, now - this.offeredSince);
    this.offered = 0;
    this.offeredSince = now;
    this.cluster.setDemand(connectorRateKey(this.id), measured);
    const rate = this.o.throughput;
    if (!rate || !this.bucket) return;
    const slots = new Map<string, number>();
    for (const n of this.holders.values()) slots.set(n, (slots.get(n) ?? 0) + 1);
    this.share = holderShare(rate, this.cluster.nodeId, slots);
    if (this.share > 0) this.bucket.setRate(this.share);
  }

  private async open(slot: number): Promise<void> {
    this.mine.add(slot);
    this.holders.set(slot, this.cluster.nodeId);
    await this.inners[slot]!.start();
  }

  /** Gives a slot up (lost, or handed to a node with fewer): its session closes, in-flight submits finish. */
  private async lose(slot: number): Promise<void> {
    if (!this.mine.delete(slot)) return;
    if (this.holders.get(slot) === this.cluster.nodeId) this.holders.delete(slot);
    await this.cluster.unwant(bindLease(this.id, slot)).catch(() => undefined);
    await this.inners[slot]!.stop();
  }

  private slotOf(name: string): number | undefined {
    const prefix = `bind:${this.id}:`;
    if (!name.startsWith(prefix)) return undefined;
    const n = Number(name.slice(prefix.length));
    return Number.isInteger(n) && n >= 0 && n < this.slots ? n : undefined;
  }

  async submit(m: StoredMessage, part?: OutboundPart): Promise<SubmitOutcome> {
    this.offered++;
    if (this.bucket) await this.bucket.take();
    const bound = [...this.mine].filter((s) => this.inners[s]!.ready);
    if (bound.length === 0) throw notBound(this.id);
    const inner = this.inners[bound[this.turn++ % bound.length]!]!;
    return inner.submit(m, part);
  }

  onReceipt(handler: (r: Receipt) => Promise<void>): void {
    for (const c of this.inners) c.onReceipt(handler);
  }

  onMo(handler: (mo: InboundPdu) => Promise<void>): void {
    for (const c of this.inners) c.onMo(handler);
  }

  onLateSubmit(handler: (late: LateSubmit) => Promise<void>): void {
    for (const c of this.inners) c.onLateSubmit?.(handler);
  }

  status(): ConnectorStatus {
    const held = this.heldSlots();
    const shown = (held.length > 0 ? held : [0]).map((s) => this.inners[s]!.status());
    const base = shown[0]!;
    const sum = (k: keyof ConnectorStatus['counters']) =>
      this.inners.reduce((a, c) => a + c.status().counters[k], 0);
    return {
      ...base,
      state: !this.running ? 'stopped' : held.length === 0 ? 'idle' : base.state,
      bound: this.ready,
      window: {
        inUse: shown.reduce((a, s) => a + s.window.inUse, 0),
        size: held.length > 0 ? shown.reduce((a, s) => a + s.window.size, 0) : base.window.size,
      },
      throughput: {
        perSecond: this.inners.reduce((a, c) => a + c.status().throughput.perSecond, 0),
        limit: this.o.throughput ?? null,
      },
      counters: {
        submits: sum('submits'),
        submitted: sum('submitted'),
        errors: sum('errors'),
        receipts: sum('receipts'),
        mos: sum('mos'),
        binds: sum('binds'),
        disconnects: sum('disconnects'),
        throttled: sum('throttled'),
      },
      cluster: {
        slots: this.slots,
        held,
        holders: Object.fromEntries([...this.holders].map(([s, n]) => [String(s), n])),
        share: this.share,
      },
    };
  }
}
