/** Admin: reports over every account (or one, or grouped by account), from the pre-aggregated counters. */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import {
  reportQuerystring,
  reportRange,
  reportView,
  sendReport,
  type ReportParams,
} from '../engine/money-common.js';
import { errors, userOr404, type AdminContext } from './common.js';

export const reportsPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  app.get<{ Querystring: ReportParams & { account?: string } }>(
    '/reports',
    {
      schema: {
        tags: ['admin'],
        summary:
          'messages by final state, delivery rate and time, revenue, per period or dimension (all accounts, or `account`)',
        querystring: {
          ...reportQuerystring,
          properties: {
            ...reportQuerystring.properties,
            account: { type: 'string', minLength: 1, maxLength: 100, description: 'one account (username)' },
          },
        },
        response: { 200: reportView, ...errors },
      },
    },
    async (req, reply) => {
      const { account, ...params } = req.query;
      const user = account === undefined ? undefined : await userOr404(ctx, account);
      const { from, to } = reportRange(params, Date.now());
      const groupBy = params.groupBy;
      const groups = await ctx.gateway.money.reports({
        groupBy,
        ...(user ? { userId: user.id } : {}),
        from,
        to,
        limit: params.limit ?? 1000,
      });
      return sendReport(req, reply, groups, { groupBy, from, to });
    },
  );
};
