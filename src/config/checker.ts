/**
 * The configuration's validator: a Checker that records every problem with its key path
 * instead of stopping at the first, and the route filter keys MT and MO routes share. Used by
 * the YAML loader (load.ts) and by definitions changed through the admin API (validate.ts),
 * so the two can never disagree.
 */
import { compilePattern, isCountryCode, type TimeWindow } from '../domain/index.js';
import type { ConfigIssue } from './schema.js';

export type Obj = Record<string, unknown>;

/** A small validator that records every problem with its path instead of stopping at the first. */
export class Checker {
  readonly issues: ConfigIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  obj(v: unknown, path: string, allowed: readonly string[]): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return this.fail(path, `expected a mapping, got ${describe(v)}`);
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) {
        const near = allowed.find((a) => distance(a, k) <= 2);
        this.fail(`${path}.${k}`, `unknown key${near ? ` (did you mean "${near}"?)` : ''}`);
      }
    }
    return v as Obj;
  }

  str(o: Obj, key: string, path: string, def?: string): string | undefined {
    const v = o[key];
    if (v === undefined) return def ?? this.fail(`${path}.${key}`, 'is required');
    if (typeof v !== 'string' || v === '')
      return this.fail(`${path}.${key}`, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }

  num(
    o: Obj,
    key: string,
    path: string,
    opts: { def?: number; min?: number; max?: number; int?: boolean } = {},
  ): number | undefined {
    const v = o[key];
    if (v === undefined) return opts.def ?? this.fail(`${path}.${key}`, 'is required');
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!opts.int || Number.isInteger(v)) &&
      (opts.min === undefined || v >= opts.min) &&
      (opts.max === undefined || v <= opts.max);
    if (!ok) {
      const range =
        opts.min !== undefined || opts.max !== undefined ? ` ${opts.min ?? '-∞'}..${opts.max ?? '∞'}` : '';
      return this.fail(
        `${path}.${key}`,
        `expected ${opts.int ? 'an integer' : 'a number'}${range}, got ${describe(v)}`,
      );
    }
    return v as number;
  }

  bool(o: Obj, key: string, path: string, def: boolean): boolean {
    const v = o[key];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') {
      this.fail(`${path}.${key}`, `expected true or false, got ${describe(v)}`);
      return def;
    }
    return v;
  }

  list(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.fail(`${path}.${key}`, `expected a list, got ${describe(v)}`);
      return [];
    }
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[], def?: T): T | undefined {
    const v = o[key] ?? def;
    if (v === undefined) return this.fail(`${path}.${key}`, `is required (one of ${values.join(', ')})`);
    if (!values.includes(v as T))
      return this.fail(`${path}.${key}`, `expected one of ${values.join(', ')}, got ${describe(v)}`);
    return v as T;
  }
}

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Route filter keys shared by MT and MO routes. */
export class Filters {
  constructor(private readonly c: Checker) {}

  /** A list of non-empty strings, or undefined when the key is absent. */
  strings(o: Obj, key: string, path: string): string[] | undefined {
    if (o[key] === undefined) return undefined;
    const out: string[] = [];
    this.c.list(o, key, path).forEach((v, j) => {
      if ((typeof v !== 'string' && typeof v !== 'number') || String(v) === '')
        this.c.fail(`${path}.${key}[${j}]`, `expected a non-empty string, got ${describe(v)}`);
      else out.push(String(v));
    });
    return out;
  }

  /** ISO 3166 alpha-2 country codes (upper-cased), or undefined when the key is absent. */
  countries(o: Obj, path: string): string[] | undefined {
    return this.strings(o, 'countries', path)?.map((v, j) => {
      const code = v.toUpperCase();
      if (!isCountryCode(code))
        this.c.fail(
          `${path}.countries[${j}]`,
          `expected an ISO 3166 alpha-2 country code such as "IT", got ${describe(v)}`,
        );
      return code;
    });
  }

  /** A regular expression (JavaScript syntax, Unicode mode, "/…/i" for flags), checked by compiling it. */
  regex(o: Obj, key: string, path: string): string | undefined {
    if (o[key] === undefined) return undefined;
    const v = this.c.str(o, key, path);
    if (v === undefined) return undefined;
    try {
      compilePattern(v);
      return v;
    } catch (err) {
      return this.c.fail(`${path}.${key}`, `not a valid regular expression: ${(err as Error).message}`);
    }
  }

