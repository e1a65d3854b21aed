/**
 * MT message states, the transitions allowed between them, and the aggregate state of a
 * multipart message (DESIGN.md, "The message pipeline"; research Checklist 1 rows 4, 8, 22).
 *
 *   accepted → queued → sent → delivered | undelivered | expired | rejected
 *                 ↘ unknown ↗        (ambiguous submit: no submit_sm_resp before the timer)
 *   failed: Hermod gave up without an SMSC verdict (permanent error, retries exhausted).
 *   canceled: the customer took it back before it went out (cancel_sm, REST cancel).
 *
 * `unknown` is not in the first list of the design page: the research (Synthesis table,
 * rows 4, 5 and 8) needs it for a submit whose response never came and for a receipt with
 * stat UNKNOWN. It is not final: a late response, a requeue or a receipt moves it on.
 *
 * `partially_delivered` exists only as an aggregate (see `aggregateState`); a part never
 * takes it.
 */
import { HermodError } from '../lib/errors.js';

export const MT_STATES = [
  'accepted',
  'queued',
  'sent',
  'unknown',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'partially_delivered',
  'canceled',
] as const;

export type MtState = (typeof MT_STATES)[number];

/** The state of one segment (part) of a message. */
export type PartState = Exclude<MtState, 'partially_delivered'>;

export const MT_FINAL_STATES: ReadonlySet<MtState> = new Set<MtState>([
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'partially_delivered',
  'canceled',
]);

export const isFinalState = (s: MtState): boolean => MT_FINAL_STATES.has(s);

/**
 * Allowed transitions of a part, and of a single-part message. A state listed under itself
 * is a repeat that is still recorded in the history (a requeue after a transient error, an
 * intermediate receipt such as ENROUTE or ACCEPTD). Final states have no way out: a late
 * receipt for a delivered message is refused, which also makes re-applying one harmless.
 */
export const MT_TRANSITIONS: { readonly [S in MtState]: readonly MtState[] } = {
  accepted: ['queued', 'rejected', 'failed', 'expired', 'canceled'],
  queued: ['queued', 'sent', 'unknown', 'rejected', 'failed', 'expired', 'canceled'],
  unknown: ['unknown', 'queued', 'sent', 'delivered', 'undelivered', 'expired', 'rejected', 'failed'],
  sent: ['sent', 'unknown', 'delivered', 'undelivered', 'expired', 'rejected'],
  delivered: [],
  undelivered: [],
  expired: [],
  rejected: [],
  failed: [],
  partially_delivered: [],
  canceled: [],
};

export function canTransition(from: MtState, to: MtState): boolean {
  return MT_TRANSITIONS[from].includes(to);
}

export class InvalidTransitionError extends HermodError {
  constructor(
    readonly from: MtState,
    readonly to: MtState,
  ) {
    super('HERMOD_ERR_INVALID_TRANSITION', `a message cannot go from "${from}" to "${to}"`);
  }
}

/** Throws InvalidTransitionError unless `from → to` is in MT_TRANSITIONS. */
export function assertTransition(from: MtState, to: MtState): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/** One entry of a message's timeline. `seq` is the part (1-based), null for the whole message. */
export interface StateChange {
  state: MtState;
  /** Milliseconds since the epoch. */
  at: number;
  seq: number | null;
  detail: string | null;
}

/** Returns a new history with `to` appended, after checking the transition from the last state. */
export function appendTransition(
  history: readonly StateChange[],
  to: MtState,
  at: number,
  detail: string | null = null,
  seq: number | null = null,
): StateChange[] {
  const last = [...history].reverse().find((c) => c.seq === seq);
  if (last) assertTransition(last.state, to);
  return [...history, { state: to, at, seq, detail }];
}

/** Order of the states a message passes while in flight; the least advanced part wins. */
const IN_FLIGHT_ORDER: readonly PartState[] = ['accepted', 'queued', 'unknown', 'sent'];

/** When no part was delivered, the aggregate is the first of these held by any part. */
const FAILURE_PRECEDENCE: readonly PartState[] = ['undelivered', 'expired', 'rejected', 'failed', 'canceled'];

/**
 * The state of a message from the states of its parts:
 * - while any part is in flight (accepted, queued, unknown, sent): the least advanced of
 *   those, in the order accepted < queued < unknown < sent. A multipart message is "sent"
 *   only when every part still in flight is sent;
 * - when every part is final: `delivered` if all were delivered, `partially_delivered` if
 *   some were, otherwise the first failure state held by a part, in the order
 *   undelivered, expired, rejected, failed, canceled (the SMSC's verdict before ours).
 * A message with no parts is `accepted`. A single part's state is the message's state.
 */
export function aggregateState(parts: readonly { state: PartState }[]): MtState {
  if (parts.length === 0) return 'accepted';
  const inFlight = parts.filter((p) => !isFinalState(p.state));
  if (inFlight.length > 0) {
    let least = IN_FLIGHT_ORDER.length - 1;
    for (const p of inFlight) least = Math.min(least, IN_FLIGHT_ORDER.indexOf(p.state));
    return IN_FLIGHT_ORDER[least];
  }
  const delivered = parts.filter((p) => p.state === 'delivered').length;
  if (delivered === parts.length) return 'delivered';
  if (delivered > 0) return 'partially_delivered';
  return FAILURE_PRECEDENCE.find((s) => parts.some((p) => p.state === s)) ?? 'failed';
}
