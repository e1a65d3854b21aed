/**
 * Admin connectors: live status with queue depth, start and stop at runtime, and (with
 * runtime definitions) create, replace and remove them, persisted over the file.
 */
import type { FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { HttpProblem } from '../problem.js';
import { connectorDefinitionSchema, connectorSchema } from './views.js';
import { definitionsOr501, errors, idParam, validatedByConfig, type AdminContext } from './common.js';

export const connectorsPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const { gateway, services } = ctx;
  const connectorOr404 = (id: string) => {
    const c = gateway.getConnector(id);
    if (!c) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_CONNECTOR', `no connector "${id}"`);
    return c;
  };
  const connectorView = async (id: string) => {
    const d = ctx.definitions?.connector(id);
    return {
      ...connectorOr404(id).status(),
      queueDepth: await services.messages.queueDepth(id),
      definition: d?.definition ?? null,
      source: d?.source ?? null,
    };
  };
  app.get(
    '/connectors',
    {
      schema: {
        tags: ['admin'],
        summary: 'connectors with live status',
        response: {
          200: { type: 'object', properties: { connectors: { type: 'array', items: connectorSchema } } },
          ...errors,
        },
      },
    },
    async () => ({
      connectors: await Promise.all(gateway.listConnectors().map((c) => connectorView(c.id))),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/connectors/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'one connector',
        params: idParam('id'),
        response: { 200: connectorSchema, ...errors },
      },
    },
    async (req) => connectorView(req.params.id),
  );

  for (const verb of ['start', 'stop'] as const) {
    app.post<{ Params: { id: string } }>(
      `/connectors/:id/${verb}`,
      {
        schema: {
          tags: ['admin'],
          summary: `${verb} a connector at runtime`,
          params: idParam('id'),
          response: { 200: connectorSchema, ...errors },
        },
      },
      async (req) => {
        connectorOr404(req.params.id);
        await (verb === 'start'
          ? gateway.startConnector(req.params.id)
          : gateway.stopConnector(req.params.id));
        req.log.info({ connector: req.params.id }, `admin: connector ${verb}`);
        return connectorView(req.params.id);
      },
    );
  }

  app.put<{ Params: { id: string }; Body: unknown }>(
    '/connectors/:id',
    {
      validatorCompiler: validatedByConfig,
      schema: {
        tags: ['admin'],
        summary: 'create or replace a connector at runtime (persisted; wins over the file at restart)',
        description:
          'The keys of one entry of `connectors:` in hermod.yaml. A new connector starts at once (201); a replaced one finishes its in-flight submits, stops, and the new one takes over its queue (200). Leaving out `password` when replacing an SMPP connector keeps the stored one.',
        params: idParam('id'),
        body: connectorDefinitionSchema,
        response: { 200: connectorSchema, 201: connectorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { created } = await definitionsOr501(ctx).putConnector(req.params.id, req.body);
      return reply.code(created ? 201 : 200).send(await connectorView(req.params.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/connectors/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'remove a connector for good (409 while a route names it or messages are queued for it)',
        params: idParam('id'),
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await definitionsOr501(ctx).removeConnector(req.params.id);
      return reply.code(204).send();
    },
  );
};
