/**
 * The hot writes of the PostgreSQL store as bulk kinds of its group commit (group-commit.ts):
 * a batch's accepts, parts sent, outbox acks, webhook acks and webhook log rows each in one
 * multi-row statement (`unnest` of one array per column) or a few, instead of several
 * statements per message (receipts: bulk-receipts.ts).
 * Each kind takes the common case and leaves the rest (ALONE) to the store's own per-write
 * code, which then runs it exactly as before: same rows, same history, same answers.
 */
import type pg from 'pg';
import { acceptedDetail, smsOf, type NewMessage } from '../../domain/index.js';
import type { AcceptResult, PartSent, WebhookAttempt } from '../store.js';
import { ALONE, type Alone, type BulkKind } from './group-commit.js';
import { num, prepared, type Row } from './rows.js';

type Client = pg.PoolClient;

/**
 * Accepts whose accounts can pay for all of this batch's messages at once and cross no
 * low-balance threshold doing so: one debit per account (sums), a ledger entry per message
 * with the balance after it (as if debited one by one, in order), the messages, their two
 * events and their queue entries, in one statement. The others (a refusal to explain, a
 * threshold crossed, `onceOnly`) are left to the one-by-one accept.
 */
const ACCEPT_MANY = prepared(
  'accept_many',
  `WITH b AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::bytea[],
                         $9::int[], $10::int[], $11::text[], $12::bigint[], $13::text[], $14::int[], $15::bigint[], $16::text[], $18::text[])
      WITH ORDINALITY AS b(id, user_id, system_id, source, destination, esm_class, data_coding, body,
                           registered_delivery, priority, connector_id, price, meta, sms, not_before, campaign,
                           accepted_detail, ord)),
  tot AS (SELECT user_id, sum(price) AS p, sum(sms) AS s FROM b GROUP BY user_id),
  d AS (
    UPDATE users u SET balance_micros = u.balance_micros - tot.p, sms_count = u.sms_count - tot.s
    FROM tot WHERE u.id = tot.user_id AND u.enabled AND u.balance_micros >= tot.p
      AND (u.sms_count IS NULL OR u.sms_count >= tot.s)
      AND (u.low_balance_at IS NOT NULL OR u.low_balance_micros IS NULL OR u.balance_micros - tot.p >= u.low_balance_micros)
      AND NOT EXISTS (SELECT 1 FROM user_groups g WHERE g.id = u.group_id AND NOT g.enabled)
    RETURNING u.id, u.balance_micros, u.sms_count),
  ok AS (
    SELECT b.*, d.sms_count IS NULL AS unlimited,
      d.balance_micros + COALESCE(sum(b.price) OVER (PARTITION BY b.user_id ORDER BY b.ord
        ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0) AS balance_after
    FROM b JOIN d ON d.id = b.user_id),
  l AS (INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, sms, message_id, campaign)
    SELECT user_id, $17, 'charge', -price, balance_after, CASE WHEN unlimited THEN 0 ELSE -sms END, id, campaign
    FROM ok ORDER BY ord),
  m AS (INSERT INTO messages (id, user_id, system_id, source, destination, esm_class, data_coding, body,
      registered_delivery, priority, connector_id, price_micros, state, created_at, updated_at, meta)
    SELECT id, user_id, system_id, source, destination, esm_class, data_coding, body, registered_delivery,
      priority, connector_id, price, 'queued', $17, $17, meta FROM ok ORDER BY ord),
  e AS (INSERT INTO message_events (message_id, state, at, detail)
    SELECT ok.id, s.state, $17, CASE WHEN s.n = 1 THEN ok.accepted_detail ELSE ok.connector_id END
    FROM ok CROSS JOIN (VALUES (1, 'accepted'), (2, 'queued')) AS s(n, state) ORDER BY ok.ord, s.n),
  q AS (INSERT INTO queue (message_id, connector_id, priority, not_before, delayed)
    SELECT id, connector_id, priority, not_before, CASE WHEN not_before > $17 THEN 1 ELSE 0 END FROM ok ORDER BY ord)
  SELECT id FROM d`,
);

export const acceptKind: BulkKind<NewMessage, AcceptResult> = {
  name: 'accept',
  autocommit: true,
  async run(c: Client, items: NewMessage[]): Promise<(AcceptResult | Alone)[]> {
    const many = items.filter((m) => !m.onceOnly);
    if (many.length === 0) return items.map(() => ALONE);
    const now = Date.now();
    const col = <T>(f: (m: NewMessage) => T) => many.map(f);
    const { rows } = await c.query(
      ACCEPT_MANY([
        col((m) => m.id),
        col((m) => m.userId),
        col((m) => m.systemId),
        col((m) => m.source),
        col((m) => m.destination),
        col((m) => m.esmClass),
        col((m) => m.dataCoding),
        col((m) => m.body),
        col((m) => m.registeredDelivery),
        col((m) => m.priority),
        col((m) => m.connectorId),
        col((m) => m.priceMicros),
        col((m) => JSON.stringify(m.meta ?? {})),
        col((m) => smsOf(m)),
        col((m) => Math.max(now, m.meta?.scheduleAt ?? 0)),
        col((m) => m.meta?.campaign ?? null),
        now,
        col((m) => acceptedDetail(m.meta)),
      ]),
    );
    const paid = new Set(rows.map((r: Row) => num(r.id)));
    return items.map((m) => (!m.onceOnly && paid.has(m.userId) ? { ok: true } : ALONE));
  },
};

