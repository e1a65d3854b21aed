/**
 * Prometheus metrics, named as Prometheus's naming guide asks: one `hermod_` prefix, base
 * units, `_total` on counters, no high-cardinality labels (never a number, user or message
 * id). Fed from the gateway's events; gauges read the store and connectors at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway as the metrics see it: an event source (structural, so this layer imports no core). */
export interface EventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface MetricsOptions {
  version: string;
  /** Connectors and whether each is bound now. */
  connectors: () => { id: string; ready: boolean }[];
  /** Queue depth of one connector. */
  queueDepth: (connectorId: string) => Promise<number>;
  /** Per connector, when its oldest due queue entry became due (ms since the epoch); absent = nothing due. */
  queueOldestDue?: () => Promise<{ connectorId: string; dueAt: number }[]>;
  /** Webhook (callback) items not delivered yet. */
  webhookPending?: () => Promise<number>;
  /** Process metrics (CPU, memory, event loop lag) too; default true. */
  processMetrics?: boolean;
}

/** Cumulative counts the alert rules read (cheaper than reading prom-client back). */
export interface Totals {
  accepted: number;
  sent: number;
  failed: number;
  delivered: number;
  /** Messages made final by a receipt (delivered, undelivered, expired, rejected, partially delivered). */
  finals: number;
  spendMicros: number;
}

const FINAL = new Set(['delivered', 'undelivered', 'expired', 'rejected', 'partially_delivered']);

export class HermodMetrics {
  readonly registry = new Registry();
  readonly totals: Totals = { accepted: 0, sent: 0, failed: 0, delivered: 0, finals: 0, spendMicros: 0 };
  readonly messages: Counter<'direction' | 'connector' | 'status'>;
  readonly submitDuration: Histogram<'connector'>;
  readonly dlrLatency: Histogram<'connector'>;
  readonly retries: Counter<'connector'>;
  readonly failovers: Counter<'from' | 'to'>;
  readonly webhookDeliveries: Counter<'result'>;
  readonly httpRequests: Counter<'api' | 'route' | 'code'>;
  readonly alertActive: Gauge<'alert'>;
  readonly restartRequeued: Counter;
  readonly duplicateSubmits: Counter<'connector'>;
  readonly lateSubmits: Counter<'connector' | 'outcome'>;

