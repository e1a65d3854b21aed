/**
 * REST v1 messages: send one, send a batch, show one with its timeline, list with filters
 * and a cursor. Every send goes through `gateway.submit`, the same door as SMPP.
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger'; // adds tags/summary to route schemas
import { HttpProblem, problemOf, problems } from '../problem.js';
import {
  CheckedUrls,
  RefusedUrlError,
  UrlGuard,
  draftOf,
  encodeContent as encode,
  encodingOfDataCoding,
  reject,
  textOf,
  type EncodedContent,
  type Gateway,
  type MessageFilter,
  type MessageViews,
} from '../../gateway/index.js';
import type { MediaRef, MessageState, StoredMessage, User } from '../../domain/index.js';
import { formatMicros } from '../../domain/money.js';
import {
  batchBody,
  batchResult,
  idempotencyHeader,
  listQuery,
  messageDetail,
  messageView,
  problemResponses,
  sendBody,
} from './schemas.js';
import { json, type Idempotency, type JsonResponse } from './idempotency.js';

export interface SendInput {
  to: string;
  from: string;
  text?: string;
  binary?: string;
  encoding?: 'auto' | 'gsm7' | 'ucs2';
  send_at?: string;
  validity_period?: number;
  callback_url?: string;
  callback_failover_url?: string;
  client_ref?: string;
  tags?: string[];
  priority?: number;
  /** An MMS: URLs to fetch or upload ids (med_…). */
  media_urls?: string[];
  subject?: string;
}

