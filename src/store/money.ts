/**
 * Money and reports in the store: the ledger (every balance change as an entry written in the
 * transaction of the change), rate cards (per-country prices of an account), the low-balance
 * threshold, and the report counters (per hour × account × country × connector × sender ×
 * campaign × final state, added to in the transaction that makes a message final). The
 * user/operator documentation is docs/engine/money-and-reports.md.
 */
import { countryOfCached } from '../domain/country-cache.js';
import type { NewWebhook } from './store.js';

/** What a ledger entry records: credit bought, a message charged, a charge given back, an operator's correction. */
export type LedgerKind = 'topup' | 'charge' | 'refund' | 'adjustment';

export const LEDGER_KINDS: readonly LedgerKind[] = ['topup', 'charge', 'refund', 'adjustment'];

/** One balance change. `amountMicros` is signed (a charge is negative); `balanceMicros` is the balance after it. */
export interface LedgerEntry {
  id: number;
  userId: number;
  /** ms since the epoch. */
  at: number;
  kind: LedgerKind;
  amountMicros: number;
  balanceMicros: number;
  /** The SMS-count quota change (signed), 0 when none. */
  sms: number;
  /** The message charged or refunded. */
  messageId: string | null;
  /** The campaign of that message (MessageMeta.campaign). */
  campaign: string | null;
  /** Why a refund: the state that ended the message (failed, rejected, expired, canceled). */
  reason: string | null;
  /** The operator's note (top-ups, adjustments) or the refund's detail. */
  note: string | null;
  /** Who made a top-up or adjustment (the operator's name, 'config', 'api'). */
  actor: string | null;
}

/** Filters of `listLedger`: newest first, keyset by id. */
export interface LedgerQuery {
  /** One account; all accounts when absent (operators). */
  userId?: number;
  kind?: LedgerKind;
  /** `at` bounds, ms since the epoch (inclusive since, exclusive until). */
  since?: number;
  until?: number;
  /** Only entries with an id below this one (the previous page's last). */
  before?: number;
  limit: number;
}

/** A top-up or adjustment as the operator gives it (TopUp amounts besides). */
export interface CreditNote {
  /** 'topup' (the default for a positive amount) or 'adjustment' (the default for a negative one). */
  kind?: 'topup' | 'adjustment';
  note?: string;
  actor?: string;
}

/** An account's price for one destination country (ISO 3166 alpha-2), micro-units per part. */
export interface RateCardEntry {
  country: string;
  smsMicros: number;
  /** Filled by the MMS issue; null until then. */
  mmsMicros: number | null;
  /** The price of an inbound message; null: not charged. */
  inboundMicros: number | null;
}

/** The low-balance notification of an account: the threshold, the webhook and whether it is below now. */
export interface LowBalanceSetting {
  /** null: no notification. */
  thresholdMicros: number | null;
  /** Where the `balance.low` event is POSTed (signed like the REST events); null: the flag only. */
  url: string | null;
  /** When the balance went below the threshold (the crossing notified); null while at or above it. */
  lowSince: number | null;
}

/** The balance and the low-balance state (GET /v1/balance). */
export interface MoneyState extends LowBalanceSetting {
  balanceMicros: number;
}

/** What the store tells the low-balance notice when a debit takes the balance below the threshold. */
export interface LowBalanceCrossing {
  userId: number;
  username: string;
  balanceMicros: number;
  thresholdMicros: number;
  url: string | null;
  /** The message whose charge crossed it. */
  messageId: string;
  at: number;
}

/**
 * A pure description of what a crossing owes (the webhook, if any): the store calls it inside
 * the accept's transaction and writes its answer there, so a crossing stored is a webhook
 * queued. It must have no effects.
 */
export type LowBalanceNotice = (c: LowBalanceCrossing) => NewWebhook[];

/** Options of `accept` beside the message. */
export interface AcceptOptions {
  lowBalance?: LowBalanceNotice;
}

/** Delivery-time histogram: bucket 0 is under 1 s, bucket k (1..14) is [2^(k-1), 2^k) s, 15 is 2^14 s (4.5 h) and over. */
export const DELIVERY_BUCKETS = 16;

/** The bucket of a delivery time in ms. */
export function deliveryBucket(ms: number): number {
  if (!(ms >= 1000)) return 0;
  return Math.min(DELIVERY_BUCKETS - 1, Math.floor(Math.log2(ms / 1000)) + 1);
}

/** Upper bound of bucket `b` in ms (the last bucket's is open: its lower bound times two). */
export function bucketUpperMs(b: number): number {
  return b === 0 ? 1000 : 1000 * 2 ** b;
}

/** The hour a timestamp belongs to (ms since the epoch, UTC). */
export const hourOf = (at: number): number => at - (at % 3_600_000);

