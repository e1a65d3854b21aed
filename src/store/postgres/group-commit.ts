/**
 * The PostgreSQL store's group commit: the writes requested in one turn of the event loop
 * share one transaction on one connection. node-postgres sends one statement at a time and
 * waits for its answer, so a statement costs a round trip and ~50 µs of CPU on each side
 * whatever it carries: the hot writes (accept, part sent, receipt, outbox and webhook acks,
 * the webhook log) are "bulk kinds", run for the whole batch in a few multi-row statements
 * (`unnest` of arrays), and only what they cannot take (a rare case, or an error) runs alone
 * as before, each write with a savepoint of its own so that one failing write does not undo
 * the others. A kind whose batch is one statement and that no other write of its turn must
 * share a transaction with (accepts, outbox acks, webhook acks, the webhook log) runs on a
 * lane of its own beside the group's transaction, committed by itself. Parts sent stay in
 * the group: a turn's part sent and its DLR-level-1 webhook commit together, and receipts
 * find the parts sent before them; a batch of parts sent alone (no single write in its
 * turn, the common case) is its one statement, committed as it runs, without BEGIN and
 * COMMIT (`oneStatement`).
 */
import type pg from 'pg';

type Client = pg.PoolClient;

/** A bulk kind's answer for an item it leaves to the item's own closure (run alone, after). */
export const ALONE = Symbol('alone');
export type Alone = typeof ALONE;

/** A kind of write run for its whole batch at once. */
export interface BulkKind<I, R> {
  readonly name: string;
  /**
   * The kind's work is one statement (atomic by itself): it runs on a lane of its own,
   * outside the group's transaction and beside it, committed on its own; what it leaves
   * (ALONE) then goes to the group commit as single writes.
   */
  readonly autocommit?: boolean;
  /**
   * The kind's `run` is one statement (atomic by itself): a batch of the group holding only
   * this kind's items runs it without BEGIN and COMMIT (two round trips fewer); what it
   * leaves then runs alone in a transaction after it.
   */
  readonly oneStatement?: boolean;
  /** Runs `items` in a few statements; per item (same order) its result, or ALONE. */
  run(c: Client, items: I[]): Promise<(R | Alone)[]>;
}

interface Pending {
  fn: (c: Client) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface BulkPending extends Pending {
  item: unknown;
}

type AnyKind = BulkKind<unknown, unknown>;
type Outcome = { ok: boolean; value: unknown };
type Batch = { singles: Pending[]; bulks: [AnyKind, BulkPending[]][] };

/** Items a bulk kind took, items run alone (left by a kind, or single writes), and bulk statements that failed. */
export interface GroupStats {
  bulk: number;
  alone: number;
  failed: number;
}

export class GroupCommit {
  /** Counts since the start (tests read them: the bulk paths must be the ones taken). */
  readonly stats: GroupStats;
  private singles: Pending[] = [];
  /** Writes asked for and writes done (committed or failed) so far, for `settled`. */
  private asked = 0;
  private done = 0;
  private waiters: { until: number; resolve: () => void }[] = [];
  private readonly after: GroupCommit | undefined;
  private readonly bulks = new Map<AnyKind, BulkPending[]>();
  private readonly lanes = new Map<AnyKind, Lane>();
  private scheduled = false;
  private running = false;

  /**
   * `kinds`: the bulk kinds, in the order a batch runs them (after its single writes).
   * `after`: another group whose writes asked for before a batch of this one are committed
   * before it begins (receipts after the parts sent: they find them). `stats`: shared counts.
   */
  constructor(
    private readonly pool: pg.Pool,
    kinds: BulkKind<never, unknown>[],
    opts: { after?: GroupCommit; stats?: GroupStats } = {},
  ) {
    this.after = opts.after;
    this.stats = opts.stats ?? { bulk: 0, alone: 0, failed: 0 };
    for (const k of kinds as unknown as AnyKind[])
      if (k.autocommit) this.lanes.set(k, new Lane(pool, k, this, this.stats));
      else this.bulks.set(k, []);
  }

