/** REST v1: the account's reports from the pre-aggregated counters (JSON for charts, CSV to download). */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';
import { snakeKeys, snakeSchema } from '../casing.js';
import { reportQuerystring, reportRange, reportView, sendReport, type ReportParams } from './money-common.js';

// The admin API's report in REST v1's names: group_by, delivery_rate, median_delivery_ms, …
const querystring = snakeSchema(reportQuerystring);
const view = snakeSchema(reportView);
type Params = Omit<ReportParams, 'groupBy'> & { group_by: ReportParams['groupBy'] };

export async function reportRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  const money = opts.gateway.money;
  app.get<{ Querystring: Params }>(
    '/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'Messages by final state, parts, delivery rate and time, revenue: per period or dimension',
        description:
          'Counted when a message becomes final, under the hour it was accepted (UTC). `group_by`: hour, day, month, country, connector, campaign, sender. CSV with `format=csv` or `Accept: text/csv`.',
        querystring,
        response: { 200: view, ...problemResponses },
      },
    },
    async (req, reply) => {
      const groupBy = req.query.group_by;
      const { from, to } = reportRange({ ...req.query, groupBy }, Date.now());
      const groups = await money.reports({
        groupBy,
        userId: req.apiUser!.id,
        from,
        to,
        limit: req.query.limit ?? 1000,
      });
      const r = sendReport(req, reply, groups, { groupBy, from, to });
      return r === reply ? reply : snakeKeys(r);
    },
  );
}
