/**
 * `resendAsSms` on PostgreSQL (docs/mms.md, "Fallback after a refusal"): an MMS a connector
 * refused goes out under its own id as the SMS with media links, recharged as SMS. Run in
 * the store's write transaction (a rare write: a plain one of the group commit, like cancel).
 */
import type pg from 'pg';
import { FINAL_STATES, smsOf, type MessageMeta, type MessageState } from '../../domain/index.js';
import type { ResendOutcome, SmsResend } from '../store.js';
import { creditWithEntry } from './money.js';
import { num, type Row } from './rows.js';

/** The SMS's charge and its ledger entry in one statement (no low-balance crossing is told: the SMS costs less than the MMS). */
const RESEND_DEBIT = `WITH d AS (
    UPDATE users SET balance_micros = balance_micros - $1, sms_count = sms_count - $3
    WHERE id = $2 RETURNING id, balance_micros, sms_count)
  INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, sms, message_id, campaign, reason, note)
  SELECT id, $4, 'charge', -$1, balance_micros, CASE WHEN sms_count IS NULL THEN 0 ELSE -$3 END, $5, $6, 'sms_link', $7 FROM d`;

/** The MMS's refund, the SMS's charge and the rewrite, or why not (nothing written then). */
export async function resendAsSms(
  c: Pick<pg.PoolClient, 'query'>,
  r: SmsResend,
  now: number,
): Promise<ResendOutcome> {
  const m = (
    await c.query('SELECT user_id, state, price_micros, meta FROM messages WHERE id = $1 FOR UPDATE', [r.id])
  ).rows[0] as Row | undefined;
  if (!m || FINAL_STATES.has(m.state as MessageState)) return 'too_late';
  const queued = await c.query('SELECT 1 FROM queue WHERE message_id = $1 FOR UPDATE', [r.id]);
  if (queued.rowCount === 0) return 'too_late';
  const sent = await c.query(
    "SELECT 1 FROM message_parts WHERE message_id = $1 AND (upstream_id IS NOT NULL OR state NOT IN ('queued', 'accepted'))",
    [r.id],
  );
  if ((sent.rowCount ?? 0) > 0) return 'too_late';
  const old = JSON.parse((m.meta as string | undefined) ?? '{}') as MessageMeta;
  const oldSms = smsOf({ meta: old });
  const oldPrice = num(m.price_micros);
  const u = (
    await c.query('SELECT balance_micros, sms_count FROM users WHERE id = $1 FOR UPDATE', [m.user_id])
  ).rows[0] as Row | undefined;
  if (!u) return 'too_late';
  if (
    num(u.balance_micros) + oldPrice < r.priceMicros ||
    (u.sms_count !== null && num(u.sms_count) + oldSms < r.segments)
  )
    return 'insufficient';
  const campaign = old.campaign ?? null;
  await creditWithEntry(c, {
    userId: m.user_id,
    amount: oldPrice,
    sms: oldSms,
    at: now,
    kind: 'refund',
    messageId: r.id,
    campaign,
    reason: 'sms_link',
    note: r.detail,
  });
  await c.query(RESEND_DEBIT, [r.priceMicros, m.user_id, r.segments, now, r.id, campaign, r.detail]);
  await c.query(
    `UPDATE messages SET body = $1, data_coding = $2, esm_class = $3, meta = $4, price_micros = $5,
       connector_id = $6, updated_at = $7 WHERE id = $8`,
    [r.body, r.dataCoding, r.esmClass, JSON.stringify(r.meta), r.priceMicros, r.connectorId, now, r.id],
  );
  // Its part rows (an MMS's one, none accepted upstream) go: the SMS is split afresh.
  await c.query('DELETE FROM message_parts WHERE message_id = $1', [r.id]);
  await c.query(
    `UPDATE queue SET connector_id = $1, not_before = $2, delayed = 0, lease_until = 0, attempts = 0, claimed_by = NULL
     WHERE message_id = $3`,
    [r.connectorId, now, r.id],
  );
  await c.query("INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, 'queued', $2, $3)", [
    r.id,
    now,
    r.detail,
  ]);
  return 'resent';
}
