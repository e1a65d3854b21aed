/** Admin MT routes: the ordered list (first match wins), replaced whole at runtime. */
import type { FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { formatMicros } from '../../domain/index.js';
import { routeListSchema } from './views.js';
import { definitionsOr501, errors, listIn, validatedByConfig, type AdminContext } from './common.js';

const routeSchema = {
  type: 'object',
  properties: {
    position: { type: 'integer' },
    name: { type: 'string' },
    type: { type: 'string' },
    prefixes: { type: 'array', items: { type: 'string' } },
    connectors: { type: 'array', items: { type: 'string' } },
    rate: { type: ['string', 'null'] },
    filters: {
      type: 'object',
      additionalProperties: true,
      description: 'the route filters other than prefixes',
    },
    weights: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: { type: 'number' } }] },
    definition: {
      type: ['object', 'null'],
      additionalProperties: true,
      description:
        'the route as `routes:` in hermod.yaml and PUT /routes take it (edit it, or reorder the list, and PUT the list back)',
    },
  },
} as const;

const routesResponse = {
  type: 'object',
  properties: {
    routes: { type: 'array', items: routeSchema },
    source: {
      type: ['string', 'null'],
      enum: ['config', 'api', null],
      description: 'who wrote the list last: the configuration file or the admin API',
    },
  },
} as const;

export const routesPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const { gateway } = ctx;
  const routesView = () => ({
    routes: gateway.routes().map((r, i) => {
      const { name, type, prefixes, connectors, costs: _costs, weights, rate, ...filters } = r;
      return {
        position: i + 1,
        name,
        type,
        prefixes: prefixes ?? [],
        connectors,
        rate: rate === undefined ? null : formatMicros(Math.round(rate * 1_000_000)),
        filters,
        weights: weights ?? null,
        definition: ctx.routeInput?.(r) ?? null,
      };
    }),
    source: ctx.definitions?.routesSource() ?? null,
  });
  app.get(
    '/routes',
    {
      schema: {
        tags: ['admin'],
        summary: 'the MT routes in order (first match wins)',
        response: { 200: routesResponse, ...errors },
      },
    },
    async () => routesView(),
  );

  app.put<{ Body: { routes?: unknown } }>(
    '/routes',
    {
      validatorCompiler: validatedByConfig,
      schema: {
        tags: ['admin'],
        summary:
          'replace the whole ordered MT route list at runtime (persisted; wins over the file at restart)',
        description:
          '`routes` takes the keys of `routes:` in hermod.yaml. Every connector and user a route names must exist; problems are answered 400 with the bad key (`routes[0].connectors[1]: unknown connector "x"`).',
        body: routeListSchema,
        response: { 200: routesResponse, ...errors },
      },
    },
    async (req) => {
      await definitionsOr501(ctx).setRoutes(listIn(req.body, 'routes'));
      return routesView();
    },
  );
};
