/**
 * REST v1: the inbox. Conversations (one per peer number: MOs routed to the account and the
 * messages it sent to that number), their threads, unread state, and the reply from a
 * thread, which enters through the gateway's accept door like every message (charged).
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { formatMicros } from '../../domain/index.js';
import { encodingOfDataCoding, inboundMediaView, textOf } from '../../gateway/index.js';
import {
  INBOX_LIMITS,
  peerOf,
  type InboxService,
  type ConversationSummary,
  type ThreadMessage,
} from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';

const messageView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    direction: { type: 'string', enum: ['in', 'out'] },
    from: { type: 'string', description: 'E.164 with + for the peer; our number as the MO named it' },
    to: { type: 'string' },
    text: { type: ['string', 'null'], description: 'null for a binary body' },
    encoding: { type: 'string' },
    state: {
      type: ['string', 'null'],
      description: "an outbound message's state (queued, sent, delivered…); null for inbound",
    },
    at: { type: 'string', format: 'date-time' },
    media: {
      type: 'array',
      description:
        "an MMS's media (inbound, sent, or linked by an SMS fallback), each with a signed URL; absent for an SMS",
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          content_type: { type: 'string' },
          size: { type: 'integer' },
          filename: { type: 'string' },
          url: { type: 'string' },
        },
      },
    },
  },
} as const;

const conversationView = {
  type: 'object',
  properties: {
    number: { type: 'string', description: 'the peer, E.164 with +' },
    name: { type: ['string', 'null'], description: "the contact's name when the number is a contact" },
    contact_id: { type: ['integer', 'null'] },
    our_number: { type: 'string', description: 'the number the peer last wrote to: replies come from it' },
    unread: { type: 'integer' },
    read_until: { type: ['string', 'null'], format: 'date-time' },
    last_at: { type: 'string', format: 'date-time' },
    last_message: { anyOf: [messageView, { type: 'null' }] },
  },
} as const;

const numberParams = {
  type: 'object',
  required: ['number'],
  properties: {
    number: {
      type: 'string',
      minLength: 1,
      maxLength: 32,
      description:
        'the peer as the list shows it: E.164 (+ optional), a short code or an alphanumeric sender',
    },
  },
} as const;

const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: INBOX_LIMITS.pageMax, default: INBOX_LIMITS.pageDefault },
    cursor: { type: 'string', maxLength: 200, description: 'next_cursor of the previous page' },
  },
} as const;

/** A number as the API shows it: digits with '+', an alphanumeric sender as it is. */
const plus = (n: string) => (/^\d+$/.test(n) ? `+${n}` : n);

function viewOfMessage(
  peer: string,
  m: ThreadMessage & { text: string | null },
  mediaUrl?: (id: string) => string,
) {
  const inbound = m.direction === 'in';
  return {
    id: m.id,
    direction: m.direction,
    from: inbound ? plus(peer) : m.ourNumber,
    to: inbound ? m.ourNumber : plus(peer),
    text: m.text,
    encoding: encodingOfDataCoding(m.dataCoding),
    state: m.state,
    at: new Date(m.at).toISOString(),
    ...(m.media?.length ? { media: m.media.map((r) => inboundMediaView(r, mediaUrl)) } : {}),
  };
}

export function viewOfConversation(c: ConversationSummary) {
  const name = c.contact ? [c.contact.firstName, c.contact.lastName].filter(Boolean).join(' ') || null : null;
  return {
    number: plus(c.peer),
    name,
    contact_id: c.contact?.id ?? null,
    our_number: c.ourNumber,
    unread: c.unread,
    read_until: c.readUntil > 0 ? new Date(c.readUntil).toISOString() : null,
    last_at: new Date(Math.max(c.lastAt, c.last?.at ?? 0)).toISOString(),
    last_message: c.last
      ? viewOfMessage(c.peer, { ...c.last, text: textOf(c.last.body, c.last.dataCoding) ?? null })
      : null,
  };
}

