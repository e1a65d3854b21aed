/**
 * The composition root: config → store → gateway → connectors → interfaces.
 */
import { PostgresStore, SqliteStore, type Store } from './store/index.js';
import { Gateway, type Connector } from './gateway/index.js';
import { SimulatorConnector, SmppConnector } from './connectors/index.js';
import { CustomerSmppServer } from './smpp-server/index.js';
import { hashPassword, verifyPassword } from './domain/index.js';
import type { Config, ConnectorConfig } from './config/index.js';

export interface RunningHermod {
  config: Config;
  smppPort: number;
  gateway: Gateway;
  store: Store;
  connectors: Map<string, Connector>;
  /** The first built-in simulator connector, when there is one (for tests and the demo). */
  simulator: SimulatorConnector | undefined;
  stop(): Promise<void>;
}

function buildConnector(c: ConnectorConfig): Connector {
  if (c.type === 'simulator') {
    return new SimulatorConnector(c.id, {
      latencyMs: c.latencyMs,
      outcomes: c.outcomes,
      throttle: c.throttle,
      scripts: c.failPrefixes.map((prefix) => ({ prefix, status: 0x0b })),
      errors: c.errorRate ? [{ status: 0x14, rate: c.errorRate }] : [],
      receiptBeforeResponse: c.receiptBeforeResponse,
      split: c.split,
    });
  }
  return new SmppConnector(c.id, {
    host: c.host,
    port: c.port,
    tls: c.tls,
    systemId: c.systemId,
    password: c.password,
    systemType: c.systemType,
    windowSize: c.window,
    throughput: c.throughput,
    enquireLinkMs: c.enquireLinkS * 1000,
    responseTimeoutMs: c.responseTimeoutS * 1000,
    reconnect: { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 },
    split: c.split,
  });
}

/** Test and embedding hooks. */
export interface StartOptions {
  /** The clock routes' time windows read (default Date.now). */
  now?: () => number;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;

export async function startHermod(config: Config, options: StartOptions = {}): Promise<RunningHermod> {
  const store: Store =
    config.store.type === 'postgres'
      ? await PostgresStore.open({ connectionString: config.store.url, schema: config.store.schema, nodeId: config.store.nodeId })
      : new SqliteStore(config.store.path, { synchronous: config.store.synchronous });
  // Groups and users from the configuration: a user is created with its balance and SMS
  // count the first time; afterwards password, rate, enabled, group and settings follow
  // the file while the balance and the SMS count are the store's.
  for (const g of config.groups) await store.upsertGroup(g);
  for (const u of config.users) {
    const existing = await store.getUserByName(u.username);
    await store.upsertUser({
      username: u.username,
      passwordHash: existing && verifyPassword(u.password, existing.passwordHash) ? existing.passwordHash : hashPassword(u.password),
      balanceMicros: Math.round(u.balance * 1_000_000),
      rateMicros: Math.round(u.rate * 1_000_000),
      enabled: u.enabled,
      group: u.group,
      smsCount: u.smsCount,
      settings: u.settings,
    });
  }
  // Loop guard: an SMPP connector pointed at our own customer server binds as one of our
  // users. Known once the server listens (its port may be 0 = any).
  let ownPort = -1;
  const selfBind = (id: string): string | undefined => {
    const c = config.connectors.find((x) => x.id === id);
    if (c?.type !== 'smpp' || c.port !== ownPort) return undefined;
    return LOOPBACK.test(c.host) || c.host === config.server.host ? c.systemId : undefined;
  };
  const gateway = new Gateway(store, {
    routes: config.routes,
    moRoutes: config.moRoutes,
    dedupeWindowMs: config.dedupeWindowS * 1000,
    selfBind,
    ...(options.now ? { now: options.now } : {}),
  });
  const connectors = new Map<string, Connector>();
  for (const c of config.connectors) {
    const k = buildConnector(c);
    connectors.set(c.id, k);
    gateway.addConnector(k);
  }
  await gateway.start();
  const customers = new CustomerSmppServer(gateway, { host: config.server.host, port: config.server.smppPort });
  const smppPort = await customers.listen();
  ownPort = smppPort;
  const simulator = [...connectors.values()].find((c): c is SimulatorConnector => c instanceof SimulatorConnector);
  return {
    config,
    smppPort,
    gateway,
    store,
    connectors,
    simulator,
    async stop() {
      await customers.close();
      await gateway.stop();
      await store.close();
    },
  };
}
