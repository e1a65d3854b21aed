/**
 * Admin REST API keys of a user: create one (the key is in that answer only; the store
 * keeps its SHA-256), list them (ids, labels, creation times, never a key or a hash),
 * revoke one. A revoked key is refused from the next request on: the REST API's key cache
 * of this node is told at once (`forgetApiKeys`); other nodes' caches last 2 s at most.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiKeyInfo } from '../../gateway/index.js';
import { userOr404, type AdminContext } from './common.js';
import { newApiKey } from '../../domain/index.js';
import { HttpProblem } from '../problem.js';
import { problemSchema } from '../problem.js';

export const apiKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'names the key in the admin API; not a secret' },
    label: {
      type: ['string', 'null'],
      description: 'the operator\'s note; "config" for keys from users[].apiKeys',
    },
    createdAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'label', 'createdAt'],
} as const;

const createdKeySchema = {
  type: 'object',
  properties: {
    ...apiKeySchema.properties,
    key: {
      type: 'string',
      description: 'the key itself (Authorization: Bearer <key>); shown in this answer only',
    },
  },
  required: [...apiKeySchema.required, 'key'],
} as const;

const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema };
const userParam = {
  type: 'object',
  properties: { username: { type: 'string', minLength: 1 } },
  required: ['username'],
} as const;

const view = (k: ApiKeyInfo) => ({
  id: k.id,
  label: k.label,
  createdAt: new Date(k.createdAt).toISOString(),
});

export const apiKeyRoutes: FastifyPluginAsync<AdminContext> = async (app, opts) => {
  const { apiKeys } = opts.services;

  app.post<{ Params: { username: string }; Body: { label?: string } | undefined }>(
    '/users/:username/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary:
          'create a REST API key for a user: the key is in this answer only (the store keeps its SHA-256)',
        params: userParam,
        body: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          properties: { label: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: { 201: createdKeySchema, ...errors },
      },
    },
    async (req, reply) => {
      const u = await userOr404(opts, req.params.username);
      const { key, hash } = newApiKey();
      const stored = await apiKeys.add({ userId: u.id, keyHash: hash, label: req.body?.label });
      // The id and label only: the key never reaches a log.
      req.log.info({ user: u.username, keyId: stored.id }, 'admin: API key created');
      return reply.code(201).send({ ...view(stored), key });
    },
  );

  app.get<{ Params: { username: string } }>(
    '/users/:username/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: "a user's REST API keys that are not revoked, oldest first (never the key)",
        params: userParam,
        response: {
          200: {
            type: 'object',
            properties: { apiKeys: { type: 'array', items: apiKeySchema } },
            required: ['apiKeys'],
          },
          ...errors,
        },
      },
    },
    async (req) => ({
      apiKeys: (await apiKeys.list((await userOr404(opts, req.params.username)).id)).map(view),
    }),
  );

  app.delete<{ Params: { username: string; id: number } }>(
    '/users/:username/api-keys/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'revoke a REST API key: refused from the next request on',
        params: {
          type: 'object',
          properties: { username: { type: 'string', minLength: 1 }, id: { type: 'integer', minimum: 1 } },
          required: ['username', 'id'],
        },
        response: { 204: { type: 'null', description: 'revoked' }, ...errors },
      },
    },
    async (req, reply) => {
      const u = await userOr404(opts, req.params.username);
      const revoked = await apiKeys.revoke({ userId: u.id, id: req.params.id });
      if (!revoked)
        throw new HttpProblem(
          404,
          'HERMOD_ERR_UNKNOWN_API_KEY',
          `user "${u.username}" has no API key ${req.params.id} (or it is revoked already)`,
        );
      opts.forgetApiKeys?.();
      req.log.info({ user: u.username, keyId: revoked.id }, 'admin: API key revoked');
      return reply.code(204).send();
    },
  );
};