/** The names of the histogram columns (h0…h15), in bucket order. */
export const HISTOGRAM_COLUMNS: readonly string[] = Array.from(
  { length: DELIVERY_BUCKETS },
  (_, i) => `h${i}`,
);

/**
 * The two counter tables: by hour (`groupBy: 'hour'`) and by UTC day (every other grouping),
 * both added to in the final state's transaction. A 90-day report reads 24 times fewer rows
 * from the daily one (bench/reports.ts). Their `hour` column is the period's start.
 */
export const COUNTER_TABLES = { hour: 'report_counters', day: 'report_counters_daily' } as const;

export const DAY_MS = 86_400_000;

/** The table a grouping reads, and its range aligned to that table's periods. */
export function counterSource(q: Pick<ReportQuery, 'groupBy' | 'from' | 'to'>): {
  table: string;
  from: number;
  to: number;
} {
  if (q.groupBy === 'hour') return { table: COUNTER_TABLES.hour, from: q.from, to: q.to };
  return {
    table: COUNTER_TABLES.day,
    from: Math.floor(q.from / DAY_MS) * DAY_MS,
    to: Math.ceil(q.to / DAY_MS) * DAY_MS,
  };
}

/** The key columns of report_counters, in primary-key order. */
export const COUNTER_KEY = [
  'hour',
  'user_id',
  'country',
  'connector_id',
  'sender',
  'campaign',
  'state',
] as const;

/** One message that became final, as counted (report_counters). */
export interface FinalCount {
  hour: number;
  userId: number;
  /** '' when unknown. */
  country: string;
  connectorId: string;
  sender: string;
  /** '' when not a campaign's. */
  campaign: string;
  state: string;
  parts: number;
  /** Price kept: charged less refunded by the transition that ended it. */
  revenueMicros: number;
  costMicros: number | null;
  bucket: number;
}

/** How reports group: by a period or by a dimension. */
export type ReportGroup =
  'hour' | 'day' | 'month' | 'country' | 'connector' | 'campaign' | 'sender' | 'account';

export const REPORT_GROUPS: readonly ReportGroup[] = [
  'hour',
  'day',
  'month',
  'country',
  'connector',
  'campaign',
  'sender',
  'account',
];

export interface ReportQuery {
  groupBy: ReportGroup;
  /** One account; all when absent (operators). */
  userId?: number;
  /** Hour bounds (ms since the epoch): messages accepted in [from, to). */
  from: number;
  to: number;
  /** At most this many groups (the largest, for dimensions; the first, for periods). */
  limit: number;
}

/** A report group's counters by final state, before the figures derived from them. */
export interface ReportCounts {
  /** The period's start (ISO date-time) or the dimension's value ('' when unknown). */
  key: string;
  /** Messages and parts per final state. */
  states: Record<string, { messages: number; parts: number }>;
  revenueMicros: number;
  /** null when no connector's cost is known for these messages. */
  costMicros: number | null;
  /** Delivered messages' delivery-time histogram (DELIVERY_BUCKETS buckets). */
  histogram: number[];
}

/** What money and reports need from storage (both stores; docs/engine/money-and-reports.md). */
export interface MoneyStore {
  /** Ledger entries, newest first. */
  listLedger(q: LedgerQuery): Promise<LedgerEntry[]>;

  /** The balance and low-balance state of an account; undefined when unknown. */
  getMoneyState(userId: number): Promise<MoneyState | undefined>;

  /**
   * Sets the low-balance threshold and webhook URL (null: none). The flag follows the
   * balance now: below the new threshold it is set (no webhook: nothing crossed), else cleared.
   */
  setLowBalance(
    userId: number,
    s: { thresholdMicros: number | null; url: string | null },
  ): Promise<MoneyState | undefined>;

  /** The account's rate card, by country. */
  getRateCard(userId: number): Promise<RateCardEntry[]>;

  /** Replaces the account's whole rate card (an empty list removes it). */
  putRateCard(userId: number, entries: RateCardEntry[]): Promise<void>;

  /** The report counters grouped as asked. */
  queryReports(q: ReportQuery): Promise<ReportCounts[]>;
}

/** What a message that became final adds to the counters (`refundedMicros`: given back by that transition). */
export function finalCount(
  m: {
    userId: number;
    destination: string;
    connectorId: string;
    source: string;
    priceMicros: number;
    createdAt: number;
    meta: { segments?: number; campaign?: string };
  },
  state: string,
  now: number,
  refundedMicros: number,
): FinalCount {
  return {
    hour: hourOf(m.createdAt),
    userId: m.userId,
    country: countryOfCached(m.destination) ?? '',
    connectorId: m.connectorId,
    sender: m.source,
    campaign: m.meta.campaign ?? '',
    state,
    parts: m.meta.segments ?? 1,
    revenueMicros: m.priceMicros - refundedMicros,
    costMicros: null,
    bucket: deliveryBucket(now - m.createdAt),
  };
}

