import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, type Config, type ConfigIssue, type ConnectorConfig, type RouteConfig, type UserConfig } from './schema.js';

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

const DEMO_YAML: Obj = {
  users: [{ username: 'demo', password: 'demo', balance: 100, rate: 0.01 }],
  connectors: [{ id: 'sim', type: 'simulator' }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  moRoutes: [{ prefixes: [], user: 'demo' }],
};

/**
 * Validates a parsed configuration object (the YAML document) with the environment
 * overrides applied. Throws ConfigError listing every problem.
 */
export function parseConfig(doc: unknown, env: NodeJS.ProcessEnv = {}, source = 'configuration', demo = false): Config {
  const c = new Checker();
  const root = c.obj(doc ?? {}, '$', ['server', 'store', 'users', 'connectors', 'routes', 'moRoutes', 'dedupeWindowS']) ?? {};
  const server = c.obj(root.server ?? {}, 'server', ['host', 'smppPort']) ?? {};
  const dataDir = env.HERMOD_DATA_DIR ?? './data';
  const store = c.obj(root.store ?? {}, 'store', ['type', 'path', 'synchronous', 'url', 'schema']) ?? {};
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

  const users: UserConfig[] = [];
  c.list(root, 'users', '$').forEach((u, i) => {
    const p = `users[${i}]`;
    const o = c.obj(u, p, ['username', 'password', 'balance', 'rate', 'enabled']);
    if (!o) return;
    const username = c.str(o, 'username', p);
    const password = c.str(o, 'password', p);
    const balance = c.num(o, 'balance', p, { def: 0, min: 0 });
    const rate = c.num(o, 'rate', p, { def: 0, min: 0 });
    if (username && users.some((x) => x.username === username)) c.fail(`${p}.username`, `duplicate user "${username}"`);
    if (username && username.length > 15) c.fail(`${p}.username`, 'at most 15 characters (it is the SMPP system_id)');
    if (password && password.length > 8) c.fail(`${p}.password`, 'at most 8 characters (SMPP 3.4 password field)');
    if (username && password && balance !== undefined && rate !== undefined) users.push({ username, password, balance, rate, enabled: c.bool(o, 'enabled', p, true) });
  });

  const connectors: ConnectorConfig[] = [];
  c.list(root, 'connectors', '$').forEach((x, i) => {
    const p = `connectors[${i}]`;
    const type = typeof x === 'object' && x !== null ? (x as Obj).type : undefined;
    if (type === 'simulator') {
      const o = c.obj(x, p, ['id', 'type', 'latencyMs', 'outcomes', 'failPrefixes', 'throttle', 'errorRate', 'receiptBeforeResponse']);
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
      });
    } else if (type === 'smpp') {
      const o = c.obj(x, p, ['id', 'type', 'host', 'port', 'tls', 'systemId', 'password', 'systemType', 'window', 'throughput', 'enquireLinkS', 'responseTimeoutS']);
      if (!o) return;
      const id = c.str(o, 'id', p);
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
      });
    } else {
      c.fail(`${p}.type`, `expected one of simulator, smpp, got ${describe(type)}`);
    }
  });
  connectors.forEach((x, i) => {
    if (connectors.findIndex((y) => y.id === x.id) !== i) c.fail(`connectors[${i}].id`, `duplicate connector id "${x.id}"`);
  });

  const routes: RouteConfig[] = [];
  c.list(root, 'routes', '$').forEach((x, i) => {
    const p = `routes[${i}]`;
    const o = c.obj(x, p, ['name', 'prefixes', 'type', 'connectors', 'costs', 'rate']);
    if (!o) return;
    const name = c.str(o, 'name', p);
    const type = c.oneOf(o, 'type', p, ['static', 'failover', 'roundrobin', 'leastcost'] as const, 'static');
    const prefixes = c.list(o, 'prefixes', p).map((v, j) => {
      const s = String(v).replace(/^\+/, '');
      if (!/^\d+$/.test(s)) c.fail(`${p}.prefixes[${j}]`, `expected digits, got ${describe(v)}`);
      return s;
    });
    const names = c.list(o, 'connectors', p).map(String);
    if (names.length === 0) c.fail(`${p}.connectors`, 'needs at least one connector');
    names.forEach((n, j) => {
      if (!connectors.some((k) => k.id === n)) c.fail(`${p}.connectors[${j}]`, `unknown connector "${n}"`);
    });
    if (type === 'static' && names.length > 1) c.fail(`${p}.connectors`, 'a static route has exactly one connector (use failover, roundrobin or leastcost)');
    const costs: Record<string, Record<string, number>> = {};
    if (o.costs !== undefined) {
      const co = c.obj(o.costs, `${p}.costs`, names) ?? {};
      for (const [k, v] of Object.entries(co)) {
        const table = c.obj(v, `${p}.costs.${k}`, Object.keys(v as Obj)) ?? {};
        costs[k] = {};
        for (const [prefix, price] of Object.entries(table)) {
          if (typeof price !== 'number' || price < 0) c.fail(`${p}.costs.${k}.${prefix}`, `expected a cost ≥ 0, got ${describe(price)}`);
          else costs[k][prefix.replace(/^\+/, '')] = price;
        }
      }
    }
    if (type === 'leastcost' && Object.keys(costs).length === 0) c.fail(`${p}.costs`, 'a leastcost route needs a cost table per connector');
    const rate = o.rate === undefined ? undefined : c.num(o, 'rate', p, { min: 0 });
    if (name && type) routes.push({ name, prefixes, type, connectors: names, costs, ...(rate !== undefined ? { rate } : {}) });
  });
  const moRoutes: { prefixes: string[]; user: string }[] = [];
  c.list(root, 'moRoutes', '$').forEach((x, i) => {
    const p = `moRoutes[${i}]`;
    const o = c.obj(x, p, ['prefixes', 'user']);
    if (!o) return;
    const user = c.str(o, 'user', p);
    if (user && !users.some((u) => u.username === user)) c.fail(`${p}.user`, `unknown user "${user}"`);
    const prefixes = c.list(o, 'prefixes', p).map((v) => String(v).replace(/^\+/, ''));
    if (user) moRoutes.push({ prefixes, user });
  });
  if (connectors.length > 0 && routes.length === 0) c.fail('routes', 'at least one route is needed to send anything');

  c.num(root, 'dedupeWindowS', '$', { def: 0, min: 0 });
  if (c.issues.length > 0) throw new ConfigError(c.issues, source);
  return {
    demo,
    server: { host: env.HERMOD_BIND ?? (c.str(server, 'host', 'server', demo ? '127.0.0.1' : '0.0.0.0') as string), smppPort },
    store:
      storeType === 'postgres'
        ? { type: 'postgres', url: dbUrl!, schema: schemaName, ...(env.HERMOD_NODE_ID ? { nodeId: env.HERMOD_NODE_ID } : {}) }
        : {
            type: 'sqlite',
            path: (store.path as string | undefined) ?? join(dataDir, 'hermod.db'),
            synchronous: (store.synchronous as 'NORMAL' | 'FULL' | undefined) ?? 'NORMAL',
          },
    users,
    connectors,
    routes,
    moRoutes,
    dedupeWindowS: c.num(root, 'dedupeWindowS', '$', { def: 0, min: 0 }) ?? 0,
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
