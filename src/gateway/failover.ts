/**
 * Failover of messages already queued: a connector that is down (not ready) longer than
 * the grace has its waiting messages moved along their routes to the connector accept
 * would choose now, in batches through the store (Store.moveQueued). Only messages that
 * cannot be sent twice by the move leave (not leased, no part upstream); a message whose
 * route has no healthy alternative stays. Failback needs nothing here: routing prefers
 * healthy connectors, so new traffic returns to the primary once it is ready again.
 */
import { canCarry } from '../domain/index.js';
import type { QueueMove } from '../store/store.js';
import { isHealthy, type Connector } from './connector.js';
import { candidates, type RouteDef } from './router.js';
import type { GatewayContext } from './options.js';

/** The settings of the mover (config `failover`, docs/routing.md). */
export interface QueuedFailoverOptions {
  /** A connector not ready this long has its queue moved (default 5000 ms); negative = never. */
  downGraceMs?: number;
  /** Messages per store statement (default 500). */
  batch?: number;
  /**
   * A message whose submits failed transiently this many times, its connector down when the
   * last one failed, fails over to a healthy connector of its route at once instead of
   * retrying there (default 3; 0 = never).
   */
  afterTransient?: number;
}

export const DEFAULT_DOWN_GRACE_MS = 5000;
const DEFAULT_BATCH = 500;
/** Batches per connector per tick: a deep queue moves over a few ticks, other work goes on between. */
const MAX_BATCHES_PER_TICK = 20;

/**
 * Where the messages of each route through `from` go now (pure): per route that names
 * `from` and may move (not `static`), the first healthy connector other than `from` in the
 * order accept would try (router.candidates). Routes without one are left out: their
 * messages stay. `excluded` connectors (the loop guard's own-Hermod connectors) are never
 * a target.
 */
export function moveTargets(
  routes: readonly RouteDef[],
  from: string,
  healthy: (id: string) => boolean,
  detail: (to: string) => string,
  excluded: (id: string) => boolean = () => false,
): QueueMove['targets'] {
  const out: QueueMove['targets'] = [];
  for (const route of routes) {
    if (route.type === 'static' || !route.connectors.includes(from)) continue;
    // Without a destination a least-cost route keeps its listed order (costs are per destination).
    const to = candidates(route, '', healthy).find((id) => id !== from && healthy(id) && !excluded(id));
    if (to !== undefined) out.push({ route: route.name, to, detail: detail(to) });
  }
  return out;
}

/** Whether a connector down since `since` (ms, undefined: up) is past the grace at `now`. */
export function pastGrace(since: number | undefined, now: number, graceMs: number): boolean {
  return since !== undefined && graceMs >= 0 && now - since >= graceMs;
}

export class QueuedFailover {
  /** When each connector was first seen not ready (absent: ready at the last look). */
  private readonly downSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    /** Tells the dispatcher of a connector that messages wait for it. */
    private readonly wake: (connectorId: string) => void,
  ) {}

  private get opts(): QueuedFailoverOptions {
    return this.ctx.opts.failover ?? {};
  }

  private get graceMs(): number {
    return this.opts.downGraceMs ?? DEFAULT_DOWN_GRACE_MS;
  }

  /** Looks at the connectors a few times per grace (between every 50 ms and every second). */
  start(): void {
    if (this.timer || this.graceMs < 0) return;
    const every = Math.min(1000, Math.max(50, this.graceMs / 4));
    // The queues are the cluster's: one node (the leader, options.singletons) moves them.
    this.timer = setInterval(() => {
      if (this.ctx.opts.singletons?.() ?? true) void this.tick();
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One look (the timer's step; tests call it): returns how many messages moved. */
  tick(now = Date.now()): Promise<number> {
    // One tick at a time: a slow store must not stack them.
    this.ticking ??= this.look(now)
      .catch((err: unknown) => {
        this.ctx.emit('store_error', err);
        return 0;
      })
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async look(now: number): Promise<number> {
    const { connectors, opts, store, emit } = this.ctx;
    // Up for the cluster: bound here, or a bind slot held by another live node, or reported
    // ready by another node's heartbeat (a connector bound elsewhere is not down).
    const healthy = (id: string) => isHealthy(connectors.get(id)) || (opts.readyElsewhere?.(id) ?? false);
    const ownHermod = (id: string) => opts.selfBind?.(id) !== undefined;
    // A queue moves only to a connector that carries what it may hold (MMS, SMS).
    const lacks = (from: Connector, to: Connector | undefined, kind: 'sms' | 'mms') =>
      canCarry(from, kind) && !canCarry(to ?? {}, kind);
    // Its MMS fit its own `mmsMaxBytes`: a queue moves only to a connector that takes as much
    // (per message sizes are not looked at in a bulk move).
    const capOf = (c: Connector | undefined) => c?.mmsMaxBytes ?? Number.POSITIVE_INFINITY;
    const smaller = (from: Connector, to: Connector | undefined) =>
      canCarry(from, 'mms') && capOf(to) < capOf(from);
    const notLike = (from: Connector) => (id: string) =>
      ownHermod(id) ||
      lacks(from, connectors.get(id), 'mms') ||
      lacks(from, connectors.get(id), 'sms') ||
      smaller(from, connectors.get(id));
    for (const id of this.downSince.keys()) if (!connectors.has(id)) this.downSince.delete(id);
    let total = 0;
    for (const c of connectors.values()) {
      if (healthy(c.id)) {
        this.downSince.delete(c.id);
        continue;
      }
      if (!this.downSince.has(c.id)) this.downSince.set(c.id, now);
      const since = this.downSince.get(c.id);
      if (!pastGrace(since, now, this.graceMs)) continue;
      const downS = Math.round((now - (since ?? now)) / 1000);
      const targets = moveTargets(
        opts.routes ?? [],
        c.id,
        healthy,
        (to) =>
          `failover from ${c.id} (down ${downS} s): moved to ${to}, the next healthy connector of its route`,
        notLike(c),
      );
      if (targets.length === 0) continue;
      const limit = this.opts.batch ?? DEFAULT_BATCH;
      for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
        const moved = await store.moveQueued({ from: c.id, targets, limit });
        for (const m of moved) emit('failover', m.id, c.id, m.to);
        for (const to of new Set(moved.map((m) => m.to))) this.wake(to);
        total += moved.length;
        if (moved.length > 0) emit('queue_moved', c.id, moved.length);
        // Stopped meanwhile, or back: the next tick looks again.
        if (moved.length < limit || connectors.get(c.id) !== c || healthy(c.id)) break;
      }
    }
    return total;
  }
}
