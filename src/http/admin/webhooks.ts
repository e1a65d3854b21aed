/**
 * Admin views of outbound callbacks: the delivery log (every attempt: url, event id,
 * attempt, HTTP status or error, duration) and the outbox (pending items with their attempts
 * and next try). Read-only: operators see why a customer got no callback without grepping logs.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AdminContext } from './common.js';
import { problemSchema } from '../problem.js';

const errors = { 400: problemSchema, 401: problemSchema };
const iso = (ms: number) => new Date(ms).toISOString();
const nullableString = { type: ['string', 'null'] } as const;

const attemptSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    eventId: { type: 'string' },
    messageId: { type: 'string' },
    url: { type: 'string' },
    attempt: { type: 'integer' },
    status: { type: ['integer', 'null'], description: 'HTTP status answered; null when none came' },
    error: nullableString,
    durationMs: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'eventId', 'messageId', 'url', 'attempt', 'status', 'error', 'durationMs', 'at'],
} as const;

const pendingSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    eventId: { type: 'string' },
    kind: {
      type: 'string',
      enum: ['jasmin_dlr', 'jasmin_mo', 'kannel_dlr', 'kannel_mo', 'rest', 'telnyx', 'email'],
    },
    messageId: { type: 'string' },
    url: { type: 'string' },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    lastError: nullableString,
  },
  required: [
    'id',
    'eventId',
    'kind',
    'messageId',
    'url',
    'attempts',
    'nextAttemptAt',
    'expiresAt',
    'createdAt',
    'lastError',
  ],
} as const;

const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100 } as const;

export const webhookRoutes: FastifyPluginAsync<AdminContext> = async (app, { services }) => {
  app.get<{ Querystring: { messageId?: string; limit?: number } }>(
    '/webhooks/log',
    {
      schema: {
        tags: ['admin'],
        summary: 'callback delivery attempts, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            messageId: { type: 'string', minLength: 1, description: "only this message's events" },
            limit,
          },
        },
        response: {
          200: { type: 'object', properties: { attempts: { type: 'array', items: attemptSchema } } },
          ...errors,
        },
      },
    },
    async (req) => ({
      attempts: (
        await services.webhooks.log({ messageId: req.query.messageId, limit: req.query.limit ?? 100 })
      ).map((e) => ({ ...e, at: iso(e.at) })),
    }),
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/webhooks/pending',
    {
      schema: {
        tags: ['admin'],
        summary: 'the callback outbox: items not delivered yet, oldest first, with attempts and next try',
        querystring: { type: 'object', additionalProperties: false, properties: { limit } },
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, pending: { type: 'array', items: pendingSchema } },
          },
          ...errors,
        },
      },
    },
    async (req) => ({
      total: await services.webhooks.depth(),
      pending: (await services.webhooks.pending({ limit: req.query.limit ?? 100 })).map((w) => ({
        id: w.id,
        eventId: w.eventId,
        kind: w.kind,
        messageId: w.messageId,
        url: w.url,
        attempts: w.attempts,
        nextAttemptAt: iso(w.nextAt),
        expiresAt: iso(w.expiresAt),
        createdAt: iso(w.createdAt),
        lastError: w.lastError,
      })),
    }),
  );
};
