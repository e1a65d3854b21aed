/**
 * The REST API application (:8080): REST v1, operations endpoints, the OpenAPI document
 * (`/openapi.json`) and its reference pages (`/docs`). `buildApiApp` builds it without
 * listening, for `app.inject()` tests; `listen()` is the caller's.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { servicesOf, type Gateway, type InterfaceServices, type UrlGuard } from '../gateway/index.js';
import type { Engine } from '../engine/index.js';
import { problemSchema, useProblems } from './problem.js';
import { engineRoutes, ENGINE_TAGS } from './engine/index.js';
import { sessionRoutes } from './engine/session.js';
import { secondFactorRoutes } from './engine/second-factor.js';
import type { SmppListenerInfo } from './engine/account.js';
import { operatorSessions, webUserAdminRoutes } from './admin/web-users.js';
import { auditAdminRoutes, auditTrail } from './admin/audit.js';
import { LoginGuard } from '../gateway/login-guard.js';
import { messagesRoutes, sharedSchemas } from './rest/messages.js';
import { mediaRoutes, mediaSchema, publicMediaRoutes } from './rest/media.js';
import { accountRoutes } from './rest/account.js';
import { ApiKeyAuth } from './rest/auth.js';
import { Idempotency, hashRequest, type IdempotencyOptions } from './rest/idempotency.js';
import { opsRoutes, type OpsOptions } from './ops.js';
import { providerHooks } from './provider-hooks.js';
import { telnyxRoutes } from './telnyx/index.js';
import {
  ADMIN_PREFIX,
  adminPlugin,
  type AdminDefinitions,
  type AdminOptions,
  type CustomerBinds,
} from './admin/index.js';
import { jsonApiAjv } from './validation.js';
import { consoleRoutes, type ConsoleOptions } from './console.js';
import { boundJsonDepth } from './json-depth.js';
import { allowHosts } from './host-check.js';
import { HttpProblem } from './problem.js';
import { DEFAULT_HTTP_LIMITS, capConnections, limitOptions, type HttpLimits } from './limits.js';

export interface ApiAppOptions {
  gateway: Gateway;
  /** The SMS engine: its REST v1 resources (contacts, campaigns, …) are served when given. */
  engine?: Engine;
  /** Views and records the APIs read and change (default: over the gateway's own store). */
  services?: InterfaceServices;
  version: string;
  connectors: () => { id: string; ready: boolean }[];
  metrics?: OpsOptions['metrics'];
  idempotency?: IdempotencyOptions;
  /** Called for every response (metrics): route pattern and status code. */
  onResponse?: (route: string, code: number) => void;
  logger?: FastifyServerOptions['logger'];
  /** Serve the /docs reference pages (default true). */
  docs?: boolean;
  /** Admin keys: the admin API is served under /v1/admin (closed to every request when empty). */
  adminKeys?: readonly string[];
  /** Runtime connector and route changes for the admin API. */
  definitions?: AdminDefinitions;
  /** The customer SMPP binds (the admin API's user unbind). */
  binds?: CustomerBinds;
  /** The cluster's nodes and leases (the admin API's GET /cluster). */
  cluster?: AdminOptions['cluster'];
  /**
   * The SSRF guard callback URLs are checked against at submit (the operator's
   * `webhooks.allow` / `allowPrivateNetworks`); default: private and loopback space refused.
   */
  guard?: UrlGuard;
  /** MO routes in the file's form for the admin API (see AdminOptions.moRouteInput). */
  moRouteInput?: AdminOptions['moRouteInput'];
  /** MT routes in the file's form for the admin API (see AdminOptions.routeInput). */
  routeInput?: AdminOptions['routeInput'];
  /** Timeouts and connection cap of the listener (default DEFAULT_HTTP_LIMITS). */
  limits?: HttpLimits;
  /**
   * What this listener serves (issue 13 item 11): `all` (default) one listener for everything;
   * `public` the customer API (/v1, provider callbacks, /healthz, /readyz, /openapi.json);
   * `admin` the operators' side (/v1/admin, /metrics, /docs, /healthz, /readyz, /openapi.json).
   */
  serve?: 'all' | 'public' | 'admin';
  /** The API-key cache, shared when the public and admin sides are two listeners (admin changes forget keys). */
  auth?: ApiKeyAuth;
  /** The web console at / (default: web/dist); false serves none. */
  console?: ConsoleOptions | false;
  /** Host names (without port) requests may carry in Host; others get 421 (DNS rebinding). Default: any. */
  allowedHosts?: readonly string[];
  /** The login guard web sign-ins go through (shared with SMPP and HTTP logins; default: one of its own). */
  loginGuard?: LoginGuard;
  /** Demo mode: the sign-in page may say the demo's sign-ins (GET /v1/sign-in). */
  demo?: boolean;
  /** Where customers bind over SMPP (GET /v1/smpp): the listener's public host (null: unknown) and ports. */
  smpp?: () => SmppListenerInfo;
}

