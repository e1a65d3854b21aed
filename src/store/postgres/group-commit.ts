/**
 * The PostgreSQL store's group commit: the writes requested in one turn of the event loop
 * share one transaction on one connection. node-postgres sends one statement at a time and
 * waits for its answer, so a statement costs a round trip and ~50 µs of CPU on each side
 * whatever it carries: the hot writes (accept, part sent, receipt, outbox ack) are "bulk
 * kinds", run for the whole batch in a few multi-row statements (`unnest` of arrays), and
 * only what they cannot take (a rare case, or an error) runs alone as before, each write
 * with a savepoint of its own so that one failing write does not undo the others.
 */
import type pg from 'pg';

type Client = pg.PoolClient;

/** A bulk kind's answer for an item it leaves to the item's own closure (run alone, after). */
export const ALONE = Symbol('alone');
export type Alone = typeof ALONE;

/** A kind of write run for its whole batch at once. */
export interface BulkKind<I, R> {
  readonly name: string;
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

export class GroupCommit {
  private singles: Pending[] = [];
  private readonly bulks = new Map<AnyKind, BulkPending[]>();
  private scheduled = false;
  private running = false;

  /** `kinds`: the bulk kinds, in the order a batch runs them (after its single writes). */
  constructor(
    private readonly pool: pg.Pool,
    kinds: BulkKind<never, unknown>[],
  ) {
    for (const k of kinds) this.bulks.set(k as unknown as AnyKind, []);
  }

  /** A write of its own (with its savepoint), in the next batch. */
  write<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.singles.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** An item of a bulk kind, in the next batch; `alone` runs it by itself if the kind leaves it. */
  bulk<I, R>(kind: BulkKind<I, R>, item: I, alone: (c: Client) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const list = this.bulks.get(kind as unknown as AnyKind);
      if (!list) throw new Error(`bulk kind ${kind.name} is not registered`);
      list.push({ fn: alone, item, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Resolves once every write requested so far is committed (or failed). */
  async idle(): Promise<void> {
    while (this.scheduled || this.running) await new Promise((r) => setTimeout(r, 1));
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
      for (let batch = this.take(); batch; batch = this.take()) await this.commit(batch);
    } finally {
      this.running = false;
    }
  }

  private take(): { singles: Pending[]; bulks: [AnyKind, BulkPending[]][] } | undefined {
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

  private async commit(batch: { singles: Pending[]; bulks: [AnyKind, BulkPending[]][] }): Promise<void> {
    const all = [...batch.singles, ...batch.bulks.flatMap(([, l]) => l)];
    const outcomes = new Map<Pending, { ok: boolean; value: unknown }>();
    const c = await this.pool.connect().catch((err: unknown) => {
      for (const w of all) w.reject(err);
      return undefined;
    });
    try {
      if (!c) return;
      await c.query('BEGIN');
      for (const w of batch.singles) outcomes.set(w, await alone(c, w));
      for (const [kind, list] of batch.bulks) await runBulk(c, kind, list, outcomes);
      await c.query('COMMIT');
      for (const w of all) {
        const o = outcomes.get(w)!;
        if (o.ok) w.resolve(o.value);
        else w.reject(o.value);
      }
    } catch (err) {
      await c?.query('ROLLBACK').catch(() => undefined);
      for (const w of all) w.reject(err);
    } finally {
      c?.release();
    }
  }
}

/** One write by itself, inside its savepoint. */
async function alone(c: Client, w: Pending): Promise<{ ok: boolean; value: unknown }> {
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
 * A bulk kind's items: together inside one savepoint (an error undoes them all, and each
 * then runs alone), then the ones the kind left, alone, in their order.
 */
async function runBulk(
  c: Client,
  kind: AnyKind,
  list: BulkPending[],
  outcomes: Map<Pending, { ok: boolean; value: unknown }>,
): Promise<void> {
  let results: unknown[];
  await c.query('SAVEPOINT b');
  try {
    results = await kind.run(
      c,
      list.map((w) => w.item),
    );
    await c.query('RELEASE SAVEPOINT b');
  } catch {
    await c.query('ROLLBACK TO SAVEPOINT b');
    results = list.map(() => ALONE);
  }
  for (let i = 0; i < list.length; i++)
    outcomes.set(list[i], results[i] === ALONE ? await alone(c, list[i]) : { ok: true, value: results[i] });
}
