/**
 * What every admin plugin is given (AdminContext) and the helpers they share: error
 * schemas, parameter schemas, amounts and numbers parsed into 400 problems, 404s.
 */
import type { ClusterStatus, Gateway, InterfaceServices } from '../../gateway/index.js';
import {
  normalizeMsisdn,
  InvalidNumberError,
  toMicros,
  type MessageState,
  type MoRouteDef,
  type RouteDef,
  type User,
} from '../../domain/index.js';
import { HttpProblem, problemSchema } from '../problem.js';

export interface AdminOptions {
  gateway: Gateway;
  /** Views and records the admin API reads and changes (default: over the gateway's own store). */
  services?: InterfaceServices;
  /** Accepted admin keys; with none, every request is refused (the admin API is closed). */
  keys: readonly string[];
  /** Connector definitions and routes changed at runtime; without it they cannot be changed (501). */
  definitions?: AdminDefinitions;
  /** The customer SMPP binds, to end a user's (without it: 501). */
  binds?: CustomerBinds;
  /** The cluster's nodes and leases (GET /cluster; without it: 501). */
  cluster?: { status(): Promise<ClusterStatus> };
  /** Empties the REST API's key cache, so that a revoked key is refused at once. */
  forgetApiKeys?: () => void;
  /**
   * An MO route in the form the file and PUT /mo-routes take (time windows as "08:00-20:00"):
   * the configuration's own writer, given by the composition root. Without it, as stored.
   */
  moRouteInput?: (r: MoRouteDef) => Record<string, unknown>;
  /** An MT route in the form the file and PUT /routes take (GET /routes `definition`; the console edits it). */
  routeInput?: (r: RouteDef) => Record<string, unknown>;
}

/** What the admin API may do with customers' SMPP binds (the customer SMPP server). */
export interface CustomerBinds {
  /** Ends every bind of the user; resolves with how many there were. */
  unbindUser(systemId: string): Promise<number>;
  /** The user's binds now (without it, GET /users/{username}/binds is 501). */
  binds?(systemId: string): { bindType: string; remote: string | null; inFlight: number }[];
}

/**
 * What the admin API changes connectors and routes through (the composition root's
 * RuntimeDefinitions): validation, the store and the gateway behind one door. Errors carry
 * their HTTP status (400 naming the bad key, 404, 409 with the reason).
 */
export interface AdminDefinitions {
  /** A connector's definition without its password, and who wrote it last. */
  connector(id: string): { definition: Record<string, unknown>; source: 'config' | 'api' } | undefined;
  putConnector(id: string, definition: unknown): Promise<{ created: boolean }>;
  removeConnector(id: string): Promise<void>;
  setRoutes(routes: unknown): Promise<unknown>;
  /** Who wrote the running route list last. */
  routesSource(): 'config' | 'api';
  setMoRoutes(routes: unknown): Promise<unknown>;
  /** Who wrote the running MO route list last. */
  moRoutesSource(): 'config' | 'api';
}

/** AdminOptions as each admin plugin gets them: the services resolved. */
export interface AdminContext extends Omit<AdminOptions, 'keys'> {
  services: InterfaceServices;
}

export const MESSAGE_STATES: MessageState[] = [
  'accepted',
  'queued',
  'sent',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'unknown',
];
export const amount = {
  anyOf: [{ type: 'string', pattern: '^[+-]?\\d*(\\.\\d{1,6})?$' }, { type: 'number' }],
  description: 'decimal, at most 6 decimals',
} as const;
export const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema };
export const idParam = (name: string) =>
  ({ type: 'object', properties: { [name]: { type: 'string', minLength: 1 } }, required: [name] }) as const;

export function msisdn(raw: string): string {
  try {
    return normalizeMsisdn(raw);
  } catch (err) {
    throw new HttpProblem(
      400,
      'HERMOD_ERR_INVALID_NUMBER',
      err instanceof InvalidNumberError ? err.message : `not a phone number: ${raw}`,
    );
  }
}

export function micros(v: string | number, field: string): number {
  try {
    return toMicros(v);
  } catch (err) {
    throw new HttpProblem(400, 'HERMOD_ERR_INVALID_AMOUNT', `${field}: ${(err as Error).message}`);
  }
}

export async function userOr404(ctx: AdminContext, username: string): Promise<User> {
  const u = await ctx.services.accounts.byName(username);
  if (!u) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_USER', `no user "${username}"`);
  return u;
}

export function definitionsOr501(ctx: AdminContext): AdminDefinitions {
  if (!ctx.definitions)
    throw new HttpProblem(
      501,
      'HERMOD_ERR_NOT_CONFIGURABLE',
      'this gateway was built without runtime connector and route changes',
    );
  return ctx.definitions;
}

/**
 * The definition bodies are checked by the configuration's own validator (the same rules
 * and messages as hermod.yaml); the JSON schemas document them in OpenAPI only.
 */
export const validatedByConfig = () => () => true;

/** A body `{ [key]: [...] }`'s list, or a 400 naming what the body should be. */
export function listIn(body: unknown, key: string): unknown {
  const list =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)[key]
      : undefined;
  if (list === undefined)
    throw new HttpProblem(
      400,
      'HERMOD_ERR_INVALID_DEFINITION',
      `${key}: is required (the body is { "${key}": [ ... ] })`,
    );
  return list;
}