/**
 * A single-part message's part accepted upstream, the first time (its message still
 * queued, no part row yet): the part row, its key, the message's upstream id and state,
 * the event, and the queue entry gone, for the whole batch in one statement (what
 * markPartSent does one by one, its settle included). Multi-part messages, a message twice
 * in the batch, a key twice, and anything already moved on are left to markPartSent.
 */
const SENT_MANY = prepared(
  'sent_many',
  `WITH b AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS b(id, connector_id, upstream_id, key)),
  sel AS (
    SELECT m.id FROM messages m WHERE m.id IN (SELECT id FROM b) AND m.state = 'queued'
      AND NOT EXISTS (SELECT 1 FROM message_parts p WHERE p.message_id = m.id)
    ORDER BY m.id FOR UPDATE),
  s AS (SELECT b.* FROM b JOIN sel ON sel.id = b.id),
  p AS (INSERT INTO message_parts (message_id, seq, total, state, connector_id, upstream_id, created_at, updated_at)
    SELECT id, 1, 1, 'sent', connector_id, upstream_id, $5, $5 FROM s),
  u AS (INSERT INTO upstream_ids (key, message_id, seq) SELECT key, id, 1 FROM s WHERE key IS NOT NULL
    ON CONFLICT (key) DO UPDATE SET message_id = EXCLUDED.message_id, seq = EXCLUDED.seq),
  m AS (UPDATE messages m SET upstream_id = COALESCE(m.upstream_id, s.upstream_id), state = 'sent', updated_at = $5
    FROM s WHERE m.id = s.id),
  e AS (INSERT INTO message_events (message_id, state, at, detail, seq) SELECT id, 'sent', $5, upstream_id, NULL FROM s),
  q AS (DELETE FROM queue WHERE message_id IN (SELECT id FROM sel))
  SELECT id FROM sel`,
);

export const sentKind: BulkKind<PartSent, void> = {
  name: 'sent',
  oneStatement: true,
  async run(c: Client, items: PartSent[]): Promise<(void | Alone)[]> {
    const ids = new Set<string>();
    const keys = new Set<string>();
    const many = items.map((s) => {
      const key = s.keys[0];
      const fits = s.total === 1 && s.seq === 1 && !ids.has(s.id) && (key === undefined || !keys.has(key));
      ids.add(s.id);
      if (key !== undefined) keys.add(key);
      return fits;
    });
    const chosen = items.filter((_, i) => many[i]);
    if (chosen.length === 0) return items.map(() => ALONE);
    const { rows } = await c.query(
      SENT_MANY([
        chosen.map((s) => s.id),
        chosen.map((s) => s.connectorId),
        chosen.map((s) => s.upstreamId),
        chosen.map((s) => s.keys[0] ?? null),
        Date.now(),
      ]),
    );
    const done = new Set(rows.map((r: Row) => r.id as string));
    return items.map((s, i) => (many[i] && done.has(s.id) ? undefined : ALONE));
  },
};

/** Rows of `table` done with, by id: one DELETE for the batch, on a lane of its own. */
function deleteByIdKind(name: string, statement: string, table: string): BulkKind<number, void> {
  const many = prepared(statement, `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`);
  return {
    name,
    autocommit: true,
    async run(c: Client, ids: number[]): Promise<void[]> {
      await c.query(many([ids]));
      return ids.map(() => undefined);
    },
  };
}

/** Outbox items delivered. */
export const ackOutboxKind = deleteByIdKind('ackOutbox', 'ack_many', 'outbox');

/**
 * Webhook items delivered or dropped. In the main group they were single writes, and a turn
 * with one made the dispatcher's parts sent share its transaction (savepoints and all)
 * instead of running as their one statement.
 */
export const ackWebhookKind = deleteByIdKind('ackWebhook', 'webhook_ack_many', 'webhooks');

const WEBHOOK_LOG_MANY = prepared(
  'webhook_log_many',
  `INSERT INTO webhook_log (event_id, message_id, url, attempt, status, error, duration_ms, at)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::int[], $8::bigint[])`,
);

/** The webhook log's rows of a batch (each item the attempts of one turn) in one INSERT, on a lane of its own. */
export const webhookLogKind: BulkKind<WebhookAttempt[], void> = {
  name: 'webhookLog',
  autocommit: true,
  async run(c: Client, items: WebhookAttempt[][]): Promise<void[]> {
    const all = items.flat();
    const col = <T>(f: (e: WebhookAttempt) => T) => all.map(f);
    await c.query(
      WEBHOOK_LOG_MANY([
        col((e) => e.eventId),
        col((e) => e.messageId),
        col((e) => e.url),
        col((e) => e.attempt),
        col((e) => e.status),
        col((e) => e.error),
        col((e) => Math.round(e.durationMs)),
        col((e) => e.at),
      ]),
    );
    return items.map(() => undefined);
  },
};

/** The bulk kinds of the store's main group, in the order a batch runs them (receipts have a group of their own). */
export const BULK_KINDS = [acceptKind, sentKind, ackOutboxKind, ackWebhookKind, webhookLogKind];