export async function inboxRoutes(
  app: FastifyInstance,
  { engine, gateway }: EngineRouteOptions,
): Promise<void> {
  const inbox = engine.inbox;
  conversationsRoute(app, inbox);
  const media = gateway.media;
  threadRoute(app, inbox, media?.canSign ? (id) => media.signedUrl(id) : undefined);
  markReadRoute(app, inbox);
  replyRoute(app, inbox);
}

/** GET /v1/conversations: the account's conversations, a page at a time. */
function conversationsRoute(app: FastifyInstance, inbox: InboxService): void {
  app.get<{ Querystring: { limit: number; cursor?: string; unread?: boolean } }>(
    '/v1/conversations',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Conversations, the most recent first, with their last message and unread count',
        querystring: {
          ...pageQuery,
          properties: {
            ...pageQuery.properties,
            unread: { type: 'boolean', description: 'only conversations with unread messages' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: conversationView },
              unread: { type: 'integer', description: 'unread messages in all conversations' },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const user = req.apiUser!;
      const page = await inbox.conversations(user, {
        limit: req.query.limit,
        ...(req.query.cursor !== undefined ? { cursor: req.query.cursor } : {}),
        ...(req.query.unread ? { unreadOnly: true } : {}),
      });
      return {
        data: page.items.map(viewOfConversation),
        unread: await inbox.unreadTotal(user),
        next_cursor: page.next,
      };
    },
  );
}

/** GET /v1/conversations/{number}/messages: the thread with a number. */
function threadRoute(app: FastifyInstance, inbox: InboxService, mediaUrl?: (id: string) => string): void {
  app.get<{ Params: { number: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/conversations/:number/messages',
    {
      schema: {
        tags: ['inbox'],
        summary: 'The thread with a number: inbound and outbound messages, newest first',
        params: numberParams,
        querystring: pageQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: messageView },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const page = await inbox.messages(req.apiUser!, req.params.number, {
        limit: req.query.limit,
        ...(req.query.cursor !== undefined ? { cursor: req.query.cursor } : {}),
      });
      const peer = peerOf(req.params.number);
      return { data: page.items.map((m) => viewOfMessage(peer, m, mediaUrl)), next_cursor: page.next };
    },
  );
}

/** POST /v1/conversations/{number}/read: mark it read up to now, or up to `until`. */
function markReadRoute(app: FastifyInstance, inbox: InboxService): void {
  app.post<{ Params: { number: string }; Body: { until?: string } | undefined }>(
    '/v1/conversations/:number/read',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Mark the conversation read (up to now, or up to `until`)',
        params: numberParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { until: { type: 'string', format: 'date-time' } },
        },
        response: { 200: conversationView, ...problemResponses },
      },
    },
    async (req) => {
      const user = req.apiUser!;
      const until = req.body?.until !== undefined ? Date.parse(req.body.until) : undefined;
      await inbox.markRead(user, req.params.number, until);
      return viewOfConversation(await inbox.conversation(user, req.params.number));
    },
  );
}

/** POST /v1/conversations/{number}/messages: a reply, through the gateway's accept door. */
function replyRoute(app: FastifyInstance, inbox: InboxService): void {
  app.post<{ Params: { number: string }; Body: { text: string; from?: string } }>(
    '/v1/conversations/:number/messages',
    {
      schema: {
        tags: ['inbox'],
        summary:
          'Reply in the thread (sent and charged as any message; from the number the peer wrote to unless `from`)',
        params: numberParams,
        body: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: {
            text: { type: 'string', minLength: 1, maxLength: INBOX_LIMITS.replyChars },
            from: { type: 'string', minLength: 1, maxLength: 20 },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              parts: { type: 'integer' },
              cost: { type: 'string', description: 'charged, in the account currency' },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req, reply) => {
      const a = await inbox.reply(req.apiUser!, req.params.number, {
        text: req.body.text,
        ...(req.body.from !== undefined ? { from: req.body.from } : {}),
      });
      return reply.code(201).send({ id: a.id, parts: a.segments, cost: formatMicros(a.priceMicros) });
    },
  );
}
