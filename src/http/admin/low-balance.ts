/** Admin: an account's low-balance threshold and webhook, and whether it is below it now. */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import {
  lowBalanceInput,
  lowBalanceOf,
  lowBalanceView,
  viewOfMoneyState,
  type LowBalanceBody,
} from '../engine/money-common.js';
import { HttpProblem } from '../problem.js';
import { errors, idParam, userOr404, type AdminContext } from './common.js';

export const lowBalancePlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  const money = ctx.gateway.money;
  const gone = (name: string) => new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_USER', `no user "${name}"`);
  app.get<{ Params: { username: string } }>(
    '/users/:username/low-balance',
    {
      schema: {
        tags: ['admin'],
        summary: 'an account’s low-balance threshold, webhook and state',
        params: idParam('username'),
        response: { 200: lowBalanceView, ...errors },
      },
    },
    async (req) => {
      const u = await userOr404(ctx, req.params.username);
      const s = await money.state(u.id);
      if (!s) throw gone(u.username);
      return viewOfMoneyState(s);
    },
  );
  app.put<{ Params: { username: string }; Body: LowBalanceBody }>(
    '/users/:username/low-balance',
    {
      schema: {
        tags: ['admin'],
        summary: 'sets an account’s low-balance threshold and webhook (null: none)',
        params: idParam('username'),
        body: lowBalanceInput,
        response: { 200: lowBalanceView, ...errors },
      },
    },
    async (req) => {
      const u = await userOr404(ctx, req.params.username);
      const s = await money.setLowBalance(u.id, lowBalanceOf(req.body));
      if (!s) throw gone(u.username);
      req.log.info({ user: u.username, threshold: req.body.threshold }, 'admin: low-balance threshold');
      return viewOfMoneyState(s);
    },
  );
};
