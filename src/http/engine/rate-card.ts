/** REST v1: the account's rate card (its price per destination country), read-only for the customer. */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';
import { rateCardView, rateCsv, viewOfCard, wantsCsv } from './money-common.js';

export async function rateCardRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  const money = opts.gateway.money;
  app.get<{ Querystring: { format?: 'json' | 'csv' } }>(
    '/v1/rate-card',
    {
      schema: {
        tags: ['rate-card'],
        summary: 'The account’s rate card: price per SMS part by destination country',
        description:
          'A country on the card is charged its price; others the route’s rate, else the account’s rate (GET /v1/rates quotes one number). CSV with `format=csv` or `Accept: text/csv`.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['json', 'csv'] } },
        },
        response: { 200: rateCardView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const card = await money.rateCard(req.apiUser!.id);
      if (wantsCsv(req)) return reply.type('text/csv; charset=utf-8').send(rateCsv(card));
      return viewOfCard(card);
    },
  );
}
