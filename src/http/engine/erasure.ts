/**
 * REST v1 `POST /v1/erasure`: an account erases a person's number from its own data
 * (messages, contacts, campaign recipients, conversations) on that person's request
 * (docs/operations.md, "Erasure"). Opt-outs are the gateway's and stay; an operator erases
 * everywhere with `POST /v1/admin/erasure`. Account admins only.
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { InvalidNumberError, normalizeMsisdn } from '../../domain/index.js';
import { problemResponses } from '../rest/schemas.js';
import { HttpProblem } from '../problem.js';
import type { EngineRouteOptions } from './index.js';

export async function erasureRoutes(app: FastifyInstance, { gateway }: EngineRouteOptions): Promise<void> {
  app.post<{ Body: { number: string } }>(
    '/v1/erasure',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['contacts'],
        summary: "Erase a number from the account's messages, contacts and campaigns",
        body: {
          type: 'object',
          required: ['number'],
          additionalProperties: false,
          properties: { number: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer', description: 'the erasure record' },
              rows: { type: 'integer', description: 'rows changed or deleted' },
              tables: { type: 'object', additionalProperties: { type: 'integer' } },
              erased_at: { type: 'string', format: 'date-time' },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      let n: string;
      try {
        n = normalizeMsisdn(req.body.number);
      } catch (err) {
        throw new HttpProblem(
          400,
          'HERMOD_ERR_INVALID_NUMBER',
          `number: ${err instanceof InvalidNumberError ? err.message : 'not a phone number'}`,
        );
      }
      const who = req.access;
      const actor =
        who?.kind === 'member' ? `member ${who.webUserId}` : `account ${req.apiUser!.username} (API key)`;
      const r = await gateway.services.erasures.erase({ msisdn: n, userId: req.apiUser!.id, actor });
      return { id: r.id, rows: r.rows, tables: r.tables, erased_at: new Date(r.at).toISOString() };
    },
  );
}
