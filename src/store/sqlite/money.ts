/**
 * Money and reports on SQLite (src/store/money.ts): the ledger's and the counters' writes,
 * which the core store runs inside the transaction of the balance change or the final state,
 * and the reads of the ledger, rate cards, low-balance state and reports.
 */
import type Database from 'better-sqlite3';
import {
  COUNTER_KEY,
  COUNTER_TABLES,
  DELIVERY_BUCKETS,
  counterParams,
  counterSource,
  foldReport,
  histOf,
  REPORT_SUMS,
  type CounterRow,
  type FinalCount,
  type LedgerEntry,
  type LedgerKind,
  type LedgerQuery,
  type MoneyState,
  type RateCardEntry,
  type ReportCounts,
  type ReportGroup,
  type ReportQuery,
} from '../money.js';

/** A ledger entry to write: the balance after it is read by the caller's statement (RETURNING). */
export interface NewLedgerEntry {
  userId: number;
  at: number;
  kind: LedgerKind;
  amountMicros: number;
  balanceMicros: number;
  sms: number;
  messageId?: string | null;
  campaign?: string | null;
  reason?: string | null;
  note?: string | null;
  actor?: string | null;
}

const GROUP_SQL: Record<ReportGroup, string> = {
  hour: 'hour',
  day: 'hour - hour % 86400000',
  month: "strftime('%Y-%m', hour / 1000, 'unixepoch')",
  country: 'country',
  connector: 'connector_id',
  campaign: 'campaign',
  sender: 'sender',
  account: '(SELECT username FROM users u WHERE u.id = c.user_id)',
};

interface LedgerRow {
  id: number;
  user_id: number;
  at: number;
  kind: LedgerKind;
  amount_micros: number;
  balance_micros: number;
  sms: number;
  message_id: string | null;
  campaign: string | null;
  reason: string | null;
  note: string | null;
  actor: string | null;
}

const toEntry = (r: LedgerRow): LedgerEntry => ({
  id: r.id,
  userId: r.user_id,
  at: r.at,
  kind: r.kind,
  amountMicros: r.amount_micros,
  balanceMicros: r.balance_micros,
  sms: r.sms,
  messageId: r.message_id,
  campaign: r.campaign,
  reason: r.reason,
  note: r.note,
  actor: r.actor,
});

/**
 * The counter upsert of one delivery-time bucket for `n` messages at once (the bucket's
 * column added by the message count): the same sums as n upserts of one message each, a
 * NULL cost staying NULL until one is known.
 */
