/**
 * The account rules both stores apply inside their transactions: what a message takes from
 * the SMS-count quota, what a top-up may do, and what a partial failure gives back. Pure:
 * the stores read the rows, ask these, and write the answer.
 */
import { InvalidAccountError } from './account.js';
import { InvalidAmountError } from './money.js';

/**
 * The largest balance (micros) and SMS count an account may hold: sums beyond
 * Number.MAX_SAFE_INTEGER would no longer add exactly (issue 13 item 9: two credits of
 * 9,000,000,000 made the balance unreadable and /v1/admin/users answer 500).
 */
export const MAX_BALANCE_MICROS = Number.MAX_SAFE_INTEGER;
export const MAX_SMS_COUNT = Number.MAX_SAFE_INTEGER;
import type { MessageMeta } from './message.js';

/** What a message takes from a limited SMS-count quota: its charged segments (default 1). */
export function smsOf(m: { meta?: MessageMeta }): number {
  return m.meta?.segments ?? 1;
}

/** A top-up's amounts, each defaulting to 0; InvalidAccountError unless both are integers. */
export function topUpAmounts(add: { balanceMicros?: number; smsCount?: number }): {
  balanceMicros: number;
  smsCount: number;
} {
  const balanceMicros = add.balanceMicros ?? 0;
  const smsCount = add.smsCount ?? 0;
  if (!Number.isSafeInteger(balanceMicros) || !Number.isSafeInteger(smsCount))
    throw new InvalidAccountError('top-up amounts must be integers');
  return { balanceMicros, smsCount };
}

/**
 * An account after a top-up: amounts added (negative ones take credit back), an unlimited
 * quota (null) stays unlimited. Neither may go below zero: InvalidAccountError, nothing
 * changed.
 */
export function afterTopUp(
  account: { balanceMicros: number; smsCount: number | null },
  add: { balanceMicros: number; smsCount: number },
): { balanceMicros: number; smsCount: number | null } {
  const balanceMicros = account.balanceMicros + add.balanceMicros;
  if (!(balanceMicros <= MAX_BALANCE_MICROS))
    throw new InvalidAmountError(
      add.balanceMicros,
      `the balance would exceed ${MAX_BALANCE_MICROS} micros (${account.balanceMicros} + ${add.balanceMicros})`,
    );
  if (balanceMicros < 0)
    throw new InvalidAccountError(
      `balance would go below zero (${account.balanceMicros} + ${add.balanceMicros})`,
    );
  if (account.smsCount === null) return { balanceMicros, smsCount: null };
  const smsCount = account.smsCount + add.smsCount;
  if (!(smsCount <= MAX_SMS_COUNT))
    throw new InvalidAmountError(add.smsCount, `the SMS count would exceed ${MAX_SMS_COUNT}`);
  if (smsCount < 0)
    throw new InvalidAccountError(`SMS count would go below zero (${account.smsCount} + ${add.smsCount})`);
  return { balanceMicros, smsCount };
}

/** What the parts of a message that never reached the SMSC give back: their share of the price and of the SMS count. */
export function unsentRefund(
  m: { priceMicros: number; sms: number },
  parts: { unsent: number; total: number },
): { priceMicros: number; sms: number } {
  return {
    priceMicros: Math.round((m.priceMicros * parts.unsent) / parts.total),
    sms: Math.round((m.sms * parts.unsent) / parts.total),
  };
}
