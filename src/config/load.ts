import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { DEFAULT_AUTHORIZATIONS, DEFAULT_VALUE_FILTERS, SPLIT_SETTINGS, TEXT_DATA_CODINGS, type TextDataCoding, compilePattern, isCountryCode, type Authorizations, type MoRouteDef, type RouteDef, type TimeWindow, type UserSettingsSpec, type ValueFilters } from '../domain/index.js';
import {
  ConfigError,
  type AlertsConfig,
  type Config,
  type ConfigIssue,
  type ConnectorConfig,
  type GroupConfig,
  type JasminResponseFormat,
  type SmppConnectorConfig,
  type UserConfig,
  type WebhooksConfig,
} from './schema.js';

type Obj = Record<string, unknown>;

/** A small validator that records every problem with its path instead of stopping at the first. */
class Checker {
  readonly issues: ConfigIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  obj(v: unknown, path: string, allowed: readonly string[]): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.fail(path, `expected a mapping, got ${describe(v)}`);
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) {
        const near = allowed.find((a) => distance(a, k) <= 2);
        this.fail(`${path}.${k}`, `unknown key${near ? ` (did you mean "${near}"?)` : ''}`);
      }
    }
    return v as Obj;
  }

  str(o: Obj, key: string, path: string, def?: string): string | undefined {
    const v = o[key];
    if (v === undefined) return def ?? this.fail(`${path}.${key}`, 'is required');
    if (typeof v !== 'string' || v === '') return this.fail(`${path}.${key}`, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }

  num(o: Obj, key: string, path: string, opts: { def?: number; min?: number; max?: number; int?: boolean } = {}): number | undefined {
    const v = o[key];
    if (v === undefined) return opts.def ?? this.fail(`${path}.${key}`, 'is required');
    const ok = typeof v === 'number' && Number.isFinite(v) && (!opts.int || Number.isInteger(v)) && (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
    if (!ok) {
      const range = opts.min !== undefined || opts.max !== undefined ? ` ${opts.min ?? '-∞'}..${opts.max ?? '∞'}` : '';
      return this.fail(`${path}.${key}`, `expected ${opts.int ? 'an integer' : 'a number'}${range}, got ${describe(v)}`);
    }
    return v as number;
  }

  bool(o: Obj, key: string, path: string, def: boolean): boolean {
    const v = o[key];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') {
      this.fail(`${path}.${key}`, `expected true or false, got ${describe(v)}`);
      return def;
    }
    return v;
  }

  list(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.fail(`${path}.${key}`, `expected a list, got ${describe(v)}`);
      return [];
    }
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[], def?: T): T | undefined {
    const v = o[key] ?? def;
    if (v === undefined) return this.fail(`${path}.${key}`, `is required (one of ${values.join(', ')})`);
    if (!values.includes(v as T)) return this.fail(`${path}.${key}`, `expected one of ${values.join(', ')}, got ${describe(v)}`);
    return v as T;
  }
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Route filter keys shared by MT and MO routes. */
class Filters {
  constructor(private readonly c: Checker) {}

  /** A list of non-empty strings, or undefined when the key is absent. */
  strings(o: Obj, key: string, path: string): string[] | undefined {
    if (o[key] === undefined) return undefined;
    const out: string[] = [];
    this.c.list(o, key, path).forEach((v, j) => {
      if ((typeof v !== 'string' && typeof v !== 'number') || String(v) === '')
        this.c.fail(`${path}.${key}[${j}]`, `expected a non-empty string, got ${describe(v)}`);
      else out.push(String(v));
    });
    return out;
  }

  /** A regular expression (JavaScript syntax, Unicode mode, "/…/i" for flags), checked by compiling it. */
  regex(o: Obj, key: string, path: string): string | undefined {
    if (o[key] === undefined) return undefined;
    const v = this.c.str(o, key, path);
    if (v === undefined) return undefined;
    try {
      compilePattern(v);
      return v;
    } catch (err) {
      return this.c.fail(`${path}.${key}`, `not a valid regular expression: ${(err as Error).message}`);
    }
  }

  prefixes(o: Obj, path: string): string[] {
    return this.c.list(o, 'prefixes', path).map((v, j) => {
      const s = String(v).replace(/^\+/, '');
      if (!/^\d+$/.test(s)) this.c.fail(`${path}.prefixes[${j}]`, `expected digits, got ${describe(v)}`);
      return s;
    });
  }

