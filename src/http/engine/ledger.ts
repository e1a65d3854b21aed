/** REST v1: the account's ledger (every balance change), as pages of JSON or a CSV export. */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';
import {
  ledgerCsv,
  ledgerPageView,
  ledgerQuery,
  ledgerQuerystring,
  viewOfEntry,
  wantsCsv,
  type LedgerParams,
} from './money-common.js';
import { snakeKeys, snakeSchema } from '../casing.js';

// The admin API's ledger entry in REST v1's names (message_id).
const pageView = snakeSchema(ledgerPageView);

export async function ledgerRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  const money = opts.gateway.money;
  app.get<{ Querystring: LedgerParams }>(
    '/v1/ledger',
    {
      schema: {
        tags: ['ledger'],
        summary: 'The account’s ledger, newest first: top-ups, charges, refunds, adjustments',
        description:
          'Every balance change is an entry; the balance is the sum of the ledger. Paged by `before` (the previous page’s `next`). With `format=csv` or `Accept: text/csv`: every entry of the filter as CSV.',
        querystring: ledgerQuerystring,
        response: { 200: pageView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const user = req.apiUser!;
      const q = ledgerQuery(req.query, user.id);
      const account = () => user.username;
      if (wantsCsv(req)) return ledgerCsv(reply, money, q, account, 'ledger.csv');
      const entries = await money.ledger(q);
      return {
        entries: entries.map((e) => snakeKeys(viewOfEntry(e, account))),
        next: entries.length === q.limit ? entries[entries.length - 1].id : null,
      };
    },
  );
}
