/**
 * Time and timers behind an interface, so that keepalive, window timeouts and
 * backoff can be tested with a fake clock instead of real waiting.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  setInterval(fn: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // One-shot timers keep the process alive: someone awaits what they end (a response
  // timeout, a reconnect). Periodic ones (keepalives, sweeps) do not.
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref?.();
    return { cancel: () => clearInterval(t) };
  },
};

/** A manual clock for tests: time moves only when `advance()` is called. */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void; every: number }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + ms, fn, every: 0 });
    return { cancel: () => void this.timers.delete(id) };
  }

  setInterval(fn: () => void, ms: number): Timer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + ms, fn, every: Math.max(1, ms) });
    return { cancel: () => void this.timers.delete(id) };
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at <= end && t.at < nextAt) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId < 0) break;
      const t = this.timers.get(nextId)!;
      this.time = t.at;
      if (t.every > 0) t.at += t.every;
      else this.timers.delete(nextId);
      t.fn();
    }
    this.time = end;
  }
}
