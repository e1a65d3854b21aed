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
  /** Started or handed back (it is then dropped from the queues as they are walked). */
  done: boolean;
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

/** Waiters per key (host, or account), each queue in claim order. */
class Queues {
  private readonly q = new Map<string, Waiter[]>();
  push(key: string, e: Waiter): void {
    const list = this.q.get(key);
    if (list) list.push(e);
    else this.q.set(key, [e]);
  }
  /** The key's waiters still waiting, in claim order (those done at its head are dropped). */
  of(key: string): Waiter[] {
    const list = this.q.get(key);
    if (!list) return [];
    let head = 0;
    while (head < list.length && list[head].done) head++;
    if (head === list.length) {
      this.q.delete(key);
      return [];
    }
    if (head > 0) list.splice(0, head);
    return list;
  }
}

export class DeliverySlots {
  /** Every waiter, in claim order. */
  private readonly waiting = new Set<Waiter>();
  private readonly byHost = new Queues();
  private readonly byOwner = new Queues();
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
    return this.waiting.size;
  }

  /** A slot now, or once one of the host's (account's) attempts ends; undefined to hand the item back. */
  acquire(w: WebhookItem): Promise<Slot | undefined> {
    const host = this.hostOf(w.url);
    const slot = this.take(w, host);
    if (slot) return Promise.resolve(slot);
    if (!this.open() || this.waiting.size >= this.limits.maxWaiting) return Promise.resolve(undefined);
    return new Promise((go) => {
      const e: Waiter = { w, host, since: Date.now(), go, done: false };
      this.waiting.add(e);
      this.byHost.push(host, e);
      if (w.owner) this.byOwner.push(w.owner, e);
    });
  }

  /** Hands back the waiters that waited too long. */
  expire(): void {
    const now = Date.now();
    // In claim order, so oldest first: the first that is not late ends the walk.
    for (const e of this.waiting) {
      if (now - e.since <= this.limits.maxWaitMs) return;
      this.finish(e, undefined);
    }
  }

  /** Hands back every waiter (the sender stops). */
  drain(): void {
    for (const e of this.waiting) this.finish(e, undefined);
  }

  private take(w: WebhookItem, host: string): Slot | undefined {
    if (this.hosts.get(host) >= this.limits.perHost) return undefined;
    if (w.owner && this.owners.get(w.owner) >= this.limits.perCustomer) return undefined;
    this.hosts.add(host, 1);
    if (w.owner) this.owners.add(w.owner, 1);
    return {
      release: () => {
        // Only a limit that was reached can have held waiters back: a host under its limit
        // holds none, whatever its waiters wait for is their account's room, and the other way round.
        const hostWasFull = this.hosts.get(host) >= this.limits.perHost;
        const ownerWasFull = Boolean(w.owner) && this.owners.get(w.owner) >= this.limits.perCustomer;
        this.hosts.add(host, -1);
        if (w.owner) this.owners.add(w.owner, -1);
        if (!this.open()) return this.drain();
        // The waiters this slot may let in: its host's, then its account's, each in claim
        // order, each walk stopping once its key is full again: a burst to one receiver leaves
        // hundreds waiting, and each ending attempt starts the next at once.
        if (hostWasFull) this.admit(this.byHost.of(host), () => this.hosts.get(host) >= this.limits.perHost);
        if (ownerWasFull)
          this.admit(this.byOwner.of(w.owner), () => this.owners.get(w.owner) >= this.limits.perCustomer);
      },
    };
  }

  /** Starts the waiters of `queue` that fit, in order, until `full`; hands back the late ones met. */
  private admit(queue: Waiter[], full: () => boolean): void {
    const now = Date.now();
    for (const e of queue) {
      if (full()) return;
      if (e.done) continue;
      if (now - e.since > this.limits.maxWaitMs) {
        this.finish(e, undefined);
        continue;
      }
      const slot = this.take(e.w, e.host);
      if (slot) this.finish(e, slot);
    }
  }

  private finish(e: Waiter, slot: Slot | undefined): void {
    e.done = true;
    this.waiting.delete(e);
    e.go(slot);
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
