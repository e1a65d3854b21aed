/**
 * A batch's receipts as one bulk kind of the group commit (group-commit.ts): matched for
 * the whole batch in one statement, their messages locked and read in two more, then every
 * part, event, message state and customer receipt written in one, the report counters
 * included: what applyReceiptByKeys does one receipt at a time, for the common
 * case, a single-part message whose part is in flight. Every other case (no match, a part
 * of a multipart message, a message twice in the batch, a part already final) is left to
 * applyReceiptByKeys itself.
 */
import type pg from 'pg';
import {
  aggregateState,
  isOwnPart,
  FINAL_STATES,
  type MessageState,
  type PartState,
} from '../../domain/index.js';
import { COUNTER_TABLES, finalCount, type FinalCount } from '../money.js';
import type { FinalNotification, KeyedReceipt, NewWebhook, PartMatch, ReceiptOutcome } from '../store.js';
import { ALONE, type Alone, type BulkKind } from './group-commit.js';
import { countersFromJsonSql, countersJson } from './money.js';
import { MESSAGE_COLUMNS, prepared, toMessage, type Row } from './rows.js';

type Client = pg.PoolClient;

/** Receipts and MOs are held for the customer for 3 days (SMPP validity default of many SMSCs). */
export const OUTBOX_TTL_MS = 3 * 86_400_000;

/** Webhooks in one statement (an event id already there is skipped). */
export async function insertWebhooks(
  c: Pick<Client, 'query'>,
  items: NewWebhook[],
  now: number,
): Promise<void> {
  if (items.length === 0) return;
  const col = <T>(f: (w: NewWebhook) => T) => items.map(f);
  await c.query(
    `INSERT INTO webhooks (event_id, kind, message_id, owner, url, method, body, next_at, expires_at, created_at)
     SELECT event_id, kind, message_id, owner, url, method, body, $8, expires_at, $8
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $9::bigint[])
       WITH ORDINALITY AS w(event_id, kind, message_id, owner, url, method, body, expires_at, ord)
     ORDER BY ord ON CONFLICT (event_id) DO NOTHING`,
    [
      col((w) => w.eventId),
      col((w) => w.kind),
      col((w) => w.messageId),
      col((w) => w.owner),
      col((w) => w.url),
      col((w) => w.method),
      col((w) => w.body),
      now,
      col((w) => w.expiresAt),
    ],
  );
}

/**
 * The messages any of the batch's keys name, locked (in id order, as every writer of
 * several messages) and read as they are now: a superset of the receipts' matches.
 */
const LOCK_MANY = prepared(
  'receipt_lock',
  `SELECT ${MESSAGE_COLUMNS} FROM messages m
  WHERE m.id IN (SELECT u.message_id FROM upstream_ids u WHERE u.key = ANY($1::text[]))
  ORDER BY m.id FOR UPDATE`,
);

/**
 * Then each receipt's part, as partByKeys finds it (the first of its keys, in order, that
 * is known), with the number of parts its message has.
 */
const MATCH_MANY = prepared(
  'receipt_match',
  `SELECT DISTINCT ON (k.i) k.i, u.message_id, u.seq AS part_seq, u.key AS part_key,
    p.upstream_id AS part_upstream_id, p.state AS part_state, p.total AS part_total, p.error AS part_error,
    (SELECT count(*) FROM message_parts x WHERE x.message_id = u.message_id) AS parts
  FROM unnest($1::int[], $2::text[], $3::int[]) AS k(i, key, pos)
  JOIN upstream_ids u ON u.key = k.key
  LEFT JOIN message_parts p ON p.message_id = u.message_id AND p.seq = u.seq
  ORDER BY k.i, k.pos`,
);

const WRITE_MANY = prepared(
  'receipt_write',
  `WITH pu AS (
    UPDATE message_parts p SET state = x.state, error = COALESCE(x.err, p.error), updated_at = $6
    FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) AS x(id, seq, state, err)
    WHERE p.message_id = x.id AND p.seq = x.seq),
  ev AS (INSERT INTO message_events (message_id, state, at, detail, seq)
    SELECT id, state, $6, detail, NULL FROM unnest($1::text[], $3::text[], $5::text[]) WITH ORDINALITY AS e(id, state, detail, ord)
    ORDER BY ord),
  mu AS (UPDATE messages m SET state = y.state, error = COALESCE(y.err, m.error), updated_at = $6
    FROM unnest($7::text[], $8::text[], $9::text[]) AS y(id, state, err) WHERE m.id = y.id),
  ob AS (INSERT INTO outbox (system_id, message_id, payload, next_at, expires_at)
    SELECT system_id, id, payload, $6, $6 + $13::bigint
    FROM unnest($10::text[], $11::text[], $12::text[]) WITH ORDINALITY AS o(system_id, id, payload, ord) ORDER BY ord),
  ch AS (${countersFromJsonSql(COUNTER_TABLES.hour, 14)}),
  cd AS (${countersFromJsonSql(COUNTER_TABLES.day, 15)})
  SELECT 1`,
);