  /** `{ hours: "08:00-20:00", days: [mon-fri, sat], timeZone: Europe/Rome }` */
  timeWindow(o: Obj, path: string): TimeWindow | undefined {
    if (o.timeWindow === undefined) return undefined;
    const p = `${path}.timeWindow`;
    const w = this.c.obj(o.timeWindow, p, ['hours', 'days', 'timeZone']);
    if (!w) return undefined;
    const hours = w.hours === undefined ? '00:00-24:00' : this.c.str(w, 'hours', p);
    const m = hours?.match(/^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/);
    if (hours !== undefined && (!m || (m[3] === '24' && m[4] !== '00')))
      this.c.fail(
        `${p}.hours`,
        `expected "HH:MM-HH:MM" (24-hour clock, e.g. "08:00-20:00"), got ${describe(hours)}`,
      );
    const days = new Set<number>();
    this.c.list(w, 'days', p).forEach((v, j) => {
      const d = String(v).toLowerCase();
      const range = d.match(/^([a-z]{3})-([a-z]{3})$/);
      const [a, b] = range
        ? [DAYS.indexOf(range[1] as (typeof DAYS)[number]), DAYS.indexOf(range[2] as (typeof DAYS)[number])]
        : [DAYS.indexOf(d as (typeof DAYS)[number]), DAYS.indexOf(d as (typeof DAYS)[number])];
      if (a < 0 || b < 0)
        return void this.c.fail(
          `${p}.days[${j}]`,
          `expected a day (${DAYS.join(', ')}) or a range like mon-fri, got ${describe(v)}`,
        );
      for (let i = a; ; i = (i + 1) % 7) {
        days.add(i);
        if (i === b) break;
      }
    });
    const timeZone = w.timeZone === undefined ? undefined : this.c.str(w, 'timeZone', p);
    if (timeZone !== undefined) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone });
      } catch {
        this.c.fail(
          `${p}.timeZone`,
          `unknown time zone ${describe(timeZone)} (an IANA name such as "Europe/Rome" or "UTC")`,
        );
      }
    }
    if (!m) return undefined;
    const from = Number(m[1]) * 60 + Number(m[2]);
    const to = (Number(m[3]) * 60 + Number(m[4])) % 1440;
    return {
      from,
      to,
      ...(days.size > 0 && days.size < 7 ? { days: [...days].sort() } : {}),
      ...(timeZone !== undefined ? { timeZone } : {}),
    };
  }
}

/** Keys of a route that filter; a route with none of them matches everything. */
const MT_FILTERS = [
  'prefixes',
  'destinationRegex',
  'countries',
  'sources',
  'sourceRegex',
  'users',
  'groups',
  'contentRegex',
  'timeWindow',
  'tags',
] as const;
const MO_FILTERS = [
  'prefixes',
  'destinationRegex',
  'sources',
  'sourceRegex',
  'contentRegex',
  'timeWindow',
  'originConnectors',
] as const;

/** A route after one that catches everything is never used: say so instead of ignoring it. */
function checkReachable(
  c: Checker,
  list: string,
  routes: readonly { index: number; name?: string; route: object }[],
  filterKeys: readonly string[],
): void {
  const catchAll = routes.findIndex(({ route }) =>
    filterKeys.every((k) => {
      const v = (route as Record<string, unknown>)[k];
      return v === undefined || (Array.isArray(v) && v.length === 0);
    }),
  );
  if (catchAll < 0) return;
  const first = routes[catchAll];
  for (const later of routes.slice(catchAll + 1)) {
    c.fail(
      `${list}[${later.index}]`,
      `never used: ${list}[${first.index}]${first.name ? ` ("${first.name}")` : ''} has no filters and catches every message first (put the default route last)`,
    );
  }
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A connector's `bindType` and `receiver`: a separate receiver session (Kannel's
 * `receive-port`) goes with a transmitter bind, which is then the default.
 */
function bindOf(c: Checker, o: Obj, p: string): Pick<SmppConnectorConfig, 'bindType' | 'receiver'> {
  if (o.receiver === undefined) return { bindType: c.oneOf(o, 'bindType', p, BIND_TYPES, 'transceiver') ?? 'transceiver' };
  const r = c.obj(o.receiver ?? {}, `${p}.receiver`, ['port']) ?? {};
  const port = r.port === undefined ? undefined : c.num(r, 'port', `${p}.receiver`, { min: 1, max: 65535, int: true });
  const bindType = c.oneOf(o, 'bindType', p, BIND_TYPES, 'transmitter') ?? 'transmitter';
  if (bindType !== 'transmitter')
    c.fail(`${p}.receiver`, `a separate receiver session goes with bindType transmitter, got bindType ${describe(bindType)} (leave bindType out or set it to transmitter)`);
  return { bindType: 'transmitter', receiver: port === undefined ? {} : { port } };
}

const BIND_TYPES = ['transceiver', 'transmitter', 'receiver'] as const;

/** A connector's `dataCoding`: the data_coding its GSM-alphabet text goes out as (default 0). */
function textCoding(c: Checker, o: Obj, p: string): TextDataCoding {
  const v = o.dataCoding;
  if (v === undefined) return 0;
  if (!TEXT_DATA_CODINGS.includes(v as TextDataCoding))
    c.fail(`${p}.dataCoding`, `expected 0 (SMSC default alphabet, GSM 03.38), 1 (IA5/ASCII) or 3 (Latin-1), got ${describe(v)}; UCS-2 (8) is chosen per message when the text needs it`);
  return TEXT_DATA_CODINGS.includes(v as TextDataCoding) ? (v as TextDataCoding) : 0;
}

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

