/** Admin: a customer's SMPP binds now (how bound, from where, PDUs in flight), to see before ending them. */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import { HttpProblem } from '../problem.js';
import { errors, idParam, userOr404, type AdminContext } from './common.js';

export const bindsPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  app.get<{ Params: { username: string } }>(
    '/users/:username/binds',
    {
      schema: {
        tags: ['admin'],
        summary: "a user's SMPP binds now (end them with POST /users/{username}/unbind)",
        params: idParam('username'),
        response: {
          200: {
            type: 'object',
            properties: {
              username: { type: 'string' },
              binds: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    bindType: { type: 'string', description: 'transmitter, receiver or transceiver' },
                    remote: { type: ['string', 'null'], description: 'the address it bound from' },
                    inFlight: { type: 'integer', description: 'PDUs sent and not answered yet' },
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
      const u = await userOr404(ctx, req.params.username);
      if (!ctx.binds?.binds)
        throw new HttpProblem(
          501,
          'HERMOD_ERR_NOT_CONFIGURABLE',
          'this gateway was built without a customer SMPP server',
        );
      return { username: u.username, binds: ctx.binds.binds(u.username) };
    },
  );
};
