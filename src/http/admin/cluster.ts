/**
 * Admin: the cluster (docs/admin-api.md, "Cluster"): the nodes sharing the store with their
 * state, heartbeat age, load and version, the leader, and the named leases with their holders.
 * On SQLite the cluster is this node alone.
 */
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/swagger';
import { HttpProblem } from '../problem.js';
import { errors, type AdminContext } from './common.js';

const load = {
  type: 'object',
  properties: {
    acceptedPerS: {
      type: 'number',
      description: 'messages accepted per second over the last heartbeat period',
    },
    upstreamBinds: { type: 'integer', description: 'SMPP sessions to SMSCs this node holds' },
    customerBinds: { type: 'integer', description: 'customer SMPP binds on this node' },
    rssBytes: { type: 'integer' },
    cpu: { type: 'number', description: 'CPU over the last heartbeat period, as a fraction of one core' },
    readyConnectors: { type: 'array', items: { type: 'string' }, description: 'connectors up on this node' },
    demand: {
      type: 'object',
      additionalProperties: { type: 'number' },
      description: 'per rate key, what the node would send per second unthrottled',
    },
  },
} as const;

export const clusterStatusSchema = {
  type: 'object',
  properties: {
    self: { type: 'string', description: 'the node that answered' },
    leader: { type: ['string', 'null'], description: 'the node holding the leader’s lease (null: none now)' },
    heartbeatMs: { type: 'integer' },
    deadAfterMs: { type: 'integer' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          host: { type: 'string' },
          pid: { type: 'integer' },
          version: { type: 'string' },
          state: { type: 'string', enum: ['up', 'left', 'dead'] },
          startedAt: { type: 'string', format: 'date-time' },
          heartbeatAt: { type: 'string', format: 'date-time' },
          heartbeatAgeMs: { type: 'integer' },
          leader: { type: 'boolean' },
          load,
        },
      },
    },
    leases: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', description: '`leader`, or a connector’s bind slot' },
          holder: { type: 'string' },
          until: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

export const clusterPlugin: FastifyPluginAsync<AdminContext> = async (app, ctx) => {
  app.get(
    '/cluster',
    {
      schema: {
        tags: ['admin'],
        summary: 'the nodes sharing the store (state, heartbeat age, load, version) and the leases',
        response: { 200: clusterStatusSchema, ...errors },
      },
    },
    async () => {
      if (!ctx.cluster)
        throw new HttpProblem(501, 'HERMOD_ERR_NOT_CONFIGURABLE', 'this gateway was built without a cluster');
      const s = await ctx.cluster.status();
      return {
        self: s.self,
        leader: s.leader ?? null,
        heartbeatMs: s.heartbeatMs,
        deadAfterMs: s.deadAfterMs,
        nodes: s.nodes.map((n) => ({
          ...n,
          startedAt: iso(n.startedAt),
          heartbeatAt: iso(n.heartbeatAt),
          leader: n.id === s.leader,
        })),
        leases: s.leases.map((l) => ({ ...l, until: iso(l.until) })),
      };
    },
  );
};