/** A user's authorizations, value filters, defaults and throughput; only what is given. */
function userSettingsOf(c: Checker, o: Obj, p: string): UserSettingsSpec {
  const out: UserSettingsSpec = {};
  if (o.authorizations !== undefined) {
    const keys = Object.keys(DEFAULT_AUTHORIZATIONS) as (keyof Authorizations)[];
    const a = c.obj(o.authorizations, `${p}.authorizations`, keys) ?? {};
    const auth: Partial<Authorizations> = {};
    for (const k of keys) if (a[k] !== undefined) auth[k] = c.bool(a, k, `${p}.authorizations`, DEFAULT_AUTHORIZATIONS[k]);
    out.authorizations = auth;
  }
  if (o.valueFilters !== undefined) {
    const keys = Object.keys(DEFAULT_VALUE_FILTERS) as (keyof ValueFilters)[];
    const v = c.obj(o.valueFilters, `${p}.valueFilters`, keys) ?? {};
    const filters: Partial<ValueFilters> = {};
    for (const k of keys) {
      if (v[k] === undefined) continue;
      const re = c.str(v, k, `${p}.valueFilters`);
      if (re === undefined) continue;
      try {
        new RegExp(re);
        filters[k] = re;
      } catch (err) {
        c.fail(`${p}.valueFilters.${k}`, `not a valid regular expression: ${(err as Error).message}`);
      }
    }
    out.valueFilters = filters;
  }
  if (o.defaults !== undefined) {
    const d = c.obj(o.defaults, `${p}.defaults`, ['sourceAddr']) ?? {};
    if (d.sourceAddr !== undefined) {
      const src = typeof d.sourceAddr === 'number' ? String(d.sourceAddr) : c.str(d, 'sourceAddr', `${p}.defaults`);
      if (src !== undefined && src.length > 20) c.fail(`${p}.defaults.sourceAddr`, 'at most 20 characters (SMPP source_addr)');
      else if (src !== undefined) out.defaults = { sourceAddr: src };
    }
  }
  if (o.throughput !== undefined) {
    const t = c.obj(o.throughput, `${p}.throughput`, ['http', 'smpp']) ?? {};
    out.throughput = {};
    for (const k of ['http', 'smpp'] as const) {
      if (t[k] === undefined || t[k] === null) continue;
      const n = c.num(t, k, `${p}.throughput`, { min: 0.1 });
      if (n !== undefined) out.throughput[k] = n;
    }
  }
  return out;
}

/**
 * Validates a parsed configuration object (the YAML document) with the environment
 * overrides applied. Throws ConfigError listing every problem.
 */
