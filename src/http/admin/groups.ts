/**
 * Admin groups (Jasmin's `group` verbs): list them, create or change one. A disabled group
 * refuses its users' messages (HERMOD_ERR_GROUP_DISABLED); the gateway caches groups, so
 * every change is followed by `forgetAccounts()` to take effect on the next request.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AdminContext } from './common.js';
import type { Group } from '../../domain/index.js';
import { problemSchema } from '../problem.js';

export const groupSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    description: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    users: { type: 'integer', description: 'users in the group' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'description', 'enabled', 'users', 'createdAt', 'updatedAt'],
} as const;

const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema };

export const groupRoutes: FastifyPluginAsync<AdminContext> = async (app, { gateway, services }) => {
  const { accounts } = services;
  const members = async (): Promise<Map<string, number>> => {
    const n = new Map<string, number>();
    for (const u of await accounts.list()) if (u.group !== null) n.set(u.group, (n.get(u.group) ?? 0) + 1);
    return n;
  };
  const view = (g: Group, users: Map<string, number>) => ({
    id: g.id,
    description: g.description,
    enabled: g.enabled,
    users: users.get(g.id) ?? 0,
    createdAt: new Date(g.createdAt).toISOString(),
    updatedAt: new Date(g.updatedAt).toISOString(),
  });

  app.get(
    '/groups',
    {
      schema: {
        tags: ['admin'],
        summary: 'list groups',
        response: {
          200: { type: 'object', properties: { groups: { type: 'array', items: groupSchema } } },
          ...errors,
        },
      },
    },
    async () => {
      const users = await members();
      return { groups: (await accounts.groups()).map((g) => view(g, users)) };
    },
  );

  app.put<{ Params: { id: string }; Body: { description?: string | null; enabled?: boolean } }>(
    '/groups/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'create a group, or change its description or enabled flag (omitted fields are kept)',
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' } },
          required: ['id'],
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            description: { type: ['string', 'null'], maxLength: 200 },
            enabled: { type: 'boolean' },
          },
        },
        response: { 200: groupSchema, 201: groupSchema, ...errors },
      },
    },
    async (req, reply) => {
      const old = await accounts.group(req.params.id);
      const b = req.body ?? {};
      const g = await accounts.putGroup({
        id: req.params.id,
        description: b.description === undefined ? (old?.description ?? null) : b.description,
        enabled: b.enabled ?? old?.enabled ?? true,
      });
      gateway.forgetAccounts();
      req.log.info({ group: g.id, enabled: g.enabled, created: !old }, 'admin: group saved');
      return reply.code(old ? 200 : 201).send(view(g, await members()));
    },
  );
};
