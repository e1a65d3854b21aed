/**
 * REST v1: the account's members (its web users). Every member may list them; inviting,
 * changing, disabling and removing need the admin role (`config.role`). The owner cannot be
 * demoted, disabled or removed, and the account always keeps an enabled admin (409).
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { MemberRole } from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import { problems } from '../problem.js';
import type { EngineRouteOptions } from './index.js';
import { snakeSchema } from '../casing.js';
import { userView, viewOfUser, webUserView } from './session.js';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const answers = {
  ...problemResponses,
  403: { $ref: 'Problem#' },
  404: { $ref: 'Problem#' },
  409: { $ref: 'Problem#' },
};

export const newPersonBody = {
  email: { type: 'string', minLength: 3, maxLength: 254 },
  displayName: { type: 'string', minLength: 1, maxLength: 100 },
  password: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description:
      'a temporary password, changed at the first sign-in; without one the answer carries a one-time set-password token (an invitation)',
  },
} as const;

export const createdView = {
  type: 'object',
  properties: {
    user: webUserView,
    setupToken: {
      type: 'string',
      description:
        'the one-time set-password token (POST /v1/session/setup), shown once; absent when a password was given',
    },
    setupExpiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const resetView = {
  type: 'object',
  properties: { setupToken: { type: 'string' }, setupExpiresAt: { type: 'string', format: 'date-time' } },
} as const;

export const changeBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    role: { type: 'string', enum: ['admin', 'sender', 'viewer'] },
    enabled: { type: 'boolean', description: 'false signs the user out and refuses their sign-ins' },
    displayName: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

// REST v1's bodies and answers are snake_case (display_name, setup_token); the admin API's camelCase.
type NewMemberBody = { email: string; display_name?: string; password?: string; role: MemberRole };
type ChangeBody = { role?: MemberRole; enabled?: boolean; display_name?: string };
const v1 = {
  newPerson: snakeSchema({ properties: newPersonBody }).properties,
  created: snakeSchema(createdView),
  reset: snakeSchema(resetView),
  change: snakeSchema(changeBody),
};
const named = <B extends { display_name?: string }>({ display_name, ...rest }: B) => ({
  ...rest,
  ...(display_name !== undefined ? { displayName: display_name } : {}),
});

type People = EngineRouteOptions['engine']['people'];

const scopeOf = (accountId: number) => ({ accountId });

/** List the account's members, a page at a time. */
function listMembersRoute(app: FastifyInstance, people: People): void {
  app.get<{ Querystring: { limit: number; after?: number } }>(
    '/v1/members',
    {
      schema: {
        tags: ['members'],
        summary: "The account's members (web users), by id",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            after: {
              type: 'integer',
              minimum: 0,
              description: 'the next page: the next_after of the previous one',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: userView },
              next_after: { type: ['integer', 'null'] },
            },
          },
          ...answers,
        },
      },
    },
    async (req) => {
      const { limit, after } = req.query;
      const rows = await people.list(scopeOf(req.apiUser!.id), {
        limit,
        ...(after !== undefined ? { afterId: after } : {}),
      });
      return {
        data: rows.map(viewOfUser),
        next_after: rows.length === limit ? rows[rows.length - 1].id : null,
      };
    },
  );
}

/** Add a member to the account. */
function addMemberRoute(app: FastifyInstance, people: People): void {
  app.post<{ Body: NewMemberBody }>(
    '/v1/members',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['members'],
        summary: 'Add a member (with a temporary password, or invited with a set-password token)',
        body: {
          type: 'object',
          required: ['email', 'role'],
          additionalProperties: false,
          properties: {
            ...v1.newPerson,
            role: {
              type: 'string',
              enum: ['owner', 'admin', 'sender', 'viewer'],
              description: 'owner: only while the account has none',
            },
          },
        },
        response: { 201: v1.created, ...answers },
      },
    },
    async (req, reply) => {
      const { role, ...p } = req.body;
      const c = await people.createMember(req.apiUser!.id, role, named(p));
      return reply.code(201).send({
        user: viewOfUser(c.user),
        ...(c.setupToken
          ? { setup_token: c.setupToken, setup_expires_at: new Date(c.setupExpiresAt!).toISOString() }
          : {}),
      });
    },
  );
}

/** Read, change and remove one member. */
function memberItemRoutes(app: FastifyInstance, people: People): void {
  app.get<{ Params: { id: number } }>(
    '/v1/members/:id',
    {
      schema: {
        tags: ['members'],
        summary: 'A member',
        params: idParams,
        response: { 200: userView, ...answers },
      },
    },
    async (req) => {
      const u = await people.get(scopeOf(req.apiUser!.id), req.params.id);
      if (!u) throw problems.notFound(`no member ${req.params.id}`);
      return viewOfUser(u);
    },
  );

  app.patch<{ Params: { id: number }; Body: ChangeBody }>(
    '/v1/members/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['members'],
        summary: "Change a member's role, enabled state or display name",
        params: idParams,
        body: v1.change,
        response: { 200: userView, ...answers },
      },
    },
    async (req) => viewOfUser(await people.update(scopeOf(req.apiUser!.id), req.params.id, named(req.body))),
  );

  app.delete<{ Params: { id: number } }>(
    '/v1/members/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['members'],
        summary: 'Remove a member (signed out at once)',
        params: idParams,
        response: { 204: { type: 'null' }, ...answers },
      },
    },
    async (req, reply) => {
      await people.remove(scopeOf(req.apiUser!.id), req.params.id);
      return reply.code(204).send();
    },
  );
}

/** Make a member the owner, and issue a new set-password token. */
function memberAccessRoutes(app: FastifyInstance, people: People): void {
  app.post<{ Params: { id: number } }>(
    '/v1/members/:id/owner',
    {
      config: { role: 'owner' },
      schema: {
        tags: ['members'],
        summary: 'Make a member the owner (you, the owner, become an admin)',
        params: idParams,
        response: { 200: userView, ...answers },
      },
    },
    async (req) => viewOfUser(await people.makeOwner(scopeOf(req.apiUser!.id), req.params.id)),
  );

  app.post<{ Params: { id: number } }>(
    '/v1/members/:id/reset',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['members'],
        summary: 'A new one-time set-password token for a member (a forgotten password)',
        params: idParams,
        response: { 200: v1.reset, ...answers },
      },
    },
    async (req) => {
      const r = await people.resetToken(scopeOf(req.apiUser!.id), req.params.id);
      return { setup_token: r.setupToken, setup_expires_at: new Date(r.setupExpiresAt).toISOString() };
    },
  );
}

export async function memberRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const people = engine.people;
  listMembersRoute(app, people);
  addMemberRoute(app, people);
  memberItemRoutes(app, people);
  memberAccessRoutes(app, people);
}
