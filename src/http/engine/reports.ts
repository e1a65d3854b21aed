/** REST v1: the account's reports from the pre-aggregated counters (JSON for charts, CSV to download). */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';
import { reportQuerystring, reportRange, reportView, sendReport, type ReportParams } from './money-common.js';

export async function reportRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  const money = opts.gateway.money;
  app.get<{ Querystring: ReportParams }>(
    '/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'Messages by final state, parts, delivery rate and time, revenue: per period or dimension',
        description:
          'Counted when a message becomes final, under the hour it was accepted (UTC). `groupBy`: hour, day, month, country, connector, campaign, sender. CSV with `format=csv` or `Accept: text/csv`.',
        querystring: reportQuerystring,
        response: { 200: reportView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const { from, to } = reportRange(req.query, Date.now());
      const groupBy = req.query.groupBy;
      const groups = await money.reports({
        groupBy,
        userId: req.apiUser!.id,
        from,
        to,
        limit: req.query.limit ?? 1000,
      });
      return sendReport(req, reply, groups, { groupBy, from, to });
    },
  );
}
