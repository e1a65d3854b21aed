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
import { viewOfWebUser, webUserView } from './session.js';

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

type NewMemberBody = { email: string; displayName?: string; password?: string; role: MemberRole };
type ChangeBody = { role?: MemberRole; enabled?: boolean; displayName?: string };

export async function memberRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const people = engine.people;
  const scopeOf = (accountId: number) => ({ accountId });

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
              description: 'the next page: the nextAfter of the previous one',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: webUserView },
              nextAfter: { type: ['integer', 'null'] },
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
        data: rows.map(viewOfWebUser),
        nextAfter: rows.length === limit ? rows[rows.length - 1].id : null,
      };
    },
  );

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
            ...newPersonBody,
            role: {
              type: 'string',
              enum: ['owner', 'admin', 'sender', 'viewer'],
              description: 'owner: only while the account has none',
            },
          },
        },
        response: { 201: createdView, ...answers },
      },
    },
    async (req, reply) => {
      const { role, ...p } = req.body;
      const c = await people.createMember(req.apiUser!.id, role, p);
      return reply.code(201).send({
        user: viewOfWebUser(c.user),
        ...(c.setupToken
          ? { setupToken: c.setupToken, setupExpiresAt: new Date(c.setupExpiresAt!).toISOString() }
          : {}),
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/v1/members/:id',
    {
      schema: {
        tags: ['members'],
        summary: 'A member',
        params: idParams,
        response: { 200: webUserView, ...answers },
      },
    },
    async (req) => {
      const u = await people.get(scopeOf(req.apiUser!.id), req.params.id);
      if (!u) throw problems.notFound(`no member ${req.params.id}`);
      return viewOfWebUser(u);
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
        body: changeBody,
        response: { 200: webUserView, ...answers },
      },
    },
    async (req) => viewOfWebUser(await people.update(scopeOf(req.apiUser!.id), req.params.id, req.body)),
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

  app.post<{ Params: { id: number } }>(
    '/v1/members/:id/reset',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['members'],
        summary: 'A new one-time set-password token for a member (a forgotten password)',
        params: idParams,
        response: { 200: resetView, ...answers },
      },
    },
    async (req) => {
      const r = await people.resetToken(scopeOf(req.apiUser!.id), req.params.id);
      return { setupToken: r.setupToken, setupExpiresAt: new Date(r.setupExpiresAt).toISOString() };
    },
  );
}
