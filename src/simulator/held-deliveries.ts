/**
 * The deliver_sm the simulator could not hand over yet (no receiver bound, held on purpose,
 * or not acknowledged), per systemId and in order, and one redelivery timer per systemId,
 * as an SMSC retries.
 */
import type { PduOf } from '../smpp/index.js';
import type { Clock, Timer } from '../lib/clock.js';

type DeliverSm = PduOf<'deliver_sm'>;

export class HeldDeliveries {
  private readonly held = new Map<string, DeliverSm[]>();
  private readonly timers = new Map<string, Timer>();

  constructor(private readonly clock: Clock) {}

  hold(systemId: string, pdu: DeliverSm): void {
    const q = this.held.get(systemId);
    if (q) q.push(pdu);
    else this.held.set(systemId, [pdu]);
  }

  /** The systemIds something is held for. */
  systemIds(): string[] {
    return [...this.held.keys()];
  }

  /** Everything held for `systemId`, in order; it is no longer held. */
  take(systemId: string): DeliverSm[] {
    const q = this.held.get(systemId) ?? [];
    this.held.delete(systemId);
    return q;
  }

  /** Runs `fn` after `ms`, unless a timer of `systemId` is already waiting. */
  later(systemId: string, ms: number, fn: () => void): void {
    if (this.timers.has(systemId)) return;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(systemId);
      fn();
    }, ms);
    this.timers.set(systemId, timer);
  }

  /** Cancels every waiting timer (the simulator closes). */
  cancel(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
