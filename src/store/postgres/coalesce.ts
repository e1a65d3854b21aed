/**
 * Reads (and self-contained deletes) asked for in one turn of the event loop, run as one
 * statement: each caller gets its own answer. Several callers a turn are common on the hot
 * path (an opt-out check per accepted message, a parked-receipt take per part sent), and a
 * statement costs a round trip whatever it carries.
 */
export class Coalescer<Q, A> {
  private waiting: { q: Q; resolve: (a: A) => void; reject: (e: unknown) => void }[] = [];

  /** `run` answers every question of a turn, in their order. */
  constructor(private readonly run: (qs: Q[]) => Promise<A[]>) {}

  ask(q: Q): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      if (this.waiting.push({ q, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    try {
      const answers = await this.run(waiting.map((w) => w.q));
      waiting.forEach((w, i) => w.resolve(answers[i]));
    } catch (err) {
      for (const w of waiting) w.reject(err);
    }
  }
}
