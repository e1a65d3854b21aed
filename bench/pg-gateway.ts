/**
 * The gateway on the PostgreSQL store (issue 17): a customer's SMPP bind (1 bind, window
 * 100, receipts asked) → Hermod (PostgreSQL, committed before each submit_sm_resp) → its
 * SMPP connector → an SMSC that answers and sends a receipt per message → the receipt back
 * to the customer as a deliver_sm. Then the same paced at 1,000 msg/s for the acceptance
 * latency under a normal load.
 *
 * Peers: the native ones of `../shared/bench/` (`smpp-load` as the customer, `smsc-sink
 * --receipts-requested` as the SMSC; they cost almost nothing), built into /tmp when
 * missing; without them, the Node peers of bench/_peers.ts (said in the output: they cost
 * about as much CPU as Hermod and bound the rate on 2 cores).
 *
 * Reports msg/s accepted and end to end, acceptance p50/p99 (full speed and paced), Hermod's
 * and PostgreSQL's CPU per message (PostgreSQL's: the backends of Hermod's connections
 * only), what 2 cores would allow at those costs, and the statements Hermod sent per message, by kind
 * (bench/lib/pg-count.ts; each is a round trip). PostgreSQL at HERMOD_TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test), in a schema of its own dropped after.
 * The same run on the SQLite store first, same peers, as the reference measured beside it
 * (ratio `postgres_vs_sqlite_end_to_end`; the machine is shared, so rates move from run to
 * run, and both stores see the same weather).
 * BENCH_MESSAGES (20,000), BENCH_PG_STORES (sqlite,postgres), BENCH_PG_PEERS=node forces the
 * Node peers, BENCH_PG_KINDS=1 prints the statements by kind, BENCH_PG_WAITS=1 what Hermod's
 * backends were doing (pg_stat_activity sampled every 2 ms: a wait event, or CPU) in each part.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  backendPids,
  countStatements,
  resetStatementCounts,
  sampleWaits,
  statementCounts,
} from './lib/pg-count.js';
import { cpuMicrosOf, nativeBinary, runSmppLoad, smppLoadArgs, startSmscSink } from './lib/native.js';
import { startHermod } from '../src/compose/index.js';
import { loadConfig } from '../src/config/index.js';
import { PostgresStore } from '../src/store/index.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const PACED = 2000;
const PG_URL = process.env.HERMOD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const GOAL = 5000;

try {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  await c.end();
} catch (err) {
  console.error(`pg-gateway: PostgreSQL not reachable at ${PG_URL} (${String(err)}): skipped`);
  console.log(JSON.stringify({ bench: 'pg-gateway', results: { skipped: 1 }, ratios: {} }));
  process.exit(0);
}

countStatements();
const load = process.env.BENCH_PG_PEERS === 'node' ? undefined : nativeBinary('smpp-load');
const sinkBin = process.env.BENCH_PG_PEERS === 'node' ? undefined : nativeBinary('smsc-sink');
const native = load !== undefined && sinkBin !== undefined;
console.error(
  native
    ? `peers: native (${load}, ${sinkBin})`
    : 'peers: Node (bench/_peers.ts; the native ones of ../shared/bench were not found or BENCH_PG_PEERS=node): they bound the rate',
);

/** A customer's run through `smpp-load`: its JSON line. */
const smppLoad = async (port: number, args: string[]) => (await runSmppLoad(load!, port, args)).out;

type Lat = { p50: number; p99: number };
const ms = (us: number) => Math.round(us) / 1000;

interface Peers {
  smscPort: number;
  /** The full-speed run, then the paced one: rates and latencies. */
  run(hermodPort: number, onPacedStart: () => void): Promise<Record<string, number>>;
  stop(): void;
}

async function nativePeers(): Promise<Peers> {
  const sink = await startSmscSink(sinkBin!, { receipts: true });
  const smscPort = sink.port;
  return {
    smscPort,
    async run(port, onPacedStart) {
      const full = await smppLoad(port, smppLoadArgs(N));
      onPacedStart();
      const paced = await smppLoad(port, smppLoadArgs(PACED, 1000));
      const lat = full.submit_lat_us as Lat;
      const plat = paced.submit_lat_us as Lat;
      return {
        accepted_per_s: Math.round(full.submit_tps as number),
        end_to_end_per_s: Math.round(full.e2e_tps as number),
        receipts_back: full.receipts as number,
        errors: (full.err as number) + (full.generic_nack as number),
        accept_p50_ms: ms(lat.p50),
        accept_p99_ms: ms(lat.p99),
        paced_1000_p50_ms: ms(plat.p50),
        paced_1000_p99_ms: ms(plat.p99),
        paced_receipts_back: paced.receipts as number,
      };
    },
    stop: sink.stop,
  };
}

async function nodePeers(): Promise<Peers> {
  const peers = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./_peers.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const replies = createInterface({ input: peers.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await replies.next()).value ?? '{}')) as Record<string, number>;
  const { simPort } = await next();
  return {
    smscPort: simPort,
    async run(port) {
      peers.stdin.write(JSON.stringify({ hermodPort: port, n: N }) + '\n');
      const r = await next();
      delete r.done;
      return r;
    },
    stop: () => peers.stdin.end(),
  };
}