  prefixes(o: Obj, path: string): string[] {
    return this.c.list(o, 'prefixes', path).map((v, j) => {
      const s = String(v).replace(/^\+/, '');
      if (!/^\d+$/.test(s)) this.c.fail(`${path}.prefixes[${j}]`, `expected digits, got ${describe(v)}`);
      return s;
    });
  }

  /** `{ hours: "08:00-20:00", days: [mon-fri, sat], timeZone: Europe/Rome }` */
  timeWindow(o: Obj, path: string): TimeWindow | undefined {
    if (o.timeWindow === undefined) return undefined;
    const p = `${path}.timeWindow`;
    const w = this.c.obj(o.timeWindow, p, ['hours', 'days', 'timeZone']);
    if (!w) return undefined;
    const hours = w.hours === undefined ? '00:00-24:00' : this.c.str(w, 'hours', p);
    const m = hours?.match(/^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/);
    if (hours !== undefined && (!m || (m[3] === '24' && m[4] !== '00')))
      this.c.fail(
        `${p}.hours`,
        `expected "HH:MM-HH:MM" (24-hour clock, e.g. "08:00-20:00"), got ${describe(hours)}`,
      );
    const days = new Set<number>();
    this.c.list(w, 'days', p).forEach((v, j) => {
      const d = String(v).toLowerCase();
      const range = d.match(/^([a-z]{3})-([a-z]{3})$/);
      const [a, b] = range
        ? [DAYS.indexOf(range[1] as (typeof DAYS)[number]), DAYS.indexOf(range[2] as (typeof DAYS)[number])]
        : [DAYS.indexOf(d as (typeof DAYS)[number]), DAYS.indexOf(d as (typeof DAYS)[number])];
      if (a < 0 || b < 0)
        return void this.c.fail(
          `${p}.days[${j}]`,
          `expected a day (${DAYS.join(', ')}) or a range like mon-fri, got ${describe(v)}`,
        );
      for (let i = a; ; i = (i + 1) % 7) {
        days.add(i);
        if (i === b) break;
      }
    });
    const timeZone = w.timeZone === undefined ? undefined : this.c.str(w, 'timeZone', p);
    if (timeZone !== undefined) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone });
      } catch {
        this.c.fail(
          `${p}.timeZone`,
          `unknown time zone ${describe(timeZone)} (an IANA name such as "Europe/Rome" or "UTC")`,
        );
      }
    }
    if (!m) return undefined;
    const from = Number(m[1]) * 60 + Number(m[2]);
    const to = (Number(m[3]) * 60 + Number(m[4])) % 1440;
    return {
      from,
      to,
      ...(days.size > 0 && days.size < 7 ? { days: [...days].sort() } : {}),
      ...(timeZone !== undefined ? { timeZone } : {}),
    };
  }
}

/** Keys of a route that filter; a route with none of them matches everything. */
export const MT_FILTERS = [
  'prefixes',
  'destinationRegex',
  'countries',
  'sources',
  'sourceRegex',
  'users',
  'groups',
  'contentRegex',
  'timeWindow',
  'tags',
] as const;
export const MO_FILTERS = [
  'prefixes',
  'destinationRegex',
  'countries',
  'sources',
  'sourceRegex',
  'contentRegex',
  'timeWindow',
  'originConnectors',
] as const;

/** A route after one that catches everything is never used: say so instead of ignoring it. */
export function checkReachable(
  c: Checker,
  list: string,
  routes: readonly { index: number; name?: string; route: object }[],
  filterKeys: readonly string[],
): void {
  const catchAll = routes.findIndex(({ route }) =>
    filterKeys.every((k) => {
      const v = (route as Record<string, unknown>)[k];
      return v === undefined || (Array.isArray(v) && v.length === 0);
    }),
  );
  if (catchAll < 0) return;
  const first = routes[catchAll];
  for (const later of routes.slice(catchAll + 1)) {
    c.fail(
      `${list}[${later.index}]`,
      `never used: ${list}[${first.index}]${first.name ? ` ("${first.name}")` : ''} has no filters and catches every message first (put the default route last)`,
    );
  }
}

export function describe(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
