/**
 * What the customer's and the operator's money routes share: query parsing (periods, kinds,
 * cursors), the views of ledger entries, rate cards and report groups as JSON and CSV, and the
 * rate card's CSV format (docs/engine/money-and-reports.md).
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatMicros, toMicros } from '../../domain/money.js';
import {
  LEDGER_KINDS,
  REPORT_GROUPS,
  quantileMs,
  type LedgerEntry,
  type LedgerKind,
  type LedgerQuery,
  type MoneyService,
  type MoneyState,
  type RateCardEntry,
  type ReportCounts,
  type ReportGroup,
} from '../../gateway/index.js';
import { HttpProblem } from '../problem.js';

const bad = (field: string, why: string) => new HttpProblem(400, 'HERMOD_ERR_VALIDATION', `${field}: ${why}`);

/** A period bound: an ISO date (2026-12-01) or date-time; undefined when absent. */
export function timeOf(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw bad(field, `not an ISO 8601 date or date-time: ${JSON.stringify(v)}`);
  return t;
}

/** CSV wanted: `?format=csv` or an Accept header that prefers text/csv. */
export function wantsCsv(req: FastifyRequest<{ Querystring: { format?: string } }>): boolean {
  if (req.query.format !== undefined) return req.query.format === 'csv';
  const accept = req.headers.accept ?? '';
  return accept.includes('text/csv') && !accept.startsWith('application/json');
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (fields: unknown[]): string => fields.map(csvField).join(',') + '\r\n';

// ---- ledger -------------------------------------------------------------------------------

export const ledgerQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: [...LEDGER_KINDS] },
    from: { type: 'string', maxLength: 40, description: 'ISO date or date-time, inclusive' },
    to: { type: 'string', maxLength: 40, description: 'ISO date or date-time, exclusive' },
    before: { type: 'integer', minimum: 1, description: 'the previous page’s `next`' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    format: { type: 'string', enum: ['json', 'csv'] },
  },
} as const;

export interface LedgerParams {
  kind?: LedgerKind;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
  format?: 'json' | 'csv';
}

export const ledgerEntryView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    account: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    kind: { type: 'string', enum: [...LEDGER_KINDS] },
    amount: { type: 'string', description: 'signed, in the account currency (a charge is negative)' },
    balance: { type: 'string', description: 'the balance after this entry' },
    sms: { type: 'integer', description: 'SMS-count quota change (0 for an unlimited quota)' },
    messageId: { type: ['string', 'null'] },
    campaign: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'], description: 'a refund’s: the state that ended the message' },
    note: { type: ['string', 'null'] },
    actor: { type: ['string', 'null'] },
  },
} as const;

export const ledgerPageView = {
  type: 'object',
  properties: {
    entries: { type: 'array', items: ledgerEntryView },
    next: { type: ['integer', 'null'], description: 'pass as `before` for the next page; null at the end' },
  },
} as const;

