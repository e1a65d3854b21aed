/**
 * Configuration entities of routing: connectors (upstream links), MT routes and rate tables.
 * They live in the store (seeded from YAML, changed at runtime: DESIGN.md "Storage and
 * scale"). Route *selection* is the gateway's router; this file holds the data and the
 * pure lookups on it.
 */
import { HermodError } from '../lib/errors.js';

export type ConnectorType = 'smpp' | 'simulator' | 'http';
export const CONNECTOR_TYPES: readonly ConnectorType[] = ['smpp', 'simulator', 'http'];

export interface ConnectorConfig {
  id: string;
  type: ConnectorType;
  enabled: boolean;
  /** Type-specific settings (host, port, system_id, window, ...) as JSON. */
  settings: Record<string, unknown>;
  /** Rate table holding what this connector costs per destination prefix (least cost). */
  costTable: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectorSpec {
  id: string;
  type: ConnectorType;
  enabled?: boolean;
  settings?: Record<string, unknown>;
  costTable?: string | null;
}

export type RouteType = 'static' | 'roundrobin' | 'weighted' | 'failover' | 'leastcost';
export const ROUTE_TYPES: readonly RouteType[] = ['static', 'roundrobin', 'weighted', 'failover', 'leastcost'];

/** Every filter given must match (AND); an empty filter set matches everything. */
export interface RouteFilters {
  /** E.164 digit prefixes of the destination ("44", "4477"). */
  destinationPrefixes?: string[];
  destinationRegex?: string;
  /** ISO 3166 alpha-2 countries of the destination (countryOf). */
  countries?: string[];
  sourceRegex?: string;
  userIds?: string[];
  groupIds?: string[];
  contentRegex?: string;
  /** Matches when the message carries any of these tags. */
  tags?: string[];
  /** Days 0 (Sunday)–6 and "HH:MM" bounds, in `timeZone` (IANA, default UTC). */
  timeWindow?: { days?: number[]; from?: string; to?: string; timeZone?: string };
}

export interface RouteTarget {
  connectorId: string;
  /** For `weighted` routes: relative share (> 0). */
  weight?: number;
}

export interface Route {
  id: string;
  /** Routes are evaluated by ascending order, then id. */
  order: number;
  enabled: boolean;
  type: RouteType;
  filters: RouteFilters;
  /** Candidates; for `failover` in preference order. */
  connectors: RouteTarget[];
  /** Fixed price per part charged to the account (micro-units), or null. */
  rate: number | null;
  /** Rate table with per-prefix prices charged to the account; used when `rate` is null. */
  rateTable: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RouteSpec {
  id: string;
  order: number;
  type: RouteType;
  connectors: RouteTarget[];
  enabled?: boolean;
  filters?: RouteFilters;
  rate?: number | null;
  rateTable?: string | null;
}

/** One price of a rate table: destinations starting with `prefix` cost `price` micros per part. */
export interface RateEntry {
  table: string;
  prefix: string;
  price: number;
}

export class InvalidConfigError extends HermodError {
  constructor(message: string) {
    super('HERMOD_ERR_INVALID_CONFIG', message);
  }
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function checkRegex(where: string, v: string | undefined): void {
  if (v === undefined) return;
  try {
    new RegExp(v);
  } catch (err) {
    throw new InvalidConfigError(`${where} is not a valid regular expression: ${(err as Error).message}`);
  }
}

export function connectorFromSpec(spec: ConnectorSpec, now: number): ConnectorConfig {
  if (!nonEmpty(spec.id)) throw new InvalidConfigError('connector id must be a non-empty string');
  if (!CONNECTOR_TYPES.includes(spec.type)) throw new InvalidConfigError(`connector ${spec.id}: type must be one of ${CONNECTOR_TYPES.join(', ')}`);
  return {
    id: spec.id,
    type: spec.type,
    enabled: spec.enabled ?? true,
    settings: { ...spec.settings },
    costTable: spec.costTable ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

/** Checks a route (type, candidates, weights, regexes, rate) and fills defaults. */
export function routeFromSpec(spec: RouteSpec, now: number): Route {
  if (!nonEmpty(spec.id)) throw new InvalidConfigError('route id must be a non-empty string');
  const where = `route ${spec.id}`;
  if (!Number.isInteger(spec.order)) throw new InvalidConfigError(`${where}: order must be an integer`);
  if (!ROUTE_TYPES.includes(spec.type)) throw new InvalidConfigError(`${where}: type must be one of ${ROUTE_TYPES.join(', ')}`);
  if (!Array.isArray(spec.connectors) || spec.connectors.length === 0) throw new InvalidConfigError(`${where}: needs at least one connector`);
  if (spec.type === 'static' && spec.connectors.length !== 1) throw new InvalidConfigError(`${where}: a static route has exactly one connector`);
  for (const c of spec.connectors) {
    if (!nonEmpty(c.connectorId)) throw new InvalidConfigError(`${where}: connectorId must be a non-empty string`);
    if (spec.type === 'weighted' && !(typeof c.weight === 'number' && c.weight > 0)) throw new InvalidConfigError(`${where}: weighted routes need a weight > 0 for ${c.connectorId}`);
  }
  const f = spec.filters ?? {};
  checkRegex(`${where}: filters.destinationRegex`, f.destinationRegex);
  checkRegex(`${where}: filters.sourceRegex`, f.sourceRegex);
  checkRegex(`${where}: filters.contentRegex`, f.contentRegex);
  for (const p of f.destinationPrefixes ?? []) if (!/^\d+$/.test(p)) throw new InvalidConfigError(`${where}: destination prefix "${p}" must be digits`);
  const rate = spec.rate ?? null;
  if (rate !== null && !(Number.isSafeInteger(rate) && rate >= 0)) throw new InvalidConfigError(`${where}: rate must be a non-negative integer of micro-units`);
  return {
    id: spec.id,
    order: spec.order,
    enabled: spec.enabled ?? true,
    type: spec.type,
    filters: structuredClone(f),
    connectors: spec.connectors.map((c) => ({ ...c })),
    rate,
    rateTable: spec.rateTable ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

export function checkRateEntry(e: { prefix: string; price: number }): void {
  if (!/^\d*$/.test(e.prefix)) throw new InvalidConfigError(`rate prefix "${e.prefix}" must be digits ("" matches every destination)`);
  if (!(Number.isSafeInteger(e.price) && e.price >= 0)) throw new InvalidConfigError(`rate for "${e.prefix}" must be a non-negative integer of micro-units`);
}

/** Every prefix of a destination, longest first ("4477", "447", "44", "4", ""). */
export function prefixesOf(destination: string): string[] {
  const out: string[] = [];
  for (let n = destination.length; n >= 0; n--) out.push(destination.slice(0, n));
  return out;
}

/** The entry with the longest prefix of `destination`, or undefined. */
export function lookupRate<E extends { prefix: string }>(entries: readonly E[], destination: string): E | undefined {
  let best: E | undefined;
  for (const e of entries) {
    if (destination.startsWith(e.prefix) && (!best || e.prefix.length > best.prefix.length)) best = e;
  }
  return best;
}
