/**
 * The admin API's side of the accounts' people: operators manage operators and every
 * account's members (/v1/admin/web-users), and sign in to the admin API with their web
 * session instead of an admin key (`operatorSessions`, a hook the API app adds before the
 * admin plugin: src/http/admin/auth.ts lets a request it marked through).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import type { Engine, MemberRole, WebUserScope } from '../../engine/index.js';
import { HttpProblem, problemErrorHandler, problems } from '../problem.js';
import { accessOf, passwordChangeRequired, webSessionOf } from '../engine/web-auth.js';
import { viewOfWebUser, webUserView } from '../engine/session.js';
import { changeBody, createdView, newPersonBody, resetView } from '../engine/members.js';
import { adminAuth } from './auth.js';
import { errors } from './common.js';

/**
 * An onRequest hook for the whole API app: a request under `prefix` that carries an
 * operator's session is marked as the operator's (`req.access`), after the CSRF check for
 * the cookie; a member's session there is 403. Requests with an admin key are left alone.
 */
export function operatorSessions(engine: Engine, prefix: string) {
  return async (req: FastifyRequest): Promise<void> => {
    const path = req.url.split('?')[0];
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return;
    const who = await webSessionOf(req, engine.people);
    if (!who) return;
    if (who.user.kind !== 'operator')
      throw new HttpProblem(403, 'HERMOD_ERR_FORBIDDEN_ROLE', 'the admin API is for operators');
    if (who.user.mustChangePassword) throw passwordChangeRequired();
    req.access = accessOf(who);
  };
}

export interface WebUserAdminOptions {
  engine: Engine;
  keys: readonly string[];
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

type NewWebUserBody = {
  email: string;
  displayName?: string;
  password?: string;
  kind: 'member' | 'operator';
  account?: string;
  role?: MemberRole;
};

type People = WebUserAdminOptions['engine']['people'];

const ANY: WebUserScope = { any: true };

/** List the web users, by kind and account, a page at a time. */
function listWebUsersRoute(app: FastifyInstance, people: People): void {
  app.get<{ Querystring: { kind?: 'member' | 'operator'; account?: string; limit: number; after?: number } }>(
    '/web-users',
    {
      schema: {
        tags: ['admin'],
        summary: "list web users: operators, or an account's members, or all",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['member', 'operator'] },
            account: { type: 'string', minLength: 1, maxLength: 64, description: "an account's username" },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            after: { type: 'integer', minimum: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              webUsers: { type: 'array', items: webUserView },
              nextAfter: { type: ['integer', 'null'] },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const { kind, account, limit, after } = req.query;
      if (kind === 'operator' && account) throw problems.badRequest('operators have no account');
      const scope: WebUserScope = account
        ? await people.scopeOfAccount(account)
        : kind === 'operator'
          ? { operators: true }
          : kind === 'member'
            ? { members: true }
            : ANY;
      const rows = await people.list(scope, { limit, ...(after !== undefined ? { afterId: after } : {}) });
      return {
        webUsers: rows.map(viewOfWebUser),
        nextAfter: rows.length === limit ? rows[rows.length - 1].id : null,
      };
    },
  );
}

/** Create a web user (a member of an account, or an operator). */
function createWebUserRoute(app: FastifyInstance, people: People): void {
  app.post<{ Body: NewWebUserBody }>(
    '/web-users',
    {
      schema: {
        tags: ['admin'],
        summary: 'create an operator, or a member of an account',
        body: {
          type: 'object',
          required: ['email', 'kind'],
          additionalProperties: false,
          properties: {
            ...newPersonBody,
            kind: { type: 'string', enum: ['member', 'operator'] },
            account: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: "a member's account (username)",
            },
            role: { type: 'string', enum: ['owner', 'admin', 'sender', 'viewer'] },
          },
        },
        response: { 201: createdView, ...errors },
      },
    },
    async (req, reply) => {
      const { kind, account, role, ...p } = req.body;
      if (kind === 'member' && (!account || !role))
        throw new HttpProblem(400, 'HERMOD_ERR_VALIDATION', 'account, role: a member needs both');
      if (kind === 'operator' && (account || role))
        throw new HttpProblem(400, 'HERMOD_ERR_VALIDATION', 'account, role: an operator has neither');
      const c =
        kind === 'operator' ? await people.createOperator(p) : await people.createMember(account!, role!, p);
      return reply.code(201).send({
        user: viewOfWebUser(c.user),
        ...(c.setupToken
          ? { setupToken: c.setupToken, setupExpiresAt: new Date(c.setupExpiresAt!).toISOString() }
          : {}),
      });
    },
  );
}

/** Read, change and delete one web user. */
function webUserItemRoutes(app: FastifyInstance, people: People): void {
  app.get<{ Params: { id: number } }>(
    '/web-users/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'show a web user',
        params: idParams,
        response: { 200: webUserView, ...errors },
      },
    },
    async (req) => {
      const u = await people.get(ANY, req.params.id);
      if (!u) throw problems.notFound(`no web user ${req.params.id}`);
      return viewOfWebUser(u);
    },
  );

  app.patch<{ Params: { id: number }; Body: { role?: MemberRole; enabled?: boolean; displayName?: string } }>(
    '/web-users/:id',
    {
      schema: {
        tags: ['admin'],
        summary: "change a web user's role (members), enabled state or display name",
        params: idParams,
        body: changeBody,
        response: { 200: webUserView, ...errors },
      },
    },
    async (req) => viewOfWebUser(await people.update(ANY, req.params.id, req.body)),
  );

  app.delete<{ Params: { id: number } }>(
    '/web-users/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'remove a web user (signed out at once)',
        params: idParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await people.remove(ANY, req.params.id);
      return reply.code(204).send();
    },
  );
}

/** Make a member its account's owner, and issue a new set-password token. */
function webUserAccessRoutes(app: FastifyInstance, people: People): void {
  app.post<{ Params: { id: number } }>(
    '/web-users/:id/owner',
    {
      schema: {
        tags: ['admin'],
        summary: "make a member its account's owner (the previous owner becomes an admin)",
        params: idParams,
        response: { 200: webUserView, ...errors },
      },
    },
    async (req) => viewOfWebUser(await people.makeOwner(ANY, req.params.id)),
  );

  app.post<{ Params: { id: number } }>(
    '/web-users/:id/reset',
    {
      schema: {
        tags: ['admin'],
        summary: 'a new one-time set-password token for a web user',
        params: idParams,
        response: { 200: resetView, ...errors },
      },
    },
    async (req) => {
      const r = await people.resetToken(ANY, req.params.id);
      return { setupToken: r.setupToken, setupExpiresAt: new Date(r.setupExpiresAt).toISOString() };
    },
  );
}

/** /web-users under the admin prefix (register with `{ prefix: ADMIN_PREFIX }`). */
export async function webUserAdminRoutes(app: FastifyInstance, opts: WebUserAdminOptions): Promise<void> {
  app.setErrorHandler(problemErrorHandler);
  app.addHook('onRequest', adminAuth(opts.keys));
  const people = opts.engine.people;
  listWebUsersRoute(app, people);
  createWebUserRoute(app, people);
  webUserItemRoutes(app, people);
  webUserAccessRoutes(app, people);
}
