/**
 * The retention purger (docs/operations.md, "Retention"): after `redactAfterDays` a message's
 * content and numbers are masked, after `deleteAfterDays` the message, its parts, history and
 * receipts are deleted; report counters and the ledger are never touched. It works in batches
 * of `batchRows`, each its own short transaction, with a pause between two, so acceptance
 * never waits behind it; on PostgreSQL one node of the cluster purges at a time (a lease).
 */
import type { Clock } from '../lib/clock.js';
import type { LifecycleStore } from '../store/index.js';

export interface RetentionOptions {
  redactAfterDays: number;
  deleteAfterDays: number;
  batchRows: number;
  pauseMs: number;
  intervalS: number;
  /** This node's name for the lease. */
  holder: string;
  clock: Clock;
  /** Told after each purge that ran (the composition root logs it). */
  onRun?: (r: PurgeReport) => void;
}

export interface PurgeReport {
  redacted: number;
  deleted: number;
  /** Rows deleted with the messages (parts, history, upstream ids, webhooks). */
  rows: number;
  /** SQLite pages given back to the file system. */
  pagesFreed: number;
  /** False when another node held the lease. */
  ran: boolean;
}

const DAY = 86_400_000;

export class RetentionPurger {
  private timer: { cancel(): void } | undefined;
  private running: Promise<PurgeReport> | undefined;
  private stopped = false;
  /** Totals since start (for /metrics and tests). */
  readonly totals = { redacted: 0, deleted: 0, runs: 0 };

  constructor(
    private readonly store: LifecycleStore,
    private readonly o: RetentionOptions,
  ) {}

  get enabled(): boolean {
    return this.o.redactAfterDays > 0 || this.o.deleteAfterDays > 0;
  }

  start(): void {
    if (!this.enabled) return;
    this.timer = this.o.clock.setInterval(
      () => void this.runOnce().catch(() => undefined),
      this.o.intervalS * 1000,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running?.catch(() => undefined);
  }

  /** One purge (a run already going is joined, not doubled). */
  runOnce(): Promise<PurgeReport> {
    this.running ??= this.purge().finally(() => (this.running = undefined));
    return this.running;
  }

  private async purge(): Promise<PurgeReport> {
    const report: PurgeReport = { redacted: 0, deleted: 0, rows: 0, pagesFreed: 0, ran: false };
    const { clock, batchRows: limit } = this.o;
    // The lease outlives a run's longest pause; a node that dies lets another take over after it.
    const lease = () =>
      this.store.takePurgeLease({ holder: this.o.holder, ttlMs: this.o.intervalS * 2000, now: clock.now() });
    if (!(await lease())) return report;
    report.ran = true;
    if (this.o.deleteAfterDays > 0) {
      for (let done = false; !done && !this.stopped;) {
        const b = await this.store.deleteBatch({ before: clock.now() - this.o.deleteAfterDays * DAY, limit });
        report.deleted += b.messages;
        report.rows += b.rows;
        done = b.done;
        if (!done) await this.pause(lease);
      }
    }
    if (this.o.redactAfterDays > 0) {
      for (let done = false; !done && !this.stopped;) {
        const b = await this.store.redactBatch({
          before: clock.now() - this.o.redactAfterDays * DAY,
          limit,
          now: clock.now(),
        });
        report.redacted += b.messages;
        done = b.done;
        if (!done) await this.pause(lease);
      }
    }
    if (report.deleted > 0) report.pagesFreed = await this.store.reclaimSpace();
    this.totals.redacted += report.redacted;
    this.totals.deleted += report.deleted;
    this.totals.runs++;
    this.o.onRun?.(report);
    return report;
  }

  private async pause(lease: () => Promise<boolean>): Promise<void> {
    if (this.o.pauseMs > 0) await new Promise<void>((r) => setTimeout(r, this.o.pauseMs));
    await lease();
  }
}
