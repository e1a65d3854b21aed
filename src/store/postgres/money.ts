/**
 * Money and reports on PostgreSQL (src/store/money.ts): the ledger's and the counters' writes,
 * which the core store runs inside the transaction of the balance change or the final state
 * (on its client), and the reads of the ledger, rate cards, low-balance state and reports.
 */
import type pg from 'pg';
import {
  COUNTER_KEY,
  COUNTER_TABLES,
  DAY_MS,
  HISTOGRAM_COLUMNS,
  counterParams,
  counterSource,
  counterUpsertSql,
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

type Queryable = Pick<pg.PoolClient, 'query'>;
type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

/**
 * Both counter upserts in one statement (one round trip): the hourly row through a
 * data-modifying CTE, then the daily row, whose period is the last parameter.
 */
const COUNTER_PARAMS = counterParams({
  hour: 0,
  userId: 0,
  country: '',
  connectorId: '',
  sender: '',
  campaign: '',
  state: '',
  parts: 0,
  revenueMicros: 0,
  costMicros: null,
  bucket: 0,
}).length;
const UPSERT_COUNTERS = `WITH h AS (${counterUpsertSql((i) => `$${i}`, COUNTER_TABLES.hour)} RETURNING 1)
  ${counterUpsertSql((i) => (i === 1 ? `$${COUNTER_PARAMS + 1}` : `$${i}`), COUNTER_TABLES.day)}`;

const INSERT_ENTRY = `INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, sms, message_id, campaign, reason, note, actor)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

/**
 * A credit (refund, top-up) and its ledger entry in one statement (one round trip): the
 * entry reads the balance after the UPDATE from the CTE. The low-balance flag clears once
 * the balance is back at or above the threshold, so the next crossing notifies again.
 * Parameters: $1 user, $2 amount, $3 sms, $4 at, $5 kind, $6 message, $7 campaign, $8 reason,
 * $9 note, $10 actor. The entry's sms is the quota change (0 when the quota is unlimited).
 */
const CREDIT_WITH_ENTRY = `WITH u AS (
    UPDATE users SET balance_micros = balance_micros + $2, sms_count = sms_count + $3,
      low_balance_at = CASE WHEN low_balance_at IS NOT NULL AND balance_micros + $2 >= low_balance_micros THEN NULL ELSE low_balance_at END
    WHERE id = $1 RETURNING id, balance_micros, sms_count)
  INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, sms, message_id, campaign, reason, note, actor)
  SELECT id, $4, $5, $2, balance_micros, CASE WHEN sms_count IS NULL THEN 0 ELSE $3 END, $6, $7, $8, $9, $10 FROM u
  RETURNING balance_micros`;

const GROUP_SQL: Record<ReportGroup, string> = {
  hour: 'hour',
  day: 'hour - hour % 86400000',
  month: "to_char(to_timestamp(hour / 1000) AT TIME ZONE 'UTC', 'YYYY-MM')",
  country: 'country',
  connector: 'connector_id',
  campaign: 'campaign',
  sender: 'sender',
  account: '(SELECT username FROM users u WHERE u.id = c.user_id)',
};

const toEntry = (r: Row): LedgerEntry => ({
  id: num(r.id),
  userId: num(r.user_id),
  at: num(r.at),
  kind: r.kind as LedgerKind,
  amountMicros: num(r.amount_micros),
  balanceMicros: num(r.balance_micros),
  sms: num(r.sms),
  messageId: (r.message_id as string | null) ?? null,
  campaign: (r.campaign as string | null) ?? null,
  reason: (r.reason as string | null) ?? null,
  note: (r.note as string | null) ?? null,
  actor: (r.actor as string | null) ?? null,
});

/** A credit and its entry (inside the caller's transaction); undefined when no such user. */
export async function creditWithEntry(
  c: Queryable,
  e: {
    userId: unknown;
    amount: unknown;
    sms: number;
    at: number;
    kind: LedgerKind;
    messageId?: string | null;
    campaign?: string | null;
    reason?: string | null;
    note?: string | null;
    actor?: string | null;
  },
): Promise<number | undefined> {
  const { rows } = await c.query(CREDIT_WITH_ENTRY, [
    e.userId,
    e.amount,
    e.sms,
    e.at,
    e.kind,
    e.messageId ?? null,
    e.campaign ?? null,
    e.reason ?? null,
    e.note ?? null,
    e.actor ?? null,
  ]);
  return rows[0] ? num((rows[0] as Row).balance_micros) : undefined;
}

export async function ledgerEntry(
  c: Queryable,
  e: {
    userId: unknown;
    at: number;
    kind: LedgerKind;
    amount: unknown;
    balance: unknown;
    note?: string | null;
  },
): Promise<void> {
  await c.query(INSERT_ENTRY, [
    e.userId,
    e.at,
    e.kind,
    e.amount,
    e.balance,
    0,
    null,
    null,
    null,
    e.note ?? null,
    null,
  ]);
}

/** Adds a message that became final to its counters (inside the transaction of that state). */
export async function countFinal(c: Queryable, f: FinalCount): Promise<void> {
  await c.query(UPSERT_COUNTERS, [...counterParams(f), f.hour - (f.hour % DAY_MS)]);
}

/** The counter columns in counterParams' order, with their types (the rows of countersJson). */
const COUNTER_COLUMNS: [string, string][] = [
  ...COUNTER_KEY.map((k): [string, string] => [k, k === 'hour' || k === 'user_id' ? 'bigint' : 'text']),
  ...['messages', 'parts', 'revenue_micros', 'cost_micros', ...HISTOGRAM_COLUMNS].map(
    (k): [string, string] => [k, 'bigint'],
  ),
];

/**
 * The counter upsert of `table` for the rows of a JSON array (countersJson) in parameter
 * `$n`: a CTE's statement, so that a batch of receipts writes its counters in the same
 * statement as the rest (no round trip of their own). Each row must appear once.
 */
export function countersFromJsonSql(table: string, n: number): string {
  const rows = `SELECT * FROM jsonb_to_recordset($${n}::jsonb) AS x(${COUNTER_COLUMNS.map(([k, t]) => `${k} ${t}`).join(', ')})`;
  return counterUpsertSql(() => '', table).replace(/VALUES \([^)]*\)/, rows);
}

/**
 * Several final states' counts as the JSON rows of each table (hour, day): those of one
 * counter row added up first (ON CONFLICT cannot touch a row twice in one statement).
 */
export function countersJson(list: FinalCount[]): { hour: string; day: string } {
  const rows = (daily: boolean) => {
    const byKey = new Map<string, unknown[]>();
    for (const f of list) {
      const p = counterParams(f, daily);
      const key = JSON.stringify(p.slice(0, COUNTER_KEY.length));
      const row = byKey.get(key);
      if (row) addCounts(row, p);
      else byKey.set(key, p);
    }
    return JSON.stringify(
      [...byKey.values()].map((p) => Object.fromEntries(COUNTER_COLUMNS.map(([k], i) => [k, p[i]]))),
    );
  };
  return { hour: rows(false), day: rows(true) };
}

/** Adds counterParams `p` to `row` (same key): messages, parts, revenue and buckets add; a cost stays NULL until one is known. */
function addCounts(row: unknown[], p: unknown[]): void {
  for (let i: number = COUNTER_KEY.length; i < p.length; i++) {
    if (i === 10) row[i] = row[i] === null ? p[i] : p[i] === null ? row[i] : num(row[i]) + num(p[i]);
    else row[i] = num(row[i]) + num(p[i]);
  }
}

export async function listLedger(c: Queryable, q: LedgerQuery): Promise<LedgerEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.userId !== undefined) add('user_id = ?', q.userId);
  if (q.kind !== undefined) add('kind = ?', q.kind);
  if (q.since !== undefined) add('at >= ?', q.since);
  if (q.until !== undefined) add('at < ?', q.until);
  if (q.before !== undefined) add('id < ?', q.before);
  params.push(q.limit);
  const { rows } = await c.query(
    `SELECT * FROM ledger ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return (rows as Row[]).map(toEntry);
}