/** What the batch writes, column by column. */
class Writes {
  parts = { id: [] as string[], seq: [] as number[], state: [] as string[], err: [] as (string | null)[] };
  detail: string[] = [];
  messages = { id: [] as string[], state: [] as string[], err: [] as (string | null)[] };
  outbox = { systemId: [] as string[], id: [] as string[], payload: [] as string[] };
  counts: FinalCount[] = [];
  webhooks: NewWebhook[] = [];

  async run(c: Client, now: number): Promise<void> {
    const { parts: p, messages: m, outbox: o } = this;
    if (p.id.length === 0) return;
    const counters = countersJson(this.counts);
    await c.query(
      WRITE_MANY([
        p.id,
        p.seq,
        p.state,
        p.err,
        this.detail,
        now,
        m.id,
        m.state,
        m.err,
        o.systemId,
        o.id,
        o.payload,
        OUTBOX_TTL_MS,
        counters.hour,
        counters.day,
      ]),
    );
    await insertWebhooks(c, this.webhooks, now);
  }
}

/** A receipt's part as found, with its message locked. */
interface Found {
  match: PartMatch;
  row: Row;
  part: Row;
  parts: number;
}

/** Each receipt's part, its message locked and read as it is now; undefined when there is none. */
async function find(c: Client, items: KeyedReceipt[]): Promise<(Found | undefined)[]> {
  const i: number[] = [];
  const keys: string[] = [];
  const pos: number[] = [];
  items.forEach((r, n) =>
    r.keys.forEach((k, p) => {
      i.push(n);
      keys.push(k);
      pos.push(p);
    }),
  );
  const rows = new Map<string, Row>();
  for (const r of (await c.query(LOCK_MANY([keys]))).rows as Row[]) rows.set(r.id as string, r);
  if (rows.size === 0) return items.map(() => undefined);
  const found = new Map<number, Row>();
  for (const r of (await c.query(MATCH_MANY([i, keys, pos]))).rows as Row[]) found.set(r.i as number, r);
  return items.map((item, n) => {
    const f = found.get(n);
    const row = f && rows.get(f.message_id as string);
    if (!f || !row) return undefined;
    const partState = f.part_state as PartState | null;
    const match: PartMatch = {
      message: toMessage(row),
      seq: f.part_seq as number,
      exact: f.part_key === item.keys[0],
      ...(partState !== null
        ? { part: { upstreamId: f.part_upstream_id as string | null, state: partState } }
        : {}),
    };
    const part = { seq: f.part_seq, total: f.part_total, state: partState, error: f.part_error };
    return { match, row, part, parts: Number(f.parts) };
  });
}

export const receiptKind: BulkKind<KeyedReceipt, ReceiptOutcome> = {
  name: 'receipt',
  async run(c: Client, items: KeyedReceipt[]): Promise<(ReceiptOutcome | Alone)[]> {
    const found = await find(c, items);
    const seen = new Set<string>();
    const now = Date.now();
    const w = new Writes();
    const out = items.map((r, n): ReceiptOutcome | Alone => {
      const f = found[n];
      // One receipt per message a batch, on a single-part message whose part is in flight.
      if (!f || !isOwnPart(f.match, r.receiptId) || seen.has(f.match.message.id)) return ALONE;
      seen.add(f.match.message.id);
      if (f.parts !== 1 || f.part.total !== 1 || f.part.state === null) return ALONE;
      if (FINAL_STATES.has(f.part.state as MessageState)) return ALONE;
      return { parked: false, match: f.match, ...apply(w, f.row, r, f.part, now) };
    });
    await w.run(c, now);
    return out;
  },
};

/** One receipt on a single-part message (applyPart, then settle, as the store does them). */
function apply(
  w: Writes,
  row: Row,
  r: KeyedReceipt,
  part: Row,
  now: number,
): { state: MessageState; notified?: FinalNotification } {
  const id = row.id as string;
  const partErr = r.state === 'delivered' || r.state === 'sent' ? null : r.detail;
  w.parts.id.push(id);
  w.parts.seq.push(part.seq as number);
  w.parts.state.push(r.state);
  w.parts.err.push(partErr);
  w.detail.push(r.detail);
  const after = { state: r.state, error: partErr ?? (part.error as string | null) };
  const state = aggregateState([after]);
  const before = row.state as MessageState;
  if (state === before) return { state };
  const error =
    state === 'delivered' ? null : after.error !== null && after.state !== 'delivered' ? after.error : null;
  w.messages.id.push(id);
  w.messages.state.push(state);
  w.messages.err.push(error);
  if (!FINAL_STATES.has(state) || FINAL_STATES.has(before)) return { state };
  const m = toMessage(row);
  w.counts.push(finalCount(m, state, now, 0));
  const notified = r.notice({
    state,
    message: { ...m, state, error: error ?? m.error, updatedAt: now },
    parts: { total: 1, delivered: state === 'delivered' ? 1 : 0 },
  });
  if (notified?.systemId !== undefined && notified.payload !== undefined) {
    w.outbox.systemId.push(notified.systemId);
    w.outbox.id.push(id);
    w.outbox.payload.push(notified.payload);
  }
  w.webhooks.push(...(notified?.webhooks ?? []));
  return { state, notified };
}
