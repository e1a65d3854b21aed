import { backupOf, erasureOf, retentionOf } from './lifecycle.js';
import { clusterOf } from './cluster.js';
import { mediaOf } from './media.js';
import { smtpOf } from './mms-email.js';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { checkOptOut } from './opt-out.js';
import {
  ConfigError,
  type AlertsConfig,
  type BillingConfig,
  type EngineConfig,
  type FailoverConfig,
  type Config,
  type ConnectorConfig,
  type JasminResponseFormat,
  type SecurityConfig,
  type UserConfig,
  type WebhooksConfig,
} from './schema.js';

import { Checker, describe, type Obj } from './checker.js';
import { checkConnector } from './validate.js';
import { checkMoRoutes, checkRoutes } from './routes.js';
import { FORMATS, groupsOf, usersOf } from './users.js';
import { serverOf } from './server.js';
/** The demo user's REST API key (demo mode only; `npm start` prints it). */
export const DEMO_API_KEY = 'hk_demo_0000000000000000';
import { DEMO_ADMIN_KEY } from './demo-key.js';
export { DEMO_ADMIN_KEY };

const DEMO_YAML: Obj = {
  users: [{ username: 'demo', password: 'demo', balance: 100, rate: 0.01, apiKeys: [DEMO_API_KEY] }],
  connectors: [{ id: 'sim', type: 'simulator' }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  moRoutes: [{ prefixes: [], user: 'demo' }],
  // Demo mode: callbacks to this machine are allowed so people can try DLRs locally.
  webhooks: { allow: ['127.0.0.0/8', '::1', 'localhost'] },
};

const ROOT_KEYS = [
  'server',
  'store',
  'users',
  'groups',
  'connectors',
  'routes',
  'moRoutes',
  'dedupeWindowS',
  'parkedReceiptRetentionS',
  'httpApi',
  'webhooks',
  'alerts',
  'admin',
  'optOut',
  'billing',
  'security',
  'failover',
  'engine',
  'retention',
  'backup',
  'erasure',
  'media',
  'cluster',
  'smtp',
];

/**
 * Validates a parsed configuration object (the YAML document) with the environment
 * overrides applied. Throws ConfigError listing every problem.
 */
export function parseConfig(
  doc: unknown,
  env: NodeJS.ProcessEnv = {},
  source = 'configuration',
  demo = false,
): Config {
  const c = new Checker();
  const root = c.obj(doc ?? {}, '$', ROOT_KEYS) ?? {};
  const server = serverOf(c, root, env, demo);
  const store = storeOf(c, root, env);
  const groups = groupsOf(c, root);
  const httpApi = c.obj(root.httpApi ?? {}, 'httpApi', ['responseFormat']) ?? {};
  const responseFormat: JasminResponseFormat =
    c.oneOf(httpApi, 'responseFormat', 'httpApi', FORMATS, 'json') ?? 'json';
  const webhooks = webhooksOf(c, root);
  const adminKeys = adminKeysOf(c, root, env, demo);
  const users = usersOf(c, root, groups);
  const connectors = connectorsOf(c, root);
  const routes = checkRoutes(c, c.list(root, 'routes', '$'), {
    connectors: connectors.map((k) => k.id),
    receiveOnly: connectors.filter((k) => k.type === 'smpp' && k.bindType === 'receiver').map((k) => k.id),
    users: users.map((u) => u.username),
  });
  const optOut = checkOptOut(c, root.optOut);
  const smtp = smtpOf(c, root, env);
  const moRoutes = checkMoRoutes(c, c.list(root, 'moRoutes', '$'), {
    smtp: smtp !== null,
    connectors: connectors.map((k) => k.id),
    users: users.map((u) => u.username),
    // A Kannel reply without its own account is charged to the opt-out account.
    replyFallback: optOut.account !== undefined,
  });
  const dedupeWindowS = c.num(root, 'dedupeWindowS', '$', { def: 0, min: 0 }) ?? 0;
  const parkedReceiptRetentionS =
    c.num(root, 'parkedReceiptRetentionS', '$', { def: 259_200, min: 1 }) ?? 259_200;
  const alerts = alertsOf(c, root);
  const billing = billingOf(c, root);
  const failover = failoverOf(c, root);
  const engine = engineOf(c, root);
  const retention = retentionOf(c, root);
  const backup = backupOf(c, root, env);
  const erasure = erasureOf(c, root, env);
  const cluster = clusterOf(c, root, env);
  const media = mediaOf(c, root, env, { host: server.host, port: server.apiPort });
  requireTwilioHookBase(c, root, media.publicUrlSet === true);
  const security = checkSecurity(c, root.security);
  if (!demo) refusePlaceholders(c, adminKeys, users, env);
  const sampleData = demo && sampleDataOf(c, env);
  if (c.issues.length > 0) throw new ConfigError(c.issues, source);
  return {
    demo,
    sampleData,
    security,
    server,
    httpApi: { responseFormat },
    webhooks,
    admin: { keys: adminKeys },
    store,
    users,
    groups,
    connectors,
    routes,
    moRoutes,
    optOut,
    dedupeWindowS,
    parkedReceiptRetentionS,
    alerts,
    billing,
    failover,
    engine,
    retention,
    backup,
    erasure,
    media,
    cluster,
    smtp,
  };
}

/** HERMOD_SAMPLE_DATA: `true` (the default) or `false` (a demo without the sample data). */
function sampleDataOf(c: Checker, env: NodeJS.ProcessEnv): boolean {
  const v = env.HERMOD_SAMPLE_DATA;
  if (v === undefined || v === 'true') return true;
  if (v === 'false') return false;
  c.fail('HERMOD_SAMPLE_DATA', `expected true or false, got "${v}"`);
  return false;
}

/**
 * Secrets Hermod itself publishes (the demo keys, and the ones its deploy files shipped
 * before issue 13): refused outside demo mode, where anyone could read them.
 */
export const KNOWN_PLACEHOLDERS: ReadonlySet<string> = new Set([
  DEMO_ADMIN_KEY,
  DEMO_API_KEY,
  'change-this-admin-key-please',
  'hk_compose_change_me_0000',
  'changeme',
]);

function refusePlaceholders(
  c: Checker,
  adminKeys: string[],
  users: UserConfig[],
  env: NodeJS.ProcessEnv,
): void {
  const why = 'a placeholder published with Hermod: set a secret of your own';
  adminKeys.forEach((k, i) => {
    if (KNOWN_PLACEHOLDERS.has(k))
      c.fail(k === env.HERMOD_ADMIN_KEY ? 'HERMOD_ADMIN_KEY' : `admin.keys[${i}]`, why);
  });
  users.forEach((u, i) => {
    if (KNOWN_PLACEHOLDERS.has(u.password)) c.fail(`users[${i}].password`, why);
    u.apiKeys?.forEach((k, j) => {
      if (KNOWN_PLACEHOLDERS.has(k)) c.fail(`users[${i}].apiKeys[${j}]`, why);
    });
  });
}

/** `store:` (SQLite by default), or PostgreSQL when HERMOD_DATABASE_URL names one. */
function storeOf(c: Checker, root: Obj, env: NodeJS.ProcessEnv): Config['store'] {
  const store =
    c.obj(root.store ?? {}, 'store', [
      'type',
      'path',
      'synchronous',
      'groupCommitMs',
      'url',
      'schema',
      'definitionsPollS',
    ]) ?? {};
  const dbUrl = env.HERMOD_DATABASE_URL ?? (store.url as string | undefined);
  const storeType = env.HERMOD_DATABASE_URL?.startsWith('postgres')
    ? 'postgres'
    : (c.oneOf(store, 'type', 'store', ['sqlite', 'postgres'] as const, 'sqlite') ?? 'sqlite');
  if (storeType === 'postgres' && !(dbUrl && /^postgres(ql)?:\/\//.test(dbUrl)))
    c.fail('store.url', 'a postgres:// URL is required for store.type postgres (or set HERMOD_DATABASE_URL)');
  const schema = env.HERMOD_DATABASE_SCHEMA ?? (store.schema as string | undefined) ?? 'hermod';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema))
    c.fail('store.schema', `expected a lower-case SQL identifier, got ${describe(schema)}`);
  const synchronous =
    c.oneOf(store, 'synchronous', 'store', ['NORMAL', 'FULL'] as const, 'NORMAL') ?? 'NORMAL';
  const groupCommitMs = c.num(store, 'groupCommitMs', 'store', { def: 2, min: 0, max: 100 }) ?? 2;
  const definitionsPollS = c.num(store, 'definitionsPollS', 'store', { def: 5, min: 0, max: 3600 }) ?? 5;
  if (storeType === 'postgres')
    return {
      type: 'postgres',
      url: dbUrl ?? '',
      schema,
      definitionsPollS,
      ...(env.HERMOD_NODE_ID ? { nodeId: env.HERMOD_NODE_ID } : {}),
    };
  const dataDir = env.HERMOD_DATA_DIR ?? './data';
  return {
    type: 'sqlite',
    path: (store.path as string | undefined) ?? join(dataDir, 'hermod.db'),
    synchronous,
    groupCommitMs,
  };
}

function webhooksOf(c: Checker, root: Obj): WebhooksConfig {
  const wh =
    c.obj(root.webhooks ?? {}, 'webhooks', [
      'allowPrivateNetworks',
      'allow',
      'secret',
      'retentionS',
      'backoff',
      'timeoutS',
      'failoverAfter',
      'logKeep',
      'logRetentionS',
      'perHost',
      'perCustomer',
      'workers',
    ]) ?? {};
  const whBackoff = c.obj(wh.backoff ?? {}, 'webhooks.backoff', ['initialMs', 'maxMs']) ?? {};
  const allow = c.list(wh, 'allow', 'webhooks').map((v, i) => {
    const s = String(v);
    const [addr, bits] = s.split('/');
    if (
      bits !== undefined &&
      (isIP(addr) === 0 || !/^\d+$/.test(bits) || Number(bits) > (isIP(addr) === 6 ? 128 : 32))
    )
      c.fail(`webhooks.allow[${i}]`, `expected a CIDR, an address or a host name, got ${describe(v)}`);
    return s;
  });
  return {
    allowPrivateNetworks: c.bool(wh, 'allowPrivateNetworks', 'webhooks', false),
    allow,
    ...(wh.secret !== undefined ? { secret: c.str(wh, 'secret', 'webhooks') } : {}),
    retentionS: c.num(wh, 'retentionS', 'webhooks', { def: 259_200, min: 1 }) ?? 259_200,
    backoff: {
      initialMs: c.num(whBackoff, 'initialMs', 'webhooks.backoff', { def: 1000, min: 1 }) ?? 1000,
      maxMs: c.num(whBackoff, 'maxMs', 'webhooks.backoff', { def: 600_000, min: 1 }) ?? 600_000,
    },
    timeoutS: c.num(wh, 'timeoutS', 'webhooks', { def: 10, min: 0.1 }) ?? 10,
    failoverAfter: c.num(wh, 'failoverAfter', 'webhooks', { def: 3, min: 1, int: true }) ?? 3,
    logKeep: c.num(wh, 'logKeep', 'webhooks', { def: 100_000, min: 0, int: true }) ?? 100_000,
    logRetentionS: c.num(wh, 'logRetentionS', 'webhooks', { def: 604_800, min: 1 }) ?? 604_800,
    perHost: c.num(wh, 'perHost', 'webhooks', { def: 10, min: 1, int: true }) ?? 10,
    perCustomer: c.num(wh, 'perCustomer', 'webhooks', { def: 20, min: 1, int: true }) ?? 20,
    workers: c.num(wh, 'workers', 'webhooks', { def: 0, min: 0, max: 8, int: true }) ?? 0,
  };
}

/** `admin.keys` plus HERMOD_ADMIN_KEY; demo mode's fixed key (printed in the banner) when none. */
function adminKeysOf(c: Checker, root: Obj, env: NodeJS.ProcessEnv, demo: boolean): string[] {
  const admin = c.obj(root.admin ?? {}, 'admin', ['keys']) ?? {};
  const adminKeys = c.list(admin, 'keys', 'admin').flatMap((k, i) => {
    if (typeof k !== 'string' || k.length < 16) {
      c.fail(
        `admin.keys[${i}]`,
        `expected a string of at least 16 characters, got ${typeof k === 'string' ? `${k.length} characters` : describe(k)}`,
      );
      return [];
    }
    return [k];
  });
  if (env.HERMOD_ADMIN_KEY !== undefined) {
    if (env.HERMOD_ADMIN_KEY.length < 16)
      c.fail('HERMOD_ADMIN_KEY', `expected at least 16 characters, got ${env.HERMOD_ADMIN_KEY.length}`);
    else adminKeys.push(env.HERMOD_ADMIN_KEY);
  }
  // Demo mode listens on 127.0.0.1 only; its fixed key is printed in the banner.
  if (demo && adminKeys.length === 0) adminKeys.push(DEMO_ADMIN_KEY);
  return adminKeys;
}

function connectorsOf(c: Checker, root: Obj): ConnectorConfig[] {
  const connectors: ConnectorConfig[] = [];
  c.list(root, 'connectors', '$').forEach((x, i) => {
    const k = checkConnector(c, x, `connectors[${i}]`);
    if (k) connectors.push(k);
  });
  connectors.forEach((x, i) => {
    if (connectors.findIndex((y) => y.id === x.id) !== i)
      c.fail(`connectors[${i}].id`, `duplicate connector id "${x.id}"`);
  });
  return connectors;
}

function alertsOf(c: Checker, root: Obj): AlertsConfig {
  const a =
    c.obj(root.alerts ?? {}, 'alerts', [
      'deliveryRateMin',
      'errorRateMax',
      'queueBacklogMax',
      'spendMax',
      'connectorDownS',
      'windowS',
      'minSamples',
      'webhookUrl',
    ]) ?? {};
  const alerts: AlertsConfig = {
    deliveryRateMin: c.num(a, 'deliveryRateMin', 'alerts', { def: 0.95, min: 0, max: 1 }) ?? 0.95,
    errorRateMax: c.num(a, 'errorRateMax', 'alerts', { def: 0.05, min: 0, max: 1 }) ?? 0.05,
    queueBacklogMax: c.num(a, 'queueBacklogMax', 'alerts', { def: 10_000, min: 0, int: true }) ?? 10_000,
    spendMax:
      a.spendMax === undefined || a.spendMax === null
        ? null
        : (c.num(a, 'spendMax', 'alerts', { min: 0 }) ?? null),
    connectorDownS: c.num(a, 'connectorDownS', 'alerts', { def: 60, min: 0 }) ?? 60,
    windowS: c.num(a, 'windowS', 'alerts', { def: 300, min: 1 }) ?? 300,
    minSamples: c.num(a, 'minSamples', 'alerts', { def: 20, min: 1, int: true }) ?? 20,
    webhookUrl:
      a.webhookUrl === undefined || a.webhookUrl === null ? null : (c.str(a, 'webhookUrl', 'alerts') ?? null),
  };
  if (alerts.webhookUrl !== null && !/^https?:\/\/[^\s/]+/.test(alerts.webhookUrl))
    c.fail('alerts.webhookUrl', `expected an http(s) URL, got ${describe(alerts.webhookUrl)}`);
  return alerts;
}

function failoverOf(c: Checker, root: Obj): FailoverConfig {
  const f =
    c.obj(root.failover ?? {}, 'failover', ['moveQueued', 'downGraceS', 'batch', 'afterTransientFailures']) ??
    {};
  return {
    moveQueued: c.bool(f, 'moveQueued', 'failover', true),
    downGraceS: c.num(f, 'downGraceS', 'failover', { def: 5, min: 0 }) ?? 5,
    batch: c.num(f, 'batch', 'failover', { def: 500, min: 1, int: true }) ?? 500,
    afterTransientFailures:
      c.num(f, 'afterTransientFailures', 'failover', { def: 3, min: 0, int: true }) ?? 3,
  };
}

function engineOf(c: Checker, root: Obj): EngineConfig {
  const e = c.obj(root.engine ?? {}, 'engine', ['imports']) ?? {};
  const i = c.obj(e.imports ?? {}, 'engine.imports', ['maxBytes', 'batchRows']) ?? {};
  const MIB = 1024 * 1024;
  return {
    imports: {
      maxBytes: c.num(i, 'maxBytes', 'engine.imports', { def: 50 * MIB, min: 1024, int: true }) ?? 50 * MIB,
      batchRows: c.num(i, 'batchRows', 'engine.imports', { def: 2000, min: 1, int: true }) ?? 2000,
    },
  };
}

function billingOf(c: Checker, root: Obj): BillingConfig {
  const bill = c.obj(root.billing ?? {}, 'billing', ['refund']) ?? {};
  const refund = c.obj(bill.refund ?? {}, 'billing.refund', ['rejected', 'failed', 'expired']) ?? {};
  return {
    refund: {
      rejected: c.bool(refund, 'rejected', 'billing.refund', true),
      failed: c.bool(refund, 'failed', 'billing.refund', true),
      expired: c.bool(refund, 'expired', 'billing.refund', true),
    },
  };
}

/**
 * Loads `HERMOD_CONFIG` (or ./hermod.yaml when present). Without a file: the demo
 * configuration (a demo account and the built-in simulator, listening on 127.0.0.1).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file =
    env.HERMOD_CONFIG ?? (existsSync(join(cwd, 'hermod.yaml')) ? join(cwd, 'hermod.yaml') : undefined);
  if (!file) {
    let demo: Obj = DEMO_YAML;
    // Demo mode against a real (or external simulated) SMSC instead of the built-in one.
    if (env.HERMOD_UPSTREAM_SMPP) {
      const m = env.HERMOD_UPSTREAM_SMPP.match(/^([^:]+):(\d+)$/);
      if (!m)
        throw new ConfigError(
          [
            {
              path: 'HERMOD_UPSTREAM_SMPP',
              message: `expected host:port, got "${env.HERMOD_UPSTREAM_SMPP}"`,
            },
          ],
          'environment',
        );
      demo = {
        ...DEMO_YAML,
        connectors: [
          {
            id: 'upstream',
            type: 'smpp',
            host: m[1],
            port: Number(m[2]),
            systemId: env.HERMOD_UPSTREAM_SYSTEM_ID ?? 'hermod',
            password: env.HERMOD_UPSTREAM_PASSWORD ?? '',
            window: 50,
          },
        ],
        routes: [{ name: 'default', type: 'static', connectors: ['upstream'] }],
      };
    }
    return parseConfig(demo, env, 'built-in demo configuration', true);
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([{ path: file, message: (err as Error).message.split('\n')[0] }], file);
  }
  return parseConfig(doc, env, file, false);
}

/** `security`: login lockout (SMPP binds and HTTP passwords) and the customer SMPP port's limits (issue 13). */
function checkSecurity(c: Checker, raw: unknown): SecurityConfig {
  const sec = c.obj(raw ?? {}, 'security', ['login', 'smpp', 'http']) ?? {};
  const hp = 'security.http';
  const http =
    c.obj(sec.http ?? {}, hp, [
      'requestTimeoutS',
      'headersTimeoutS',
      'keepAliveTimeoutS',
      'idleTimeoutS',
      'maxConnections',
    ]) ?? {};
  const lp = 'security.login';
  const login =
    c.obj(sec.login ?? {}, lp, ['maxFailuresPerAddress', 'maxFailuresPerUser', 'windowS', 'lockS']) ?? {};
  const sp = 'security.smpp';
  const smpp =
    c.obj(sec.smpp ?? {}, sp, [
      'maxConnections',
      'maxUnboundPerAddress',
      'bindTimeoutS',
      'maxBindsPerUser',
      'maxUnboundRequests',
    ]) ?? {};
  return {
    login: {
      maxFailuresPerAddress: c.num(login, 'maxFailuresPerAddress', lp, { def: 5, min: 1, int: true }) ?? 5,
      maxFailuresPerUser: c.num(login, 'maxFailuresPerUser', lp, { def: 10, min: 1, int: true }) ?? 10,
      windowS: c.num(login, 'windowS', lp, { def: 60, min: 1 }) ?? 60,
      lockS: c.num(login, 'lockS', lp, { def: 300, min: 1 }) ?? 300,
    },
    smpp: {
      maxConnections: c.num(smpp, 'maxConnections', sp, { def: 1000, min: 1, int: true }) ?? 1000,
      maxUnboundPerAddress: c.num(smpp, 'maxUnboundPerAddress', sp, { def: 10, min: 1, int: true }) ?? 10,
      bindTimeoutS: c.num(smpp, 'bindTimeoutS', sp, { def: 10, min: 1, max: 60 }) ?? 10,
      maxBindsPerUser: c.num(smpp, 'maxBindsPerUser', sp, { def: 10, min: 1, int: true }) ?? 10,
      maxUnboundRequests: c.num(smpp, 'maxUnboundRequests', sp, { def: 10, min: 1, int: true }) ?? 10,
    },
    http: {
      requestTimeoutS: c.num(http, 'requestTimeoutS', hp, { def: 30, min: 1, max: 3600 }) ?? 30,
      headersTimeoutS: c.num(http, 'headersTimeoutS', hp, { def: 10, min: 1, max: 3600 }) ?? 10,
      keepAliveTimeoutS: c.num(http, 'keepAliveTimeoutS', hp, { def: 5, min: 1, max: 3600 }) ?? 5,
      idleTimeoutS: c.num(http, 'idleTimeoutS', hp, { def: 60, min: 1, max: 3600 }) ?? 60,
      maxConnections: c.num(http, 'maxConnections', hp, { def: 1000, min: 1, int: true }) ?? 1000,
    },
  };
}

/**
 * Twilio signs the public URL of its callbacks: a `twilio` connector of the file needs
 * `hookBaseUrl`, or a written `media.publicUrl` for it to fall back to (docs/providers.md).
 */
function requireTwilioHookBase(c: Checker, root: Obj, publicUrlSet: boolean): void {
  if (publicUrlSet || !Array.isArray(root.connectors)) return;
  root.connectors.forEach((x: unknown, i: number) => {
    const k = x as Obj | null;
    if (k && typeof k === 'object' && k.type === 'twilio' && k.hookBaseUrl === undefined)
      c.fail(
        `connectors[${i}].hookBaseUrl`,
        'is required unless media.publicUrl is set: Twilio signs the public URL of its callbacks, which Hermod must know',
      );
  });
}
