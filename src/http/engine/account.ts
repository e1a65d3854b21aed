/**
 * REST v1: the account's own settings (issue 15), as the console's Account page changes
 * them. Every member reads them; changing them needs the admin role. Secrets are never
 * read back: an API key and a webhook signing secret are in the answer that makes them only.
 *
 * - `/v1/api-keys`: the account's REST API keys (list, create, revoke), as the admin API's
 *   `/v1/admin/users/{username}/api-keys` for the account itself.
 * - `/v1/webhook`: the default status-callback URL (messages sent without `callback_url`)
 *   and the signing secret (`webhook-signature`, Standard Webhooks), rotated here.
 * - `/v1/smpp`: how to bind (system_id, host, ports) and a new SMPP password.
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { newApiKey } from '../../domain/index.js';
import type { WebhookSettings } from '../../engine/index.js';
import { HttpProblem } from '../problem.js';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';

/** Where customers bind: the SMPP listener's public host (null: not known here) and ports. */
export interface SmppListenerInfo {
  host: string | null;
  port: number | null;
  tlsPort: number | null;
}

const answers = { ...problemResponses, 403: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } } as const;
const iso = (ms: number) => new Date(ms).toISOString();

const apiKeyView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    label: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const webhookView = {
  type: 'object',
  properties: {
    url: {
      type: ['string', 'null'],
      description: 'where status events of messages sent without a callback_url go; null: none',
    },
    has_secret: { type: 'boolean', description: 'deliveries carry a webhook-signature header' },
    secret_hint: {
      type: ['string', 'null'],
      description:
        "the last 4 characters of the secret set here (never the secret); null when none is (the configuration's may be)",
    },
    updated_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const viewOfWebhook = (w: WebhookSettings) => ({
  url: w.url,
  has_secret: w.hasSecret,
  secret_hint: w.secretHint,
  updated_at: w.updatedAt === null ? null : iso(w.updatedAt),
});

export async function accountSettingRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  apiKeyRoutes(app, opts);
  webhookRoutes(app, opts);
  smppRoutes(app, opts);
}

function apiKeyRoutes(app: FastifyInstance, { gateway, forgetApiKeys }: EngineRouteOptions): void {
  const keys = gateway.services.apiKeys;
  app.get(
    '/v1/api-keys',
    {
      schema: {
        tags: ['account'],
        summary: "The account's REST API keys that are not revoked, oldest first (never the key)",
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: apiKeyView } } },
          ...answers,
        },
      },
    },
    async (req) => ({
      data: (await keys.list(req.apiUser!.id)).map((k) => ({
        id: k.id,
        label: k.label,
        created_at: iso(k.createdAt),
      })),
    }),
  );

  app.post<{ Body: { label?: string } | undefined }>(
    '/v1/api-keys',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['account'],
        summary: 'Create an API key: the key is in this answer only (Hermod keeps its SHA-256)',
        body: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          properties: { label: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              ...apiKeyView.properties,
              key: { type: 'string', description: 'Authorization: Bearer <key>; shown this once' },
            },
          },
          ...answers,
        },
      },
    },
    async (req, reply) => {
      const { key, hash } = newApiKey();
      const k = await keys.add({ userId: req.apiUser!.id, keyHash: hash, label: req.body?.label });
      req.log.info({ user: req.apiUser!.username, keyId: k.id }, 'API key created');
      return reply.code(201).send({ id: k.id, label: k.label, created_at: iso(k.createdAt), key });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/v1/api-keys/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['account'],
        summary: 'Revoke an API key: refused from the next request on',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1 } },
        },
        response: { 204: { type: 'null' }, ...answers },
      },
    },
    async (req, reply) => {
      const revoked = await keys.revoke({ userId: req.apiUser!.id, id: req.params.id });
      if (!revoked)
        throw new HttpProblem(
          404,
          'HERMOD_ERR_UNKNOWN_API_KEY',
          `no API key ${req.params.id} (or it is revoked already)`,
        );
      forgetApiKeys?.();
      req.log.info({ user: req.apiUser!.username, keyId: revoked.id }, 'API key revoked');
      return reply.code(204).send();
    },
  );
}

function webhookRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): void {
  app.get(
    '/v1/webhook',
    {
      schema: {
        tags: ['account'],
        summary: "The account's webhook: default status-callback URL, whether deliveries are signed",
        response: { 200: webhookView, ...answers },
      },
    },
    async (req) => viewOfWebhook(await engine.account.webhook(req.apiUser!)),
  );

  app.put<{ Body: { url: string | null } }>(
    '/v1/webhook',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['account'],
        summary: 'Set (or with null clear) the default status-callback URL',
        description:
          "Status events of messages sent without a callback_url go here. The URL is checked by the SSRF guard as a message's callback_url is.",
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { url: { type: ['string', 'null'], maxLength: 2000 } },
        },
        response: { 200: webhookView, ...answers },
      },
    },
    async (req) => {
      const url = req.body.url === null || req.body.url.trim() === '' ? null : req.body.url.trim();
      return viewOfWebhook(await engine.account.setWebhookUrl(req.apiUser!, url));
    },
  );

  app.post(
    '/v1/webhook/secret',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['account'],
        summary: 'A new signing secret: in this answer only; deliveries are signed with it from now on',
        response: {
          200: {
            type: 'object',
            properties: {
              ...webhookView.properties,
              secret: { type: 'string', description: 'whsec_…, shown this once' },
            },
          },
          ...answers,
        },
      },
    },
    async (req) => {
      const r = await engine.account.rotateSecret(req.apiUser!);
      req.log.info({ user: req.apiUser!.username }, 'webhook signing secret rotated');
      return { ...viewOfWebhook(r.settings), secret: r.secret };
    },
  );
}

function smppRoutes(
  app: FastifyInstance,
  { engine, gateway, smpp, forgetApiKeys }: EngineRouteOptions,
): void {
  app.get(
    '/v1/smpp',
    {
      schema: {
        tags: ['account'],
        summary: 'How to bind over SMPP: system_id, host, ports (never the password)',
        response: {
          200: {
            type: 'object',
            properties: {
              system_id: { type: 'string', description: "the account's username" },
              host: { type: ['string', 'null'], description: 'null: the address you reach this server by' },
              port: { type: ['integer', 'null'] },
              tls_port: { type: ['integer', 'null'], description: 'SMPP over TLS; null when not offered' },
              password_set: { type: 'boolean' },
            },
          },
          ...answers,
        },
      },
    },
    async (req) => {
      const l = smpp?.() ?? { host: null, port: null, tlsPort: null };
      return {
        system_id: req.apiUser!.username,
        host: l.host,
        port: l.port,
        tls_port: l.tlsPort,
        password_set: req.apiUser!.passwordHash !== '',
      };
    },
  );

  app.put<{ Body: { password: string } }>(
    '/v1/smpp/password',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['account'],
        summary: 'Set a new SMPP password (also the Jasmin HTTP API password): 1 to 8 characters',
        description: 'Binds made with the old password stay up; new binds need the new one.',
        body: {
          type: 'object',
          required: ['password'],
          additionalProperties: false,
          properties: { password: { type: 'string', minLength: 1, maxLength: 8 } },
        },
        response: { 204: { type: 'null' }, ...answers },
      },
    },
    async (req, reply) => {
      await engine.account.setSmppPassword(req.apiUser!, req.body.password);
      // The gateway's accounts and the REST keys' users: the change counts from the next bind.
      gateway.forgetAccounts();
      forgetApiKeys?.();
      req.log.info({ user: req.apiUser!.username }, 'SMPP password changed');
      return reply.code(204).send();
    },
  );
}
