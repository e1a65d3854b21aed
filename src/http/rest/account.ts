/** REST v1: balance, price quotes, inbound messages. */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import {
  encodingOfDataCoding,
  reject,
  inboundMediaView,
  textOf,
  type Gateway,
  type InboundViews,
  type MediaLibrary,
  type InterfaceServices,
  type MoQuery,
} from '../../gateway/index.js';
import { formatMicros } from '../../domain/money.js';
import { cursors } from './messages.js';
import { inboundView, problemResponses } from './schemas.js';

export interface AccountRoutesOptions {
  gateway: Gateway;
  services: Pick<InterfaceServices, 'accounts' | 'inbound'>;
}

export async function accountRoutes(app: FastifyInstance, opts: AccountRoutesOptions): Promise<void> {
  balanceRoute(app, opts.gateway);
  ratesRoute(app, opts.gateway);
  inboundRoute(app, opts.services.inbound, opts.gateway.media);
}

function balanceRoute(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/balance',
    {
      schema: {
        tags: ['account'],
        summary: 'The account balance',
        response: {
          200: {
            type: 'object',
            properties: {
              balance: { type: 'string', description: 'in the account currency' },
              username: { type: 'string' },
              low: { type: 'boolean', description: 'below the low-balance threshold (PUT /v1/low-balance)' },
              threshold: {
                type: ['string', 'null'],
                description: 'the low-balance threshold, null when none',
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const s = await gateway.money.state(req.apiUser!.id);
      return {
        balance: formatMicros(s?.balanceMicros ?? 0),
        username: req.apiUser!.username,
        low: s?.lowSince != null,
        threshold: s?.thresholdMicros == null ? null : formatMicros(s.thresholdMicros),
      };
    },
  );
}

function ratesRoute(app: FastifyInstance, gateway: Gateway): void {
  app.get<{ Querystring: { to: string; from?: string; text?: string; type?: 'sms' | 'mms' } }>(
    '/v1/rates',
    {
      schema: {
        tags: ['account'],
        summary: 'The price of a message to a number, and the route it would take',
        description:
          'Asks the router (gateway.quote) without sending or counting anything. With `text`: its parts and the total price.',
        querystring: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: {
            to: { type: 'string', maxLength: 20, description: 'E.164 number, e.g. +447700900123' },
            from: { type: 'string', maxLength: 20, description: 'sender, for routes that filter on it' },
            text: {
              type: 'string',
              maxLength: 1600,
              description: 'content, for routes that filter on it and to count parts',
            },
            type: {
              type: 'string',
              enum: ['sms', 'mms'],
              default: 'sms',
              description: 'mms: the price of one MMS on the route’s MMS-capable connectors (docs/mms.md)',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              to: { type: 'string' },
              country: { type: 'string', nullable: true },
              rate: { type: 'string', description: 'price per SMS part' },
              rate_from: {
                type: 'string',
                enum: ['card', 'route', 'user'],
                description: 'the account’s rate card, else the route’s rate, else the account’s rate',
              },
              route: { type: 'string', nullable: true },
              connector: { type: 'string', nullable: true },
              parts: { type: 'integer' },
              total: { type: 'string' },
              type: { type: 'string', enum: ['sms', 'mms'] },
              fallback: {
                type: 'string',
                enum: ['sms_link'],
                description: 'an MMS would go as an SMS with links (no MMS-capable connector)',
              },
            },
          },
          422: { $ref: 'Problem#' },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const to = req.query.to.trim();
      if (!/^\+[1-9]\d{6,14}$/.test(to))
        throw reject.invalidDestination(
          `"${to}" is not an E.164 number (REST v1 accepts "+" and digits only)`,
        );
      const q = await gateway.quote({
        user: req.apiUser!,
        destination: to.slice(1),
        source: req.query.from,
        text: req.query.text,
        ...(req.query.type === 'mms' ? { mms: true } : {}),
      });
      return {
        to,
        country: q.country,
        rate: formatMicros(q.pricePerPartMicros),
        rate_from: q.priceFrom,
        route: q.route,
        connector: q.connectors[0] ?? null,
        ...(q.parts !== undefined ? { parts: q.parts, total: formatMicros(q.totalMicros ?? 0) } : {}),
        // Asked for an MMS: what it would go as (an SMS with links when no connector carries MMS).
        ...(req.query.type === 'mms' ? { type: q.kind } : {}),
        ...(q.fallback ? { fallback: q.fallback } : {}),
      };
    },
  );
}

function inboundRoute(
  app: FastifyInstance,
  inbound: Pick<InboundViews, 'list'>,
  media: MediaLibrary | undefined,
): void {
  const url = media?.canSign ? (id: string) => media.signedUrl(id) : undefined;
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/inbound',
    {
      schema: {
        tags: ['inbound'],
        summary: 'Inbound messages (MO) routed to this account, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            cursor: { type: 'string', maxLength: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: inboundView },
              next_cursor: { type: 'string', nullable: true },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const q: MoQuery & { limit: number } = { routedTo: req.apiUser!.username, limit: req.query.limit + 1 };
      if (req.query.cursor !== undefined) q.before = cursors.decode(req.query.cursor, 'i');
      const rows = await inbound.list(q);
      const page = rows.slice(0, req.query.limit);
      return {
        data: page.map((m) => {
          const text = textOf(m.body, m.dataCoding);
          return {
            id: m.id,
            direction: 'inbound',
            from: /^\d+$/.test(m.source) ? `+${m.source}` : m.source,
            to: /^\d{7,}$/.test(m.destination) ? `+${m.destination}` : m.destination,
            ...(text === undefined ? { binary: m.body.toString('base64') } : { text }),
            encoding: encodingOfDataCoding(m.dataCoding),
            complete: m.complete,
            connector: m.connectorId,
            received_at: new Date(m.receivedAt).toISOString(),
            ...(m.media?.length ? { media: m.media.map((r) => inboundMediaView(r, url)) } : {}),
            ...(m.subject !== undefined ? { subject: m.subject } : {}),
          };
        }),
        next_cursor: rows.length > req.query.limit ? cursors.encode('i', page[page.length - 1].id) : null,
      };
    },
  );
}
