/**
 * Admin: an account's rate card (price per destination country): read, replace as JSON or
 * CSV (`Content-Type: text/csv`, the format in docs/engine/money-and-reports.md), export as CSV.
 */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import {
  MAX_RATE_CARD,
  parseRateCsv,
  rateCardOf,
  rateCardView,
  rateCsv,
  rateEntryInput,
  viewOfCard,
  wantsCsv,
  type RateInput,
} from '../engine/money-common.js';
import { HttpProblem } from '../problem.js';
import { errors, idParam, userOr404, type AdminContext } from './common.js';

export const rateCardsPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const money = ctx.gateway.money;
  // A CSV card as text (this plugin only); 64 KiB holds every country many times over.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 65_536 }, (_req, body, done) =>
    done(null, body),
  );
  app.get<{ Params: { username: string }; Querystring: { format?: 'json' | 'csv' } }>(
    '/users/:username/rate-card',
    {
      schema: {
        tags: ['admin'],
        summary: 'an account’s rate card (CSV with format=csv or Accept: text/csv)',
        params: idParam('username'),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['json', 'csv'] } },
        },
        response: { 200: rateCardView, ...errors },
      },
    },
    async (req, reply) => {
      const u = await userOr404(ctx, req.params.username);
      const card = await money.rateCard(u.id);
      if (wantsCsv(req))
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="rate-card-${u.username}.csv"`)
          .send(rateCsv(card));
      return viewOfCard(card);
    },
  );
  app.put<{ Params: { username: string }; Body: { rates: RateInput[] } | string }>(
    '/users/:username/rate-card',
    {
      schema: {
        tags: ['admin'],
        summary: 'replaces an account’s rate card: JSON { rates: [...] } or CSV (country,sms,mms,inbound)',
        params: idParam('username'),
        body: {
          anyOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['rates'],
              properties: { rates: { type: 'array', maxItems: MAX_RATE_CARD, items: rateEntryInput } },
            },
            { type: 'string', maxLength: 65_536 },
          ],
        },
        response: { 200: rateCardView, ...errors },
      },
    },
    async (req) => {
      const u = await userOr404(ctx, req.params.username);
      const body = req.body;
      let card;
      if (typeof body === 'string') card = parseRateCsv(body);
      else if (Array.isArray(body?.rates)) card = rateCardOf(body.rates, (i) => `rates[${i}]`);
      else throw new HttpProblem(400, 'HERMOD_ERR_RATE_CARD', 'rates: is required (or send text/csv)');
      await money.putRateCard(u.id, card);
      req.log.info({ user: u.username, countries: card.length }, 'admin: rate card replaced');
      return viewOfCard(await money.rateCard(u.id));
    },
  );
};