interface BatchInput extends Omit<SendInput, 'to'> {
  to?: string[];
  messages?: {
    to: string;
    from?: string;
    text?: string;
    binary?: string;
    client_ref?: string;
    tags?: string[];
    media_urls?: string[];
    subject?: string;
  }[];
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** A stored message as REST v1 shows it. */
export function viewOf(m: StoredMessage, now = Date.now()): Record<string, unknown> {
  const encoding = encodingOfDataCoding(m.dataCoding);
  const scheduled = m.state === 'queued' && m.meta.scheduleAt !== undefined && m.meta.scheduleAt > now;
  const text = textOf(m.body, m.dataCoding);
  return {
    id: m.id,
    status: scheduled ? 'scheduled' : m.state,
    direction: 'outbound',
    to: `+${m.destination}`,
    from: m.source,
    ...(text === undefined ? { binary: m.body.toString('base64') } : { text }),
    encoding,
    segments: m.meta.segments ?? 1,
    type: m.meta.media && m.meta.media.length > 0 ? 'mms' : 'sms',
    subject: m.meta.subject,
    media: (m.meta.media ?? m.meta.linkedMedia)?.map(mediaItemOf),
    fallback: m.meta.fallback,
    cost: formatMicros(m.priceMicros),
    client_ref: m.meta.clientRef,
    tags: m.meta.tags,
    campaign: m.meta.campaign === undefined ? undefined : Number(m.meta.campaign),
    callback_url: m.meta.callbackUrl,
    callback_failover_url: m.meta.callbackFailoverUrl,
    send_at: iso(m.meta.scheduleAt),
    valid_until: iso(m.meta.validUntil),
    error: m.error ?? undefined,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
  };
}

/** A media item as a message shows it. */
function mediaItemOf(r: MediaRef): Record<string, unknown> {
  return { id: r.id, content_type: r.contentType, size: r.size, filename: r.filename };
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** Sender: E.164 (the '+' is dropped), a short code, or an alphanumeric id of 1–11 characters. */
function sourceOf(from: string): string {
  if (/^\+\d{3,15}$/.test(from)) return from.slice(1);
  if (/^\d{3,15}$/.test(from)) return from;
  if (/^[A-Za-z0-9 ]{1,11}$/.test(from) && /[A-Za-z]/.test(from)) return from;
  throw new HttpProblem(
    400,
    'HERMOD_ERR_INVALID_SOURCE',
    `"${from}" is not a valid sender: an E.164 number, a short code, or 1–11 letters, digits and spaces with at least one letter`,
  );
}

function callbackOf(url: string, field = 'callback_url'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // new URL throws a bare TypeError; the customer gets a 400 naming the field instead.
    throw new HttpProblem(400, 'HERMOD_ERR_INVALID_CALLBACK_URL', `${field} "${url}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new HttpProblem(400, 'HERMOD_ERR_INVALID_CALLBACK_URL', `${field} must be http or https`);
  return u.toString();
}

/** Content → SMPP body and data_coding (the gateway counts the parts when it charges them). */
export function encodeContent(input: {
  text?: string;
  binary?: string;
  encoding?: 'auto' | 'gsm7' | 'ucs2';
}): EncodedContent {
  if (input.text !== undefined && input.binary !== undefined)
    throw problems.badRequest('give either text or binary, not both');
  if (input.binary !== undefined) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.binary)) throw problems.badRequest('binary must be base64');
    const bytes = Buffer.from(input.binary, 'base64');
    if (bytes.length === 0) throw problems.badRequest('binary is empty');
    return encode({ bytes });
  }
  if (input.text === undefined || input.text === '') throw problems.badRequest('text or binary is required');
  return encode({ text: input.text, encoding: input.encoding ?? 'auto' });
}

/**
 * A callback URL through the SSRF guard (docs/configuration.md, `webhooks.allow`) when it is given, as the Jasmin API checks
 * dlr-url at /send: a refused URL is a 400 now, not an event silently dropped later. The
 * webhook sender checks the address it connects to again at delivery.
 */
async function guardedCallback(guard: CheckedUrls, url: string, field: string): Promise<string> {
  const parsed = callbackOf(url, field);
  try {
    await guard.check(parsed);
  } catch (err) {
    if (err instanceof RefusedUrlError)
      throw new HttpProblem(400, 'HERMOD_ERR_URL_REFUSED', `${field} refused: ${err.reason}`);
    throw err;
  }
  return parsed;
}

export class RestSender {
  private readonly guard: CheckedUrls;

  constructor(
    private readonly gateway: Gateway,
    private readonly messages: Pick<MessageViews, 'get'>,
    guard: UrlGuard = new UrlGuard(),
    /** The account's default status-callback URL (PUT /v1/webhook), for messages that give none. */
    private readonly defaultCallbackUrl?: (userId: number) => Promise<string | undefined>,
  ) {
    this.guard = new CheckedUrls(guard);
  }

  /**
   * The media of `media_urls` (uploads by id, URLs fetched now), checked against the
   * message limits; none without. Refusals are the media library's (404, 413, 415, 422).
   */
  async media(user: User, urls: string[] | undefined): Promise<MediaRef[] | undefined> {
    if (urls === undefined || urls.length === 0) return undefined;
    if (!this.gateway.media)
      throw new HttpProblem(501, 'HERMOD_ERR_NOT_CONFIGURED', 'this gateway keeps no media (media_urls)');
    return this.gateway.media.resolve(urls, { userId: user.id });
  }

  /**
   * Validates, encodes and submits one message; resolves with its view once it is committed.
   * `media`: the item's media already resolved (a batch resolves its common media_urls once).
   */
  async send(
    user: User,
    input: SendInput,
    now = Date.now(),
    resolved?: MediaRef[],
  ): Promise<Record<string, unknown>> {
    if (!E164.test(input.to))
      throw reject.invalidDestination(
        `"${input.to}" is not an E.164 number (REST v1 accepts "+" and digits only)`,
      );
    const source = sourceOf(input.from);
    if (input.subject !== undefined && !input.media_urls?.length && !resolved?.length)
      throw problems.badRequest('subject is for an MMS: give media_urls too');
    const media = resolved ?? (await this.media(user, input.media_urls));
    // An MMS may be media alone: its text is then empty.
    const { body, dataCoding } =
      media && input.text === undefined && input.binary === undefined
        ? { body: Buffer.alloc(0), dataCoding: 0 }
        : encodeContent(input);
    if (input.callback_failover_url !== undefined && input.callback_url === undefined)
      throw problems.badRequest(
        'callback_failover_url needs a callback_url (it is where events go when that one keeps failing)',
      );
    const callbackUrl =
      input.callback_url === undefined
        ? await this.defaultCallbackUrl?.(user.id)
        : await guardedCallback(this.guard, input.callback_url, 'callback_url');
    const callbackFailoverUrl =
      input.callback_failover_url === undefined
        ? undefined
        : await guardedCallback(this.guard, input.callback_failover_url, 'callback_failover_url');
    let scheduleAt: number | undefined;
    if (input.send_at !== undefined) {
      const at = Date.parse(input.send_at);
      if (!Number.isFinite(at)) throw problems.badRequest('send_at must be an RFC 3339 date-time');
      if (at > now) scheduleAt = at;
    }
    // meta.segments is set by the gateway: the parts it charged. Receipts are tracked upstream
    // whatever registered_delivery says; 0 (draftOf's default) keeps REST messages' receipts
    // out of the SMPP outbox of the same account.
    const id = await this.gateway.submit(
      user,
      draftOf({
        systemId: user.username,
        origin: 'rest',
        from: source,
        to: input.to.slice(1),
        content: { body, dataCoding },
        priority: input.priority ?? 0,
        ...(callbackUrl !== undefined ? { callbackUrl } : {}),
        ...(callbackFailoverUrl !== undefined ? { callbackFailoverUrl } : {}),
        ...(input.client_ref !== undefined ? { clientRef: input.client_ref } : {}),
        ...(input.tags !== undefined ? { tags: input.tags } : {}),
        ...(media ? { media } : {}),
        ...(input.subject !== undefined ? { subject: input.subject } : {}),
        ...(scheduleAt !== undefined ? { scheduleAt } : {}),
        ...(input.validity_period !== undefined
          ? { validUntil: (scheduleAt ?? now) + input.validity_period * 1000 }
          : {}),
      }),
    );
    const stored = await this.messages.get(id);
    if (!stored) throw new HttpProblem(500, 'HERMOD_ERR_INTERNAL', 'accepted message not found');
    return viewOf(stored, now);
  }
}

export interface MessagesRoutesOptions {
  gateway: Gateway;
  messages: MessageViews;
  idempotency: Idempotency;
  /** Checks callback URLs at submit (the SSRF guard); default: private and loopback space refused. */
  guard?: UrlGuard;
  /** The account's default status-callback URL, for messages that give none. */
  defaultCallbackUrl?: (userId: number) => Promise<string | undefined>;
}

const encodeCursor = (id: string) => Buffer.from(`m:${id}`).toString('base64url');
function decodeCursor(cursor: string, prefix: string): string {
  const s = Buffer.from(cursor, 'base64url').toString();
  if (!s.startsWith(`${prefix}:`) || !/^[0-9a-z]{26}$/.test(s.slice(prefix.length + 1)))
    throw new HttpProblem(400, 'HERMOD_ERR_INVALID_CURSOR', 'cursor is not one this API returned');
  return s.slice(prefix.length + 1);
}
export const cursors = {
  encode: (prefix: string, id: string) => Buffer.from(`${prefix}:${id}`).toString('base64url'),
  decode: decodeCursor,
};

export async function messagesRoutes(app: FastifyInstance, opts: MessagesRoutesOptions): Promise<void> {
  const sender = new RestSender(opts.gateway, opts.messages, opts.guard, opts.defaultCallbackUrl);
  sendRoutes(app, sender, opts.idempotency);
  cancelRoute(app, opts.gateway, opts.messages);
  showRoute(app, opts.messages);
  listRoute(app, opts.messages);
}

/** POST /v1/messages and /v1/messages/batch, both behind Idempotency-Key. */
function sendRoutes(app: FastifyInstance, sender: RestSender, idempotency: Idempotency): void {
  app.post<{ Body: SendInput }>(
    '/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Send a message',
        description:
          "Accepted (202) once the message is stored; the id is Hermod's. Idempotency-Key makes a retry safe.",
        headers: idempotencyHeader,
        body: sendBody,
        response: {
          202: { $ref: 'Message#' },
          402: { $ref: 'Problem#' },
          409: { $ref: 'Problem#' },
          422: { $ref: 'Problem#' },
          ...problemResponses,
        },
      },
    },
    (req, reply) =>
      idempotency.handle(req, reply, req.apiUser!.id, async () =>
        json(202, await sender.send(req.apiUser!, req.body)),
      ),
  );

  app.post<{ Body: BatchInput }>(
    '/v1/messages/batch',
    {
      schema: {
        tags: ['messages'],
        summary: 'Send many messages in one call',
        description:
          'One result per recipient, in order; a refused recipient does not stop the others (partial failures are reported per item).',
        headers: idempotencyHeader,
        body: batchBody,
        response: { 200: batchResult, ...problemResponses },
      },
    },
    (req, reply) =>
      idempotency.handle(req, reply, req.apiUser!.id, async (): Promise<JsonResponse> => {
        const b = req.body;
        if ((b.to === undefined) === (b.messages === undefined))
          throw problems.badRequest(
            'give either `to` (a list of numbers) or `messages` (a list of messages)',
          );
        const { to: _to, messages: _m, ...common } = b;
        const items: SendInput[] = b.to
          ? b.to.map((to) => ({ ...common, to }))
          : b.messages!.map((m) => ({ ...common, ...m }));
        const now = Date.now();
        // The batch's own media_urls are fetched once for all its messages (a refusal refuses the batch).
        const shared = await sender.media(req.apiUser!, common.media_urls);
        const results = await Promise.all(
          items.map(async (item, index) => {
            try {
              const own = item.media_urls !== common.media_urls;
              const message = await sender.send(req.apiUser!, item, now, own ? undefined : shared);
              return { index, to: item.to, ok: true, message };
            } catch (err) {
              return { index, to: item.to, ok: false, error: problemOf(err) };
            }
          }),
        );
        const accepted = results.filter((r) => r.ok).length;
        return json(200, { accepted, failed: results.length - accepted, results });
      }),
  );
}

function cancelRoute(app: FastifyInstance, gateway: Gateway, messages: Pick<MessageViews, 'get'>): void {
  app.post<{ Params: { id: string } }>(
    '/v1/messages/:id/cancel',
    {
      schema: {
        tags: ['messages'],
        summary: 'Cancel a message that has not been sent',
        description:
          'A message still waiting (scheduled, in back-off, behind a connector that is down) ends `canceled` and its price goes back; its callbacks get a `message.finalized` event with status `canceled`. 409 once it has gone out or is being sent.',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 40 } } },
        response: {
          200: { $ref: 'Message#' },
          404: { $ref: 'Problem#' },
          409: { $ref: 'Problem#' },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const outcome = await gateway.cancel(req.apiUser!, req.params.id, 'REST');
      if (outcome === 'not_found') throw problems.notFound(`no message ${req.params.id}`);
      if (outcome === 'too_late') throw problems.notCancelable(req.params.id);
      return viewOf((await messages.get(req.params.id))!);
    },
  );
}

/** A message with its timeline and, when it went in several parts, each part's state. */
function showRoute(app: FastifyInstance, messages: MessageViews): void {
  app.get<{ Params: { id: string } }>(
    '/v1/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'A message with its state timeline',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 40 } } },
        response: { 200: { $ref: 'MessageDetail#' }, 404: { $ref: 'Problem#' }, ...problemResponses },
      },
    },
    async (req) => {
      const m = await messages.ofUser(req.apiUser!.id, req.params.id);
      if (!m) throw problems.notFound(`no message ${req.params.id}`);
      const history = await messages.history(m.id);
      const detail: Record<string, unknown> = {
        ...viewOf(m),
        timeline: history.map((h) => ({
          state: h.state,
          at: new Date(h.at).toISOString(),
          detail: h.detail,
          ...(h.seq != null ? { part: h.seq } : {}),
        })),
      };
      const parts = await messages.parts(m.id);
      if (parts.length > 1)
        detail.parts = parts.map((p) => ({
          seq: p.seq,
          state: p.state,
          connector: p.connectorId ?? undefined,
          upstream_id: p.upstreamId ?? undefined,
          error: p.error ?? undefined,
          updated_at: new Date(p.updatedAt).toISOString(),
        }));
      return detail;
    },
  );
}

function listRoute(app: FastifyInstance, messages: Pick<MessageViews, 'list'>): void {
  app.get<{
    Querystring: {
      status?: string;
      to?: string;
      from?: string;
      since?: string;
      until?: string;
      client_ref?: string;
      tag?: string;
      campaign?: number;
      limit: number;
      cursor?: string;
    };
  }>(
    '/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'List messages, newest first',
        description:
          'Filters combine with AND. Pages are stable: messages sent after the first page never shift later pages.',
        querystring: listQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: { $ref: 'Message#' } },
              next_cursor: { type: 'string', nullable: true },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const query: MessageFilter = { userId: req.apiUser!.id, limit: q.limit + 1 };
      if (q.cursor !== undefined) query.before = decodeCursor(q.cursor, 'm');
      if (q.status !== undefined) query.state = q.status as MessageState;
      if (q.to !== undefined) query.destination = q.to.replace(/^\+/, '');
      if (q.from !== undefined) query.source = q.from.replace(/^\+(?=\d+$)/, '');
      if (q.since !== undefined) query.since = Date.parse(q.since);
      if (q.until !== undefined) query.until = Date.parse(q.until);
      if (q.client_ref !== undefined) query.clientRef = q.client_ref;
      if (q.tag !== undefined) query.tag = q.tag;
      if (q.campaign !== undefined) query.campaign = String(q.campaign);
      const rows = await messages.list(query);
      const page = rows.slice(0, q.limit);
      const now = Date.now();
      return {
        data: page.map((m) => viewOf(m, now)),
        next_cursor: rows.length > q.limit ? encodeCursor(page[page.length - 1].id) : null,
      };
    },
  );
}

export const sharedSchemas = [messageView, messageDetail];