/** The parameters of the counter upsert, in column order (key, counts, then the 16 buckets); `daily`: the day's row. */
export function counterParams(f: FinalCount, daily = false, buckets = true): unknown[] {
  const params: unknown[] = [
    daily ? f.hour - (f.hour % DAY_MS) : f.hour,
    f.userId,
    f.country,
    f.connectorId,
    f.sender,
    f.campaign,
    f.state,
    1,
    f.parts,
    f.revenueMicros,
    f.costMicros,
  ];
  if (buckets) for (let b = 0; b < DELIVERY_BUCKETS; b++) params.push(b === f.bucket ? 1 : 0);
  return params;
}

/** The counter upsert for both databases (`?` or `$n` placeholders by `ph`): counts add, a NULL cost stays NULL until one is known. */
export function counterUpsertSql(ph: (i: number) => string, table: string, bucket?: number): string {
  // With `bucket`: the statement of one bucket (that column set to 1 and added), without the
  // 16 bucket parameters: SQLite prepares one per bucket, as binding costs per parameter.
  const hist = bucket === undefined ? HISTOGRAM_COLUMNS : [];
  const cols = [...COUNTER_KEY, 'messages', 'parts', 'revenue_micros', 'cost_micros', ...hist];
  const adds = ['messages', 'parts', 'revenue_micros', ...hist].map(
    (c) => `${c} = ${table}.${c} + excluded.${c}`,
  );
  if (bucket !== undefined) adds.push(`h${bucket} = ${table}.h${bucket} + 1`);
  adds.push(
    `cost_micros = CASE WHEN excluded.cost_micros IS NULL THEN ${table}.cost_micros ELSE COALESCE(${table}.cost_micros, 0) + excluded.cost_micros END`,
  );
  const values = cols.map((_, i) => ph(i + 1));
  if (bucket !== undefined) {
    cols.push(`h${bucket}`);
    values.push('1');
  }
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${values.join(', ')})
    ON CONFLICT (${COUNTER_KEY.join(', ')}) DO UPDATE SET ${adds.join(', ')}`;
}

/** A grouped counters row as both stores read it. */
export interface CounterRow {
  k: string | number;
  state: string;
  messages: number;
  parts: number;
  revenue: number;
  cost: number | null;
  hist: number[];
}

/** The SELECT list of a report query after the group key: sums per state. */
export const REPORT_SUMS = `state, SUM(messages) AS messages, SUM(parts) AS parts, SUM(revenue_micros) AS revenue, SUM(cost_micros) AS cost, ${HISTOGRAM_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ')}`;

const isPeriod = (g: ReportGroup): boolean => g === 'hour' || g === 'day' || g === 'month';

/** Rows per (group, state) folded into one report group each: periods in time order, dimensions largest first, at most `limit`. */
export function foldReport(rows: CounterRow[], groupBy: ReportGroup, limit: number): ReportCounts[] {
  const groups = new Map<string, ReportCounts & { total: number }>();
  for (const r of rows) {
    const key = typeof r.k === 'number' ? new Date(r.k).toISOString() : String(r.k ?? '');
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        states: {},
        revenueMicros: 0,
        costMicros: null,
        histogram: new Array<number>(DELIVERY_BUCKETS).fill(0),
        total: 0,
      };
      groups.set(key, g);
    }
    const s = (g.states[r.state] ??= { messages: 0, parts: 0 });
    s.messages += r.messages;
    s.parts += r.parts;
    g.total += r.messages;
    g.revenueMicros += r.revenue;
    if (r.cost !== null) g.costMicros = (g.costMicros ?? 0) + r.cost;
    if (r.state === 'delivered') r.hist.forEach((n, i) => (g.histogram[i] += n));
  }
  const out = [...groups.values()];
  if (isPeriod(groupBy)) out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else out.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
  return out.slice(0, limit).map(({ total: _total, ...g }) => g);
}

/** The delivery time in ms at quantile `q` (0..1) of a histogram: interpolated inside its bucket; null when empty. */
export function quantileMs(histogram: number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let b = 0; b < histogram.length; b++) {
    if (histogram[b] === 0) continue;
    if (seen + histogram[b] >= rank) {
      const lo = b === 0 ? 0 : bucketUpperMs(b - 1);
      const hi = bucketUpperMs(b);
      return Math.round(lo + ((rank - seen) / histogram[b]) * (hi - lo));
    }
    seen += histogram[b];
  }
  return bucketUpperMs(histogram.length - 1);
}

/** A row of report_counters' histogram columns as numbers. */
export function histOf(r: Record<string, unknown>): number[] {
  return HISTOGRAM_COLUMNS.map((c) => Number(r[c] ?? 0));
}