  /** A write of its own (with its savepoint), in the next batch. */
  write<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.singles.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.asked++;
      this.schedule();
    });
  }

  /** An item of a bulk kind, in the next batch; `alone` runs it by itself if the kind leaves it. */
  bulk<I, R>(kind: BulkKind<I, R>, item: I, alone: (c: Client) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const p = { fn: alone, item, resolve: resolve as (v: unknown) => void, reject };
      const lane = this.lanes.get(kind as unknown as AnyKind);
      if (lane) return lane.push(p);
      const list = this.bulks.get(kind as unknown as AnyKind);
      if (!list) throw new Error(`bulk kind ${kind.name} is not registered`);
      list.push(p);
      this.asked++;
      this.schedule();
    });
  }

  /** Resolves once the writes of this group (not of its lanes) asked for so far are done. */
  settled(): Promise<void> {
    if (this.done >= this.asked) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until: this.asked, resolve }));
  }

  /** Resolves once every write requested so far is committed (or failed). */
  async idle(): Promise<void> {
    const busy = () => this.scheduled || this.running || [...this.lanes.values()].some((l) => l.busy());
    while (busy()) await new Promise((r) => setTimeout(r, 1));
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  /** One batch after another (one transaction at a time) while writes wait. */
  private async run(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      for (let batch = this.take(); batch; batch = this.take()) {
        await this.after?.settled();
        await this.commit(batch);
        this.done += batch.singles.length + batch.bulks.reduce((n, [, l]) => n + l.length, 0);
        this.waiters = this.waiters.filter((w) => w.until > this.done || void w.resolve());
      }
    } finally {
      this.running = false;
    }
  }

  private take(): Batch | undefined {
    const singles = this.singles;
    this.singles = [];
    const bulks: [AnyKind, BulkPending[]][] = [];
    for (const [kind, list] of this.bulks) {
      if (list.length === 0) continue;
      bulks.push([kind, list]);
      this.bulks.set(kind, []);
    }
    return singles.length === 0 && bulks.length === 0 ? undefined : { singles, bulks };
  }

  /**
   * One transaction: the single writes, each alone in its savepoint; then the bulk kinds'
   * statements, in kind order, inside one savepoint (one failing undoes them all, and every
   * item runs alone); then what they left, alone, in kind order.
   */
  private async commit(batch: Batch): Promise<void> {
    const [only] = batch.bulks;
    if (batch.singles.length === 0 && batch.bulks.length === 1 && only[0].oneStatement)
      return this.commitOne(only[0], only[1]);
    const all = [...batch.singles, ...batch.bulks.flatMap(([, l]) => l)];
    const outcomes = new Map<Pending, Outcome>();
    const c = await this.pool.connect().catch((err: unknown) => {
      for (const w of all) w.reject(err);
      return undefined;
    });
    if (!c) return;
    try {
      await c.query('BEGIN');
      // The single writes first: a turn's webhooks (Jasmin DLR level 1 at a part sent) get
      // their ids before the receipts' of the same turn, and webhooks go out in id order.
      for (const w of batch.singles) outcomes.set(w, await alone(c, w));
      this.stats.alone += batch.singles.length;
      const results =
        batch.bulks.length > 0 ? await bulkResults(c, batch.bulks, this.stats, batch.singles.length > 0) : [];
      for (const [i, [, list]] of batch.bulks.entries())
        for (const [j, w] of list.entries())
          outcomes.set(w, results[i][j] === ALONE ? await alone(c, w) : { ok: true, value: results[i][j] });
      await c.query('COMMIT');
      for (const w of all) {
        const o = outcomes.get(w)!;
        if (o.ok) w.resolve(o.value);
        else w.reject(o.value);
      }
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      for (const w of all) w.reject(err);
    } finally {
      c.release();
    }
  }

  /** A one-statement kind's batch by itself, committed as it runs; what it leaves, alone after it. */
  private async commitOne(kind: AnyKind, list: BulkPending[]): Promise<void> {
    const c = await this.pool.connect().catch((err: unknown) => {
      for (const w of list) w.reject(err);
      return undefined;
    });
    if (!c) return;
    let results: unknown[];
    try {
      results = await kind.run(
        c,
        list.map((w) => w.item),
      );
    } catch {
      this.stats.failed++;
      results = list.map(() => ALONE);
    } finally {
      c.release();
    }
    const left = list.filter((w, i) => results[i] === ALONE);
    list.forEach((w, i) => {
      if (results[i] === ALONE) return;
      this.stats.bulk++;
      w.resolve(results[i]);
    });
    if (left.length > 0) await this.commit({ singles: left, bulks: [] });
  }
}

/**
 * The bulk kinds' results; on an error, every item is ALONE and what they did is undone: back
 * to a savepoint taken first when the transaction already holds single writes (`keep`), else
 * the transaction begins again (two round trips fewer in the common batch).
 */
async function bulkResults(
  c: Client,
  bulks: [AnyKind, BulkPending[]][],
  stats: GroupStats,
  keep: boolean,
): Promise<unknown[][]> {
  if (keep) await c.query('SAVEPOINT b');
  try {
    const results: unknown[][] = [];
    for (const [kind, list] of bulks)
      results.push(
        await kind.run(
          c,
          list.map((w) => w.item),
        ),
      );
    if (keep) await c.query('RELEASE SAVEPOINT b');
    for (const r of results) for (const x of r) stats[x === ALONE ? 'alone' : 'bulk']++;
    return results;
  } catch {
    stats.failed++;
    if (keep) await c.query('ROLLBACK TO SAVEPOINT b');
    else {
      await c.query('ROLLBACK');
      await c.query('BEGIN');
    }
    return bulks.map(([, list]) => list.map(() => ALONE));
  }
}

/** One write by itself, inside its savepoint. */
async function alone(c: Client, w: Pending): Promise<Outcome> {
  await c.query('SAVEPOINT w');
  try {
    const value = await w.fn(c);
    await c.query('RELEASE SAVEPOINT w');
    return { ok: true, value };
  } catch (err) {
    await c.query('ROLLBACK TO SAVEPOINT w');
    return { ok: false, value: err };
  }
}

/**
 * An autocommit bulk kind's lane: one statement per batch on a connection of its own,
 * committed by itself, one batch at a time; what it leaves goes to the group commit.
 */
class Lane {
  private items: BulkPending[] = [];
  private scheduled = false;
  private running = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly kind: AnyKind,
    private readonly group: GroupCommit,
    private readonly stats: GroupStats,
  ) {}

  busy(): boolean {
    return this.scheduled || this.running;
  }

  push(p: BulkPending): void {
    this.items.push(p);
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.items.length > 0) {
        const list = this.items;
        this.items = [];
        const results = await this.once(list);
        for (const x of results) if (x !== ALONE) this.stats.bulk++;
        list.forEach((w, i) => {
          if (results[i] !== ALONE) w.resolve(results[i]);
          else this.group.write(w.fn).then(w.resolve, w.reject);
        });
      }
    } finally {
      this.running = false;
    }
  }

  private async once(list: BulkPending[]): Promise<unknown[]> {
    const c = await this.pool.connect().catch(() => undefined);
    if (!c) return list.map(() => ALONE);
    try {
      return await this.kind.run(
        c,
        list.map((w) => w.item),
      );
    } catch {
      this.stats.failed++;
      return list.map(() => ALONE);
    } finally {
      c.release();
    }
  }
}
