/**
 * `resendAsSms` on SQLite (docs/mms.md, "Fallback after a refusal"): an MMS a connector
 * refused goes out under its own id as the SMS with media links, recharged as SMS. Run
 * inside the store's write transaction; a rare write, so its statements are prepared as used.
 */
import type Database from 'better-sqlite3';
import { FINAL_STATES, smsOf, type MessageMeta, type MessageState } from '../../domain/index.js';
import type { ResendOutcome, SmsResend } from '../store.js';
import type { SqliteMoney } from './money.js';

interface Row {
  user_id: number;
  state: MessageState;
  price_micros: number;
  meta: string;
}

/** The MMS's refund, the SMS's charge and the rewrite, or why not (nothing written then). */
export function resendAsSms(
  db: Database.Database,
  money: SqliteMoney,
  r: SmsResend,
  now: number,
): ResendOutcome {
  const m = db.prepare('SELECT user_id, state, price_micros, meta FROM messages WHERE id = ?').get(r.id) as
    Row | undefined;
  if (!m || FINAL_STATES.has(m.state)) return 'too_late';
  if (db.prepare('SELECT 1 FROM queue WHERE message_id = ?').get(r.id) === undefined) return 'too_late';
  const sent = db
    .prepare(
      "SELECT 1 FROM message_parts WHERE message_id = ? AND (upstream_id IS NOT NULL OR state NOT IN ('queued', 'accepted'))",
    )
    .get(r.id);
  if (sent !== undefined) return 'too_late';
  const old = JSON.parse(m.meta) as MessageMeta;
  const oldSms = smsOf({ meta: old });
  const u = db.prepare('SELECT balance_micros, sms_count FROM users WHERE id = ?').get(m.user_id) as
    { balance_micros: number; sms_count: number | null } | undefined;
  if (!u) return 'too_late';
  if (
    u.balance_micros + m.price_micros < r.priceMicros ||
    (u.sms_count !== null && u.sms_count + oldSms < r.segments)
  )
    return 'insufficient';
  const campaign = old.campaign;
  money.refund({
    userId: m.user_id,
    price: m.price_micros,
    sms: oldSms,
    messageId: r.id,
    campaign,
    reason: 'sms_link',
    note: r.detail,
    at: now,
  });
  // The SMS's charge: no low-balance crossing is told (the SMS costs less than the MMS it replaces).
  const debit = db
    .prepare(
      `UPDATE users SET balance_micros = balance_micros - @price,
         sms_count = CASE WHEN sms_count IS NULL THEN NULL ELSE sms_count - @sms END
       WHERE id = @id RETURNING balance_micros, sms_count`,
    )
    .get({ price: r.priceMicros, sms: r.segments, id: m.user_id }) as {
    balance_micros: number;
    sms_count: number | null;
  };
  money.entry({
    userId: m.user_id,
    at: now,
    kind: 'charge',
    amountMicros: -r.priceMicros,
    balanceMicros: debit.balance_micros,
    sms: debit.sms_count === null ? 0 : -r.segments,
    messageId: r.id,
    campaign: campaign ?? null,
    reason: 'sms_link',
    note: r.detail,
  });
  db.prepare(
    `UPDATE messages SET body = ?, data_coding = ?, esm_class = ?, meta = ?, price_micros = ?,
       connector_id = ?, updated_at = ? WHERE id = ?`,
  ).run(r.body, r.dataCoding, r.esmClass, JSON.stringify(r.meta), r.priceMicros, r.connectorId, now, r.id);
  // Its part rows (an MMS's one, none accepted upstream) go: the SMS is split afresh.
  db.prepare('DELETE FROM message_parts WHERE message_id = ?').run(r.id);
  db.prepare(
    'UPDATE queue SET connector_id = ?, not_before = ?, delayed = 0, lease_until = 0, attempts = 0 WHERE message_id = ?',
  ).run(r.connectorId, now, r.id);
  db.prepare("INSERT INTO message_events (message_id, state, at, detail) VALUES (?, 'queued', ?, ?)").run(
    r.id,
    now,
    r.detail,
  );
  return 'resent';
}
