/**
 * The composition root: config → store → gateway → connectors → interfaces. Each step is
 * its own function (`openStore`, `seedAccounts`, `buildGateway`, `buildObservability`,
 * `buildInterfaces`, `listen`); `startHermod` runs them in order and stops what it started.
 */
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Cluster, Connector, Gateway, WebhookSender } from '../gateway/index.js';
import type { Store } from '../store/index.js';
import type { Engine } from '../engine/index.js';
import type { Config } from '../config/index.js';
import { SimulatorConnector } from '../connectors/index.js';
import type { AlertEvaluator, HermodMetrics } from '../observability/index.js';
import { openStore, seedAccounts } from './store.js';
import { startLifecycle, type Lifecycle } from './lifecycle.js';
import { buildGateway } from './gateway.js';
import { buildEngine } from './engine.js';
import { buildObservability } from './observability.js';
import { newCluster, reportLoad, watchCluster } from './cluster.js';
import { buildInterfaces, listen } from './interfaces.js';
import type { RuntimeDefinitions } from './definitions.js';
import { seedSampleData } from './sample-data.js';
import { startDemoMms, type DemoMms } from './demo-mms.js';

export { openStore, seedAccounts } from './store.js';
export { buildGateway, type Core, type BuildGatewayOptions } from './gateway.js';
export { buildEngine } from './engine.js';
export { buildObservability, type Observability } from './observability.js';
export { buildInterfaces, listen, type Interfaces, type Ports } from './interfaces.js';
export { buildConnector } from './connectors.js';
export * from './lifecycle.js';
export { RuntimeDefinitions, seedDefinitions, type EffectiveDefinitions } from './definitions.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface RunningHermod {
  config: Config;
  smppPort: number;
  /** The Jasmin-compatible HTTP API's port. */
  httpPort: number;
  /** Port of the customer SMPP listener over TLS, when `server.smppTls` is set. */
  smppTlsPort: number | undefined;
  /** Port of the REST API (/v1, /metrics, /healthz, /readyz, /docs; without /metrics, /docs and the admin API when adminPort is set). */
  apiPort: number;
  /** Port of the admin listener (admin API, /metrics, /docs), when `server.adminPort` is set. */
  adminPort: number | undefined;
  /** Port of the Kannel-compatible sendsms, when `server.kannelPort` is set. */
  kannelPort: number | undefined;
  api: FastifyInstance;
  metrics: HermodMetrics;
  alerts: AlertEvaluator;
  gateway: Gateway;
  /** The SMS engine (contacts, campaigns, inbox, ledger, reports) over the gateway. */
  engine: Engine;
  webhooks: WebhookSender;
  store: Store;
  /** The running connectors by id, as the gateway has them now (runtime changes included). */
  readonly connectors: Map<string, Connector>;
  /** Connector definitions and routes as the store has them; the admin API changes them here. */
  definitions: RuntimeDefinitions;
  /** The first built-in simulator connector, when there is one (for tests and the demo). */
  simulator: SimulatorConnector | undefined;
  /** The data lifecycle: lock, scheduled backups, retention (docs/operations.md). */
  lifecycle: Lifecycle;
  /** Demo mode's MMSC simulator and sample picture (StartOptions.demoMms). */
  demoMms: DemoMms | undefined;
  /** This node's membership of the cluster (one node on SQLite; docs/scaling.md). */
  cluster: Cluster;
  stop(): Promise<void>;
}

/** Test and embedding hooks. */
export interface StartOptions {
  /** The clock routes' time windows read (default Date.now). */
  now?: () => number;
  /** pino logger (default: JSON to stdout at HERMOD_LOG_LEVEL, else info). */
  logger?: Logger;
  /**
   * Demo mode only: seed the demo account's sample contacts, campaign and traffic once
   * (`npm start` asks for it; tests' Hermods do not, they count rows).
   */
  sampleData?: boolean;
  /**
   * Demo mode only: an MMSC simulator in-process and an `mm7` connector to it (`npm start`
   * asks for it; docs/mms.md "Demo").
   */
  demoMms?: boolean;
}

export async function startHermod(given: Config, options: StartOptions = {}): Promise<RunningHermod> {
  const log = options.logger ?? pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'info' });
  const demoMms = options.demoMms && given.demo ? await startDemoMms() : undefined;
  const config = demoMms ? demoMms.withConnector(given) : given;
  try {
    return await startWith(config, options, log, demoMms);
  } catch (err) {
    await demoMms?.close();
    throw err;
  }
}

async function startWith(
  config: Config,
  options: StartOptions,
  log: Logger,
  demoMms: DemoMms | undefined,
): Promise<RunningHermod> {
  // First the data directory's lock: a second gateway on the same SQLite file stops here,
  // before its store frees the first one's leases.
  const lifecycle = startLifecycle(config, log);
  const store = await openStore(config.store).catch(async (err: unknown) => {
    await lifecycle.stop();
    throw err;
  });
  // Before anything erases or checks an opt-out: a pepper the store's erasures were not made with stops the start.
  await store.usePepper(config.erasure.pepper).catch(async (err: unknown) => {
    await store.close();
    await lifecycle.stop();
    throw err;
  });
  await seedAccounts(store, config);
  // Membership first: the leader and the bind slots are decided before anything asks.
  const cluster = newCluster(config, store, VERSION);
  await cluster.start().catch(async (err: unknown) => {
    await store.close();
    await lifecycle.stop();
    throw err;
  });
  const core = await buildGateway(config, store, { now: options.now, log, cluster }).catch(
    async (err: unknown) => {
      // A configuration the store's definitions contradict: nothing runs yet but the store.
      await cluster.stop();
      await store.close();
      await lifecycle.stop();
      throw err;
    },
  );
  const engine = await buildEngine(core);
  // The demo's console sign-ins (demo / demo, admin / admin), on loopback only.
  if (config.demo && config.users.some((u) => u.username === 'demo')) await engine.people.seedDemo('demo');
  const obs = buildObservability(core, VERSION);
  watchCluster(cluster, log, obs.metrics);
  const doors = await buildInterfaces(core, obs, VERSION, engine);
  reportLoad(cluster, {
    gateway: core.gateway,
    metrics: obs.metrics,
    customerBinds: () => doors.customers.bindCount(),
  });
  const ports = await listen(core, obs, doors);
  demoMms?.attach(ports.apiPort);
  await engine.start();
  lifecycle.startRetention(store);
  const { gateway, webhooks, definitions } = core;
  const simulator = gateway
    .listConnectors()
    .find((c): c is SimulatorConnector => c instanceof SimulatorConnector);
  if (options.sampleData && config.demo && config.users.some((u) => u.username === 'demo'))
    await seedSampleData({ engine, gateway, simulator, log }, 'demo');
  return {
    config,
    ...ports,
    api: doors.api,
    metrics: obs.metrics,
    alerts: obs.alerts,
    gateway,
    engine,
    webhooks,
    store,
    get connectors() {
      return new Map(gateway.listConnectors().map((c) => [c.id, c]));
    },
    definitions,
    simulator,
    lifecycle,
    demoMms,
    cluster,
    async stop() {
      await demoMms?.close();
      await lifecycle.purger?.stop();
      core.stopSync();
      await definitions.stop();
      await doors.jasmin.close();
      await doors.kannel?.close();
      await obs.alerts.stop();
      await doors.api.close();
      await doors.admin?.close();
      await doors.customers.close();
      await engine.stop();
      await gateway.stop();
      await webhooks.stop();
      await cluster.stop();
      await store.close();
      await lifecycle.stop();
    },
  };
}
