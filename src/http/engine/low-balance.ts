/** REST v1: the account's low-balance notification (threshold and webhook) and its state. */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { problemResponses } from '../rest/schemas.js';
import { HttpProblem } from '../problem.js';
import type { EngineRouteOptions } from './index.js';
import {
  lowBalanceInput,
  lowBalanceOf,
  lowBalanceView,
  viewOfMoneyState,
  type LowBalanceBody,
} from './money-common.js';
import { snakeKeys, snakeSchema } from '../casing.js';

// The admin API's low-balance state in REST v1's names (low_since).
const view = snakeSchema(lowBalanceView);

export async function lowBalanceRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  const money = opts.gateway.money;
  const gone = () => new HttpProblem(404, 'HERMOD_ERR_NOT_FOUND', 'no such account');
  app.get(
    '/v1/low-balance',
    {
      schema: {
        tags: ['ledger'],
        summary: 'The low-balance threshold, its webhook and whether the balance is below it now',
        response: { 200: view, ...problemResponses },
      },
    },
    async (req) => {
      const s = await money.state(req.apiUser!.id);
      if (!s) throw gone();
      return snakeKeys(viewOfMoneyState(s));
    },
  );
  app.put<{ Body: LowBalanceBody }>(
    '/v1/low-balance',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Sets the low-balance threshold and webhook (a `balance.low` event once per crossing)',
        body: lowBalanceInput,
        response: { 200: view, ...problemResponses },
      },
    },
    async (req) => {
      const s = await money.setLowBalance(req.apiUser!.id, lowBalanceOf(req.body));
      if (!s) throw gone();
      return snakeKeys(viewOfMoneyState(s));
    },
  );
}
