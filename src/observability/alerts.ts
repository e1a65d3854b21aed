/**
 * Alert rules evaluated inside Hermod (issue 5, "Operations"), exposed as
 * `hermod_alert_active{alert}`: delivery rate below a floor, connector down, error rate
 * high, queue backlog, spend above a threshold. Rates and spend are measured over a sliding
 * window of snapshots of the cumulative totals; rates need `minSamples` events so that one
 * failure out of two is not an alert.
 */
import { EventEmitter } from 'node:events';
import type { HermodMetrics, Totals } from './metrics.js';

export interface AlertThresholds {
  deliveryRateMin: number;
  errorRateMax: number;
  queueBacklogMax: number;
  /** Micro-units over the window; null = rule off. */
  spendMaxMicros: number | null;
  connectorDownMs: number;
  windowMs: number;
  minSamples: number;
}

export const ALERTS = [
  'delivery_rate_low',
  'connector_down',
  'error_rate_high',
  'queue_backlog',
  'spend_high',
] as const;
export type AlertName = (typeof ALERTS)[number];

export interface AlertInputs {
  /** Totals now and at the start of the window. */
  now: Totals;
  windowStart: Totals;
  queueDepth: number;
  /** Connectors unbound for longer than connectorDownMs. */
  connectorsDown: string[];
}

/** The rules, as a pure function. */
export function evaluateAlerts(i: AlertInputs, t: AlertThresholds): Record<AlertName, boolean> {
  const d = (k: keyof Totals) => i.now[k] - i.windowStart[k];
  const finals = d('finals');
  const attempts = d('sent') + d('failed');
  return {
    delivery_rate_low: finals >= t.minSamples && d('delivered') / finals < t.deliveryRateMin,
    connector_down: i.connectorsDown.length > 0,
    error_rate_high: attempts >= t.minSamples && d('failed') / attempts > t.errorRateMax,
    queue_backlog: i.queueDepth > t.queueBacklogMax,
    spend_high: t.spendMaxMicros !== null && d('spendMicros') > t.spendMaxMicros,
  };
}

export interface AlertEvaluatorOptions {
  metrics: HermodMetrics;
  thresholds: AlertThresholds;
  connectors: () => { id: string; ready: boolean }[];
  queueDepth: () => Promise<number>;
  /** Evaluation period (default 10 s). */
  intervalMs?: number;
  /**
   * Whether this node evaluates the rules about the cluster's shared state, connector_down
   * and queue_backlog (the leader; default always). The rules about this node's own traffic
   * (delivery rate, error rate, spend) are evaluated on every node from its own counters.
   */
  clusterWide?: () => boolean;
}

/** Evaluates the rules periodically; emits ('change', alert, active) when one flips. */
export class AlertEvaluator extends EventEmitter {
  private readonly snapshots: { at: number; totals: Totals }[] = [];
  private readonly downSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  readonly active = new Map<AlertName, boolean>(ALERTS.map((a) => [a, false]));

  constructor(private readonly opts: AlertEvaluatorOptions) {
    super();
    for (const a of ALERTS) opts.metrics.alertActive.set({ alert: a }, 0);
  }

  start(): void {
    this.snapshots.push({ at: Date.now(), totals: { ...this.opts.metrics.totals } });
    this.timer = setInterval(
      () => void this.evaluate().catch(() => undefined),
      this.opts.intervalMs ?? 10_000,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async evaluate(now = Date.now()): Promise<Record<AlertName, boolean>> {
    const t = this.opts.thresholds;
    const totals = { ...this.opts.metrics.totals };
    this.snapshots.push({ at: now, totals });
    while (this.snapshots.length > 1 && this.snapshots[1].at <= now - t.windowMs) this.snapshots.shift();
    const down: string[] = [];
    const shared = this.opts.clusterWide?.() ?? true;
    if (!shared) this.downSince.clear();
    for (const c of shared ? this.opts.connectors() : []) {
      if (c.ready) this.downSince.delete(c.id);
      else {
        const since = this.downSince.get(c.id) ?? now;
        this.downSince.set(c.id, since);
        if (now - since >= t.connectorDownMs) down.push(c.id);
      }
    }
    const result = evaluateAlerts(
      {
        now: totals,
        windowStart: this.snapshots[0].totals,
        queueDepth: shared ? await this.opts.queueDepth() : 0,
        connectorsDown: down,
      },
      t,
    );
    for (const a of ALERTS) {
      this.opts.metrics.alertActive.set({ alert: a }, result[a] ? 1 : 0);
      if (this.active.get(a) !== result[a]) {
        this.active.set(a, result[a]);
        this.emit('change', a, result[a]);
      }
    }
    return result;
  }
}

export interface AlertWebhookOptions {
  url: string;
  /** Attempts per notification (default 5), with exponential back-off from `initialDelayMs` (default 1 s). */
  attempts?: number;
  initialDelayMs?: number;
  timeoutMs?: number;
}

/** One alert notification as POSTed to the operator's webhook. */
export interface AlertNotification {
  alert: AlertName;
  status: 'firing' | 'resolved';
  at: string;
}

/**
 * POSTs every alert change as JSON to the operator's URL, retrying with back-off until a
 * 2xx answer or the attempts run out. The URL is the operator's own (configuration), not a
 * customer's, so it may point at private space (an Alertmanager next door).
 */
export class AlertWebhook {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly opts: AlertWebhookOptions,
    private readonly onResult: (ok: boolean) => void = () => undefined,
  ) {}

  /** Subscribes to an evaluator's changes. */
  attach(ev: AlertEvaluator): void {
    ev.on('change', (alert: AlertName, active: boolean) => {
      const p = this.send({
        alert,
        status: active ? 'firing' : 'resolved',
        at: new Date().toISOString(),
      }).finally(() => this.pending.delete(p));
      this.pending.add(p);
    });
  }

  async send(n: AlertNotification): Promise<void> {
    const attempts = this.opts.attempts ?? 5;
    let delay = this.opts.initialDelayMs ?? 1000;
    for (let i = 1; i <= attempts; i++) {
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(n),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.onResult(true);
          return;
        }
      } catch {
        // refused, reset or timed out: retried below
      }
      this.onResult(false);
      if (i < attempts) await new Promise((r) => setTimeout(r, delay).unref());
      delay *= 2;
    }
  }

  /** Waits for the notifications in flight (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