export async function moneyState(c: Queryable, userId: number): Promise<MoneyState | undefined> {
  const { rows } = await c.query(
    'SELECT balance_micros, low_balance_micros, low_balance_url, low_balance_at FROM users WHERE id = $1',
    [userId],
  );
  const r = rows[0] as Row | undefined;
  return (
    r && {
      balanceMicros: num(r.balance_micros),
      thresholdMicros: numOrNull(r.low_balance_micros),
      url: (r.low_balance_url as string | null) ?? null,
      lowSince: numOrNull(r.low_balance_at),
    }
  );
}

export async function setLowBalance(
  c: Queryable,
  userId: number,
  s: { thresholdMicros: number | null; url: string | null },
  now: number,
): Promise<boolean> {
  const r = await c.query(
    `UPDATE users SET low_balance_micros = $1::bigint, low_balance_url = $2,
       low_balance_at = CASE WHEN $1::bigint IS NOT NULL AND balance_micros < $1::bigint THEN COALESCE(low_balance_at, $3) ELSE NULL END
     WHERE id = $4`,
    [s.thresholdMicros, s.url, now, userId],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function rateCard(c: Queryable, userId: number): Promise<RateCardEntry[]> {
  const { rows } = await c.query(
    'SELECT country, sms_micros, mms_micros, inbound_micros FROM rate_cards WHERE user_id = $1 ORDER BY country',
    [userId],
  );
  return (rows as Row[]).map((r) => ({
    country: r.country as string,
    smsMicros: num(r.sms_micros),
    mmsMicros: numOrNull(r.mms_micros),
    inboundMicros: numOrNull(r.inbound_micros),
  }));
}

/** Replaces the card in two statements (the rows as arrays: one INSERT for the whole card). */
export async function putRateCard(
  c: Queryable,
  userId: number,
  entries: RateCardEntry[],
  now: number,
): Promise<void> {
  await c.query('DELETE FROM rate_cards WHERE user_id = $1', [userId]);
  if (entries.length === 0) return;
  await c.query(
    `INSERT INTO rate_cards (user_id, country, sms_micros, mms_micros, inbound_micros, updated_at)
     SELECT $1, * , $6 FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[])`,
    [
      userId,
      entries.map((e) => e.country),
      entries.map((e) => e.smsMicros),
      entries.map((e) => e.mmsMicros),
      entries.map((e) => e.inboundMicros),
      now,
    ],
  );
}

export async function reports(c: Queryable, q: ReportQuery): Promise<ReportCounts[]> {
  const src = counterSource(q);
  const params: unknown[] = [src.from, src.to];
  let where = 'hour >= $1 AND hour < $2';
  if (q.userId !== undefined) {
    params.push(q.userId);
    where += ' AND user_id = $3';
  }
  const { rows } = await c.query(
    `SELECT ${GROUP_SQL[q.groupBy]} AS k, ${REPORT_SUMS} FROM ${src.table} c WHERE ${where} GROUP BY k, state`,
    params,
  );
  const period = q.groupBy === 'hour' || q.groupBy === 'day';
  const counted: CounterRow[] = (rows as Row[]).map((r) => ({
    k: period ? num(r.k) : ((r.k as string | null) ?? ''),
    state: r.state as string,
    messages: num(r.messages),
    parts: num(r.parts),
    revenue: num(r.revenue),
    cost: numOrNull(r.cost),
    hist: histOf(r),
  }));
  return foldReport(counted, q.groupBy, q.limit);
}
