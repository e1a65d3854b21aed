/**
 * The window of outstanding requests (SMPP 3.4 §2.7 "asynchronous" operation): at most
 * `size` requests await their response; a caller beyond that waits for credit in FIFO
 * order and never overruns the window.
 */
export class Window {
  private used = 0;
  private readonly waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`window size must be at least 1, got ${size}`);
  }

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes one slot when free; else undefined (the caller then awaits `acquire`). */
  tryAcquire(): boolean {
    if (this.used < this.size) {
      this.used++;
      return true;
    }
    return false;
  }

  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next)
      next.resolve(); // the slot passes straight to the next waiter
    else if (this.used > 0) this.used--;
  }

  /** Fails every waiter (the session is closing); slots in use are released by their owners. */
  rejectWaiters(err: unknown): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}
