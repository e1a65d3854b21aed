/**
 * Hermod as a cluster (issue 18): 1, 2 and 3 `hermod start` processes on one PostgreSQL
 * schema, on this machine. On 2 cores this shows what coordination costs, not capacity: the
 * figure to read is CPU per message, per node and for the whole (nodes + their PostgreSQL
 * backends), beside the 1-node run of the same moment.
 *
 * Peers: the native ones of `../shared/bench/` (built into /tmp when missing): one
 * `smpp-load` per node (1 bind, window 100, BENCH_MESSAGES ÷ nodes each, no receipts: a
 * receipt may come back through another node's bind) and one `smsc-sink` as the SMSC every
 * node binds to. A run ends when the sink holds every message. Without the native peers the
 * bench says so and stops (the Node ones would cost as much CPU as a node).
 *
 * Per run: accepted msg/s (the customers' submits), end-to-end msg/s (until the SMSC has
 * them all), each node's CPU µs per message it accepted (/proc/<pid>/stat), the PostgreSQL
 * backends' CPU µs per message (pg_stat_activity by the nodes' application names), the load
 * average. With BENCH_CLUSTER_SQLITE (default 1) one node on SQLite first, same peers, as the
 * reference. Ratios: n-node ÷ 1-node CPU per message (whole cluster), 1-node PostgreSQL ÷
 * SQLite CPU per message (lower is better for all: they are costs).
 * BENCH_MESSAGES (12,000), BENCH_CLUSTER_NODES (1,2,3).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import pg from 'pg';
import { stringify } from 'yaml';
import { cpuMicrosOf, nativeBinary, sinkStats, startSmscSink } from './lib/native.js';
import { PostgresStore } from '../src/store/index.js';
import { startChildHermod, stopChildHermod, type ChildHermod } from '../test/support/child-hermod.js';

const N = Number(process.env.BENCH_MESSAGES ?? 12_000);
const PG_URL = process.env.HERMOD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIZES = (process.env.BENCH_CLUSTER_NODES ?? '1,2,3').split(',').map(Number);
const USER = { username: 'bench', password: 'pw-bench' };

function skip(why: string): never {
  console.error(`cluster: ${why}: skipped`);
  console.log(JSON.stringify({ bench: 'cluster', results: { skipped: 1 }, ratios: {} }));
  process.exit(0);
}

const db = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
try {
  await db.connect();
} catch (err) {
  skip(`PostgreSQL not reachable at ${PG_URL} (${String(err)})`);
}
const load = nativeBinary('smpp-load');
const sinkBin = nativeBinary('smsc-sink');
if (!load || !sinkBin)
  skip('the native peers of ../shared/bench (smpp-load, smsc-sink) are missing and could not be built');

function smppLoad(port: number, count: number): Promise<Record<string, number>> {
  const args = ['--port', String(port), '--system-id', USER.username, '--password', USER.password];
  args.push('--binds', '1', '--window', '100', '--count', String(count), '--timeout-s', '300');
  return new Promise((resolve, reject) =>
    execFile(load!, args, { maxBuffer: 1 << 20 }, (err, stdout) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, number>);
      } catch {
        reject(err ?? new Error(`smpp-load printed no JSON: ${stdout}`));
      }
    }),
  );
}

/** The configuration every node reads: the bench customer (free), one SMPP connector to the sink. */
function configFile(dir: string, sinkPort: number): string {
  const file = join(dir, 'hermod.yaml');
  const doc = {
    server: { host: '127.0.0.1' },
    admin: { keys: ['cluster-bench-admin-key-0123456789'] },
    users: [{ ...USER, balance: 1_000_000, rate: 0 }],
    connectors: [
      {
        id: 'upstream',
        type: 'smpp',
        host: '127.0.0.1',
        port: sinkPort,
        systemId: 'hermod',
        password: 'up',
        window: 100,
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['upstream'] }],
  };
  writeFileSync(file, stringify(doc));
  return file;
}

async function backendPids(schema: string): Promise<number[]> {
  const r = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1',
    [`%${schema}-n%`],
  );
  return r.rows.map((x) => x.pid);
}

