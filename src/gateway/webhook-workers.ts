/**
 * The webhook sender's delivery workers (`webhooks.workers`, default 0 = none): worker
 * threads that make the HTTP attempts (webhook-worker.ts), so the node:http client's work
 * (request, socket writes, answer parsing) runs on the other core while the core thread
 * keeps the store's single writer, Fastify and the gateway. The sender still claims, acks,
 * retries and logs every item; a worker only turns an attempt into its outcome.
 *
 * Attempts are sent in batches, one message per worker per turn. A worker that ends (a
 * crash) fails its attempts in flight as retryable, as a dropped connection would: the
 * items go back to the outbox with their back-off, and a new worker takes the next ones. A
 * worker that does not answer an attempt within the attempt's own deadline and a margin
 * (its start included) is taken for wedged and ended the same way: the sender, and its
 * stop, never wait on it for good.
 */
import { Worker } from 'node:worker_threads';
import type { UrlGuardOptions } from './url-guard.js';
import type { AttemptSpec, Outcome } from './webhook-attempt.js';
import type { WorkerAttempt, WorkerOutcome } from './webhook-worker.js';

/** The worker's module beside this one: .ts when run from the sources (tsx), .js when built. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const ENTRY = new URL(`./webhook-worker${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url);

/** A worker running ENTRY; from the sources, with tsx's loader registered in it first (it does not carry over). */
function spawnWorker(workerData: unknown): Worker {
  if (!FROM_SOURCES) return new Worker(ENTRY, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(ENTRY.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

interface Lane {
  worker: Worker;
  /** Attempts handed over and not answered: how to answer each, and its watchdog. */
  pending: Map<number, { resolve: (o: Outcome) => void; watchdog: NodeJS.Timeout }>;
  queued: WorkerAttempt[];
}

/** How much longer than an attempt's deadline a worker may take to answer it (default). */
export const WORKER_ANSWER_MARGIN_MS = 5000;

export class WebhookWorkers {
  private readonly lanes: (Lane | undefined)[];
  private next = 0;
  private n = 0;
  private closed = false;

  constructor(
    count: number,
    private readonly guard: UrlGuardOptions,
    private readonly answerMarginMs = WORKER_ANSWER_MARGIN_MS,
  ) {
    this.lanes = Array.from({ length: count }, () => undefined);
  }

  /** The outcome of one attempt, made by the next worker in turn. */
  send(url: string, spec: AttemptSpec): Promise<Outcome> {
    if (this.closed) return Promise.resolve({ ok: false, retry: true, error: 'webhook workers stopped' });
    const i = this.next;
    this.next = (this.next + 1) % this.lanes.length;
    const lane = (this.lanes[i] ??= this.start(i));
    const n = ++this.n;
    if (lane.queued.length === 0) setImmediate(() => this.flush(lane));
    lane.queued.push({ n, url, spec });
    return new Promise((resolve) => {
      const watchdog = setTimeout(
        () => this.end(i, lane, 'webhook worker did not answer in time'),
        spec.timeoutMs + this.answerMarginMs,
      );
      watchdog.unref();
      lane.pending.set(n, { resolve, watchdog });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.lanes.map((l) => l?.worker.terminate()));
  }

  private flush(lane: Lane): void {
    const attempts = lane.queued;
    lane.queued = [];
    if (attempts.length > 0) lane.worker.postMessage({ attempts });
  }

  private start(i: number): Lane {
    const worker = spawnWorker(this.guard);
    const lane: Lane = { worker, pending: new Map(), queued: [] };
    worker.on('message', (msg: { outcomes: WorkerOutcome[] }) => {
      for (const { n, outcome } of msg.outcomes) {
        const p = lane.pending.get(n);
        if (!p) continue;
        clearTimeout(p.watchdog);
        lane.pending.delete(n);
        p.resolve(outcome);
      }
    });
    worker.on('error', (err) => this.end(i, lane, `webhook worker failed: ${err.message}`));
    worker.on('exit', (code) => this.end(i, lane, `webhook worker ended (exit code ${code})`));
    return lane;
  }

  /** The lane's worker is gone or given up on: its attempts are retried, the next send starts another. */
  private end(i: number, lane: Lane, why: string): void {
    if (this.lanes[i] === lane) {
      this.lanes[i] = undefined;
      void lane.worker.terminate();
    }
    for (const p of lane.pending.values()) {
      clearTimeout(p.watchdog);
      p.resolve({ ok: false, retry: true, error: why });
    }
    lane.pending.clear();
  }
}
