/**
 * The doors customers and operators come in by: the customer SMPP server, the REST and
 * admin API (with /metrics, /healthz, /docs), the Jasmin-compatible HTTP API and, when
 * asked for, the Kannel-compatible sendsms. Built
 * first, listening later (`listen`), in the order a start needs.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { redactUrl } from '../lib/redact.js';
import { buildApiApp, type ApiAppOptions } from '../http/api-app.js';
import { ApiKeyAuth } from '../http/rest/auth.js';
import { buildJasminApp } from '../http/jasmin/index.js';
import { buildKannelApp } from '../http/kannel/index.js';
import { CustomerSmppServer } from '../smpp-server/index.js';
import type { InterfaceServices } from '../gateway/index.js';
import type { Engine } from '../engine/index.js';
import { moRouteInput, routeInput } from '../config/index.js';
import type { Core } from './gateway.js';
import type { Observability } from './observability.js';
import { buildLoginGuard } from './login.js';
import type { LoginGuard } from '../gateway/login-guard.js';
import type { HttpLimits } from '../http/limits.js';
import { isLoopbackHost, type Config } from '../config/index.js';
import { LOOPBACK_HOSTS } from '../http/host-check.js';

/** `security.http` in the units of the HTTP listeners (ms). */
export function httpLimitsOf(config: Config): HttpLimits {
  const h = config.security.http;
  return {
    requestTimeoutMs: h.requestTimeoutS * 1000,
    headersTimeoutMs: h.headersTimeoutS * 1000,
    keepAliveTimeoutMs: h.keepAliveTimeoutS * 1000,
    idleTimeoutMs: h.idleTimeoutS * 1000,
    maxConnections: h.maxConnections,
  };
}

export interface Interfaces {
  customers: CustomerSmppServer;
  api: FastifyInstance;
  /** The admin listener (admin API, /metrics, /docs) when `server.adminPort` is set. */
  admin: FastifyInstance | undefined;
  jasmin: FastifyInstance;
  /** The Kannel-compatible sendsms listener, when `server.kannelPort` is set. */
  kannel: FastifyInstance | undefined;
}

export interface Ports {
  smppPort: number;
  smppTlsPort: number | undefined;
  httpPort: number;
  apiPort: number;
  /** The admin listener's port, when `server.adminPort` is set. */
  adminPort: number | undefined;
  /** The Kannel sendsms listener's port, when `server.kannelPort` is set. */
  kannelPort: number | undefined;
}

/** A listener on every address has no one host to tell customers. */
const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '';

