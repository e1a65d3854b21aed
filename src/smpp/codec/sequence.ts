/**
 * sequence_number generator. SMPP 3.4 §5.1.4 allows 0x00000001–0x7FFFFFFF;
 * after the maximum it wraps to 1, never 0 and never negative (a long-lived session
 * outlives 2³¹ requests, and some peers reject 0 or a negative number).
 */
export const MAX_SEQUENCE = 0x7fffffff;

export class SequenceNumbers {
  private current: number;

  /** `start` is the first number `next()` returns. */
  constructor(start = 1) {
    this.current = start >= 1 && start <= MAX_SEQUENCE ? Math.floor(start) - 1 : 0;
  }

  next(): number {
    this.current = this.current >= MAX_SEQUENCE ? 1 : this.current + 1;
    return this.current;
  }
}
