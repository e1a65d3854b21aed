/**
 * Reassembly of inbound concatenated parts (3GPP TS 23.040 §9.2.3.24.1), keyed by
 * source, destination and reference. Parts may arrive out of order or twice (the
 * duplicate is ignored); a group still missing parts after `timeoutMs` is released
 * as incomplete with what it has, so nothing received is ever dropped silently.
 */
import { systemClock, type Clock, type Timer } from '../../lib/clock.js';

export interface InboundPart<T = Buffer> {
  source: string;
  destination: string;
  ref: number;
  total: number;
  seq: number;
  body: T;
}

export interface Reassembled<T = Buffer> {
  key: string;
  source: string;
  destination: string;
  ref: number;
  total: number;
  complete: boolean;
  /** The parts present, in sequence order. */
  parts: { seq: number; body: T }[];
  /** Sequence numbers never received (empty when complete). */
  missing: number[];
  /** Whether a duplicate part was seen (and ignored). */
  duplicates: number;
}

interface Group<T> {
  source: string;
  destination: string;
  ref: number;
  total: number;
  bodies: Map<number, T>;
  duplicates: number;
  timer: Timer;
}

export interface ReassemblerOptions<T> {
  timeoutMs: number;
  clock?: Clock;
  /** Called with a group released incomplete (timeout or eviction). */
  onIncomplete?: (group: Reassembled<T>) => void;
  /** Open groups kept at most; the oldest is released incomplete beyond it. Default 10,000. */
  maxGroups?: number;
}

export class Reassembler<T = Buffer> {
  private readonly groups = new Map<string, Group<T>>();
  private readonly clock: Clock;
  private readonly maxGroups: number;

  constructor(private readonly opts: ReassemblerOptions<T>) {
    this.clock = opts.clock ?? systemClock;
    this.maxGroups = opts.maxGroups ?? 10_000;
  }

  get openGroups(): number {
    return this.groups.size;
  }

  /** Adds a part; returns the whole message when this part completes it. */
  add(part: InboundPart<T>): Reassembled<T> | undefined {
    if (part.total <= 1) {
      return this.result(
        `${part.source}|${part.destination}|${part.ref}`,
        { ...part, bodies: new Map([[1, part.body]]), duplicates: 0 },
        true,
      );
    }
    const key = `${part.source}|${part.destination}|${part.ref}|${part.total}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      if (this.groups.size >= this.maxGroups) this.expire(this.groups.keys().next().value as string);
      g = {
        source: part.source,
        destination: part.destination,
        ref: part.ref,
        total: part.total,
        bodies: new Map(),
        duplicates: 0,
        timer: this.clock.setTimeout(() => this.expire(key), this.opts.timeoutMs),
      };
      this.groups.set(key, g);
    }
    if (part.seq < 1 || part.seq > g.total) return undefined;
    if (g.bodies.has(part.seq)) {
      g.duplicates++;
      return undefined;
    }
    g.bodies.set(part.seq, part.body);
    if (g.bodies.size < g.total) return undefined;
    g.timer.cancel();
    this.groups.delete(key);
    return this.result(key, g, true);
  }

  /** Releases every open group as incomplete (e.g. at shutdown). */
  flush(): Reassembled<T>[] {
    return [...this.groups.keys()].map((k) => this.expire(k)!).filter(Boolean);
  }

  private expire(key: string): Reassembled<T> | undefined {
    const g = this.groups.get(key);
    if (g === undefined) return undefined;
    g.timer.cancel();
    this.groups.delete(key);
    const r = this.result(key, g, false);
    this.opts.onIncomplete?.(r);
    return r;
  }

  private result(key: string, g: Omit<Group<T>, 'timer'>, complete: boolean): Reassembled<T> {
    const parts = [...g.bodies.entries()].sort((a, b) => a[0] - b[0]).map(([seq, body]) => ({ seq, body }));
    const missing: number[] = [];
    for (let s = 1; s <= g.total; s++) if (!g.bodies.has(s)) missing.push(s);
    return {
      key,
      source: g.source,
      destination: g.destination,
      ref: g.ref,
      total: g.total,
      complete: complete && missing.length === 0,
      parts,
      missing,
      duplicates: g.duplicates,
    };
  }
}
