/**
 * The JSON casing of the APIs: every key of REST v1 (bodies, query strings, answers, the field
 * a problem names) is snake_case, like /v1/messages; the admin API (/v1/admin) is camelCase.
 * The engine's services speak camelCase; REST v1's routes map their own bodies and views by
 * hand, and use these helpers only for what they share with the admin API (web users, the
 * ledger, reports, the low-balance state) and for the field a service's error names.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HermodError } from '../lib/errors.js';
import { problemErrorHandler } from './problem.js';

/** `firstName` → `first_name`; a name that is not camelCase (GB, already_snake) stays. */
export const snakeCase = (name: string): string =>
  /^[a-z][A-Za-z0-9]*$/.test(name) ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : name;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A view with every key snake_case, recursively (for the views REST v1 shares with the admin API). */
export function snakeKeys<T>(value: T): Json {
  if (Array.isArray(value)) return value.map((v) => snakeKeys(v));
  if (value === null || typeof value !== 'object') return value as Json;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeCase(k), snakeKeys(v)]));
}

/**
 * A JSON schema with snake_case property names (`properties` keys and `required`), recursively:
 * the schema of a view made by snakeKeys.
 */
export function snakeSchema<S>(schema: S): S {
  if (Array.isArray(schema)) return schema.map((s: unknown) => snakeSchema(s)) as S;
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && v !== null && typeof v === 'object')
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [snakeCase(p), snakeSchema(s)]));
    else if (k === 'required' && Array.isArray(v)) out[k] = v.map((p: string) => snakeCase(p));
    else out[k] = snakeSchema(v);
  }
  return out as S;
}

/**
 * The field path at the start of a validation message (`quietHours.from: expected HH:MM`) in
 * snake_case: `quiet_hours.from`. Custom field keys (after `fields.`) are the customer's own and stay.
 */
export function snakeFieldOf(message: string): string {
  const m = /^([A-Za-z_][\w.[\]]*): /.exec(message);
  if (!m) return message;
  const parts = m[1].split('.');
  const at = parts.indexOf('fields');
  const path = parts.map((p, i) => (at >= 0 && i > at ? p : p.replace(/^[A-Za-z]\w*/, snakeCase))).join('.');
  return path + message.slice(m[1].length);
}

/**
 * The error handler of REST v1's engine routes: a service's error names the field
 * by the service's name (`scheduleAt`); the client sent it as `schedule_at`, and the console
 * highlights the field by that name.
 */
export function snakeCaseProblems(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof HermodError) err.message = snakeFieldOf(err.message);
  return problemErrorHandler(err, req, reply);
}
