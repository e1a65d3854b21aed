/**
 * `POST /v1/admin/erasure`: erase a number everywhere Hermod stores it (or only in one
 * account's data), keeping its opt-outs under a keyed hash (docs/operations.md, "Erasure").
 */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import { HttpProblem } from '../problem.js';
import { errors, msisdn, type AdminContext } from './common.js';

const erasureBody = {
  type: 'object',
  additionalProperties: false,
  required: ['msisdn'],
  properties: {
    msisdn: { type: 'string', minLength: 1, description: 'the number to erase (E.164, "+" optional)' },
    username: {
      type: 'string',
      minLength: 1,
      description: "only this account's messages, contacts and campaign recipients (default: everywhere)",
    },
  },
} as const;

const erasureSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    numberHash: { type: 'string', description: 'the keyed hash its opt-outs are kept under' },
    username: { type: 'string', nullable: true },
    actor: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    rows: { type: 'integer' },
    tables: { type: 'object', additionalProperties: { type: 'integer' } },
    optOutsKept: { type: 'integer' },
  },
} as const;

export const erasurePlugin: FastifyPluginAsync<AdminContext> = async (app, { services }) => {
  app.post<{ Body: { msisdn: string; username?: string } }>(
    '/erasure',
    {
      schema: {
        tags: ['admin'],
        summary: 'erase a number from messages, MOs, contacts and every other table; its opt-outs still hold',
        body: erasureBody,
        response: { 200: erasureSchema, ...errors },
      },
      // Before the body is even validated: a refused request must not log the number either.
      onRequest: async (req) => {
        req.auditTarget = 'a number (refused)';
      },
    },
    async (req) => {
      const n = msisdn(req.body.msisdn);
      let userId: number | undefined;
      if (req.body.username !== undefined) {
        const u = await services.accounts.byName(req.body.username);
        if (!u)
          throw new HttpProblem(404, 'HERMOD_ERR_NOT_FOUND', `username: no account "${req.body.username}"`);
        userId = u.id;
      }
      const actor = req.access?.kind === 'operator' ? `operator ${req.access.webUserId}` : 'admin key';
      const r = await services.erasures.erase({ msisdn: n, userId, actor });
      // The audit trail (src/http/admin/audit.ts) names this request by the hash, never the number.
      req.auditTarget = r.numberHash;
      return {
        id: r.id,
        numberHash: r.numberHash,
        username: req.body.username ?? null,
        actor: r.actor,
        at: new Date(r.at).toISOString(),
        rows: r.rows,
        tables: r.tables,
        optOutsKept: r.optOutsKept,
      };
    },
  );
};
