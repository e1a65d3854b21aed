/**
 * A token bucket for throughput limits: `rate` tokens per second, bursts up to
 * `burst`. `take()` resolves when a token is available; `tryTake()` never waits
 * (a server answers ESME_RTHROTTLED instead of waiting).
 */
import { systemClock, type Clock } from '../../lib/clock.js';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private rateValue: number;

  constructor(
    rate: number,
    readonly burst: number = Math.max(1, Math.ceil(rate / 10)),
    private readonly clock: Clock = systemClock,
  ) {
    this.rateValue = rate;
    this.tokens = burst;
    this.last = clock.now();
  }

  get rate(): number {
    return this.rateValue;
  }

  /** Changes the rate (adaptive throttling), keeping the tokens earned so far. */
  setRate(rate: number): void {
    this.refill();
    this.rateValue = Math.max(0.1, rate);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rateValue);
    this.last = now;
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token is available (0 when one is). */
  delayMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rateValue) * 1000);
  }

  async take(): Promise<void> {
    for (;;) {
      if (this.tryTake()) return;
      const ms = this.delayMs();
      await new Promise<void>((r) => this.clock.setTimeout(r, Math.max(1, ms)));
    }
  }
}