/** Every interface, built and not yet listening. */
export async function buildInterfaces(
  core: Core,
  obs: Observability,
  version: string,
  engine?: Engine,
): Promise<Interfaces> {
  // What the interfaces read and change instead of the store (views, records, the outbox).
  const services = core.gateway.services;
  const loginGuard = buildLoginGuard(core.config, core.log, obs.metrics);
  const customers = customerServer(core, services, loginGuard);
  const limits = httpLimitsOf(core.config);
  const { server } = core.config;
  const split = server.adminPort !== undefined;
  // One API-key cache for both sides: the admin API's key changes forget the customers' keys.
  const auth = new ApiKeyAuth(services.apiKeys, undefined, engine?.people);
  const apiOptions: ApiAppOptions = {
    gateway: core.gateway,
    ...(engine ? { engine } : {}),
    loginGuard,
    services,
    adminKeys: core.config.admin.keys,
    moRouteInput,
    routeInput,
    definitions: core.definitions,
    binds: customers,
    cluster: core.cluster,
    guard: core.guard,
    version,
    limits,
    auth,
    demo: core.config.demo,
    smpp: () => ({
      host: isWildcard(server.host) ? null : server.host,
      port: customers.port ?? null,
      tlsPort: customers.tlsPort ?? null,
    }),
    connectors: obs.connectors,
    metrics: obs.metrics,
    onResponse: (route, code) => obs.metrics.httpRequests.inc({ api: 'rest', route, code: String(code) }),
    // Request logs (info) never show a hook's token or whole phone numbers (src/lib/redact.ts).
    logger: {
      level: process.env.HERMOD_LOG_LEVEL ?? 'warn',
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
  };
  // On loopback (the demo) only loopback names: a rebound DNS name is refused.
  const hostsFor = (host: string) => (isLoopbackHost(host) ? { allowedHosts: LOOPBACK_HOSTS } : {});
  const api = await buildApiApp({
    ...apiOptions,
    ...hostsFor(server.host),
    serve: split ? 'public' : 'all',
  });
  const admin = split
    ? await buildApiApp({ ...apiOptions, ...hostsFor(server.adminHost), serve: 'admin' })
    : undefined;
  const formats = new Map(
    core.config.users
      .filter((u) => u.httpApi?.responseFormat)
      .map((u) => [u.username, u.httpApi!.responseFormat!]),
  );
  const jasmin = await buildJasminApp({
    gateway: core.gateway,
    accounts: services.accounts,
    loginGuard,
    guard: core.guard,
    responseFormat: core.config.httpApi.responseFormat,
    responseFormatFor: (username) => formats.get(username),
    logger: core.log.child({ component: 'jasmin-http' }),
    limits,
  });
  const kannel =
    server.kannelPort === undefined
      ? undefined
      : await buildKannelApp({
          gateway: core.gateway,
          loginGuard,
          guard: core.guard,
          logger: core.log.child({ component: 'kannel-http' }),
          limits,
        });
  return { customers, api, admin, jasmin, kannel };
}

/**
 * The customer SMPP server (plain, and over TLS when `server.smppTls` is set); deliver_sm
 * (receipts, MOs) outstanding per customer bind before waiting for responses: 100.
 */
function customerServer(
  { gateway, config, log, cluster }: Core,
  services: InterfaceServices,
  loginGuard: LoginGuard,
): CustomerSmppServer {
  const tlsConfig = config.server.smppTls;
  const { smpp } = config.security;
  return new CustomerSmppServer(gateway, {
    loginGuard,
    maxConnections: smpp.maxConnections,
    maxUnboundPerAddress: smpp.maxUnboundPerAddress,
    sessionInitMs: smpp.bindTimeoutS * 1000,
    maxBindsPerUser: smpp.maxBindsPerUser,
    cluster,
    maxUnboundRequests: smpp.maxUnboundRequests,
    host: config.server.host,
    port: config.server.smppPort,
    windowSize: 100,
    services,
    logger: log.child({ component: 'customer-smpp' }),
    ...(config.server.proxyProtocol ? { proxyProtocol: config.server.proxyProtocol } : {}),
    ...(tlsConfig
      ? {
          tlsListener: {
            port: tlsConfig.port,
            tls: { cert: readFileSync(tlsConfig.cert), key: readFileSync(tlsConfig.key) },
          },
        }
      : {}),
  });
}

/**
 * Starts the core and opens the doors. The REST API listens before the connectors start:
 * what takes time at start (Fastify, OpenAPI) is done before the first bind.
 */
export async function listen(core: Core, obs: Observability, i: Interfaces): Promise<Ports> {
  const { host, apiPort, httpPort, adminPort, adminHost } = core.config.server;
  // A deep accept backlog: a burst of new connections (1,000 clients at once) waits in the
  // kernel instead of being dropped into SYN retries of 1 s and more (Node's default is 511).
  await i.api.listen({ host, port: apiPort, backlog: 4096 });
  if (i.admin) await i.admin.listen({ host: adminHost, port: adminPort ?? 0 });
  await core.gateway.start();
  obs.alerts.start();
  const smppPort = await i.customers.listen();
  core.setOwnSmppPort(smppPort);
  core.webhooks.start();
  await i.jasmin.listen({ host, port: httpPort, backlog: 4096 });
  if (i.kannel) await i.kannel.listen({ host, port: core.config.server.kannelPort ?? 0, backlog: 4096 });
  return {
    smppPort,
    smppTlsPort: i.customers.tlsPort,
    httpPort: (i.jasmin.server.address() as AddressInfo).port,
    apiPort: (i.api.server.address() as AddressInfo).port,
    adminPort: i.admin ? (i.admin.server.address() as AddressInfo).port : undefined,
    kannelPort: i.kannel ? (i.kannel.server.address() as AddressInfo).port : undefined,
  };
}
