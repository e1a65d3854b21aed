/** Admin MO routes: the ordered list (first match wins), replaced whole at runtime. */
import type { FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { moRouteListSchema, moRoutesResponse } from './views.js';
import { definitionsOr501, errors, listIn, validatedByConfig, type AdminContext } from './common.js';

export const moRoutesPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const { gateway } = ctx;
  const moRoutesView = () => ({
    moRoutes: gateway.moRoutes().map((r, i) => ({ position: i + 1, ...(ctx.moRouteInput?.(r) ?? r) })),
    source: ctx.definitions?.moRoutesSource() ?? null,
  });
  app.get(
    '/mo-routes',
    {
      schema: {
        tags: ['admin'],
        summary: 'the MO routes in order (first match wins)',
        response: { 200: moRoutesResponse, ...errors },
      },
    },
    async () => moRoutesView(),
  );

  app.put<{ Body: { moRoutes?: unknown } }>(
    '/mo-routes',
    {
      validatorCompiler: validatedByConfig,
      schema: {
        tags: ['admin'],
        summary:
          'replace the whole ordered MO route list at runtime (persisted; wins over the file at restart)',
        description:
          '`moRoutes` takes the keys of `moRoutes:` in hermod.yaml. Every connector in `originConnectors` and every target user must exist; problems are answered 400 with the bad key (`moRoutes[0].user: unknown user "x"`).',
        body: moRouteListSchema,
        response: { 200: moRoutesResponse, ...errors },
      },
    },
    async (req) => {
      await definitionsOr501(ctx).setMoRoutes(listIn(req.body, 'moRoutes'));
      return moRoutesView();
    },
  );
};