export interface RegisteredRoute {
  method: string;
  url: string;
  hidden: boolean;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route the app registered (the OpenAPI coverage test compares them with the document). */
export function routesOf(app: FastifyInstance): RegisteredRoute[] {
  return registered.get(app) ?? [];
}

export async function buildApiApp(opts: ApiAppOptions): Promise<FastifyInstance> {
  const services = opts.services ?? servicesOf(opts.gateway);
  const serve = opts.serve ?? 'all';
  const customerSide = serve !== 'admin';
  const adminSide = serve !== 'public';
  const limits = opts.limits ?? DEFAULT_HTTP_LIMITS;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 8 * 1024 * 1024,
    ajv: jsonApiAjv,
    ...limitOptions(limits),
  });
  capConnections(app, limits);
  boundJsonDepth(
    app,
    (max) =>
      new HttpProblem(400, 'HERMOD_ERR_JSON_TOO_DEEP', `the JSON body is nested deeper than ${max} levels`),
  );
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      routes.push({
        method: method.toLowerCase(),
        url: r.url,
        hidden: (r.schema as { hide?: boolean } | undefined)?.hide === true,
      });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Hermod REST API',
        version: opts.version,
        description:
          'Send SMS, follow their delivery, read inbound messages. Errors are application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key' } },
      },
      tags: [
        { name: 'messages' },
        { name: 'inbound' },
        { name: 'media', description: 'MMS media: uploads, their bytes, signed URLs' },
        { name: 'account' },
        ...ENGINE_TAGS,
        { name: 'telnyx', description: 'Telnyx-compatible /v2 (docs/telnyx-api.md)' },
        { name: 'operations' },
      ],
    },
  });
  if (opts.docs !== false && adminSide) await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema({ $id: 'Problem', ...problemSchema });
  for (const s of [...sharedSchemas, mediaSchema]) app.addSchema(s);
  useProblems(app);
  if (opts.allowedHosts)
    allowHosts(
      app,
      opts.allowedHosts,
      (host) =>
        new HttpProblem(
          421,
          'HERMOD_ERR_HOST_NOT_ALLOWED',
          `this listener does not answer for the host "${host}"`,
        ),
    );
  if (opts.onResponse) {
    const hook = opts.onResponse;
    app.addHook('onResponse', async (req, reply) =>
      hook(req.routeOptions.url ?? 'unmatched', reply.statusCode),
    );
  }

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(opsRoutes, {
    version: opts.version,
    storeWritable: () => services.ping(),
    connectors: opts.connectors,
    ...(adminSide ? { metrics: opts.metrics } : {}),
  });

  const auth = opts.auth ?? new ApiKeyAuth(services.apiKeys, undefined, opts.engine?.people);
  const idempotency = new Idempotency(services.idempotency, opts.idempotency);
  // Web users' sign-in on every listener (operators sign in to the admin side too).
  if (opts.engine)
    await app.register(sessionRoutes, {
      engine: opts.engine,
      loginGuard: opts.loginGuard ?? new LoginGuard(),
    });
  if (opts.engine) await app.register(secondFactorRoutes, { engine: opts.engine, demo: opts.demo === true });
  if (opts.engine && opts.adminKeys !== undefined && adminSide) {
    app.addHook('onRequest', operatorSessions(opts.engine, ADMIN_PREFIX));
    app.addHook('onSend', auditTrail(opts.engine, ADMIN_PREFIX, opts.adminKeys));
  }
  if (customerSide) await customerApi(app, opts, services, auth, idempotency);
  // The admin API: its own Bearer keys and hooks, beside (not inside) the customer API.
  if (opts.adminKeys !== undefined && adminSide)
    await app.register(adminPlugin, {
      prefix: ADMIN_PREFIX,
      gateway: opts.gateway,
      services,
      keys: opts.adminKeys,
      definitions: opts.definitions,
      binds: opts.binds,
      cluster: opts.cluster,
      forgetApiKeys: () => auth.forget(),
      ...(opts.moRouteInput ? { moRouteInput: opts.moRouteInput } : {}),
      ...(opts.routeInput ? { routeInput: opts.routeInput } : {}),
    });
  if (opts.engine && opts.adminKeys !== undefined && adminSide)
    await app.register(webUserAdminRoutes, {
      prefix: ADMIN_PREFIX,
      engine: opts.engine,
      keys: opts.adminKeys,
    });
  if (opts.engine && opts.adminKeys !== undefined && adminSide)
    await app.register(auditAdminRoutes, { prefix: ADMIN_PREFIX, engine: opts.engine, keys: opts.adminKeys });
  if (opts.console !== false) await app.register(consoleRoutes, opts.console ?? {});
  return app;
}

