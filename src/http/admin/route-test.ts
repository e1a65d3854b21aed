/** "Test a number": the route, connectors and price a destination gets (as a user, or alone). */
import type { FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { RejectedError } from '../../gateway/index.js';
import { formatMicros } from '../../domain/index.js';
import { errors, msisdn, userOr404, type AdminContext } from './common.js';

/** The answer: routable or not (with why), the route, its connectors (ready or not), the price. */
const routeTestResult = {
  type: 'object',
  properties: {
    to: { type: 'string' },
    routable: { type: 'boolean' },
    reason: { type: ['string', 'null'] },
    route: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            position: { type: 'integer' },
            name: { type: 'string' },
            type: { type: 'string' },
          },
        },
      ],
    },
    connectors: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, ready: { type: 'boolean' } } },
    },
    price: { type: ['string', 'null'] },
    priceSource: { type: ['string', 'null'] },
    parts: { type: ['integer', 'null'] },
    total: { type: ['string', 'null'] },
  },
} as const;

export const routeTestPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const { gateway } = ctx;
  app.get<{ Querystring: { to: string; user?: string; from?: string; text?: string } }>(
    '/routes/test',
    {
      schema: {
        tags: ['admin'],
        summary: 'which route, connectors and price a number gets',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['to'],
          properties: {
            to: { type: 'string', minLength: 1 },
            user: {
              type: 'string',
              minLength: 1,
              description: 'route and price as this user (gateway.quote)',
            },
            from: {
              type: 'string',
              minLength: 1,
              description: 'source address (for routes that filter on it)',
            },
            text: { type: 'string', description: 'message text (content filters; the number of parts)' },
          },
        },
        response: {
          200: routeTestResult,
          ...errors,
        },
      },
    },
    async (req) => {
      const to = msisdn(req.query.to);
      const user = req.query.user === undefined ? undefined : await userOr404(ctx, req.query.user);
      const position = (name: string | null | undefined) =>
        name ? gateway.routes().findIndex((r) => r.name === name) + 1 : 0;
      const view = (connectors: string[]) =>
        connectors.map((id) => ({ id, ready: gateway.getConnector(id)?.ready ?? false }));
      const none = (reason: string) => ({
        to,
        routable: false,
        reason,
        route: null,
        connectors: [],
        price: null,
        priceSource: null,
        parts: null,
        total: null,
      });
      if (user) {
        // As this user would send it: every route filter, the loop guard, the user's rate.
        try {
          const q = await gateway.quote({
            user,
            destination: to,
            source: req.query.from,
            text: req.query.text,
          });
          return {
            to: q.destination,
            routable: true,
            reason: null,
            route: q.route ? { position: position(q.route), name: q.route, type: q.type } : null,
            connectors: view(q.connectors),
            price: formatMicros(q.pricePerPartMicros),
            priceSource: q.priceFrom,
            parts: q.parts ?? null,
            total: q.totalMicros === undefined ? null : formatMicros(q.totalMicros),
          };
        } catch (err) {
          if (err instanceof RejectedError && err.code === 'HERMOD_ERR_NO_ROUTE') return none(err.message);
          throw err;
        }
      }
      // No user: the destination alone (routes filtering on user, source or text do not match).
      const plan = gateway.plan(to, false);
      if (!plan) return none(`no route for ${to}`);
      const routeRate = plan.route?.rate;
      return {
        to,
        routable: true,
        reason: null,
        route: plan.route
          ? { position: position(plan.route.name), name: plan.route.name, type: plan.route.type }
          : null,
        connectors: view(plan.connectors),
        price: routeRate === undefined ? null : formatMicros(Math.round(routeRate * 1_000_000)),
        priceSource: routeRate === undefined ? null : 'route',
        parts: null,
        total: null,
      };
    },
  );
};
