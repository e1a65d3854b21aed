/**
 * The composition root: config → store → gateway → connectors → interfaces.
 */
import { PostgresStore, SqliteStore, type Store } from './store/index.js';
import { redactUrl } from './lib/redact.js';
import { pino, type Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import { Gateway, UrlGuard, WebhookSender, type Connector } from './gateway/index.js';
import { buildJasminApp } from './http/jasmin/index.js';
import { SimulatorConnector } from './connectors/index.js';
import { buildConnector, RuntimeDefinitions, seedDefinitions } from './runtime-config.js';
import { CustomerSmppServer } from './smpp-server/index.js';
import { LoginGuard } from './gateway/login-guard.js';
import { Counter } from 'prom-client';
import { hashApiKey, hashPassword, verifyPassword } from './domain/index.js';
import type { Config } from './config/index.js';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from './http/api-app.js';
import { AlertEvaluator, AlertWebhook, HermodMetrics } from './observability/index.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface RunningHermod {
  config: Config;
  smppPort: number;
  /** The Jasmin-compatible HTTP API's port. */
  httpPort: number;
  /** Port of the customer SMPP listener over TLS, when `server.smppTls` is set. */
  smppTlsPort: number | undefined;
  /** Port of the REST API (/v1, /metrics, /healthz, /readyz, /docs). */
  apiPort: number;
  api: FastifyInstance;
  metrics: HermodMetrics;
  alerts: AlertEvaluator;
  gateway: Gateway;
  webhooks: WebhookSender;
  store: Store;
  /** The running connectors by id, as the gateway has them now (runtime changes included). */
  readonly connectors: Map<string, Connector>;
  /** Connector definitions and routes as the store has them; the admin API changes them here. */
  definitions: RuntimeDefinitions;
  /** The first built-in simulator connector, when there is one (for tests and the demo). */
  simulator: SimulatorConnector | undefined;
  stop(): Promise<void>;
}