export function ledgerQuery(p: LedgerParams, userId: number | undefined): LedgerQuery {
  const since = timeOf(p.from, 'from');
  const until = timeOf(p.to, 'to');
  if (since !== undefined && until !== undefined && until <= since) throw bad('to', 'must be after from');
  return {
    ...(userId !== undefined ? { userId } : {}),
    ...(p.kind ? { kind: p.kind } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(p.before !== undefined ? { before: p.before } : {}),
    limit: p.limit ?? 100,
  };
}

export const viewOfEntry = (e: LedgerEntry, account: (userId: number) => string) => ({
  id: e.id,
  account: account(e.userId),
  at: new Date(e.at).toISOString(),
  kind: e.kind,
  amount: formatMicros(e.amountMicros),
  balance: formatMicros(e.balanceMicros),
  sms: e.sms,
  messageId: e.messageId,
  campaign: e.campaign,
  reason: e.reason,
  note: e.note,
  actor: e.actor,
});

const LEDGER_CSV_HEADER = [
  'id',
  'account',
  'at',
  'kind',
  'amount',
  'balance',
  'sms',
  'message_id',
  'campaign',
  'reason',
  'note',
  'actor',
];

/**
 * The ledger as CSV, streamed a page of 1,000 entries at a time (keyset by id): an export of
 * every entry never holds more than one page. `limit` and `before` of the query are ignored.
 */
export function ledgerCsv(
  reply: FastifyReply,
  money: MoneyService,
  q: LedgerQuery,
  account: (userId: number) => string,
  filename: string,
): FastifyReply {
  async function* lines() {
    yield csvLine(LEDGER_CSV_HEADER);
    let before: number | undefined;
    for (;;) {
      const page = await money.ledger({ ...q, limit: 1000, ...(before !== undefined ? { before } : {}) });
      for (const e of page) {
        const v = viewOfEntry(e, account);
        yield csvLine([
          v.id,
          v.account,
          v.at,
          v.kind,
          v.amount,
          v.balance,
          v.sms,
          v.messageId,
          v.campaign,
          v.reason,
          v.note,
          v.actor,
        ]);
      }
      if (page.length < 1000) return;
      before = page[page.length - 1].id;
    }
  }
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(Readable.from(lines()));
}

// ---- rate cards ---------------------------------------------------------------------------

/** At most this many countries on a card (there are fewer than 250). */
export const MAX_RATE_CARD = 300;

const price = {
  anyOf: [
    { type: 'string', pattern: '^\\d*(\\.\\d{1,6})?$' },
    { type: 'number', minimum: 0 },
  ],
};
// null first: with the API's type coercion a null would otherwise become "".
const nullablePrice = { anyOf: [{ type: 'null' }, ...price.anyOf] };

export const rateEntryInput = {
  type: 'object',
  additionalProperties: false,
  required: ['country', 'sms'],
  properties: {
    country: { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'ISO 3166 alpha-2' },
    sms: { ...price, description: 'price per SMS part, in the account currency' },
    mms: { ...nullablePrice, description: 'price per MMS (the MMS issue fills it)' },
    inbound: { ...nullablePrice, description: 'price per inbound message' },
  },
} as const;

export const rateCardView = {
  type: 'object',
  properties: {
    rates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          country: { type: 'string' },
          sms: { type: 'string' },
          mms: { type: ['string', 'null'] },
          inbound: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

export interface RateInput {
  country: string;
  sms: string | number;
  mms?: string | number | null;
  inbound?: string | number | null;
}

function priceOf(v: string | number, field: string, code = 'HERMOD_ERR_RATE_CARD'): number {
  let m: number;
  try {
    m = toMicros(v);
  } catch (err) {
    throw new HttpProblem(400, code, `${field}: ${(err as Error).message}`);
  }
  if (m < 0) throw new HttpProblem(400, code, `${field}: a price is never negative`);
  return m;
}

const optionalPrice = (v: string | number | null | undefined, field: string): number | null =>
  v === null || v === undefined || v === '' ? null : priceOf(v, field);

/** A card from its entries, checked: every country once, prices at most 6 decimals. `where(i)` names an entry in errors. */
export function rateCardOf(rows: RateInput[], where: (i: number) => string): RateCardEntry[] {
  if (rows.length > MAX_RATE_CARD)
    throw new HttpProblem(400, 'HERMOD_ERR_RATE_CARD', `at most ${MAX_RATE_CARD} countries on a card`);
  const seen = new Map<string, number>();
  return rows.map((r, i) => {
    const country = String(r.country ?? '').toUpperCase();
    if (!/^[A-Z]{2}$/.test(country))
      throw new HttpProblem(
        400,
        'HERMOD_ERR_RATE_CARD',
        `${where(i)}.country: not an ISO 3166 alpha-2 code: ${JSON.stringify(r.country)}`,
      );
    const first = seen.get(country);
    if (first !== undefined)
      throw new HttpProblem(
        400,
        'HERMOD_ERR_RATE_CARD',
        `${where(i)}.country: ${country} is already at ${where(first)}`,
      );
    seen.set(country, i);
    if (r.sms === undefined || r.sms === '')
      throw new HttpProblem(400, 'HERMOD_ERR_RATE_CARD', `${where(i)}.sms: is required`);
    return {
      country,
      smsMicros: priceOf(r.sms, `${where(i)}.sms`),
      mmsMicros: optionalPrice(r.mms, `${where(i)}.mms`),
      inboundMicros: optionalPrice(r.inbound, `${where(i)}.inbound`),
    };
  });
}

const RATE_CSV_COLUMNS = ['country', 'sms', 'mms', 'inbound'] as const;

/**
 * A rate card from CSV: a header naming the columns (country and sms required, mms and
 * inbound optional, any order), then one country per line; errors name the line.
 */
export function parseRateCsv(text: string): RateCardEntry[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0)
    throw new HttpProblem(
      400,
      'HERMOD_ERR_RATE_CARD',
      'line 1: the header (country,sms,mms,inbound) is missing',
    );
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  for (const h of header)
    if (!(RATE_CSV_COLUMNS as readonly string[]).includes(h))
      throw new HttpProblem(
        400,
        'HERMOD_ERR_RATE_CARD',
        `line 1: unknown column ${JSON.stringify(h)} (country, sms, mms, inbound)`,
      );
  for (const need of ['country', 'sms'])
    if (!header.includes(need))
      throw new HttpProblem(400, 'HERMOD_ERR_RATE_CARD', `line 1: the column ${need} is required`);
  const rows: RateInput[] = lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length)
      throw new HttpProblem(
        400,
        'HERMOD_ERR_RATE_CARD',
        `line ${i + 2}: ${cells.length} fields, the header has ${header.length}`,
      );
    const row: Record<string, string> = {};
    header.forEach((h, j) => (row[h] = cells[j]));
    return row as unknown as RateInput;
  });
  return rateCardOf(rows, (i) => `line ${i + 2}`);
}

