/** Admin messages: listed with filters in cursor pages, and one with its state history. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { HttpProblem } from '../problem.js';
import { type MessageState } from '../../domain/index.js';
import { messageSchema, messageView } from './views.js';
import { MESSAGE_STATES, errors, idParam, msisdn, type AdminContext } from './common.js';

export const messagesPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  messageListRoute(app, ctx);
  messageShowRoute(app, ctx);
};

function messageListRoute(app: FastifyInstance, ctx: AdminContext): void {
  const { services } = ctx;
  app.get<{
    Querystring: {
      state?: MessageState;
      connector?: string;
      user?: string;
      to?: string;
      limit?: number;
      before?: string;
      after?: string;
    };
  }>(
    '/messages',
    {
      schema: {
        tags: ['admin'],
        summary: 'messages, newest first (or oldest first after a cursor with `after`)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: MESSAGE_STATES },
            connector: { type: 'string', minLength: 1 },
            user: { type: 'string', minLength: 1 },
            to: { type: 'string', minLength: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            before: {
              type: 'string',
              minLength: 1,
              description: 'cursor: the nextCursor of the previous page',
            },
            after: {
              type: 'string',
              minLength: 1,
              description: 'only messages newer than this id, oldest first',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              messages: { type: 'array', items: messageSchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.before && q.after)
        throw new HttpProblem(400, 'HERMOD_ERR_VALIDATION', 'give before or after, not both');
      let userId: number | undefined;
      if (q.user !== undefined) {
        const u = await services.accounts.byName(q.user);
        if (!u) return { messages: [], nextCursor: null };
        userId = u.id;
      }
      const limit = q.limit ?? 50;
      const rows = await services.messages.list({
        state: q.state,
        connectorId: q.connector,
        userId,
        destination: q.to === undefined ? undefined : msisdn(q.to),
        before: q.before,
        after: q.after,
        limit,
      });
      const last = rows.at(-1);
      return { messages: rows.map(messageView), nextCursor: rows.length === limit && last ? last.id : null };
    },
  );
}

function messageShowRoute(app: FastifyInstance, ctx: AdminContext): void {
  const { services } = ctx;
  app.get<{ Params: { id: string } }>(
    '/messages/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'one message with its state history',
        params: idParam('id'),
        response: {
          200: {
            type: 'object',
            properties: {
              ...messageSchema.properties,
              history: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    state: { type: 'string' },
                    at: { type: 'string', format: 'date-time' },
                    detail: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const m = await services.messages.get(req.params.id);
      if (!m) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_MESSAGE', `no message ${req.params.id}`);
      const history = (await services.messages.history(m.id)).map((h) => ({
        state: h.state,
        at: new Date(h.at).toISOString(),
        detail: h.detail,
      }));
      return { ...messageView(m), history };
    },
  );
}