/** Test and embedding hooks. */
export interface StartOptions {
  /** The clock routes' time windows read (default Date.now). */
  now?: () => number;
  /** pino logger (default: JSON to stdout at HERMOD_LOG_LEVEL, else info). */
  logger?: Logger;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;

/**
 * The store a configuration names: its SQLite file, or its PostgreSQL schema. `reclaim`
 * false leaves the leases alone (a reading tool beside a running gateway).
 */
export async function openStore(c: Config['store'], { reclaim = true } = {}): Promise<Store> {
  return c.type === 'postgres'
    ? PostgresStore.open({ connectionString: c.url, schema: c.schema, nodeId: c.nodeId, reclaim })
    : new SqliteStore(c.path, { synchronous: c.synchronous, groupCommitMs: c.groupCommitMs, reclaim });
}

export async function startHermod(config: Config, options: StartOptions = {}): Promise<RunningHermod> {
  const log = options.logger ?? pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'info' });
  const store = await openStore(config.store);
  // Groups and users from the configuration: a user is created with its balance and SMS
  // count the first time; afterwards password, rate, enabled, group and settings follow
  // the file while the balance and the SMS count are the store's.
  for (const g of config.groups) await store.upsertGroup(g);
  for (const u of config.users) {
    const existing = await store.getUserByName(u.username);
    await store.upsertUser({
      username: u.username,
      passwordHash:
        existing && verifyPassword(u.password, existing.passwordHash)
          ? existing.passwordHash
          : hashPassword(u.password),
      balanceMicros: Math.round(u.balance * 1_000_000),
      rateMicros: Math.round(u.rate * 1_000_000),
      enabled: u.enabled,
      group: u.group,
      smsCount: u.smsCount,
      settings: u.settings,
    });
  }
  for (const u of config.users) {
    if (u.apiKeys.length === 0) continue;
    const user = (await store.getUserByName(u.username))!;
    for (const key of u.apiKeys) await store.addApiKey(user.id, hashApiKey(key), 'config');
  }
  // Connectors and routes: the file's written into the store; what the admin API changed wins.
  const effective = await seedDefinitions(store, config).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  if (effective.overridden.length > 0)
    log.warn(
      { component: 'config', overridden: effective.overridden },
      `the store overrides the configuration file for ${effective.overridden.join(', ')}: changed through the admin API (docs/configuration.md, "Connectors and routes at runtime")`,
    );
  // Loop guard: an SMPP connector pointed at our own customer server binds as one of our
  // users. Known once the server listens (its port may be 0 = any).
  let ownPort = -1;
  // Filled in once the gateway exists: the definitions each connector runs with.
  const runtime: { definitions?: RuntimeDefinitions } = {};
  const selfBind = (id: string): string | undefined => {
    const c = runtime.definitions?.get(id);
    if (c?.type !== 'smpp' || c.port !== ownPort) return undefined;
    return LOOPBACK.test(c.host) || c.host === config.server.host ? c.systemId : undefined;
  };
  const gateway = new Gateway(store, {
    routes: effective.routes,
    moRoutes: effective.moRoutes,
    dedupeWindowMs: config.dedupeWindowS * 1000,
    parkedReceiptRetentionMs: config.parkedReceiptRetentionS * 1000,
    selfBind,
    receiptMatching: (id) => {
      const c = runtime.definitions?.get(id);
      if (!c || c.type === 'simulator') return undefined;
      return {
        ...(c.dlrScope !== undefined ? { scope: c.dlrScope } : {}),
        ...(c.type === 'smpp' && c.messageIdBase ? { base: c.messageIdBase } : {}),
      };
    },
    ...(options.now ? { now: options.now } : {}),
    webhookRetentionMs: config.webhooks.retentionS * 1000,
    optOut: config.optOut,
    refund: config.billing.refund,
  });
  // One SSRF guard for every URL called on a customer's behalf (row 28).
  const guard = new UrlGuard({
    allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
    allow: config.webhooks.allow,
  });
  const secrets = new Map(
    config.users.filter((u) => u.webhookSecret).map((u) => [u.username, u.webhookSecret!]),
  );
  const webhooks = new WebhookSender(store, {
    guard,
    secretFor: (owner) => secrets.get(owner),
    ...(config.webhooks.secret ? { secret: config.webhooks.secret } : {}),
    backoff: {
      initialMs: config.webhooks.backoff.initialMs,
      maxMs: config.webhooks.backoff.maxMs,
      factor: 2,
      jitter: 0.5,
    },
    timeoutMs: config.webhooks.timeoutS * 1000,
    perHost: config.webhooks.perHost,
    perCustomer: config.webhooks.perCustomer,
    failoverAfter: config.webhooks.failoverAfter,
    logKeep: config.webhooks.logKeep,
    logRetentionMs: config.webhooks.logRetentionS * 1000,
    log: log.child({ component: 'webhooks' }),
  });
  gateway.on('webhooks', () => webhooks.wake());
  gateway.on('parked_expired', (n: number) =>
    log.info(
      { component: 'gateway', receipts: n },
      'parked receipts expired: no part of ours ever claimed them',
    ),
  );
  gateway.on('optout_reply_failed', (moId: string, kind: string, err: unknown) =>
    log.warn(
      {
        component: 'gateway',
        mo: moId,
        keyword: kind,
        code: (err as { code?: string }).code,
        err: err instanceof Error ? err.message : String(err),
      },
      'opt-out auto-reply not sent',
    ),
  );
  gateway.on('dlr_expired', (n: number) =>
    log.info({ component: 'gateway', parts: n }, 'sent parts expired: no delivery receipt within dlrExpiryS'),
  );
  gateway.on('outbox_expired', (n: number) =>
    log.warn(
      { component: 'gateway', items: n },
      'customer outbox items expired undelivered: their SMPP customer did not bind within the hold time',
    ),
  );
  gateway.on('restart_requeued', (n: number) =>
    log.warn(
      { component: 'gateway', messages: n },
      'messages claimed by the previous process requeued at start: they may have been sent before, so a resend can duplicate them (each says so in its history)',
    ),
  );
  gateway.on('duplicate_submit', (id: string, seq: number, connector: string) =>
    log.warn(
      { component: 'gateway', message: id, part: seq, connector },
      'duplicate submit: a late submit_sm_resp accepted a part that had been resent and accepted again',
    ),
  );
  gateway.on('store_error', (err: unknown) => log.error({ component: 'gateway', err }, 'store sweep failed'));
  // Delivery outcomes as one gateway event ('ok', 'failed' = will retry, 'expired', 'refused'), for metrics.
  webhooks.on('delivered', () => gateway.emit('webhook', 'ok'));
  webhooks.on('retry', () => gateway.emit('webhook', 'failed'));
  webhooks.on('expired', () => gateway.emit('webhook', 'expired'));
  webhooks.on('dropped', () => gateway.emit('webhook', 'refused'));
  for (const { definition } of effective.connectors) await gateway.addConnector(buildConnector(definition));
  const definitions = new RuntimeDefinitions(store, gateway, log.child({ component: 'admin' }), effective);
  runtime.definitions = definitions;
  // Several nodes on one PostgreSQL database: what another node's admin API changed reaches
  // this one, pushed by the store (NOTIFY) within moments, and read by a poll as the fallback
  // for a notification lost while the listening connection was down. Bursts share one sync.
  const syncLog = log.child({ component: 'admin' });
  const syncSoon = () =>
    void definitions
      .syncSoon()
      .catch((err: unknown) => syncLog.error({ err }, 'sync of connectors and routes failed'));
  const pollS = config.store.type === 'postgres' ? config.store.definitionsPollS : 0;
  const definitionsPoll = pollS > 0 ? setInterval(syncSoon, pollS * 1000) : undefined;
  definitionsPoll?.unref();
  let listenerLost = false;
  const unsubscribe = store.onDefinitionsChanged?.((event) => {
    if (event.kind === 'lost') {
      listenerLost = true;
      syncLog.warn(
        { err: event.error, retryInMs: event.retryInMs },
        "sync: the connection that hears other nodes' changes failed; reconnecting (the poll still runs)",
      );
      return;
    }
    if (event.kind === 'listening' && listenerLost) {
      listenerLost = false;
      syncLog.info("sync: hearing other nodes' changes again; reading the store for what went by");
    }
    syncSoon(); // 'listening' too: a change may have gone by while it was down.
  });
  // Metrics, alerts and /readyz see a connector as up while its binds are (a receive-only one is never `ready`).
  const connectorList = () => gateway.listConnectors().map((c) => ({ id: c.id, ready: c.up ?? c.ready }));
  const metrics = new HermodMetrics({
    version: VERSION,
    connectors: connectorList,
    queueDepth: (id) => store.queueDepth(id),
    queueOldestDue: () => store.queueOldestDue(),
    webhookPending: () => store.webhookDepth(),
  });
  metrics.attach(gateway);
  const a = config.alerts;
  const alerts = new AlertEvaluator({
    metrics,
    connectors: connectorList,
    queueDepth: () => store.queueDepth(),
    thresholds: {
      deliveryRateMin: a.deliveryRateMin,
      errorRateMax: a.errorRateMax,
      queueBacklogMax: a.queueBacklogMax,
      spendMaxMicros: a.spendMax === null ? null : Math.round(a.spendMax * 1_000_000),
      connectorDownMs: a.connectorDownS * 1000,
      windowMs: a.windowS * 1000,
      minSamples: a.minSamples,
    },
  });
  if (a.webhookUrl)
    new AlertWebhook({ url: a.webhookUrl }, (ok) =>
      metrics.webhookDeliveries.inc({ result: ok ? 'alert_ok' : 'alert_failed' }),
    ).attach(alerts);
  // The customer SMPP server (it listens later); deliver_sm (receipts, MOs) outstanding per
  // customer bind before waiting for responses: 100.
  const tlsConfig = config.server.smppTls;
  // One count of login attempts for SMPP binds and HTTP passwords (issue 13 items 1 and 7).
  const sec = config.security;
  const loginGuard = new LoginGuard({
    maxFailuresPerAddress: sec.login.maxFailuresPerAddress,
    maxFailuresPerUser: sec.login.maxFailuresPerUser,
    windowMs: sec.login.windowS * 1000,
    lockMs: sec.login.lockS * 1000,
  });
  const authLog = log.child({ component: 'auth' });
  const loginFailures = new Counter({
    name: 'hermod_login_failures_total',
    help: 'Refused logins (SMPP binds and HTTP passwords) by door and reason (refused, locked, busy)',
    labelNames: ['door', 'reason'] as const,
    registers: [metrics.registry],
  });
  const lockouts = new Counter({
    name: 'hermod_login_lockouts_total',
    help: 'Lockouts started, by door and scope (address or username)',
    labelNames: ['door', 'scope'] as const,
    registers: [metrics.registry],
  });
  loginGuard.on('login_failed', (e) => {
    loginFailures.inc({ door: e.door, reason: e.reason });
    authLog.info(e, 'login failed');
  });
  loginGuard.on('lockout', (e) => {
    lockouts.inc({ door: e.door, scope: e.scope });
    authLog.warn(e, 'login lockout');
  });
  const customers = new CustomerSmppServer(gateway, {
    loginGuard,
    maxConnections: sec.smpp.maxConnections,
    maxUnboundPerAddress: sec.smpp.maxUnboundPerAddress,
    sessionInitMs: sec.smpp.bindTimeoutS * 1000,
    maxBindsPerUser: sec.smpp.maxBindsPerUser,
    maxUnboundRequests: sec.smpp.maxUnboundRequests,
    host: config.server.host,
    port: config.server.smppPort,
    windowSize: 100,
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
  const api = await buildApiApp({
    gateway,
    adminKeys: config.admin.keys,
    definitions,
    binds: customers,
    guard,
    version: VERSION,
    connectors: connectorList,
    metrics,
    onResponse: (route, code) => metrics.httpRequests.inc({ api: 'rest', route, code: String(code) }),
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
  });
  // The API is built and listening before the connectors start: what takes time at start
  // (Fastify, OpenAPI) is done before the first bind.
  // A deep accept backlog: a burst of new connections (1,000 clients at once) waits in the
  // kernel instead of being dropped into SYN retries of 1 s and more.
  await api.listen({ host: config.server.host, port: config.server.apiPort, backlog: 4096 });
  const apiPort = (api.server.address() as import('node:net').AddressInfo).port;
  await gateway.start();
  alerts.start();
  const smppPort = await customers.listen();
  ownPort = smppPort;
  webhooks.start();
  const formats = new Map(
    config.users
      .filter((u) => u.httpApi?.responseFormat)
      .map((u) => [u.username, u.httpApi!.responseFormat!]),
  );
  const jasmin = await buildJasminApp({
    gateway,
    loginGuard,
    guard,
    responseFormat: config.httpApi.responseFormat,
    responseFormatFor: (username) => formats.get(username),
    logger: log.child({ component: 'jasmin-http' }),
  });
  // A deep accept queue: a thousand clients connecting at once must not be reset (Node's default is 511).
  await jasmin.listen({ host: config.server.host, port: config.server.httpPort, backlog: 4096 });
  const httpPort = (jasmin.server.address() as AddressInfo).port;
  const simulator = gateway
    .listConnectors()
    .find((c): c is SimulatorConnector => c instanceof SimulatorConnector);
  return {
    config,
    smppPort,
    smppTlsPort: customers.tlsPort,
    httpPort,
    apiPort,
    api,
    metrics,
    alerts,
    gateway,
    webhooks,
    store,
    get connectors() {
      return new Map(gateway.listConnectors().map((c) => [c.id, c]));
    },
    definitions,
    simulator,
    async stop() {
      clearInterval(definitionsPoll);
      unsubscribe?.();
      await definitions.stop();
      await jasmin.close();
      await alerts.stop();
      await api.close();
      await customers.close();
      await gateway.stop();
      await webhooks.stop();
      await store.close();
    },
  };
}
