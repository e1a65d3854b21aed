/** Events per second over a sliding window of whole seconds (for status pages). */
export class RateMeter {
  private readonly buckets: number[];
  private second = 0;

  constructor(private readonly seconds = 10) {
    this.buckets = new Array<number>(seconds).fill(0);
  }

  private roll(now: number): void {
    const s = Math.floor(now / 1000);
    if (s - this.second >= this.seconds) this.buckets.fill(0);
    else for (let t = this.second + 1; t <= s; t++) this.buckets[t % this.seconds] = 0;
    this.second = Math.max(this.second, s);
  }

  add(now = Date.now()): void {
    this.roll(now);
    this.buckets[Math.floor(now / 1000) % this.seconds]++;
  }

  perSecond(now = Date.now()): number {
    this.roll(now);
    return this.buckets.reduce((a, b) => a + b, 0) / this.seconds;
  }
}
