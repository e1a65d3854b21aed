/** Admin statistics: messages by state and connector, queue depth, MO count, connectors bound. */
import type { FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { errors, type AdminContext } from './common.js';

export const statsPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const { gateway, services } = ctx;
  app.get(
    '/stats',
    {
      schema: {
        tags: ['admin'],
        summary: 'messages by state and connector, queue depth, MO count, connectors bound',
        response: {
          200: {
            type: 'object',
            properties: {
              messages: {
                type: 'object',
                properties: {
                  total: { type: 'integer' },
                  byState: { type: 'object', additionalProperties: { type: 'integer' } },
                  byConnector: {
                    type: 'object',
                    additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
                  },
                },
              },
              queue: {
                type: 'object',
                properties: {
                  depth: { type: 'integer' },
                  byConnector: { type: 'object', additionalProperties: { type: 'integer' } },
                },
              },
              mo: { type: 'object', properties: { count: { type: 'integer' } } },
              connectors: {
                type: 'object',
                properties: { total: { type: 'integer' }, bound: { type: 'integer' } },
              },
            },
          },
          ...errors,
        },
      },
    },
    async () => {
      const counts = await services.messages.counts();
      const byState: Record<string, number> = {};
      const byConnector: Record<string, Record<string, number>> = {};
      let total = 0;
      for (const c of counts) {
        total += c.count;
        byState[c.state] = (byState[c.state] ?? 0) + c.count;
        (byConnector[c.connectorId] ??= {})[c.state] = c.count;
      }
      const connectors = gateway.listConnectors();
      const queueBy: Record<string, number> = {};
      for (const c of connectors) queueBy[c.id] = await services.messages.queueDepth(c.id);
      return {
        messages: { total, byState, byConnector },
        queue: { depth: await services.messages.queueDepth(), byConnector: queueBy },
        mo: { count: await services.inbound.count() },
        connectors: { total: connectors.length, bound: connectors.filter((c) => c.ready).length },
      };
    },
  );
};