export function parseConfig(doc: unknown, env: NodeJS.ProcessEnv = {}, source = 'configuration', demo = false): Config {
  const c = new Checker();
  const root = c.obj(doc ?? {}, '$', ['server', 'store', 'users', 'groups', 'connectors', 'routes', 'moRoutes', 'dedupeWindowS', 'parkedReceiptRetentionS', 'httpApi', 'webhooks', 'alerts', 'admin']) ?? {};
  const server = c.obj(root.server ?? {}, 'server', ['host', 'smppPort', 'httpPort', 'apiPort']) ?? {};
  const dataDir = env.HERMOD_DATA_DIR ?? './data';
  const store = c.obj(root.store ?? {}, 'store', ['type', 'path', 'synchronous', 'groupCommitMs', 'url', 'schema']) ?? {};
  const dbUrl = env.HERMOD_DATABASE_URL ?? (store.url as string | undefined);
  const storeType = env.HERMOD_DATABASE_URL?.startsWith('postgres') ? 'postgres' : (c.oneOf(store, 'type', 'store', ['sqlite', 'postgres'] as const, 'sqlite') ?? 'sqlite');
  if (storeType === 'postgres' && !(dbUrl && /^postgres(ql)?:\/\//.test(dbUrl))) c.fail('store.url', 'a postgres:// URL is required for store.type postgres (or set HERMOD_DATABASE_URL)');
  const schemaName = env.HERMOD_DATABASE_SCHEMA ?? (store.schema as string | undefined) ?? 'hermod';
  if (!/^[a-z_][a-z0-9_]*$/.test(schemaName)) c.fail('store.schema', `expected a lower-case SQL identifier, got ${describe(schemaName)}`);

  const envPort = env.HERMOD_SMPP_PORT;
  let smppPort = c.num(server, 'smppPort', 'server', { def: 2775, min: 0, max: 65535, int: true }) ?? 2775;
  if (envPort !== undefined) {
    const n = Number(envPort);
    if (!Number.isInteger(n) || n < 0 || n > 65535) c.fail('HERMOD_SMPP_PORT', `expected an integer 0..65535, got "${envPort}"`);
    else smppPort = n;
  }

  const groups: GroupConfig[] = [];
  c.list(root, 'groups', '$').forEach((g, i) => {
    const p = `groups[${i}]`;
    const o = c.obj(g, p, ['id', 'description', 'enabled']);
    if (!o) return;
    const id = c.str(o, 'id', p);
    if (id && groups.some((x) => x.id === id)) c.fail(`${p}.id`, `duplicate group "${id}"`);
    const description = o.description === undefined ? null : (c.str(o, 'description', p) ?? null);
    if (id) groups.push({ id, description, enabled: c.bool(o, 'enabled', p, true) });
  });
  const envHttp = env.HERMOD_HTTP_PORT;
  let httpPort = c.num(server, 'httpPort', 'server', { def: 1401, min: 0, max: 65535, int: true }) ?? 1401;
  if (envHttp !== undefined) {
    const n = Number(envHttp);
    if (!Number.isInteger(n) || n < 0 || n > 65535) c.fail('HERMOD_HTTP_PORT', `expected an integer 0..65535, got "${envHttp}"`);
    else httpPort = n;
  }
  const FORMATS = ['json', 'jasmin'] as const;
  const httpApi = c.obj(root.httpApi ?? {}, 'httpApi', ['responseFormat']) ?? {};
  const responseFormat: JasminResponseFormat = c.oneOf(httpApi, 'responseFormat', 'httpApi', FORMATS, 'json') ?? 'json';
  const wh = c.obj(root.webhooks ?? {}, 'webhooks', ['allowPrivateNetworks', 'allow', 'secret', 'retentionS', 'backoff', 'timeoutS', 'failoverAfter', 'logKeep', 'logRetentionS']) ?? {};
  const whBackoff = c.obj(wh.backoff ?? {}, 'webhooks.backoff', ['initialMs', 'maxMs']) ?? {};
  const allow = c.list(wh, 'allow', 'webhooks').map((v, i) => {
    const s = String(v);
    const [addr, bits] = s.split('/');
    if (bits !== undefined && (isIP(addr) === 0 || !/^\d+$/.test(bits) || Number(bits) > (isIP(addr) === 6 ? 128 : 32))) c.fail(`webhooks.allow[${i}]`, `expected a CIDR, an address or a host name, got ${describe(v)}`);
    return s;
  });
  const webhooks: WebhooksConfig = {
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
  };
  let apiPort = c.num(server, 'apiPort', 'server', { def: 8080, min: 0, max: 65535, int: true }) ?? 8080;
  if (env.HERMOD_API_PORT !== undefined) {
    const n = Number(env.HERMOD_API_PORT);
    if (!Number.isInteger(n) || n < 0 || n > 65535) c.fail('HERMOD_API_PORT', `expected an integer 0..65535, got "${env.HERMOD_API_PORT}"`);
    else apiPort = n;
  }
  const admin = c.obj(root.admin ?? {}, 'admin', ['keys']) ?? {};
  const adminKeys = c.list(admin, 'keys', 'admin').flatMap((k, i) => {
    if (typeof k !== 'string' || k.length < 16) {
      c.fail(`admin.keys[${i}]`, `expected a string of at least 16 characters, got ${typeof k === 'string' ? `${k.length} characters` : describe(k)}`);
      return [];
    }
    return [k];
  });
  if (env.HERMOD_ADMIN_KEY !== undefined) {
    if (env.HERMOD_ADMIN_KEY.length < 16) c.fail('HERMOD_ADMIN_KEY', `expected at least 16 characters, got ${env.HERMOD_ADMIN_KEY.length}`);
    else adminKeys.push(env.HERMOD_ADMIN_KEY);
  }
  // Demo mode listens on 127.0.0.1 only; its fixed key is printed in the banner.
  if (demo && adminKeys.length === 0) adminKeys.push(DEMO_ADMIN_KEY);

  const users: UserConfig[] = [];
  c.list(root, 'users', '$').forEach((u, i) => {
    const p = `users[${i}]`;
    const o = c.obj(u, p, ['username', 'password', 'balance', 'rate', 'enabled', 'group', 'authorizations', 'valueFilters', 'defaults', 'quota', 'throughput', 'httpApi', 'webhookSecret', 'apiKeys']);
    if (!o) return;
    const username = c.str(o, 'username', p);
    const password = c.str(o, 'password', p);
    const balance = c.num(o, 'balance', p, { def: 0, min: 0 });
    const rate = c.num(o, 'rate', p, { def: 0, min: 0 });
    if (username && users.some((x) => x.username === username)) c.fail(`${p}.username`, `duplicate user "${username}"`);
    if (username && username.length > 15) c.fail(`${p}.username`, 'at most 15 characters (it is the SMPP system_id)');
    if (password && password.length > 8) c.fail(`${p}.password`, 'at most 8 characters (SMPP 3.4 password field)');
    const group = o.group === undefined ? null : (c.str(o, 'group', p) ?? null);
    if (group !== null && !groups.some((g) => g.id === group)) c.fail(`${p}.group`, `unknown group "${group}" (declare it under groups)`);
    const settings = userSettingsOf(c, o, p);
    let smsCount: number | null = null;
    if (o.quota !== undefined) {
      const q = c.obj(o.quota, `${p}.quota`, ['smsCount']) ?? {};
      if (q.smsCount !== undefined && q.smsCount !== null) smsCount = c.num(q, 'smsCount', `${p}.quota`, { min: 0, int: true }) ?? null;
    }
    const uh = o.httpApi === undefined ? undefined : c.obj(o.httpApi, `${p}.httpApi`, ['responseFormat']);
    const uFormat = uh?.responseFormat === undefined ? undefined : c.oneOf(uh, 'responseFormat', `${p}.httpApi`, FORMATS);
    const secret = o.webhookSecret === undefined ? undefined : c.str(o, 'webhookSecret', p);
    const apiKeys = c.list(o, 'apiKeys', p).map((k, j) => {
      if (typeof k !== 'string' || k.length < 16) c.fail(`${p}.apiKeys[${j}]`, 'expected a string of at least 16 characters');
      return String(k);
    });
    if (username && password && balance !== undefined && rate !== undefined) {
      users.push({
        username,
        password,
        balance,
        rate,
        enabled: c.bool(o, 'enabled', p, true),
        group,
        smsCount,
        settings,
        apiKeys,
        ...(uFormat ? { httpApi: { responseFormat: uFormat } } : {}),
        ...(secret ? { webhookSecret: secret } : {}),
      });
    }
  });

  const connectors: ConnectorConfig[] = [];
  c.list(root, 'connectors', '$').forEach((x, i) => {
    const p = `connectors[${i}]`;
    const type = typeof x === 'object' && x !== null ? (x as Obj).type : undefined;
    if (type === 'simulator') {
      const o = c.obj(x, p, ['id', 'type', 'latencyMs', 'outcomes', 'failPrefixes', 'throttle', 'errorRate', 'receiptBeforeResponse', 'split']);
      if (!o) return;
      const id = c.str(o, 'id', p);
      const lat = o.latencyMs === undefined ? { min: 50, max: 500 } : c.obj(o.latencyMs, `${p}.latencyMs`, ['min', 'max']);
      const out = o.outcomes === undefined ? {} : (c.obj(o.outcomes, `${p}.outcomes`, ['delivered', 'undelivered', 'expired', 'rejected']) ?? {});
      const failPrefixes = c.list(o, 'failPrefixes', p).map(String);
      if (!id || !lat) return;
      connectors.push({
        id,
        type: 'simulator',
        latencyMs: { min: c.num(lat as Obj, 'min', `${p}.latencyMs`, { def: 0, min: 0 }) ?? 0, max: c.num(lat as Obj, 'max', `${p}.latencyMs`, { def: 0, min: 0 }) ?? 0 },
        outcomes: {
          delivered: c.num(out, 'delivered', `${p}.outcomes`, { def: out.delivered === undefined && Object.keys(out).length === 0 ? 1 : 0, min: 0 }) ?? 1,
          undelivered: c.num(out, 'undelivered', `${p}.outcomes`, { def: 0, min: 0 }) ?? 0,
          expired: c.num(out, 'expired', `${p}.outcomes`, { def: 0, min: 0 }) ?? 0,
          rejected: c.num(out, 'rejected', `${p}.outcomes`, { def: 0, min: 0 }) ?? 0,
        },
        failPrefixes,
        throttle: o.throttle === undefined ? undefined : c.num(o, 'throttle', p, { min: 1, int: true }),
        errorRate: o.errorRate === undefined ? undefined : c.num(o, 'errorRate', p, { min: 0, max: 1 }),
        receiptBeforeResponse: c.bool(o, 'receiptBeforeResponse', p, false),
        split: c.oneOf(o, 'split', p, SPLIT_SETTINGS, 'udh') ?? 'udh',
      });
    } else if (type === 'smpp') {
      const o = c.obj(x, p, ['id', 'type', 'host', 'port', 'tls', 'systemId', 'password', 'systemType', 'window', 'throughput', 'enquireLinkS', 'responseTimeoutS', 'split', 'bindType', 'sourceTon', 'sourceNpi', 'destTon', 'destNpi', 'reconnectDelayS', 'dataCoding', 'receiver', 'dlrExpiryS']);
      if (!o) return;
      const id = c.str(o, 'id', p);
      const reconnect = c.obj(o.reconnectDelayS ?? {}, `${p}.reconnectDelayS`, ['min', 'max']) ?? {};
      const rMin = c.num(reconnect, 'min', `${p}.reconnectDelayS`, { def: 0.5, min: 0.01 }) ?? 0.5;
      const rMax = c.num(reconnect, 'max', `${p}.reconnectDelayS`, { def: 30, min: 0.01 }) ?? 30;
      if (rMax < rMin) c.fail(`${p}.reconnectDelayS.max`, `must be at least reconnectDelayS.min (${rMin})`);
      // SMPP 3.4 §5.2.5/§5.2.6: TON 0–6, NPI 0–18 are the defined values.
      const ton = (k: string) => (o[k] === undefined ? undefined : c.num(o, k, p, { min: 0, max: 6, int: true }));
      const npi = (k: string) => (o[k] === undefined ? undefined : c.num(o, k, p, { min: 0, max: 18, int: true }));
      const host = c.str(o, 'host', p);
      const port = c.num(o, 'port', p, { min: 1, max: 65535, int: true });
      const systemId = c.str(o, 'systemId', p);
      const password = o.password === undefined || o.password === '' ? '' : (c.str(o, 'password', p) ?? '');
      if (password.length > 8) c.fail(`${p}.password`, 'at most 8 characters (SMPP 3.4 password field)');
      if (!id || !host || port === undefined || !systemId) return;
      connectors.push({
        id,
        type: 'smpp',
        host,
        port,
        tls: c.bool(o, 'tls', p, false),
        systemId,
        password,
        systemType: o.systemType === undefined ? '' : (c.str(o, 'systemType', p) ?? ''),
        window: c.num(o, 'window', p, { def: 10, min: 1, max: 1000, int: true }) ?? 10,
        throughput: o.throughput === undefined ? undefined : c.num(o, 'throughput', p, { min: 1 }),
        enquireLinkS: c.num(o, 'enquireLinkS', p, { def: 30, min: 0 }) ?? 30,
        responseTimeoutS: c.num(o, 'responseTimeoutS', p, { def: 10, min: 1 }) ?? 10,
        split: c.oneOf(o, 'split', p, SPLIT_SETTINGS, 'udh') ?? 'udh',
        ...bindOf(c, o, p),
        sourceTon: ton('sourceTon'),
        sourceNpi: npi('sourceNpi'),
        destTon: ton('destTon'),
        destNpi: npi('destNpi'),
        reconnectDelayS: { min: rMin, max: rMax },
        dataCoding: textCoding(c, o, p),
        // Jasmin's dlr_expiry default: a day.
        dlrExpiryS: c.num(o, 'dlrExpiryS', p, { def: 86_400, min: 0 }) ?? 86_400,
      });
    } else {
      c.fail(`${p}.type`, `expected one of simulator, smpp, got ${describe(type)}`);
    }
  });
  connectors.forEach((x, i) => {
    if (connectors.findIndex((y) => y.id === x.id) !== i) c.fail(`connectors[${i}].id`, `duplicate connector id "${x.id}"`);
  });

  const f = new Filters(c);
  const knownUsers = (names: string[] | undefined, key: string, p: string) =>
    names?.forEach((n, j) => {
      if (!users.some((u) => u.username === n)) c.fail(`${p}.${key}[${j}]`, `unknown user "${n}"`);
    });
  const routes: RouteDef[] = [];
  const routeIndex: number[] = [];
  const moIndex: number[] = [];
  c.list(root, 'routes', '$').forEach((x, i) => {
    const p = `routes[${i}]`;
    const o = c.obj(x, p, ['name', ...MT_FILTERS, 'type', 'connectors', 'costs', 'weights', 'rate']);
    if (!o) return;
    const name = c.str(o, 'name', p);
    if (name && routes.some((r) => r.name === name)) c.fail(`${p}.name`, `duplicate route name "${name}"`);
    const type = c.oneOf(
      o,
      'type',
      p,
      ['static', 'failover', 'roundrobin', 'leastcost', 'weighted'] as const,
      'static',
    );
    const prefixes = f.prefixes(o, p);
    const countries = f.strings(o, 'countries', p)?.map((v, j) => {
      const code = v.toUpperCase();
      if (!isCountryCode(code))
        c.fail(
          `${p}.countries[${j}]`,
          `expected an ISO 3166 alpha-2 country code such as "IT", got ${describe(v)}`,
        );
      return code;
    });
    const routeUsers = f.strings(o, 'users', p);
    knownUsers(routeUsers, 'users', p);
    const filters = {
      prefixes,
      destinationRegex: f.regex(o, 'destinationRegex', p),
      countries,
      sources: f.strings(o, 'sources', p),
      sourceRegex: f.regex(o, 'sourceRegex', p),
      users: routeUsers,
      groups: f.strings(o, 'groups', p),
      contentRegex: f.regex(o, 'contentRegex', p),
      timeWindow: f.timeWindow(o, p),
      tags: f.strings(o, 'tags', p),
    };
    const names = c.list(o, 'connectors', p).map(String);
    if (names.length === 0) c.fail(`${p}.connectors`, 'needs at least one connector');
    names.forEach((n, j) => {
      const k = connectors.find((x) => x.id === n);
      if (!k) c.fail(`${p}.connectors[${j}]`, `unknown connector "${n}"`);
      else if (k.type === 'smpp' && k.bindType === 'receiver')
        c.fail(`${p}.connectors[${j}]`, `connector "${n}" binds as receiver only (bindType receiver) and cannot send; route to a transmitter or transceiver`);
    });
    if (type === 'static' && names.length > 1)
      c.fail(
        `${p}.connectors`,
        'a static route has exactly one connector (use failover, roundrobin, weighted or leastcost)',
      );
    const costs: Record<string, Record<string, number>> = {};
    if (o.costs !== undefined) {
      const co = c.obj(o.costs, `${p}.costs`, names) ?? {};
      for (const [k, v] of Object.entries(co)) {
        const table = c.obj(v, `${p}.costs.${k}`, Object.keys(v as Obj)) ?? {};
        costs[k] = {};
        for (const [prefix, price] of Object.entries(table)) {
          if (typeof price !== 'number' || price < 0)
            c.fail(`${p}.costs.${k}.${prefix}`, `expected a cost ≥ 0, got ${describe(price)}`);
          else costs[k][prefix.replace(/^\+/, '')] = price;
        }
      }
    }
    if (type === 'leastcost' && Object.keys(costs).length === 0)
      c.fail(`${p}.costs`, 'a leastcost route needs a cost table per connector');
    let weights: Record<string, number> | undefined;
    if (o.weights !== undefined || type === 'weighted') {
      if (type !== 'weighted') c.fail(`${p}.weights`, 'only weighted routes have weights');
      const wo =
        o.weights === undefined
          ? c.fail(`${p}.weights`, 'a weighted route needs a weight per connector, e.g. { a: 70, b: 30 }')
          : c.obj(o.weights, `${p}.weights`, names);
      if (wo) {
        weights = {};
        for (const n of names) {
          const w = c.num(wo, n, `${p}.weights`, { min: 0 });
          if (w !== undefined && w <= 0)
            c.fail(`${p}.weights.${n}`, `expected a weight > 0, got ${describe(w)}`);
          else if (w !== undefined) weights[n] = w;
        }
      }
    }
    const rate = o.rate === undefined ? undefined : c.num(o, 'rate', p, { min: 0 });
    if (name && type) {
      routes.push({
        name,
        type,
        connectors: names,
        costs,
        ...dropUndefined(filters),
        ...(weights ? { weights } : {}),
        ...(rate !== undefined ? { rate } : {}),
      } as RouteDef);
      routeIndex.push(i);
    }
  });
  checkReachable(
    c,
    'routes',
    routes.map((route, k) => ({ index: routeIndex[k], name: route.name, route })),
    MT_FILTERS,
  );
  const moRoutes: MoRouteDef[] = [];
  c.list(root, 'moRoutes', '$').forEach((x, i) => {
    const p = `moRoutes[${i}]`;
    const o = c.obj(x, p, ['name', ...MO_FILTERS, 'user', 'url', 'method']);
    if (!o) return;
    const name = o.name === undefined ? undefined : c.str(o, 'name', p);
    const user = o.user === undefined ? undefined : c.str(o, 'user', p);
    if (user && !users.some((u) => u.username === user)) c.fail(`${p}.user`, `unknown user "${user}"`);
    const url = o.url === undefined ? undefined : c.str(o, 'url', p);
    if (url !== undefined) {
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(url).protocol);
      } catch {
        ok = false;
      }
      if (!ok) c.fail(`${p}.url`, `expected an http:// or https:// URL, got ${describe(url)}`);
    }
    if (o.user === undefined && o.url === undefined)
      c.fail(p, "needs a target: user (a customer's SMPP bind) or url (an HTTP webhook)");
    else if (o.user !== undefined && o.url !== undefined)
      c.fail(p, 'has both user and url: an MO route has one target');
    const method = o.method === undefined ? undefined : c.oneOf(o, 'method', p, ['GET', 'POST'] as const);
    if (method !== undefined && url === undefined)
      c.fail(`${p}.method`, 'only webhook (url) routes have a method');
    const originConnectors = f.strings(o, 'originConnectors', p);
    originConnectors?.forEach((n, j) => {
      if (!connectors.some((k) => k.id === n))
        c.fail(`${p}.originConnectors[${j}]`, `unknown connector "${n}"`);
    });
    const route = {
      name,
      prefixes: f.prefixes(o, p),
      destinationRegex: f.regex(o, 'destinationRegex', p),
      sources: f.strings(o, 'sources', p),
      sourceRegex: f.regex(o, 'sourceRegex', p),
      contentRegex: f.regex(o, 'contentRegex', p),
      timeWindow: f.timeWindow(o, p),
      originConnectors,
      user,
      url,
      method: url !== undefined ? (method ?? 'POST') : undefined,
    };
    if (user !== undefined || url !== undefined) {
      moRoutes.push(dropUndefined(route) as MoRouteDef);
      moIndex.push(i);
    }
  });
  checkReachable(
    c,
    'moRoutes',
    moRoutes.map((route, k) => ({ index: moIndex[k], name: route.name, route })),
    MO_FILTERS,
  );
  if (connectors.length > 0 && routes.length === 0) c.fail('routes', 'at least one route is needed to send anything');

  c.num(root, 'dedupeWindowS', '$', { def: 0, min: 0 });
  const parkedReceiptRetentionS = c.num(root, 'parkedReceiptRetentionS', '$', { def: 259_200, min: 1 }) ?? 259_200;
  const synchronous = c.oneOf(store, 'synchronous', 'store', ['NORMAL', 'FULL'] as const, 'NORMAL') ?? 'NORMAL';
  const groupCommitMs = c.num(store, 'groupCommitMs', 'store', { def: 2, min: 0, max: 100 }) ?? 2;
  const a = c.obj(root.alerts ?? {}, 'alerts', ['deliveryRateMin', 'errorRateMax', 'queueBacklogMax', 'spendMax', 'connectorDownS', 'windowS', 'minSamples', 'webhookUrl']) ?? {};
  const alerts: AlertsConfig = {
    deliveryRateMin: c.num(a, 'deliveryRateMin', 'alerts', { def: 0.95, min: 0, max: 1 }) ?? 0.95,
    errorRateMax: c.num(a, 'errorRateMax', 'alerts', { def: 0.05, min: 0, max: 1 }) ?? 0.05,
    queueBacklogMax: c.num(a, 'queueBacklogMax', 'alerts', { def: 10_000, min: 0, int: true }) ?? 10_000,
    spendMax: a.spendMax === undefined || a.spendMax === null ? null : (c.num(a, 'spendMax', 'alerts', { min: 0 }) ?? null),
    connectorDownS: c.num(a, 'connectorDownS', 'alerts', { def: 60, min: 0 }) ?? 60,
    windowS: c.num(a, 'windowS', 'alerts', { def: 300, min: 1 }) ?? 300,
    minSamples: c.num(a, 'minSamples', 'alerts', { def: 20, min: 1, int: true }) ?? 20,
    webhookUrl: a.webhookUrl === undefined || a.webhookUrl === null ? null : (c.str(a, 'webhookUrl', 'alerts') ?? null),
  };
  if (alerts.webhookUrl !== null && !/^https?:\/\/[^\s/]+/.test(alerts.webhookUrl)) c.fail('alerts.webhookUrl', `expected an http(s) URL, got ${describe(alerts.webhookUrl)}`);
  if (c.issues.length > 0) throw new ConfigError(c.issues, source);
  return {
    demo,
    server: { host: env.HERMOD_BIND ?? (c.str(server, 'host', 'server', demo ? '127.0.0.1' : '0.0.0.0') as string), smppPort, httpPort, apiPort },
    httpApi: { responseFormat },
    webhooks,
    admin: { keys: adminKeys },
    store:
      storeType === 'postgres'
        ? { type: 'postgres', url: dbUrl!, schema: schemaName, ...(env.HERMOD_NODE_ID ? { nodeId: env.HERMOD_NODE_ID } : {}) }
        : {
            type: 'sqlite',
            path: (store.path as string | undefined) ?? join(dataDir, 'hermod.db'),
            synchronous,
            groupCommitMs,
          },
    users,
    groups,
    connectors,
    routes,
    moRoutes,
    dedupeWindowS: c.num(root, 'dedupeWindowS', '$', { def: 0, min: 0 }) ?? 0,
    parkedReceiptRetentionS,
    alerts,
  };
}

/**
 * Loads `HERMOD_CONFIG` (or ./hermod.yaml when present). Without a file: the demo
 * configuration (a demo account and the built-in simulator, listening on 127.0.0.1).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = env.HERMOD_CONFIG ?? (existsSync(join(cwd, 'hermod.yaml')) ? join(cwd, 'hermod.yaml') : undefined);
  if (!file) {
    let demo: Obj = DEMO_YAML;
    // Demo mode against a real (or external simulated) SMSC instead of the built-in one.
    if (env.HERMOD_UPSTREAM_SMPP) {
      const m = env.HERMOD_UPSTREAM_SMPP.match(/^([^:]+):(\d+)$/);
      if (!m) throw new ConfigError([{ path: 'HERMOD_UPSTREAM_SMPP', message: `expected host:port, got "${env.HERMOD_UPSTREAM_SMPP}"` }], 'environment');
      demo = {
        ...DEMO_YAML,
        connectors: [{ id: 'upstream', type: 'smpp', host: m[1], port: Number(m[2]), systemId: env.HERMOD_UPSTREAM_SYSTEM_ID ?? 'hermod', password: env.HERMOD_UPSTREAM_PASSWORD ?? '', window: 50 }],
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
