/**
 * The webhook sender's delivery workers (`webhooks.workers`, default 0 = none): worker
 * threads that make the HTTP attempts (webhook-worker.ts), so the node:http client's work
 * (request, socket writes, answer parsing) runs on the other core while the core thread
 * keeps the store's single writer, Fastify and the gateway. The sender still claims, acks,
 * retries and logs every item; a worker only turns an attempt into its outcome.
 *
 * Attempts are sent in batches, one message per worker per turn. A worker that ends (a
 * crash) fails its attempts in flight as retryable, as a dropped connection would: the
 * items go back to the outbox with their back-off, and a new worker takes the next ones.
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
  pending: Map<number, (o: Outcome) => void>;
  queued: WorkerAttempt[];
}

export class WebhookWorkers {
  private readonly lanes: (Lane | undefined)[];
  private next = 0;
  private n = 0;
  private closed = false;

  constructor(
    count: number,
    private readonly guard: UrlGuardOptions,
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
    return new Promise((resolve) => lane.pending.set(n, resolve));
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
        lane.pending.get(n)?.(outcome);
        lane.pending.delete(n);
      }
    });
    const ended = (why: string) => {
      if (this.lanes[i] === lane) this.lanes[i] = undefined;
      for (const resolve of lane.pending.values()) resolve({ ok: false, retry: true, error: why });
      lane.pending.clear();
    };
    worker.on('error', (err) => ended(`webhook worker failed: ${err.message}`));
    worker.on('exit', (code) => ended(`webhook worker ended (exit code ${code})`));
    return lane;
  }
}
