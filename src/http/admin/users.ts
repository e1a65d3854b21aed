/**
 * Admin users (Jasmin's `user` verbs): list, show, create, change, end their SMPP binds, and
 * add or take credit. A change counts from the next request: the gateway's account cache and
 * the REST key cache are emptied.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { hashPassword, InvalidAccountError, InvalidAmountError, formatMicros } from '../../domain/index.js';
import { HttpProblem } from '../problem.js';
import { userSchema, userView } from './views.js';
import { mergeSettings, userPatchSchema, type UserPatch } from './user-patch.js';
import { amount, errors, idParam, micros, userOr404, type AdminContext } from './common.js';

export const usersPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  userReadRoutes(app, ctx);
  userChangeRoutes(app, ctx);
  userActionRoutes(app, ctx);
};

/** List, show, create. */
function userReadRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { services } = ctx;
  app.get(
    '/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'list users',
        response: {
          200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } },
          ...errors,
        },
      },
    },
    async () => ({
      users: (await services.accounts.list()).map(userView),
    }),
  );

  app.get<{ Params: { username: string } }>(
    '/users/:username',
    {
      schema: {
        tags: ['admin'],
        summary: 'show a user',
        params: idParam('username'),
        response: { 200: userSchema, ...errors },
      },
    },
    async (req) => userView(await userOr404(ctx, req.params.username)),
  );

  app.post<{
    Body: {
      username: string;
      password: string;
      balance?: string | number;
      rate?: string | number;
      enabled?: boolean;
    };
  }>(
    '/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'create a user',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: {
            // The username is also the SMPP system_id (≤ 15), the password SMPP's (≤ 8).
            username: { type: 'string', minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.-]+$' },
            password: { type: 'string', minLength: 1, maxLength: 8 },
            balance: amount,
            rate: amount,
            enabled: { type: 'boolean' },
          },
        },
        response: { 201: userSchema, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (await services.accounts.byName(b.username))
        throw new HttpProblem(409, 'HERMOD_ERR_USER_EXISTS', `user "${b.username}" exists`);
      const balanceMicros = micros(b.balance ?? 0, 'balance');
      const rateMicros = micros(b.rate ?? 0, 'rate');
      if (balanceMicros < 0 || rateMicros < 0)
        throw new HttpProblem(400, 'HERMOD_ERR_INVALID_AMOUNT', 'balance and rate must not be negative');
      const u = await services.accounts.put({
        username: b.username,
        passwordHash: hashPassword(b.password),
        balanceMicros,
        rateMicros,
        enabled: b.enabled ?? true,
      });
      req.log.info({ user: u.username }, 'admin: user created');
      return reply.code(201).send(userView(u));
    },
  );
}

/** PATCH: password, rate, enabled, group, quota, settings. */
function userChangeRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { gateway, services } = ctx;
  app.patch<{ Params: { username: string }; Body: UserPatch }>(
    '/users/:username',
    {
      schema: {
        tags: ['admin'],
        summary:
          'change a user: password, rate, enabled, group, SMS-count quota, settings (authorizations, value filters, defaults, throughput)',
        params: idParam('username'),
        body: userPatchSchema,
        response: { 200: userSchema, ...errors },
      },
    },
    async (req) => {
      const u = await userOr404(ctx, req.params.username);
      const b = req.body;
      const rateMicros = b.rate === undefined ? u.rateMicros : micros(b.rate, 'rate');
      if (rateMicros < 0)
        throw new HttpProblem(400, 'HERMOD_ERR_INVALID_AMOUNT', 'rate must not be negative');
      const settings = mergeSettings(u.settings, b.settings);
      if (b.group !== undefined && b.group !== null && !(await services.accounts.group(b.group)))
        throw new HttpProblem(
          400,
          'HERMOD_ERR_UNKNOWN_GROUP',
          `group: no group "${b.group}" (create it with PUT /v1/admin/groups/${b.group})`,
        );
      let next = await services.accounts.put({
        username: u.username,
        passwordHash: b.password === undefined ? u.passwordHash : hashPassword(b.password),
        balanceMicros: u.balanceMicros,
        rateMicros,
        enabled: b.enabled ?? u.enabled,
        group: b.group === undefined ? u.group : b.group,
        settings,
      });
      if (b.smsCount !== undefined)
        next = (await services.accounts.setSmsQuota({ userId: u.id, smsCount: b.smsCount })) ?? next;
      // The gateway's accounts and the REST keys' users: the change counts from the next request.
      gateway.forgetAccounts();
      ctx.forgetApiKeys?.();
      req.log.info({ user: u.username, fields: Object.keys(b) }, 'admin: user changed');
      return userView(next);
    },
  );
}

/** End the binds; add or take credit. */
function userActionRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { services } = ctx;
  app.post<{ Params: { username: string } }>(
    '/users/:username/unbind',
    {
      schema: {
        tags: ['admin'],
        summary:
          'end every SMPP bind of a user now (to keep them out, also disable them or set settings.access)',
        params: idParam('username'),
        response: {
          200: {
            type: 'object',
            properties: {
              username: { type: 'string' },
              unbound: { type: 'integer', description: 'binds ended' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const u = await userOr404(ctx, req.params.username);
      if (!ctx.binds)
        throw new HttpProblem(
          501,
          'HERMOD_ERR_NOT_CONFIGURABLE',
          'this gateway was built without a customer SMPP server',
        );
      const unbound = await ctx.binds.unbindUser(u.username);
      req.log.info({ user: u.username, unbound }, 'admin: user unbound');
      return { username: u.username, unbound };
    },
  );

  app.post<{
    Params: { username: string };
    Body: { amount: string | number; note?: string; kind?: 'topup' | 'adjustment' };
  }>(
    '/users/:username/credit',
    {
      schema: {
        tags: ['admin'],
        summary:
          'add credit (negative to take it away; the balance never goes below zero): a ledger entry with the note',
        params: idParam('username'),
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['amount'],
          properties: {
            amount,
            note: { type: 'string', maxLength: 500, description: 'shown in the ledger (invoice, reason)' },
            kind: {
              type: 'string',
              enum: ['topup', 'adjustment'],
              description: 'the ledger entry’s kind (default: topup, adjustment when negative)',
            },
          },
        },
        response: { 200: userSchema, ...errors },
      },
    },
    async (req) => {
      const u = await userOr404(ctx, req.params.username);
      const delta = micros(req.body.amount, 'amount');
      let updated;
      try {
        updated = await services.accounts.topUp({
          userId: u.id,
          balanceMicros: delta,
          ...(req.body.note !== undefined ? { note: req.body.note } : {}),
          ...(req.body.kind !== undefined ? { kind: req.body.kind } : {}),
          actor: 'admin-api',
        });
      } catch (err) {
        // Beyond the largest balance (domain MAX_BALANCE_MICROS): refused, nothing changed.
        if (err instanceof InvalidAmountError)
          throw new HttpProblem(400, 'HERMOD_ERR_INVALID_AMOUNT', `amount: ${err.message}`);
        if (!(err instanceof InvalidAccountError)) throw err;
        const balance = await services.accounts.balance(u.id);
        throw new HttpProblem(
          409,
          'HERMOD_ERR_INSUFFICIENT_BALANCE',
          `the balance is ${formatMicros(balance)}: taking ${formatMicros(-delta)} would make it negative`,
        );
      }
      if (!updated) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_USER', `no user "${u.username}"`);
      req.log.info({ user: u.username, micros: delta }, 'admin: credit');
      return userView(updated);
    },
  );
}
