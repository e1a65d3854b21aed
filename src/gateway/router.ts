/**
 * MT and MO routing as pure functions: ordered route tables (first match wins, like
 * Jasmin's routers), each route with optional filters that must all match (AND), and per
 * MT route type the ordered list of connectors to try. A route without filters is a
 * default route and catches the rest. Time is an input (`now`), never read here.
 */
import {
  callingCodeOfCountry,
  compilePattern,
  countryOf,
  type MoRouteDef,
  type MtFilters,
  type RouteDef,
  type TimeWindow,
} from '../domain/index.js';

export type { MoRouteDef, MtFilters, RouteDef, RouteType, TimeWindow } from '../domain/index.js';

/** What an MT route is matched on; built by the gateway per message. */
export interface RoutingContext {
  /** E.164 digits. */
  destination: string;
  source: string;
  /** The sending account's username (null: no account, e.g. a price list). */
  user: string | null;
  group: string | null;
  /** The decoded text; a function when decoding is deferred until a route needs it. */
  text: string | (() => string);
  tags: readonly string[];
  /** Milliseconds since the epoch. */
  now: number;
}

/** A context for a destination alone (the old prefix-only routing, and price lists). */
export function destinationContext(destination: string, now = Date.now()): RoutingContext {
  return { destination, source: '', user: null, group: null, text: '', tags: [], now };
}

const regexCache = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let r = regexCache.get(source);
  if (!r) {
    r = compilePattern(source);
    regexCache.set(source, r);
  }
  return r;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The local weekday (0 = Sunday) and minute of the day of `now` in `timeZone`. */
export function localTime(now: number, timeZone = 'UTC'): { day: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(now)) {
    if (p.type === 'weekday') day = WEEKDAYS[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value) % 24;
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}

/**
 * True when `now` falls in the window. For a window that wraps midnight, the part after
 * midnight belongs to the day it started on ("Fri 22:00-06:00" includes Saturday 03:00).
 */
export function inTimeWindow(w: TimeWindow, now: number): boolean {
  const { day, minute } = localTime(now, w.timeZone);
  const days = w.days && w.days.length > 0 ? w.days : undefined;
  if (w.from === w.to) return !days || days.includes(day); // the whole day
  if (w.from < w.to) return minute >= w.from && minute < w.to && (!days || days.includes(day));
  if (minute >= w.from) return !days || days.includes(day);
  if (minute < w.to) return !days || days.includes((day + 6) % 7);
  return false;
}

const textOf = (t: string | (() => string)): string => (typeof t === 'function' ? t() : t);

/** Calling codes of a country list, cached per list (the route's own array). */
const codesOfList = new WeakMap<readonly string[], string[]>();
/** The country a route filters on (MT: the destination's, MO: the sender's), computed at most once per message. */
const countryOfCtx = new WeakMap<object, string | null>();

/** Whether `number` (E.164 digits) is in one of `countries`; `memo` keeps its country per message. */
function countryMatches(countries: readonly string[], number: string, memo: object): boolean {
  let codes = codesOfList.get(countries);
  if (!codes) {
    codes = countries.map((c) => {
      try {
        return callingCodeOfCountry(c);
      } catch {
        // A country libphonenumber-js does not know (checked at config load) matches no number.
        return '';
      }
    });
    codesOfList.set(countries, codes);
  }
  // Cheap first: no country of the list has the destination's calling code.
  if (!codes.some((code) => code !== '' && number.startsWith(code))) return false;
  let country = countryOfCtx.get(memo);
  if (country === undefined) {
    country = countryOf(number) ?? null;
    countryOfCtx.set(memo, country);
  }
  return country !== null && countries.includes(country);
}

/** Whether every filter of an MT route matches the message. */
export function mtRouteMatches(r: MtFilters, ctx: RoutingContext): boolean {
  if (r.prefixes.length > 0 && !r.prefixes.some((p) => ctx.destination.startsWith(p))) return false;
  if (r.destinationRegex !== undefined && !regex(r.destinationRegex).test(ctx.destination)) return false;
  if (r.sources && r.sources.length > 0 && !r.sources.includes(ctx.source)) return false;
  if (r.sourceRegex !== undefined && !regex(r.sourceRegex).test(ctx.source)) return false;
  if (r.users && r.users.length > 0 && !(ctx.user !== null && r.users.includes(ctx.user))) return false;
  if (r.groups && r.groups.length > 0 && !(ctx.group !== null && r.groups.includes(ctx.group))) return false;
  if (r.tags && r.tags.length > 0 && !r.tags.some((t) => ctx.tags.includes(t))) return false;
  if (r.timeWindow && !inTimeWindow(r.timeWindow, ctx.now)) return false;
  if (r.countries && r.countries.length > 0 && !countryMatches(r.countries, ctx.destination, ctx))
    return false;
  // Last: the only filter that may need the text decoded.
  if (r.contentRegex !== undefined && !regex(r.contentRegex).test(textOf(ctx.text))) return false;
  return true;
}

