/**
 * The retention purger (docs/operations.md, "Retention"): after `redactAfterDays` a message's
 * content and numbers are masked, after `deleteAfterDays` the message, its parts, history and
 * receipts are deleted (archived first when an archive is configured), and the SMS engine's
 * rows of that age with them (quiet conversations, finished campaigns' recipients, import
 * jobs); report counters and the ledger are never touched. An account may have ages of its
 * own (its settings' `retention`), which replace the operator's for its messages. It works in
 * batches of `batchRows`, each its own short transaction, with a pause between two, so
 * acceptance never waits behind it; on PostgreSQL one node of the cluster purges at a time.
 */
import type { Clock } from '../lib/clock.js';
import type { AgeScope, LifecycleStore, RetentionBatch } from '../store/index.js';
import type { RetentionArchive } from './retention-archive.js';

/** An account's own ages (null: the operator's; 0: never). */
export interface AccountAges {
  userId: number;
  redactAfterDays: number | null;
  deleteAfterDays: number | null;
}

export interface RetentionOptions {
  redactAfterDays: number;
  deleteAfterDays: number;
  batchRows: number;
  pauseMs: number;
  intervalS: number;
  /** This node's name for the lease. */
  holder: string;
  clock: Clock;
  /** Where messages go before they are deleted (none: they are only deleted). */
  archive?: RetentionArchive;
  /**
   * Every account, with its own ages (null where it has none), read at the start of each
   * purge. Without it the operator's ages apply to every message.
   */
  accountAges?: () => Promise<readonly AccountAges[]>;
  /** Told after each purge that ran (the composition root logs it). */
  onRun?: (r: PurgeReport) => void;
}

export interface PurgeReport {
  redacted: number;
  deleted: number;
  /** Messages and MOs written to the archive before their deletion. */
  archived: number;
  /** Rows deleted with the messages (parts, history, upstream ids, webhooks) and engine rows. */
  rows: number;
  /** SQLite pages given back to the file system. */
  pagesFreed: number;
  /** False when another node held the lease (or nothing is configured). */
  ran: boolean;
}

/** One set of ages and the messages they apply to. */
interface Scope {
  redactAfterDays: number;
  deleteAfterDays: number;
  of: Omit<AgeScope, 'before'>;
}

const DAY = 86_400_000;

export class RetentionPurger {
  private timer: { cancel(): void } | undefined;
  private running: Promise<PurgeReport> | undefined;
  private stopped = false;
  /** Totals since start (for /metrics and tests). */
  readonly totals = { redacted: 0, deleted: 0, archived: 0, runs: 0 };

  constructor(
    private readonly store: LifecycleStore,
    private readonly o: RetentionOptions,
  ) {}

  /** Whether a purge can have work: operator ages, or accounts that may have their own. */
  get enabled(): boolean {
    return this.o.redactAfterDays > 0 || this.o.deleteAfterDays > 0 || this.o.accountAges !== undefined;
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

  /**
   * With the accounts known: a scope per account (its own ages, else the operator's), each
   * walking its own messages by index, and the MOs at the operator's ages. Without: one scope
   * of every message and MO at the operator's ages.
   */
  private async scopes(): Promise<Scope[]> {
    const { redactAfterDays, deleteAfterDays } = this.o;
    const accounts = await this.o.accountAges?.();
    const all: Scope[] = accounts
      ? [
          { redactAfterDays, deleteAfterDays, of: { mo: true, moOnly: true } },
          ...accounts.map((a) => ({
            redactAfterDays: a.redactAfterDays ?? redactAfterDays,
            deleteAfterDays: a.deleteAfterDays ?? deleteAfterDays,
            of: { userId: a.userId },
          })),
        ]
      : [{ redactAfterDays, deleteAfterDays, of: { mo: true } }];
    return all.filter((s) => s.redactAfterDays > 0 || s.deleteAfterDays > 0);
  }

  private async purge(): Promise<PurgeReport> {
    const report: PurgeReport = { redacted: 0, deleted: 0, archived: 0, rows: 0, pagesFreed: 0, ran: false };
    const { clock } = this.o;
    const scopes = await this.scopes();
    if (scopes.length === 0) return report;
    // The lease outlives a run's longest pause; a node that dies lets another take over after it.
    const lease = () =>
      this.store.takePurgeLease({ holder: this.o.holder, ttlMs: this.o.intervalS * 2000, now: clock.now() });
    if (!(await lease())) return report;
    report.ran = true;
    for (const s of scopes) {
      if (s.deleteAfterDays <= 0) continue;
      const at = () => ({ ...s.of, before: clock.now() - s.deleteAfterDays * DAY });
      // The engine's rows first: a campaign's statistics are kept before its messages go.
      await this.batches(lease, () =>
        this.store.purgeEngineBatch({ ...at(), limit: this.o.batchRows, now: clock.now() }).then((b) => {
          report.rows += b.rows;
          return b;
        }),
      );
      await this.batches(lease, async () => {
        const b = await this.deleteBatch(at(), report);
        report.deleted += b.messages;
        report.rows += b.rows;
        return b;
      });
    }
    for (const s of scopes) {
      if (s.redactAfterDays <= 0) continue;
      await this.batches(lease, async () => {
        const now = clock.now();
        const b = await this.store.redactBatch({
          ...s.of,
          before: now - s.redactAfterDays * DAY,
          limit: this.o.batchRows,
          now,
        });
        report.redacted += b.messages;
        return b;
      });
    }
    if (report.deleted > 0) report.pagesFreed = await this.store.reclaimSpace();
    this.totals.redacted += report.redacted;
    this.totals.deleted += report.deleted;
    this.totals.archived += report.archived;
    this.totals.runs++;
    this.o.onRun?.(report);
    return report;
  }

  /** One deletion batch: archived first when an archive is configured, deleted after it is on disk. */
  private async deleteBatch(scope: AgeScope, report: PurgeReport): Promise<RetentionBatch> {
    const limit = this.o.batchRows;
    const archive = this.o.archive;
    if (!archive) return this.store.deleteBatch({ ...scope, limit });
    const expired = await this.store.expiredBatch({ ...scope, limit });
    const marks = await archive.write(expired, this.store);
    const b = await this.store.deleteExpired({
      messageIds: expired.messages.map((m) => m.id),
      moIds: expired.mos.map((m) => m.id),
      marks,
      now: this.o.clock.now(),
    });
    report.archived += expired.messages.length + expired.mos.length;
    return { ...b, done: expired.messages.length < limit && expired.mos.length < limit };
  }

  /** Runs `batch` until it says done (or the purger stops), pausing and renewing the lease between two. */
  private async batches(lease: () => Promise<boolean>, batch: () => Promise<RetentionBatch>): Promise<void> {
    for (let done = false; !done && !this.stopped;) {
      done = (await batch()).done;
      if (!done) await this.pause(lease);
    }
  }

  private async pause(lease: () => Promise<boolean>): Promise<void> {
    if (this.o.pauseMs > 0) await new Promise<void>((r) => setTimeout(r, this.o.pauseMs));
    await lease();
  }
}