/** REST v1 for customers (API keys) and the upstream providers' callbacks. */
async function customerApi(
  app: FastifyInstance,
  opts: ApiAppOptions,
  services: InterfaceServices,
  auth: ApiKeyAuth,
  idempotency: Idempotency,
): Promise<void> {
  await app.register(async (v1) => {
    v1.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ bearer: [] }] };
    });
    v1.addHook('onRequest', async (req) => auth.authenticate(req));
    v1.addHook('preValidation', hashRequest);
    await v1.register(messagesRoutes, {
      gateway: opts.gateway,
      messages: services.messages,
      idempotency,
      ...(opts.guard ? { guard: opts.guard } : {}),
      ...(opts.engine ? { defaultCallbackUrl: (id: number) => opts.engine!.account.callbackUrl(id) } : {}),
    });
    await v1.register(accountRoutes, { gateway: opts.gateway, services });
    await v1.register(mediaRoutes, { media: opts.gateway.media });
    if (opts.engine)
      await v1.register(engineRoutes, {
        engine: opts.engine,
        gateway: opts.gateway,
        forgetApiKeys: () => auth.forget(),
        ...(opts.smpp ? { smpp: opts.smpp } : {}),
      });
  });
  // The Telnyx-compatible API (docs/telnyx-api.md): the same API keys, Telnyx's shapes and errors.
  await app.register(telnyxRoutes, {
    prefix: '/v2',
    gateway: opts.gateway,
    messages: services.messages,
    auth,
    ...(opts.guard ? { guard: opts.guard } : {}),
    ...(opts.engine
      ? {
          accountWebhook: (id: number) => opts.engine!.account.callbackUrl(id),
          publicKey: async () => (await opts.engine!.account.ed25519Key()).publicKey,
        }
      : {}),
  });
  // Media by signed URL (providers, MMSCs, handsets opening an SMS fallback's link): no API key.
  await app.register(publicMediaRoutes, { media: opts.gateway.media });
  // Upstream HTTP providers' callbacks: authenticated per connector, outside the API keys.
  await app.register(providerHooks, { gateway: opts.gateway });
}