function countersUpsertSql(table: string, bucket: number): string {
  const cols = [...COUNTER_KEY, 'messages', 'parts', 'revenue_micros', 'cost_micros', `h${bucket}`];
  const adds = ['messages', 'parts', 'revenue_micros', `h${bucket}`].map(
    (c) => `${c} = ${table}.${c} + excluded.${c}`,
  );
  adds.push(
    `cost_micros = CASE WHEN excluded.cost_micros IS NULL THEN ${table}.cost_micros ELSE COALESCE(${table}.cost_micros, 0) + excluded.cost_micros END`,
  );
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (${COUNTER_KEY.join(', ')}) DO UPDATE SET ${adds.join(', ')}`;
}

/** One counter row's additions gathered over a batch: the key columns, then the sums. */
interface CounterSum {
  bucket: number;
  params: unknown[];
}

/** Adds one message's counts to the batch's sums for its hourly or daily row. */
function addTo(sums: Map<string, CounterSum>, f: FinalCount, daily: boolean): void {
  const p = counterParams(f, daily, false);
  const key = `${f.bucket}|${JSON.stringify(p.slice(0, COUNTER_KEY.length))}`;
  const s = sums.get(key);
  if (!s) return void sums.set(key, { bucket: f.bucket, params: p });
  const k = COUNTER_KEY.length;
  for (let i = k; i < k + 3; i++) (s.params[i] as number) += p[i] as number; // messages, parts, revenue
  const cost = p[k + 3] as number | null;
  if (cost !== null) s.params[k + 3] = ((s.params[k + 3] as number | null) ?? 0) + cost;
}

export class SqliteMoney {
  private readonly insertEntry: Database.Statement;
  /** Per delivery-time bucket, the hourly and the daily upsert (n messages at once). */
  private readonly upsertCounter: Database.Statement[] = [];
  private readonly upsertDaily: Database.Statement[] = [];
  /**
   * The final counts of the group commit under way (beginBatch … endBatch): written once per
   * counter row at its end, in its transaction, instead of two upserts per message.
   */
  private pending: FinalCount[] | undefined;
  /**
   * A credit (refund, top-up) with the balance after it; the low-balance flag clears once
   * the balance is back at or above the threshold, so the next crossing notifies again.
   */
  readonly credit: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertEntry = db.prepare(
      `INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, sms, message_id, campaign, reason, note, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let b = 0; b < DELIVERY_BUCKETS; b++) {
      this.upsertCounter.push(db.prepare(countersUpsertSql(COUNTER_TABLES.hour, b)));
      this.upsertDaily.push(db.prepare(countersUpsertSql(COUNTER_TABLES.day, b)));
    }
    this.credit = db.prepare(
      `UPDATE users SET balance_micros = balance_micros + @price,
         sms_count = CASE WHEN sms_count IS NULL THEN NULL ELSE sms_count + @sms END,
         low_balance_at = CASE WHEN low_balance_at IS NOT NULL AND balance_micros + @price >= low_balance_micros THEN NULL ELSE low_balance_at END
       WHERE id = @id RETURNING balance_micros, sms_count`,
    );
  }

  /** Writes one entry (inside the caller's write transaction). */
  entry(e: NewLedgerEntry): void {
    this.insertEntry.run(
      e.userId,
      e.at,
      e.kind,
      e.amountMicros,
      e.balanceMicros,
      e.sms,
      e.messageId ?? null,
      e.campaign ?? null,
      e.reason ?? null,
      e.note ?? null,
      e.actor ?? null,
    );
  }

  /** Credits `price` and `sms` back and writes the refund entry (inside a write transaction). */
  refund(r: {
    userId: number;
    price: number;
    sms: number;
    messageId: string;
    campaign: string | undefined;
    reason: string;
    note: string | null;
    at: number;
  }): void {
    const row = this.credit.get({ price: r.price, sms: r.sms, id: r.userId }) as
      { balance_micros: number; sms_count: number | null } | undefined;
    if (!row) return;
    this.entry({
      userId: r.userId,
      at: r.at,
      kind: 'refund',
      amountMicros: r.price,
      balanceMicros: row.balance_micros,
      sms: row.sms_count === null ? 0 : r.sms,
      messageId: r.messageId,
      campaign: r.campaign ?? null,
      reason: r.reason,
      note: r.note,
    });
  }

  /**
   * Adds a message that became final to its counters (inside the transaction of that
   * state): at once, or at the end of the batch under way (endBatch, same transaction).
   */
  count(f: FinalCount): void {
    if (this.pending) return void this.pending.push(f);
    this.writeCounts([f]);
  }

  /** From now on counts gather until endBatch (the group commit's transaction begins). */
  beginBatch(): void {
    this.pending = [];
  }

  /** How many counts the batch holds: rollBackTo it drops those of a write rolled back. */
  mark(): number {
    return this.pending?.length ?? 0;
  }

  rollBackTo(mark: number): void {
    if (this.pending) this.pending.length = mark;
  }

  /** Writes the batch's counts, one upsert per counter row (inside its transaction); stops gathering. */
  endBatch(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending?.length) this.writeCounts(pending);
  }

  /** Forgets the batch's counts (its transaction was rolled back). */
  dropBatch(): void {
    this.pending = undefined;
  }

  private writeCounts(counts: FinalCount[]): void {
    const hourly = new Map<string, CounterSum>();
    const daily = new Map<string, CounterSum>();
    for (const f of counts) {
      addTo(hourly, f, false);
      addTo(daily, f, true);
    }
    // The bucket's column is added by the row's message count.
    for (const s of hourly.values())
      this.upsertCounter[s.bucket].run(...s.params, s.params[COUNTER_KEY.length]);
    for (const s of daily.values()) this.upsertDaily[s.bucket].run(...s.params, s.params[COUNTER_KEY.length]);
  }

  listLedger(q: LedgerQuery): LedgerEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      params.push(v);
    };
    if (q.userId !== undefined) add('user_id = ?', q.userId);
    if (q.kind !== undefined) add('kind = ?', q.kind);
    if (q.since !== undefined) add('at >= ?', q.since);
    if (q.until !== undefined) add('at < ?', q.until);
    if (q.before !== undefined) add('id < ?', q.before);
    params.push(q.limit);
    const rows = this.db
      .prepare(
        `SELECT * FROM ledger ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...params) as LedgerRow[];
    return rows.map(toEntry);
  }

  moneyState(userId: number): MoneyState | undefined {
    const r = this.db
      .prepare(
        'SELECT balance_micros, low_balance_micros, low_balance_url, low_balance_at FROM users WHERE id = ?',
      )
      .get(userId) as
      | {
          balance_micros: number;
          low_balance_micros: number | null;
          low_balance_url: string | null;
          low_balance_at: number | null;
        }
      | undefined;
    return (
      r && {
        balanceMicros: r.balance_micros,
        thresholdMicros: r.low_balance_micros,
        url: r.low_balance_url,
        lowSince: r.low_balance_at,
      }
    );
  }

  /** Inside a write transaction. */
  setLowBalance(
    userId: number,
    s: { thresholdMicros: number | null; url: string | null },
    now: number,
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE users SET low_balance_micros = @t, low_balance_url = @url,
             low_balance_at = CASE WHEN @t IS NOT NULL AND balance_micros < @t THEN COALESCE(low_balance_at, @now) ELSE NULL END
           WHERE id = @id`,
        )
        .run({ t: s.thresholdMicros, url: s.url, now, id: userId }).changes > 0
    );
  }

  rateCard(userId: number): RateCardEntry[] {
    const rows = this.db
      .prepare(
        'SELECT country, sms_micros, mms_micros, inbound_micros FROM rate_cards WHERE user_id = ? ORDER BY country',
      )
      .all(userId) as {
      country: string;
      sms_micros: number;
      mms_micros: number | null;
      inbound_micros: number | null;
    }[];
    return rows.map((r) => ({
      country: r.country,
      smsMicros: r.sms_micros,
      mmsMicros: r.mms_micros,
      inboundMicros: r.inbound_micros,
    }));
  }

  /** Inside a write transaction. */
  putRateCard(userId: number, entries: RateCardEntry[], now: number): void {
    this.db.prepare('DELETE FROM rate_cards WHERE user_id = ?').run(userId);
    const put = this.db.prepare(
      'INSERT INTO rate_cards (user_id, country, sms_micros, mms_micros, inbound_micros, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const e of entries) put.run(userId, e.country, e.smsMicros, e.mmsMicros, e.inboundMicros, now);
  }

  reports(q: ReportQuery): ReportCounts[] {
    const src = counterSource(q);
    const params: unknown[] = [src.from, src.to];
    let where = 'hour >= ? AND hour < ?';
    if (q.userId !== undefined) {
      where += ' AND user_id = ?';
      params.push(q.userId);
    }
    const rows = this.db
      .prepare(
        `SELECT ${GROUP_SQL[q.groupBy]} AS k, ${REPORT_SUMS} FROM ${src.table} c WHERE ${where} GROUP BY k, state`,
      )
      .all(...params) as (Record<string, unknown> & { k: string | number; state: string })[];
    const counted: CounterRow[] = rows.map((r) => ({
      k: r.k,
      state: r.state,
      messages: Number(r.messages),
      parts: Number(r.parts),
      revenue: Number(r.revenue),
      cost: r.cost === null ? null : Number(r.cost),
      hist: histOf(r),
    }));
    return foldReport(counted, q.groupBy, q.limit);
  }
}
