/**
 * Whether a part found under a receipt's keys is the receipt's own. A match through
 * another rendering of the id (hex read as decimal, "00000010" as 0x10 or as 10) is taken
 * only while that part still waits for its receipt: a receipt that overtakes its own
 * submit_sm_resp would otherwise land on an older, finished part whose id reads the same
 * in the other base, and be lost there; parked instead, it is applied when its own part
 * is stored. Pure: both stores decide with it inside their transaction.
 */
import { normalizeMessageId } from '../smpp/index.js';
import { FINAL_STATES } from './message.js';
import type { PartState } from './state.js';

export function isOwnPart(
  found: { exact?: boolean; part?: { upstreamId: string | null; state: PartState } },
  receiptId: string,
): boolean {
  const part = found.part;
  // Under its own canonical form: its own, also when it is a second id of the part (a late
  // submit_sm_resp and a resend both accepted).
  if (
    found.exact === true ||
    !part ||
    part.upstreamId === null ||
    normalizeMessageId(part.upstreamId) === normalizeMessageId(receiptId)
  )
    return true;
  return !FINAL_STATES.has(part.state);
}
