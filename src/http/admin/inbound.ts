/**
 * Admin inbound messages (MO) of every kind: routed to a customer, sent to a URL, or taken by
 * no route (stored all the same: docs/routing.md). Newest first, filtered, in cursor pages.
 */
import type { FastifyPluginAsync } from 'fastify';
import { textOf, type InboundMessage, type MoQuery } from '../../gateway/index.js';
import type { AdminContext } from './common.js';
import { problemSchema } from '../problem.js';

const nullableString = { type: ['string', 'null'] } as const;

export const inboundSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
    connector: { type: 'string', description: 'the connector it arrived on' },
    from: { type: 'string', description: 'the handset' },
    to: { type: 'string', description: 'our number or short code' },
    dataCoding: { type: 'integer' },
    text: { ...nullableString, description: 'the decoded text; null for binary content' },
    complete: { type: 'boolean', description: 'false when parts of a long message never arrived' },
    routed: { type: 'boolean', description: 'an MO route took it (to a customer or a URL)' },
    routedTo: { ...nullableString, description: 'the customer (username) it was routed to' },
    routedUrl: { ...nullableString, description: 'the URL an MO route sent it to' },
    media: {
      type: 'array',
      description: 'an inbound MMS’s media, each with a signed URL',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          contentType: { type: 'string' },
          size: { type: 'integer' },
          filename: { type: 'string' },
          url: { type: 'string' },
        },
      },
    },
    subject: { type: 'string', description: 'an inbound MMS’s subject, when it has one' },
  },
  required: [
    'id',
    'receivedAt',
    'connector',
    'from',
    'to',
    'dataCoding',
    'text',
    'complete',
    'routed',
    'routedTo',
    'routedUrl',
  ],
} as const;

export function inboundView(m: InboundMessage, mediaUrl?: (id: string) => string) {
  const routedUrl = m.routedUrl ?? null;
  return {
    id: m.id,
    receivedAt: new Date(m.receivedAt).toISOString(),
    connector: m.connectorId,
    from: m.source,
    to: m.destination,
    dataCoding: m.dataCoding,
    text: textOf(m.body, m.dataCoding) ?? null,
    complete: m.complete,
    routed: m.routedTo !== null || routedUrl !== null,
    routedTo: m.routedTo,
    routedUrl,
    // An inbound MMS's media, each with a signed URL (the console shows them).
    ...(m.media?.length
      ? {
          media: m.media.map((r) => ({
            id: r.id,
            contentType: r.contentType,
            size: r.size,
            ...(r.filename !== undefined ? { filename: r.filename } : {}),
            ...(mediaUrl ? { url: mediaUrl(r.id) } : {}),
          })),
        }
      : {}),
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
  };
}

interface InboundQuery {
  routed?: boolean;
  from?: string;
  to?: string;
  connector?: string;
  user?: string;
  limit: number;
  cursor?: string;
}

const errors = { 400: problemSchema, 401: problemSchema };
// Addresses as stored: digits without "+" for numbers, else the alphanumeric id as sent.
const address = (v: string) => v.replace(/^\+(?=\d+$)/, '');

export const inboundRoutes: FastifyPluginAsync<AdminContext> = async (app, { services, gateway }) => {
  app.get<{ Querystring: InboundQuery }>(
    '/inbound',
    {
      schema: {
        tags: ['admin'],
        summary: 'inbound messages (MO) of every kind, routed or not, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            routed: {
              type: 'boolean',
              description: 'true: only MOs a route took; false: only those no route took',
            },
            from: {
              type: 'string',
              minLength: 1,
              description: 'the handset (exact; a leading + is ignored)',
            },
            to: {
              type: 'string',
              minLength: 1,
              description: 'our number or short code (exact; a leading + is ignored)',
            },
            connector: { type: 'string', minLength: 1 },
            user: { type: 'string', minLength: 1, description: 'only MOs routed to this customer' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: {
              type: 'string',
              pattern: '^[0-9a-z]{26}$',
              description: 'the nextCursor of the previous page',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { inbound: { type: 'array', items: inboundSchema }, nextCursor: nullableString },
            required: ['inbound', 'nextCursor'],
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const query: MoQuery = {};
      if (q.routed !== undefined) query.routed = q.routed;
      if (q.from !== undefined) query.source = address(q.from);
      if (q.to !== undefined) query.destination = address(q.to);
      if (q.connector !== undefined) query.connectorId = q.connector;
      if (q.user !== undefined) query.routedTo = q.user;
      if (q.cursor !== undefined) query.before = q.cursor;
      // One more than the page: a next page exists only when it came back.
      const rows = await services.inbound.list({ ...query, limit: q.limit + 1 });
      const media = gateway.media;
      const mediaUrl = media?.canSign ? (id: string) => media.signedUrl(id) : undefined;
      const page = rows.slice(0, q.limit);
      return {
        inbound: page.map((m) => inboundView(m, mediaUrl)),
        nextCursor: rows.length > q.limit ? page[page.length - 1].id : null,
      };
    },
  );
};
