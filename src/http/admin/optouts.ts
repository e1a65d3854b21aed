/** Admin opt-outs: numbers that opted out of a sender; add and remove them by hand. */
import type { FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { HttpProblem } from '../problem.js';
import { errors, idParam, msisdn, type AdminContext } from './common.js';

const optOutSchema = {
  type: 'object',
  properties: {
    msisdn: { type: 'string' },
    sender: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
  },
} as const;

const optOutBody = {
  type: 'object',
  additionalProperties: false,
  required: ['msisdn', 'sender'],
  properties: {
    msisdn: { type: 'string', minLength: 1 },
    sender: { type: 'string', minLength: 1, maxLength: 20 },
  },
} as const;

export const optOutsPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const { services } = ctx;
  app.get<{ Querystring: { msisdn?: string; limit?: number } }>(
    '/optouts',
    {
      schema: {
        tags: ['admin'],
        summary: 'numbers that opted out, per sender',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            msisdn: { type: 'string', minLength: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
          },
        },
        response: {
          200: { type: 'object', properties: { optouts: { type: 'array', items: optOutSchema } } },
          ...errors,
        },
      },
    },
    async (req) => ({
      optouts: (
        await services.optOuts.list({
          msisdn: req.query.msisdn === undefined ? undefined : msisdn(req.query.msisdn),
          limit: req.query.limit ?? 1000,
        })
      ).map((o) => ({ ...o, at: new Date(o.at).toISOString() })),
    }),
  );

  app.post<{ Body: { msisdn: string; sender: string } }>(
    '/optouts',
    {
      schema: {
        tags: ['admin'],
        summary: 'opt a number out of a sender',
        body: optOutBody,
        response: { 201: optOutSchema, ...errors },
      },
    },
    async (req, reply) => {
      const n = msisdn(req.body.msisdn);
      await services.optOuts.set({ msisdn: n, sender: req.body.sender, optedOut: true });
      return reply.code(201).send({ msisdn: n, sender: req.body.sender, at: new Date().toISOString() });
    },
  );

  app.delete<{ Params: { msisdn: string }; Querystring: { sender: string } }>(
    '/optouts/:msisdn',
    {
      schema: {
        tags: ['admin'],
        summary: 'remove an opt-out (the number may receive from that sender again)',
        params: idParam('msisdn'),
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['sender'],
          properties: { sender: { type: 'string', minLength: 1 } },
        },
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      const n = msisdn(req.params.msisdn);
      if (!(await services.optOuts.has({ msisdn: n, sender: req.query.sender })))
        throw new HttpProblem(
          404,
          'HERMOD_ERR_UNKNOWN_OPTOUT',
          `${n} has not opted out of ${req.query.sender}`,
        );
      await services.optOuts.set({ msisdn: n, sender: req.query.sender, optedOut: false });
      return reply.code(204).send();
    },
  );
};