  constructor(private readonly opts: MetricsOptions) {
    const registers = [this.registry];
    if (opts.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'hermod_process_' });
    new Gauge({
      name: 'hermod_build_info',
      help: 'Hermod version (always 1)',
      labelNames: ['version', 'node'],
      registers,
    }).set({ version: opts.version, node: process.version }, 1);
    this.messages = new Counter({
      name: 'hermod_messages_total',
      help: 'Messages by direction (mt, mo), connector and status reached',
      labelNames: ['direction', 'connector', 'status'],
      registers,
    });
    this.submitDuration = new Histogram({
      name: 'hermod_submit_duration_seconds',
      help: 'submit_sm to submit_sm_resp (or the connector equivalent)',
      labelNames: ['connector'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.dlrLatency = new Histogram({
      name: 'hermod_dlr_latency_seconds',
      help: 'Message sent to its final delivery receipt',
      labelNames: ['connector'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 86400],
      registers,
    });
    this.retries = new Counter({
      name: 'hermod_retries_total',
      help: 'Transient submit failures requeued with back-off',
      labelNames: ['connector'],
      registers,
    });
    this.failovers = new Counter({
      name: 'hermod_failovers_total',
      help: 'Messages moved to the next connector of their route after a permanent error',
      labelNames: ['from', 'to'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'hermod_webhook_deliveries_total',
      help: 'Webhook (callback) delivery attempts by result',
      labelNames: ['result'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'hermod_http_requests_total',
      help: 'HTTP requests by API, route pattern and status code',
      labelNames: ['api', 'route', 'code'],
      registers,
    });
    this.restartRequeued = new Counter({
      name: 'hermod_restart_requeued_total',
      // Each may have reached the SMSC before the stop, so its resend may be a duplicate.
      help: 'Messages a previous process had claimed when it stopped, requeued at start (a resend may duplicate them)',
      registers,
    });
    this.duplicateSubmits = new Counter({
      name: 'hermod_duplicate_submits_total',
      // A submit_sm_resp came after its timer, when the part had been resent and accepted again.
      help: 'Parts the SMSC accepted twice: a late submit_sm_resp for a part already resent',
      labelNames: ['connector'],
      registers,
    });
    this.lateSubmits = new Counter({
      name: 'hermod_late_submit_responses_total',
      help: 'submit_sm_resp that came after the response timer, by outcome: recorded (the resend avoided), duplicate, after_final, refused',
      labelNames: ['connector', 'outcome'],
      registers,
    });
    this.alertActive = new Gauge({
      name: 'hermod_alert_active',
      help: 'Alert rules evaluated in Hermod: 1 while the condition holds',
      labelNames: ['alert'],
      registers,
    });
    this.scrapeGauges(registers);
  }

  /** Gauges read at scrape time from the connectors and the store. */
  private scrapeGauges(registers: Registry[]): void {
    const connectors = () => this.opts.connectors();
    const queueDepth = (id: string) => this.opts.queueDepth(id);
    new Gauge({
      name: 'hermod_connector_up',
      help: 'Whether the connector is bound and accepting submits',
      labelNames: ['connector'],
      registers,
      collect() {
        for (const c of connectors()) this.set({ connector: c.id }, c.ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hermod_queue_messages',
      help: 'Messages waiting in the queue of each connector',
      labelNames: ['connector'],
      registers,
      async collect() {
        for (const c of connectors()) this.set({ connector: c.id }, await queueDepth(c.id));
      },
    });
    const oldestDue = this.opts.queueOldestDue;
    if (oldestDue)
      new Gauge({
        name: 'hermod_queue_oldest_age_seconds',
        // A deep queue that moves is fine; one whose head waits is not (depth alone cannot tell).
        help: 'How long the oldest due queue entry of each connector has waited (0 when nothing is due)',
        labelNames: ['connector'],
        registers,
        async collect() {
          const now = Date.now();
          const due = new Map((await oldestDue()).map((d) => [d.connectorId, d.dueAt]));
          for (const c of connectors()) {
            const at = due.get(c.id);
            this.set({ connector: c.id }, at === undefined ? 0 : Math.max(0, now - at) / 1000);
          }
        },
      });
    const webhookPending = this.opts.webhookPending;
    if (webhookPending)
      new Gauge({
        name: 'hermod_webhook_pending',
        help: 'Webhook (callback) items waiting for delivery, retries included',
        registers,
        async collect() {
          this.set(await webhookPending());
        },
      });
  }

  /** Listens to the gateway's events. */
  attach(gateway: EventSource): void {
    const on = (event: string, fn: (...args: unknown[]) => void) => gateway.on(event, fn);
    on('accepted', (_id, connector, priceMicros) => {
      this.totals.accepted++;
      this.totals.spendMicros += typeof priceMicros === 'number' ? priceMicros : 0;
      this.messages.inc({ direction: 'mt', connector: String(connector ?? ''), status: 'accepted' });
    });
    on('submitted', (_id, _seq, connector, seconds) => {
      if (typeof seconds === 'number')
        this.submitDuration.observe({ connector: String(connector ?? '') }, seconds);
    });
    on('sent', (_id, _parts, connector) => {
      this.totals.sent++;
      this.messages.inc({ direction: 'mt', connector: String(connector ?? ''), status: 'sent' });
    });
    on('failed', (_id, _detail, state, connector) => {
      this.totals.failed++;
      this.messages.inc({
        direction: 'mt',
        connector: String(connector ?? ''),
        status: typeof state === 'string' ? state : 'failed',
      });
    });
    // A receipt moves the message's aggregate state; only final states are counted here
    // (a multipart message passes through "sent" once per part).
    on('receipt', (_id, state, _seq, connector, seconds) => {
      const s = String(state);
      if (!FINAL.has(s)) return;
      this.messages.inc({ direction: 'mt', connector: String(connector ?? ''), status: s });
      this.totals.finals++;
      if (s === 'delivered') this.totals.delivered++;
      if (typeof seconds === 'number')
        this.dlrLatency.observe({ connector: String(connector ?? '') }, seconds);
    });
    on('retry', (_id, _detail, connector) => this.retries.inc({ connector: String(connector ?? '') }));
    on('duplicate_submit', (_id, _seq, connector) =>
      this.duplicateSubmits.inc({ connector: String(connector ?? '') }),
    );
    on('late_submit', (_id, _seq, connector, outcome) =>
      this.lateSubmits.inc({ connector: String(connector ?? ''), outcome: String(outcome) }),
    );
    on('restart_requeued', (n) => this.restartRequeued.inc(typeof n === 'number' ? n : 0));
    on('failover', (_id, from, to) => this.failovers.inc({ from: String(from), to: String(to) }));
    on('mo', (mo) =>
      this.messages.inc({
        direction: 'mo',
        connector: String((mo as { connectorId?: string }).connectorId ?? ''),
        status: 'received',
      }),
    );
    // Emitted by the webhook sender: 'ok', 'failed' (will retry), 'expired', 'refused'.
    on('webhook', (result) => this.webhookDeliveries.inc({ result: String(result) }));
  }

  /** The Prometheus text exposition. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
