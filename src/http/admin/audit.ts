/**
 * The audit log of operator actions: every changing admin API request (POST, PUT, PATCH,
 * DELETE under the admin prefix) made with an operator's session or an admin key is
 * recorded once answered — when, who, method and path, what it named, the status — and
 * read back with GET /audit. Bodies are never kept (they carry passwords and keys).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import type { Engine } from '../../engine/index.js';
import { problemErrorHandler } from '../problem.js';
import { adminAuth, carriesAdminKey } from './auth.js';
import { errors } from './common.js';

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Body keys that name what a create acts on (never a secret). */
const NAMING_KEYS = ['username', 'id', 'email', 'msisdn', 'name'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * What the audit log names this request by, set by a route whose path and body would
     * name something the log must not keep (the erasure's number: its hash instead).
     */
    auditTarget?: string;
  }
}

/** What the request acted on: its path parameters, else the name a create gave in its body. */
function targetOf(req: FastifyRequest): string | null {
  if (req.auditTarget !== undefined) return req.auditTarget;
  const params = Object.values((req.params ?? {}) as Record<string, unknown>).filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  if (params.length) return params.join(' ');
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  for (const k of NAMING_KEYS) {
    const v = (body as Record<string, unknown>)[k];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return null;
}

/**
 * An onSend hook for the whole API app (added next to `operatorSessions`): records the
 * changing admin requests of operators and admin keys. A request no key or session let in
 * (401, or a customer's 403) is not an operator action and is not recorded. Before the
 * answer leaves rather than after it: whoever reads the log next finds the action there.
 */
export function auditTrail(engine: Engine, prefix: string, keys: readonly string[]) {
  return async <P>(req: FastifyRequest, reply: FastifyReply, payload: P): Promise<P> => {
    await recordAction(engine, prefix, keys, req, reply);
    return payload;
  };
}

async function recordAction(
  engine: Engine,
  prefix: string,
  keys: readonly string[],
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (!CHANGING.has(req.method)) return;
  const path = req.url.split('?')[0];
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return;
  let actor: string;
  let actorKind: 'operator' | 'admin_token';
  if (req.access?.kind === 'operator') {
    const who = await engine.people.get({ any: true }, req.access.webUserId);
    actor = who?.email ?? `operator #${req.access.webUserId}`;
    actorKind = 'operator';
  } else if (carriesAdminKey(keys, req.headers.authorization)) {
    actor = 'admin token';
    actorKind = 'admin_token';
  } else return;
  try {
    await engine.audit.record({
      at: Date.now(),
      actor,
      actorKind,
      method: req.method,
      path,
      target: targetOf(req),
      status: reply.statusCode,
    });
  } catch (err) {
    // The action is done; a lost audit row is logged loudly rather than failing its answer.
    req.log.error({ err, path }, 'audit: could not record an admin action');
  }
}

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: 'the operator’s email, or "admin token"' },
    actorKind: { type: 'string', enum: ['operator', 'admin_token'] },
    method: { type: 'string' },
    path: { type: 'string' },
    target: { type: ['string', 'null'], description: 'what the request named (path parameters)' },
    status: { type: 'integer', description: 'the HTTP status it was answered with' },
  },
  required: ['id', 'at', 'actor', 'actorKind', 'method', 'path', 'target', 'status'],
} as const;

export interface AuditAdminOptions {
  engine: Engine;
  keys: readonly string[];
}

/** GET /audit under the admin prefix (register with `{ prefix: ADMIN_PREFIX }`). */
export async function auditAdminRoutes(app: FastifyInstance, opts: AuditAdminOptions): Promise<void> {
  app.setErrorHandler(problemErrorHandler);
  app.addHook('onRequest', adminAuth(opts.keys));
  app.get<{ Querystring: { limit: number; before?: number } }>(
    '/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'the audit log of operator actions (changing admin requests), newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            before: { type: 'integer', minimum: 1, description: 'the nextCursor of the previous page' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              entries: { type: 'array', items: entrySchema },
              nextCursor: { type: ['integer', 'null'], description: 'null on the last page' },
            },
            required: ['entries', 'nextCursor'],
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const page = await opts.engine.audit.page({ before: req.query.before, limit: req.query.limit });
      return {
        entries: page.entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