/** The first MT route whose filters all match; a destination alone matches prefix-only routes. */
export function matchRoute(routes: readonly RouteDef[], ctx: RoutingContext | string): RouteDef | undefined {
  const c = typeof ctx === 'string' ? destinationContext(ctx) : ctx;
  return routes.find((r) => mtRouteMatches(r, c));
}

/** The cost of `destination` on a connector: the longest matching prefix of its table. */
export function costOf(table: Record<string, number> | undefined, destination: string): number {
  let best = -1;
  let cost = Infinity;
  for (const [prefix, c] of Object.entries(table ?? {})) {
    if (destination.startsWith(prefix) && prefix.length > best) {
      best = prefix.length;
      cost = c;
    }
  }
  return cost;
}

/** 1/φ: turn × this (mod 1) spreads turns evenly over [0, 1) (a low-discrepancy sequence). */
const GOLDEN = 0.6180339887498949;

/**
 * The connector a weighted route gives turn `turn`: the golden-ratio sequence mapped onto
 * the cumulative weights, so that over any run of n turns each connector's share is within
 * a few messages of its weight (no randomness, reproducible in tests).
 */
export function weightedPick(
  connectors: readonly string[],
  weights: Record<string, number>,
  turn: number,
): string {
  const total = connectors.reduce((s, c) => s + (weights[c] ?? 0), 0);
  if (total <= 0) return connectors[0];
  const x = ((turn * GOLDEN) % 1) * total;
  let acc = 0;
  for (const c of connectors) {
    acc += weights[c] ?? 0;
    if (x < acc) return c;
  }
  return connectors[connectors.length - 1];
}

/**
 * Connectors to try, best first. Healthy connectors come before unhealthy ones in every
 * type, so a failover route moves to its backup while the primary is down and returns to
 * the primary (failback) as soon as it is healthy again. `turn` counts this route's
 * messages (round robin and weighted split).
 */
export function candidates(
  route: RouteDef,
  destination: string,
  healthy: (id: string) => boolean,
  turn = 0,
): string[] {
  let order: string[];
  switch (route.type) {
    case 'static':
    case 'failover':
      order = [...route.connectors];
      break;
    case 'roundrobin': {
      const k = turn % route.connectors.length;
      order = [...route.connectors.slice(k), ...route.connectors.slice(0, k)];
      break;
    }
    case 'weighted': {
      const first = weightedPick(route.connectors, route.weights ?? {}, turn);
      const w = route.weights ?? {};
      order = [
        first,
        ...route.connectors.filter((c) => c !== first).sort((a, b) => (w[b] ?? 0) - (w[a] ?? 0)),
      ];
      break;
    }
    case 'leastcost':
      order = [...route.connectors].sort(
        (a, b) => costOf(route.costs[a], destination) - costOf(route.costs[b], destination),
      );
      break;
  }
  return [...order.filter(healthy), ...order.filter((c) => !healthy(c))];
}

export interface MoContext {
  source: string;
  destination: string;
  text: string | (() => string);
  /** The connector it arrived on. */
  connector: string;
  now: number;
  /**
   * Loop guard: the username the origin connector binds to our own SMPP server as, when it
   * does (a connector pointed at this Hermod). A route to that user would send the MO
   * straight back where it came from, so it is skipped.
   */
  originUser?: string;
}

export function moRouteMatches(r: MoRouteDef, ctx: MoContext): boolean {
  if (r.prefixes.length > 0 && !r.prefixes.some((p) => ctx.destination.startsWith(p))) return false;
  if (r.destinationRegex !== undefined && !regex(r.destinationRegex).test(ctx.destination)) return false;
  if (r.sources && r.sources.length > 0 && !r.sources.includes(ctx.source)) return false;
  if (r.sourceRegex !== undefined && !regex(r.sourceRegex).test(ctx.source)) return false;
  if (r.originConnectors && r.originConnectors.length > 0 && !r.originConnectors.includes(ctx.connector))
    return false;
  if (r.timeWindow && !inTimeWindow(r.timeWindow, ctx.now)) return false;
  if (
    r.countries &&
    r.countries.length > 0 &&
    !countryMatches(r.countries, ctx.source.replace(/^\+/, ''), ctx)
  )
    return false;
  if (r.contentRegex !== undefined && !regex(r.contentRegex).test(textOf(ctx.text))) return false;
  return true;
}

/** The first MO route that matches and would not loop back to the MO's origin. */
export function matchMoRoute(routes: readonly MoRouteDef[], ctx: MoContext): MoRouteDef | undefined {
  return routes.find(
    (r) =>
      moRouteMatches(r, ctx) &&
      !(r.user !== undefined && ctx.originUser !== undefined && r.user === ctx.originUser),
  );
}
