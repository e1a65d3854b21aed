/**
 * The composition root: store → gateway → connectors → interfaces. Today's default is
 * the embedded demo: SQLite under the data directory, the built-in simulator as the one
 * connector, the customer SMPP server, and a demo account.
 */
import { join } from 'node:path';
import { SqliteStore } from './store/index.js';
import { Gateway } from './gateway/index.js';
import { SimulatorConnector, SmppConnector } from './connectors/index.js';
import { CustomerSmppServer } from './smpp-server/index.js';
import { hashPassword } from './domain/index.js';

export interface HermodOptions {
  dataDir: string;
  host: string;
  smppPort: number;
  demo: boolean;
  /** An upstream SMSC instead of the built-in simulator. */
  upstream?: { host: string; port: number; systemId: string; password: string };
}

export interface RunningHermod {
  smppPort: number;
  gateway: Gateway;
  store: SqliteStore;
  /** The built-in simulator, unless an upstream SMSC was configured. */
  simulator: SimulatorConnector | undefined;
  stop(): Promise<void>;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): HermodOptions {
  const port = env.HERMOD_SMPP_PORT === undefined ? 2775 : Number(env.HERMOD_SMPP_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`HERMOD_SMPP_PORT: expected an integer 0..65535, got "${env.HERMOD_SMPP_PORT}"`);
  }
  let upstream: HermodOptions['upstream'];
  if (env.HERMOD_UPSTREAM_SMPP) {
    const m = env.HERMOD_UPSTREAM_SMPP.match(/^([^:]+):(\d+)$/);
    if (!m) throw new Error(`HERMOD_UPSTREAM_SMPP: expected host:port, got "${env.HERMOD_UPSTREAM_SMPP}"`);
    upstream = { host: m[1], port: Number(m[2]), systemId: env.HERMOD_UPSTREAM_SYSTEM_ID ?? 'hermod', password: env.HERMOD_UPSTREAM_PASSWORD ?? '' };
  }
  return { dataDir: env.HERMOD_DATA_DIR ?? './data', host: '127.0.0.1', smppPort: port, demo: true, upstream };
}

export async function startHermod(o: HermodOptions): Promise<RunningHermod> {
  const store = new SqliteStore(join(o.dataDir, 'hermod.db'));
  if (o.demo && !(await store.getUserByName('demo'))) {
    // 100 units of demo credit at 0.01 per SMS part.
    await store.upsertUser({ username: 'demo', passwordHash: hashPassword('demo'), balanceMicros: 100_000_000, rateMicros: 10_000 });
  }
  const gateway = new Gateway(store);
  const simulator = o.upstream ? undefined : new SimulatorConnector('sim');
  gateway.addConnector(
    simulator ?? new SmppConnector('upstream', { ...o.upstream!, windowSize: 50, reconnect: { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.5 } }),
  );
  await gateway.start();
  const customers = new CustomerSmppServer(gateway, { host: o.host, port: o.smppPort });
  const smppPort = await customers.listen();
  return {
    smppPort,
    gateway,
    store,
    simulator,
    async stop() {
      await customers.close();
      await gateway.stop();
      await store.close();
    },
  };
}
