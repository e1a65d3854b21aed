/**
 * Delivery slots of the webhook sender: at most `perHost` attempts to one receiver
 * (host:port) and `perCustomer` for one account's webhooks at once, so one slow receiver, or
 * one customer's receivers, never hold every slot (docs/security.md). An item over a limit
 * waits here, still leased, for a slot in claim order: a burst to one fast receiver costs no
 * store writes. One that waited `maxWaitMs` (half its lease) is handed back instead: started
 * later, it could outlive its lease and be sent twice.
 */
import type { WebhookItem } from '../store/store.js';

export interface SlotLimits {
  perHost: number;
  perCustomer: number;
  /** Items waiting at most, beyond which one is handed back at once. */
  maxWaiting: number;
  maxWaitMs: number;
}

/** A slot taken; `release` gives it back and starts the waiters it lets in. */
export interface Slot {
  release(): void;
}

interface Waiter {
  w: WebhookItem;
  host: string;
  since: number;
  go: (slot: Slot | undefined) => void;
}

/** Running attempts per key. */
class Counts {
  private readonly n = new Map<string, number>();
  get(key: string): number {
    return this.n.get(key) ?? 0;
  }
  add(key: string, by: 1 | -1): void {
    const next = this.get(key) + by;
    if (next <= 0) this.n.delete(key);
    else this.n.set(key, next);
  }
}

export class DeliverySlots {
  private readonly waiting: Waiter[] = [];
  private readonly hosts = new Counts();
  private readonly owners = new Counts();
  /** The host of each URL seen (the sender's URL cache holds only URLs the guard passed). */
  private readonly hostOfUrl = new Map<string, string>();

  /** `open`: false once the sender stops; then every waiter is handed back. */
  constructor(
    private readonly limits: SlotLimits,
    private readonly open: () => boolean,
  ) {}

  /** Items waiting for a slot (they hold no slot of the sender's overall concurrency). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** A slot now, or once one of the host's (account's) attempts ends; undefined to hand the item back. */
  acquire(w: WebhookItem): Promise<Slot | undefined> {
    const host = this.hostOf(w.url);
    const slot = this.take(w, host);
    if (slot) return Promise.resolve(slot);
    if (!this.open() || this.waiting.length >= this.limits.maxWaiting) return Promise.resolve(undefined);
    return new Promise((go) => this.waiting.push({ w, host, since: Date.now(), go }));
  }

  /** Hands back the waiters that waited too long. */
  expire(): void {
    this.admit((e, now) => (now - e.since > this.limits.maxWaitMs ? 'late' : 'skip'));
  }

  /** Hands back every waiter (the sender stops). */
  drain(): void {
    this.admit(() => 'late');
  }

  private take(w: WebhookItem, host: string): Slot | undefined {
    if (this.hosts.get(host) >= this.limits.perHost) return undefined;
    if (w.owner && this.owners.get(w.owner) >= this.limits.perCustomer) return undefined;
    this.hosts.add(host, 1);
    if (w.owner) this.owners.add(w.owner, 1);
    return {
      release: () => {
        this.hosts.add(host, -1);
        if (w.owner) this.owners.add(w.owner, -1);
        // The waiters this slot may let in: its host's, and its account's. Once both are
        // full again no later waiter can start, so the walk stops there (a burst to one
        // receiver leaves hundreds waiting); the late ones beyond go back at the next expire().
        this.admit(
          (e, now) =>
            now - e.since > this.limits.maxWaitMs
              ? 'late'
              : e.host === host || (Boolean(w.owner) && e.w.owner === w.owner)
                ? 'try'
                : 'skip',
          () =>
            this.hosts.get(host) >= this.limits.perHost &&
            (!w.owner || this.owners.get(w.owner) >= this.limits.perCustomer),
        );
      },
    };
  }

  /**
   * Walks the waiters in claim order: hands back the late, starts those tried that fit;
   * stops early once `full` says no tried one could fit any more.
   */
  private admit(verdict: (e: Waiter, now: number) => 'late' | 'try' | 'skip', full?: () => boolean): void {
    if (this.waiting.length === 0) return;
    const now = Date.now();
    for (let i = 0; i < this.waiting.length;) {
      if (full?.()) return;
      const e = this.waiting[i];
      const v = this.open() ? verdict(e, now) : 'late';
      const slot = v === 'try' ? this.take(e.w, e.host) : undefined;
      if (v === 'skip' || (v === 'try' && !slot)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      e.go(slot);
    }
  }

  /** The host:port a URL goes to ('' when it is not a URL: the attempt will say why). */
  private hostOf(raw: string): string {
    let host = this.hostOfUrl.get(raw);
    if (host === undefined) {
      try {
        host = new URL(raw).host;
      } catch {
        host = '';
      }
      if (this.hostOfUrl.size >= 1000) this.hostOfUrl.clear();
      this.hostOfUrl.set(raw, host);
    }
    return host;
  }
}