export const viewOfCard = (card: RateCardEntry[]) => ({
  rates: card.map((e) => ({
    country: e.country,
    sms: formatMicros(e.smsMicros),
    mms: e.mmsMicros === null ? null : formatMicros(e.mmsMicros),
    inbound: e.inboundMicros === null ? null : formatMicros(e.inboundMicros),
  })),
});

export function rateCsv(card: RateCardEntry[]): string {
  return (
    csvLine([...RATE_CSV_COLUMNS]) +
    viewOfCard(card)
      .rates.map((r) => csvLine([r.country, r.sms, r.mms, r.inbound]))
      .join('')
  );
}

// ---- reports ------------------------------------------------------------------------------

export const FINAL_REPORT_STATES = [
  'delivered',
  'partially_delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'canceled',
];

export const reportQuerystring = {
  type: 'object',
  additionalProperties: false,
  required: ['groupBy'],
  properties: {
    groupBy: { type: 'string', enum: [...REPORT_GROUPS] },
    from: {
      type: 'string',
      maxLength: 40,
      description: 'ISO date or date-time (default: 30 days before `to`)',
    },
    to: { type: 'string', maxLength: 40, description: 'ISO date or date-time, exclusive (default: now)' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 },
    format: { type: 'string', enum: ['json', 'csv'] },
  },
} as const;

export interface ReportParams {
  groupBy: ReportGroup;
  from?: string;
  to?: string;
  limit?: number;
  format?: 'json' | 'csv';
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The range of a report query, aligned to the counters' periods: hours when grouped by hour
 * (at most 31 days), whole UTC days otherwise (at most 2 years; the daily counters).
 */
export function reportRange(p: ReportParams, now: number): { from: number; to: number } {
  const unit = p.groupBy === 'hour' ? HOUR : DAY;
  const toRaw = timeOf(p.to, 'to') ?? now;
  const to = Math.ceil(toRaw / unit) * unit;
  const from = Math.floor((timeOf(p.from, 'from') ?? to - 30 * DAY) / unit) * unit;
  if (to <= from) throw bad('to', 'must be after from');
  const max = p.groupBy === 'hour' ? 31 * DAY : 731 * DAY;
  if (to - from > max)
    throw bad('from', `the range spans at most ${max / DAY} days when grouped by ${p.groupBy}`);
  return { from, to };
}

export const reportGroupView = {
  type: 'object',
  properties: {
    key: {
      type: 'string',
      description: 'the period’s start (ISO) or month (YYYY-MM), or the dimension’s value ("" when unknown)',
    },
    messages: { type: 'integer', description: 'messages that reached a final state' },
    parts: { type: 'integer' },
    states: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { messages: { type: 'integer' }, parts: { type: 'integer' } },
      },
    },
    deliveryRate: { type: ['number', 'null'], description: 'delivered ÷ final messages' },
    medianDeliveryMs: { type: ['integer', 'null'] },
    p95DeliveryMs: { type: ['integer', 'null'] },
    revenue: { type: 'string', description: 'price charged less refunds' },
    cost: { type: ['string', 'null'], description: 'connector cost where known' },
  },
} as const;

