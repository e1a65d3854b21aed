/**
 * The Telnyx-compatible API under `/v2` on the REST listener (docs/telnyx-api.md): an app
 * written for Telnyx's Messaging API (its SDKs, or plain HTTP like the seed's
 * TelnyxSmsService) works against Hermod by changing its base URL and API key. Bearer auth
 * with Hermod's REST API keys; requests, answers, errors and webhooks in Telnyx's shapes and
 * casing (snake_case).
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { telnyxMessage } from '../../gateway/telnyx.js';
import { FINAL_STATES } from '../../domain/index.js';
import type { Gateway, MessageViews, UrlGuard } from '../../gateway/index.js';
import type { ApiKeyAuth } from '../rest/auth.js';
import { problems } from '../problem.js';
import { useTelnyxErrors } from './errors.js';
import { TelnyxSender, type TelnyxSendInput } from './send.js';

export { telnyxErrorOf, TELNYX_CODES } from './errors.js';

export interface TelnyxRoutesOptions {
  gateway: Gateway;
  messages: MessageViews;
  auth: ApiKeyAuth;
  guard?: UrlGuard;
  /** The account's webhook URL (Telnyx's "profile webhooks"). */
  accountWebhook?: (userId: number) => Promise<string | undefined>;
  /** The public key Telnyx events are signed with (base64 of the raw Ed25519 key); undefined when none. */
  publicKey?: () => Promise<string | undefined>;
}

const errorsResponse = {
  description:
    "Telnyx's error shape: { errors: [{ code, title, detail, source: { pointer }, meta: { hermod_code } }] }",
  type: 'object',
  additionalProperties: true,
} as const;

/** The message object, loosely: its fields are documented in docs/telnyx-api.md. */
const messageResponse = {
  description: "{ data: <Telnyx's message object> } (docs/telnyx-api.md)",
  type: 'object',
  additionalProperties: true,
} as const;

const sendBody = {
  type: 'object',
  description: "Telnyx's send parameters; fields not listed are accepted and ignored, as Telnyx does.",
  additionalProperties: true,
  properties: {
    to: { type: 'string', maxLength: 32, description: '+E.164 receiving number' },
    from: { type: 'string', maxLength: 32, description: '+E.164 number, short code or alphanumeric sender' },
    text: { type: 'string', maxLength: 10_000 },
    media_urls: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 2000 } },
    subject: { type: 'string', maxLength: 200 },
    webhook_url: { type: 'string', maxLength: 2000 },
    webhook_failover_url: { type: 'string', maxLength: 2000 },
    use_profile_webhooks: { type: 'boolean' },
    type: { type: 'string', enum: ['SMS', 'MMS'] },
    messaging_profile_id: { type: 'string', maxLength: 100 },
    auto_detect: { type: 'boolean' },
    encoding: { type: 'string', enum: ['auto', 'gsm7', 'ucs2'] },
    send_at: { type: 'string', nullable: true, maxLength: 64 },
  },
} as const;

export async function telnyxRoutes(app: FastifyInstance, opts: TelnyxRoutesOptions): Promise<void> {
  useTelnyxErrors(app);
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ bearer: [] }] };
  });
  app.addHook('onRequest', async (req) => opts.auth.authenticate(req));
  const sender = new TelnyxSender(opts.gateway, opts.messages, opts.guard, opts.accountWebhook);

  app.post<{ Body: TelnyxSendInput }>(
    '/messages',
    {
      schema: {
        tags: ['telnyx'],
        summary: 'Send a message (Telnyx-compatible)',
        description:
          "Telnyx's POST /v2/messages: an SMS, or an MMS with media_urls. Answered 200 with Telnyx's message object once stored.",
        body: sendBody,
        response: { 200: messageResponse, 401: errorsResponse, 422: errorsResponse },
      },
    },
    async (req) => ({ data: await sender.send(req.apiUser!, req.body ?? {}) }),
  );

  app.get<{ Params: { id: string } }>(
    '/messages/:id',
    {
      schema: {
        tags: ['telnyx'],
        summary: 'A message (Telnyx-compatible)',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 40 } } },
        response: { 200: messageResponse, 404: errorsResponse },
      },
    },
    async (req) => {
      const m = await opts.messages.ofUser(req.apiUser!.id, req.params.id);
      if (!m) throw problems.notFound(`no message ${req.params.id}`);
      const history = await opts.messages.history(m.id);
      const at = (states: readonly string[]) =>
        history.find((h) => h.seq === null && states.includes(h.state))?.at;
      return { data: telnyxMessage(m, { sentAt: at(['sent']), completedAt: at([...FINAL_STATES]) }) };
    },
  );

  app.get(
    '/public_key',
    {
      schema: {
        tags: ['telnyx'],
        summary: 'The public key Telnyx-style webhooks are signed with',
        description:
          "Base64 of the raw Ed25519 public key (32 bytes), as Telnyx's portal shows its key: give it to Telnyx's SDK (`publicKey`) to verify telnyx-signature-ed25519.",
        response: { 200: messageResponse },
      },
    },
    async () => {
      const key = await opts.publicKey?.();
      if (key === undefined) throw problems.notFound('no signing key: the SMS engine is not running');
      return { data: { record_type: 'public_key', algorithm: 'ed25519', public_key: key } };
    },
  );
}
