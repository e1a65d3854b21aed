/**
 * The pace of a client's submits: a configured limit (`throughput`), lowered when the SMSC
 * answers ESME_RTHROTTLED and raised again while it accepts.
 *
 * - A cut is 10 % of the pace, at most one per `CUT_EVERY_MS` and only for a request sent
 *   after the last cut: an SMSC counts submits per second or in a token bucket, so it goes
 *   on refusing for a while after the client slowed down, and every refusal of that while
 *   is the same signal. Cut once per round trip (the rule before), a window of refusals a
 *   millisecond apart cut the pace to a seventh of the SMSC's limit.
 * - The first cut starts from what the SMSC accepted in the current busy spell: its
 *   acceptances of the last second over the part of it the spell lasted (at least
 *   `CUT_EVERY_MS`). A burst after an idle spell is not taken for a trickle, nor a window
 *   sent in its first millisecond for the pace: an SMSC's allowance (a token bucket's
 *   burst, a second's quota) is what it accepted of that window.
 * - While the SMSC accepts, the pace grows by `GROWTH_PER_S` of itself per second, at any
 *   pace: after a deep cut it is back in seconds, not minutes, and near the limit it
 *   probes above it about once a second.
 */
import type { Clock } from '../../lib/clock.js';
import { TokenBucket } from '../session/token-bucket.js';

/** At most one cut per this many ms (an SMSC's refusals keep coming for a while after a cut). */
export const CUT_EVERY_MS = 100;
/** How much of its pace a cut takes away. */
const CUT = 0.1;
/** How much of itself the pace grows per second while the SMSC accepts. */
export const GROWTH_PER_S = 0.15;
/** Width of a slot of the sliding send count, in ms (10 slots make the last second). */
const SLOT_MS = 100;

export class AdaptivePace {
  private bucket: TokenBucket | undefined;
  /**
   * Paced sends and accepted sends per 100 ms slot over the last second (a sliding window,
   * so idle time never dilutes it); counted only until the first cut, the one that reads them.
   */
  private readonly sendSlots = new Uint32Array(10);
  private readonly acceptSlots = new Uint32Array(10);
  private slotTime: number;
  private lastCutAt = -Infinity;

  constructor(
    private readonly clock: Clock,
    /** The configured limit (Infinity: none, until the SMSC throttles). */
    private readonly maxRate: number,
  ) {
    if (Number.isFinite(maxRate)) this.bucket = new TokenBucket(maxRate, undefined, clock);
    this.slotTime = Math.floor(clock.now() / SLOT_MS);
  }

  /** The current pace in submits per second (Infinity when unlimited and never throttled). */
  get rate(): number {
    return this.bucket?.rate ?? Infinity;
  }

  /** Waits for the pace to allow one more send, and counts it. */
  async take(): Promise<void> {
    if (this.bucket) return this.bucket.take();
    this.count(this.sendSlots);
  }

  /** The SMSC accepted a paced request: the pace grows, up to the configured limit. */
  accepted(): void {
    if (!this.bucket) return this.count(this.acceptSlots);
    if (this.bucket.rate >= this.maxRate) return;
    // GROWTH_PER_S of the pace per second is this much per accepted request at that pace.
    this.bucket.setRate(Math.min(this.maxRate, this.bucket.rate + GROWTH_PER_S));
  }

  /**
   * The SMSC throttled a request sent at `sentAt`: the pace is cut, when this is a new
   * signal (returns the new pace), else undefined and the request waits its turn to retry.
   */
  throttled(sentAt: number): number | undefined {
    const now = this.clock.now();
    if (sentAt < this.lastCutAt || now < this.lastCutAt + CUT_EVERY_MS) return undefined;
    const current = this.bucket ? this.bucket.rate : this.spellRate();
    const next = Math.max(1, current * (1 - CUT));
    this.lastCutAt = now;
    if (this.bucket) this.bucket.setRate(next);
    else this.bucket = new TokenBucket(next, undefined, this.clock);
    return next;
  }

  /** Milliseconds until the pace allows a send (a throttled request's wait before its retry). */
  delayMs(): number {
    return this.bucket?.delayMs() ?? 0;
  }

  /**
   * What the SMSC accepted in the busy spell of the last second, per second of the spell
   * (at least CUT_EVERY_MS long); what was sent, when it accepted nothing.
   */
  private spellRate(): number {
    this.advanceSlots();
    let sent = 0;
    let accepted = 0;
    let slots = 0;
    for (let back = 0; back < 10; back++) {
      const slot = (this.slotTime - back + 10) % 10;
      if (this.sendSlots[slot] === 0 && sent > 0) break;
      sent += this.sendSlots[slot]!;
      accepted += this.acceptSlots[slot]!;
      slots = back + 1;
    }
    const spellMs = Math.max(CUT_EVERY_MS, slots * SLOT_MS);
    // Nothing accepted (the SMSC refuses all for now): the pace it found too fast.
    return Math.max(1, ((accepted > 0 ? accepted : sent) * 1000) / spellMs);
  }

  /** One more in the current slot of `slots`. */
  private count(slots: Uint32Array): void {
    this.advanceSlots();
    slots[this.slotTime % 10]!++;
  }

  /** Moves the sliding window to now, clearing the slots that fell out of it. */
  private advanceSlots(): void {
    const slot = Math.floor(this.clock.now() / SLOT_MS);
    if (slot - this.slotTime >= 10) {
      this.sendSlots.fill(0);
      this.acceptSlots.fill(0);
    } else
      for (let t = this.slotTime + 1; t <= slot; t++) {
        this.sendSlots[t % 10] = 0;
        this.acceptSlots[t % 10] = 0;
      }
    this.slotTime = Math.max(this.slotTime, slot);
  }
}