export const reportView = {
  type: 'object',
  properties: {
    groupBy: { type: 'string' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    groups: { type: 'array', items: reportGroupView },
  },
} as const;

export function viewOfGroup(g: ReportCounts) {
  let messages = 0;
  let parts = 0;
  for (const s of Object.values(g.states)) {
    messages += s.messages;
    parts += s.parts;
  }
  const delivered = g.states.delivered?.messages ?? 0;
  return {
    key: g.key,
    messages,
    parts,
    states: g.states,
    deliveryRate: messages === 0 ? null : Math.round((delivered / messages) * 10_000) / 10_000,
    medianDeliveryMs: quantileMs(g.histogram, 0.5),
    p95DeliveryMs: quantileMs(g.histogram, 0.95),
    revenue: formatMicros(g.revenueMicros),
    cost: g.costMicros === null ? null : formatMicros(g.costMicros),
  };
}

export function reportCsv(groups: ReportCounts[], groupBy: ReportGroup): string {
  const head = [
    groupBy,
    'messages',
    'parts',
    ...FINAL_REPORT_STATES,
    'delivery_rate',
    'median_delivery_ms',
    'p95_delivery_ms',
    'revenue',
    'cost',
  ];
  return (
    csvLine(head) +
    groups
      .map((g) => {
        const v = viewOfGroup(g);
        return csvLine([
          v.key,
          v.messages,
          v.parts,
          ...FINAL_REPORT_STATES.map((s) => g.states[s]?.messages ?? 0),
          v.deliveryRate,
          v.medianDeliveryMs,
          v.p95DeliveryMs,
          v.revenue,
          v.cost,
        ]);
      })
      .join('')
  );
}

/** Sends a report as JSON or CSV. */
export function sendReport(
  req: FastifyRequest<{ Querystring: { format?: string } }>,
  reply: FastifyReply,
  groups: ReportCounts[],
  q: { groupBy: ReportGroup; from: number; to: number },
) {
  if (wantsCsv(req))
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="report-${q.groupBy}.csv"`)
      .send(reportCsv(groups, q.groupBy));
  return {
    groupBy: q.groupBy,
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    groups: groups.map(viewOfGroup),
  };
}

// ---- low balance --------------------------------------------------------------------------

export const lowBalanceInput = {
  type: 'object',
  additionalProperties: false,
  required: ['threshold'],
  properties: {
    threshold: { anyOf: [{ type: 'null' }, ...price.anyOf], description: 'null: no notification' },
    url: {
      type: ['string', 'null'],
      maxLength: 2000,
      description: 'where the signed `balance.low` event is POSTed; null: the flag only',
    },
  },
} as const;

export const lowBalanceView = {
  type: 'object',
  properties: {
    balance: { type: 'string' },
    threshold: { type: ['string', 'null'] },
    url: { type: ['string', 'null'] },
    low: { type: 'boolean', description: 'below the threshold (the console’s banner)' },
    lowSince: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export interface LowBalanceBody {
  threshold: string | number | null;
  url?: string | null;
}

/** The setting from a body: a price or null, an http(s) URL or null. */
export function lowBalanceOf(b: LowBalanceBody): { thresholdMicros: number | null; url: string | null } {
  const thresholdMicros =
    b.threshold === null || b.threshold === ''
      ? null
      : priceOf(b.threshold, 'threshold', 'HERMOD_ERR_INVALID_AMOUNT');
  const url = b.url ?? null;
  if (url !== null) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw bad('url', 'not a URL');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad('url', 'must be http or https');
  }
  return { thresholdMicros, url };
}

export const viewOfMoneyState = (s: MoneyState) => ({
  balance: formatMicros(s.balanceMicros),
  threshold: s.thresholdMicros === null ? null : formatMicros(s.thresholdMicros),
  url: s.url,
  low: s.lowSince !== null,
  lowSince: s.lowSince === null ? null : new Date(s.lowSince).toISOString(),
});
