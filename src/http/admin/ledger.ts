/** Admin: every account's ledger (or one account's), as pages of JSON or a CSV export. */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import {
  ledgerCsv,
  ledgerPageView,
  ledgerQuery,
  ledgerQuerystring,
  viewOfEntry,
  wantsCsv,
  type LedgerParams,
} from '../engine/money-common.js';
import { errors, userOr404, type AdminContext } from './common.js';

export const ledgerPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  app.get<{ Querystring: LedgerParams & { account?: string } }>(
    '/ledger',
    {
      schema: {
        tags: ['admin'],
        summary: 'the ledger of every account (or `account`), newest first; CSV with format=csv',
        querystring: {
          ...ledgerQuerystring,
          properties: {
            ...ledgerQuerystring.properties,
            account: { type: 'string', minLength: 1, maxLength: 100, description: 'one account (username)' },
          },
        },
        response: { 200: ledgerPageView, ...errors },
      },
    },
    async (req, reply) => {
      const { account, ...params } = req.query;
      const user = account === undefined ? undefined : await userOr404(ctx, account);
      const q = ledgerQuery(params, user?.id);
      // Usernames by id, read once per request (accounts are few; entries are many).
      const names = new Map((await ctx.services.accounts.list()).map((u) => [u.id, u.username]));
      const name = (id: number) => names.get(id) ?? `#${id}`;
      if (wantsCsv(req))
        return ledgerCsv(reply, ctx.gateway.money, q, name, `ledger${user ? '-' + user.username : ''}.csv`);
      const entries = await ctx.gateway.money.ledger(q);
      return {
        entries: entries.map((e) => viewOfEntry(e, name)),
        next: entries.length === q.limit ? entries[entries.length - 1].id : null,
      };
    },
  );
};
