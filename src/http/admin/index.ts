/**
 * The admin API (issue 5; Jasmin's jCli verbs and Kannel's admin pages as HTTP): users,
 * groups, API keys, connectors with live status and runtime start/stop, routes and "test a
 * number", MO routes, opt-outs, messages, inbound messages, webhooks, statistics; one plugin
 * per resource, each in its own file. Every route needs an admin key (Bearer). Mounted under
 * `/v1/admin` by the API app, or standalone through `buildAdminApp` (tests, or a gateway
 * without the REST API).
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { servicesOf } from '../../gateway/index.js';
import { problem, problemErrorHandler, sendProblem } from '../problem.js';
import { jsonApiAjv } from '../validation.js';
import { adminAuth } from './auth.js';
import type { AdminContext, AdminOptions } from './common.js';
import { usersPlugin } from './users.js';
import { groupRoutes } from './groups.js';
import { apiKeyRoutes } from './api-keys.js';
import { connectorsPlugin } from './connectors.js';
import { routesPlugin } from './routes.js';
import { moRoutesPlugin } from './mo-routes.js';
import { routeTestPlugin } from './route-test.js';
import { optOutsPlugin } from './optouts.js';
import { erasurePlugin } from './erasure.js';
import { messagesPlugin } from './messages.js';
import { inboundRoutes } from './inbound.js';
import { webhookRoutes } from './webhooks.js';
import { statsPlugin } from './stats.js';
import { ledgerPlugin } from './ledger.js';
import { rateCardsPlugin } from './rate-cards.js';
import { reportsPlugin } from './reports.js';
import { lowBalancePlugin } from './low-balance.js';
import { bindsPlugin } from './binds.js';
import { clusterPlugin } from './cluster.js';

export type { AdminOptions, AdminDefinitions, CustomerBinds, AdminContext } from './common.js';

export const ADMIN_PREFIX = '/v1/admin';

/** The admin routes (no prefix of their own: register with `{ prefix: ADMIN_PREFIX }`). */
export const adminPlugin: FastifyPluginAsync<AdminOptions> = async (app, opts) => {
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problem(404, 'HERMOD_ERR_NOT_FOUND', `no admin route ${req.method} ${req.url.split('?')[0]}`),
    ),
  );
  app.addHook('onRequest', adminAuth(opts.keys));
  // Named one by one: the options Fastify hands a plugin also carry its `prefix`, which the
  // children would add a second time.
  const ctx: AdminContext = {
    gateway: opts.gateway,
    services: opts.services ?? servicesOf(opts.gateway),
    definitions: opts.definitions,
    binds: opts.binds,
    cluster: opts.cluster,
    forgetApiKeys: opts.forgetApiKeys,
    moRouteInput: opts.moRouteInput,
    routeInput: opts.routeInput,
  };
  for (const plugin of [
    usersPlugin,
    groupRoutes,
    webhookRoutes,
    inboundRoutes,
    apiKeyRoutes,
    connectorsPlugin,
    routesPlugin,
    moRoutesPlugin,
    routeTestPlugin,
    optOutsPlugin,
    messagesPlugin,
    statsPlugin,
    ledgerPlugin,
    rateCardsPlugin,
    reportsPlugin,
    lowBalancePlugin,
    erasurePlugin,
    bindsPlugin,
    clusterPlugin,
  ])
    await app.register(plugin, ctx);
};

/** A Fastify app serving only the admin API under ADMIN_PREFIX (tests; a gateway without the REST API). */
export async function buildAdminApp(opts: AdminOptions & { logger?: boolean }): Promise<FastifyInstance> {
  // The same Ajv options as the API app it is usually mounted in: unknown keys are refused.
  const app = Fastify({ logger: opts.logger ?? false, ajv: jsonApiAjv });
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problem(404, 'HERMOD_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`),
    ),
  );
  await app.register(adminPlugin, { ...opts, prefix: ADMIN_PREFIX });
  return app;
}