/** One run through Hermod on `store`, with fresh peers: rates, latencies, CPU per message. */
async function runOn(store: 'postgres' | 'sqlite'): Promise<Record<string, number>> {
  const peers = native ? await nativePeers() : await nodePeers();
  const schema = `bench_pg_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-pg-'));
  const nodeId = `bench-${process.pid}`;
  const db =
    store === 'postgres'
      ? { HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema, HERMOD_NODE_ID: nodeId }
      : {};
  const h = await startHermod(
    loadConfig(
      {
        HERMOD_DATA_DIR: dir,
        ...db,
        HERMOD_SMPP_PORT: '0',
        HERMOD_HTTP_PORT: '0',
        HERMOD_API_PORT: '0',
        HERMOD_UPSTREAM_SMPP: `127.0.0.1:${peers.smscPort}`,
      },
      dir,
    ),
  );
  // Free sending (each start seeds the demo user from the config again).
  const user = (await h.store.getUserByName('demo'))!;
  await h.store.upsertUser({
    username: 'demo',
    passwordHash: user.passwordHash,
    balanceMicros: 0,
    rateMicros: 0,
  });
  const t0 = Date.now();
  while (h.gateway.getConnector('upstream')?.ready !== true) {
    if (Date.now() - t0 > 30_000) throw new Error('the upstream connector did not bind');
    await new Promise((r) => setTimeout(r, 20));
  }
  resetStatementCounts();
  const cpu0 = process.cpuUsage();
  const pg0 = cpuMicrosOf(backendPids());
  let full: { total: number; byKind: [string, number][] } | undefined;
  let cpuFull: NodeJS.CpuUsage | undefined;
  let pgFull = 0;
  const waits = store === 'postgres' && process.env.BENCH_PG_WAITS === '1';
  const sampler = () => (waits ? sampleWaits(PG_URL, `hermod ${nodeId}`) : undefined);
  const samplers = [sampler()];
  const measure = () => {
    full = statementCounts();
    cpuFull = process.cpuUsage(cpu0);
    pgFull = cpuMicrosOf(backendPids()) - pg0;
    samplers.push(sampler());
  };
  const r = await peers.run(h.smppPort, measure);
  if (!full) measure();
  for (const [i, w] of samplers.entries()) {
    if (!w) continue;
    const { samples, top } = await w.stop();
    console.error(
      `${i === 0 ? 'full speed' : 'paced'}: Hermod's backends in ${samples} samples (busy backends per sample)`,
    );
    for (const [k, share] of top.slice(0, 15)) console.error(`${share.toFixed(2).padStart(7)}  ${k}`);
  }
  peers.stop();
  await h.stop();
  if (store === 'postgres' && process.env.BENCH_PG_KINDS === '1') await printTableStats(schema);
  if (store === 'postgres' && process.env.BENCH_PG_KEEP !== '1')
    await PostgresStore.dropSchema(PG_URL, schema);
  const hermodUs = Math.round((cpuFull!.user + cpuFull!.system) / N);
  const dbUs = store === 'postgres' ? Math.round(pgFull / N) : 0;
  if (process.env.BENCH_PG_KINDS === '1' && store === 'postgres')
    for (const [k, n] of full!.byKind.slice(0, 40)) console.error(`${(n / N).toFixed(2).padStart(7)}  ${k}`);
  return {
    ...r,
    // The full-speed run only (the Node peers' run includes the paced part: both counted).
    hermod_cpu_us_per_msg: hermodUs,
    ...(store === 'postgres'
      ? { postgres_cpu_us_per_msg: dbUs, statements_per_msg: Math.round((full!.total / N) * 100) / 100 }
      : {}),
    // What 2 cores allow if Hermod and its PostgreSQL backends had them to themselves (the
    // native peers cost almost nothing): steadier than the rates on a shared machine.
    two_core_ceiling_per_s: Math.round(2e6 / (hermodUs + dbUs)),
    load_average_1m: Math.round(loadavg()[0] * 100) / 100,
  };
}

/**
 * Row work by table (BENCH_PG_KINDS=1): inserts, updates (of which HOT: no index entry
 * written), deletes per message, read once Hermod's connections have closed (their counts
 * are then flushed).
 */
async function printTableStats(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await new Promise((r) => setTimeout(r, 1500));
  const { rows } = await c.query(
    `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables
     WHERE schemaname = $1 AND n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY n_tup_ins + n_tup_upd + n_tup_del DESC`,
    [schema],
  );
  await c.end();
  const per = (v: unknown) => (Number(v) / (N + PACED)).toFixed(2).padStart(6);
  console.error('per message (both runs): inserts, updates, of which HOT, deletes');
  for (const r of rows as Record<string, unknown>[])
    console.error(
      `${per(r.n_tup_ins)} ${per(r.n_tup_upd)} ${per(r.n_tup_hot_upd)} ${per(r.n_tup_del)}  ${String(r.relname)}`,
    );
}

const results: Record<string, number | string> = { peers: native ? 'native' : 'node', messages: N };
const ratios: Record<string, number> = {};
const stores = (process.env.BENCH_PG_STORES ?? 'sqlite,postgres').split(',') as ('postgres' | 'sqlite')[];
for (const store of stores) {
  const r = await runOn(store);
  console.error(`${store}: ${JSON.stringify(r)}`);
  for (const [k, v] of Object.entries(r)) results[`${store}_${k}`] = v;
}
const ratio = (a: unknown, b: unknown) => Math.round(((a as number) / (b as number)) * 1000) / 1000;
if (results.postgres_end_to_end_per_s !== undefined) {
  ratios.postgres_end_to_end_vs_goal = ratio(results.postgres_end_to_end_per_s, GOAL);
  if (results.sqlite_end_to_end_per_s !== undefined)
    ratios.postgres_vs_sqlite_end_to_end = ratio(
      results.postgres_end_to_end_per_s,
      results.sqlite_end_to_end_per_s,
    );
}
console.log(JSON.stringify({ bench: 'pg-gateway', results, ratios }));
process.exit(0);