/** One run: `nodes` Hermod processes (PostgreSQL), or one on SQLite; every figure of it. */
async function run(nodes: number, store: 'postgres' | 'sqlite'): Promise<Record<string, number>> {
  const sink = await startSmscSink(sinkBin!, { receipts: false, stats: true });
  const { port: sinkPort, statsPort } = sink as { port: number; statsPort: number };
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-cluster-'));
  const schema = `bench_cluster_${process.pid}_${nodes}`;
  const env = {
    HERMOD_CONFIG: configFile(dir, sinkPort),
    HERMOD_LOG_LEVEL: 'warn',
    ...(store === 'postgres' ? { HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema } : {}),
  };
  const procs: ChildHermod[] = [];
  try {
    await new Promise((r) => setTimeout(r, 300));
    const start = (i: number) => {
      const id = `${schema}-n${i + 1}`;
      return startChildHermod(dir, sinkPort, { ...env, HERMOD_NODE_ID: id, PGAPPNAME: `hermod ${id}` });
    };
    // The first migrates the fresh schema; the others then start together.
    procs.push(await start(0));
    procs.push(...(await Promise.all(Array.from({ length: nodes - 1 }, (_, i) => start(i + 1)))));
    // Every node's connector bound to the sink.
    const t0 = Date.now();
    while ((await sinkStats(statsPort)).active < nodes) {
      if (Date.now() - t0 > 30_000) throw new Error('the nodes did not all bind to the SMSC sink');
      await new Promise((r) => setTimeout(r, 100));
    }
    const pgPids = store === 'postgres' ? await backendPids(schema) : [];
    const pids = procs.map((p) => p.child.pid!);
    const cpu0 = pids.map((p) => cpuMicrosOf([p]));
    const pg0 = cpuMicrosOf(pgPids);
    const began = Date.now();
    const per = Math.floor(N / nodes);
    const results = await Promise.all(procs.map((p) => smppLoad(p.smppPort, per)));
    const acceptedAt = Date.now();
    const total = per * nodes;
    while ((await sinkStats(statsPort)).submit < total) {
      if (Date.now() - acceptedAt > 120_000)
        throw new Error('the SMSC sink did not get every message in 120 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const done = Date.now();
    // Backends opened during the run count too (the pool grows under load).
    const pgAll = store === 'postgres' ? [...new Set([...pgPids, ...(await backendPids(schema))])] : [];
    const pgUs = cpuMicrosOf(pgPids) - pg0 + cpuMicrosOf(pgAll.filter((p) => !pgPids.includes(p)));
    const nodeUs = pids.map((p, i) => (cpuMicrosOf([p]) - cpu0[i]) / per);
    const errors = results.reduce((s, r) => s + (r.err ?? 0) + (r.generic_nack ?? 0), 0);
    const r: Record<string, number> = {
      accepted_per_s: Math.round(total / ((acceptedAt - began) / 1000)),
      end_to_end_per_s: Math.round(total / ((done - began) / 1000)),
      errors,
      node_cpu_us_per_msg_mean: Math.round(nodeUs.reduce((a, b) => a + b, 0) / nodes),
      ...Object.fromEntries(nodeUs.map((u, i) => [`node${i + 1}_cpu_us_per_msg`, Math.round(u)])),
      ...(store === 'postgres' ? { postgres_cpu_us_per_msg: Math.round(pgUs / total) } : {}),
      load_average_1m: Math.round(loadavg()[0] * 100) / 100,
    };
    r.cluster_cpu_us_per_msg = Math.round(nodeUs.reduce((a, b) => a + b * per, 0) / total + pgUs / total);
    return r;
  } finally {
    await Promise.all(procs.map((p) => stopChildHermod(p)));
    sink.stop();
    if (store === 'postgres') await PostgresStore.dropSchema(PG_URL, schema);
  }
}

console.error(
  `peers: native (${load}, ${sinkBin}); ${N} messages per run; load average ${loadavg()[0].toFixed(2)}`,
);
const results: Record<string, number | string> = { peers: 'native', messages: N };
const ratios: Record<string, number> = {};
const ratio = (a: unknown, b: unknown) => Math.round(((a as number) / (b as number)) * 1000) / 1000;
if (process.env.BENCH_CLUSTER_SQLITE !== '0') {
  const r = await run(1, 'sqlite');
  console.error(`sqlite, 1 node: ${JSON.stringify(r)}`);
  for (const [k, v] of Object.entries(r)) results[`sqlite_1_${k}`] = v;
}
for (const n of SIZES) {
  const r = await run(n, 'postgres');
  console.error(`postgres, ${n} node(s): ${JSON.stringify(r)}`);
  for (const [k, v] of Object.entries(r)) results[`pg_${n}_${k}`] = v;
}
for (const n of SIZES.filter((x) => x > 1))
  if (results.pg_1_cluster_cpu_us_per_msg !== undefined)
    ratios[`cpu_per_msg_${n}_nodes_vs_1`] = ratio(
      results[`pg_${n}_cluster_cpu_us_per_msg`],
      results.pg_1_cluster_cpu_us_per_msg,
    );
if (
  results.sqlite_1_cluster_cpu_us_per_msg !== undefined &&
  results.pg_1_cluster_cpu_us_per_msg !== undefined
)
  ratios.pg_vs_sqlite_cpu_per_msg_1_node = ratio(
    results.pg_1_cluster_cpu_us_per_msg,
    results.sqlite_1_cluster_cpu_us_per_msg,
  );
await db.end();
console.log(JSON.stringify({ bench: 'cluster', results, ratios }));
process.exit(0);
