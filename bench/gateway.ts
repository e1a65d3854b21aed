/**
 * Gateway benchmark (issue 17): customer SMPP bind(s) → Hermod (SQLite, committed before
 * every submit_sm_resp) → its SMPP connector → an SMSC that answers and sends a receipt per
 * message → the receipt back to the customer as a deliver_sm, all on loopback; then 2,000
 * more paced at 1,000 msg/s for the acceptance latency under a normal load.
 *
 * Peers: the native ones of `../shared/bench/` when present (`smpp-load` as the customer,
 * `smsc-sink --receipts-requested` as the SMSC; they cost almost no CPU), built into /tmp
 * when missing (bench/lib/native.ts); otherwise the Node peers of bench/_peers.ts (our
 * simulator and SMPP client: they cost about as much CPU as Hermod and bound the rate on 2
 * cores). Which ones ran is said in the output and in `results.peers`.
 *
 * Cases (BENCH_CASES, all by default):
 *  - `depth<D>` for each D of BENCH_DEPTHS (0,100000,1000000): 1 bind, window 100, with D
 *    messages waiting for another connector in the same queue table (filled in one
 *    transaction, bench/lib/backlog.ts; whether the claim is index-backed is reported);
 *  - `binds4`: 4 customers bound at once, one bind of window 100 each (4 accounts, so that
 *    each bind gets its own receipts: `smpp-load --binds 4` waits per bind for the receipts
 *    of its own submits, and Hermod hands an account's receipts to any of its binds; the
 *    Node customer, which counts receipts over all its binds, binds 4 times as one account);
 *  - `parts3`: long messages of 3 parts (400 GSM characters as message_payload, so sent by
 *    the Node customer of bench/_peers.ts, `smpp-load` sends short_message only; the SMSC
 *    stays native); its rates count messages, each 3 submit_sm and 3 receipts upstream;
 *  - `memory`: 100,000 messages accepted while the SMSC is down (they stay queued):
 *    Hermod's RSS and V8 heap growth, after a full GC, per 100,000 queued messages.
 * Every case reports Hermod's CPU µs per message (its process, all threads, the full-speed
 * part): steadier than rates on a shared machine, so read it first; and the load average.
 * The reference, in the same run: the same customer bound straight to the same SMSC,
 * nothing between them (`*_vs_direct_smpp`). Kannel has no SMPP server for customers
 * (that is OpenSMPPBox), so there is no Kannel reference on this path. BENCH_MESSAGES
 * (20,000), BENCH_GATEWAY_PEERS=node forces the Node peers, BENCH_GROUP_COMMIT_MS sets the
 * SQLite store's groupCommitMs (default 2).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startHermod, type RunningHermod as Hermod } from '../src/compose/index.js';
import { loadConfig } from '../src/config/index.js';
import { newMessageId } from '../src/domain/index.js';
import { claimPlan, cloneBacklog, queueDepth } from './lib/backlog.js';
import {
  cpuMicrosOf,
  freePort,
  nativeBinary,
  runSmppLoad,
  smppLoadArgs,
  startSmscSink,
} from './lib/native.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const PACED = 2000;
const QUEUED = 100_000;
/** The goal (msg/s end to end) and the cores it is set for. */
const GOAL = 20_000;
const CORES = 2;

const forceNode = process.env.BENCH_GATEWAY_PEERS === 'node';
const loadBin = forceNode ? undefined : nativeBinary('smpp-load');
const sinkBin = forceNode ? undefined : nativeBinary('smsc-sink');
const native = loadBin !== undefined && sinkBin !== undefined;
console.error(
  native
    ? `peers: native (${loadBin}, ${sinkBin})`
    : 'peers: Node (bench/_peers.ts; the native ones of ../shared/bench were not found or BENCH_GATEWAY_PEERS=node): they bound the rate',
);

type Row = Record<string, number>;
type Lat = { p50: number; p99: number };
const ms = (us: number) => Math.round(us) / 1000;
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

/** An SMSC: the native sink (receipts when asked), or the simulator of a Node peers process. */
interface Smsc {
  port: number;
  pid(): number[];
  stop(): void;
}

async function nativeSmsc(): Promise<Smsc> {
  const sink = await startSmscSink(sinkBin!, { receipts: true });
  return { port: sink.port, pid: () => [sink.child.pid!], stop: sink.stop };
}

/** bench/_peers.ts: a simulator (the SMSC of the Node runs) and an SMPP customer. */
async function nodePeers() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./_peers.ts', import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await replies.next()).value ?? '{}')) as Row;
  const { simPort } = await next();
  return {
    smsc: { port: simPort, pid: () => [child.pid!], stop: () => void child.stdin.end() } as Smsc,
    /** N messages at full speed, then 2,000 paced (rates, latencies, the peers' own CPU). */
    async run(port: number, o: { binds: number; chars?: number }): Promise<Row> {
      child.stdin.write(JSON.stringify({ hermodPort: port, n: N, ...o }) + '\n');
      const r = await next();
      delete r.done;
      return r;
    },
    stop: () => void child.stdin.end(),
  };
}

/** The customers' accounts: demo, then bench2, bench3… (same password). */
const account = (i: number) => (i === 0 ? 'demo' : `bench${i + 1}`);

/** One `smpp-load` run as `systemId`: its JSON line and its CPU (µs). */
const smppLoad = (port: number, args: string[], systemId = 'demo') =>
  runSmppLoad(loadBin!, port, args, systemId);

/** The native customer: N at full speed over `binds` binds, then 2,000 paced at 1,000/s. */
async function nativeCustomer(port: number, binds: number, smsc: Smsc, onPaced: () => void): Promise<Row> {
  const sink0 = cpuMicrosOf(smsc.pid());
  const runs = await Promise.all(
    Array.from({ length: binds }, (_, i) => smppLoad(port, smppLoadArgs(N / binds), account(i))),
  );
  const sinkUs = cpuMicrosOf(smsc.pid()) - sink0;
  const worst = (k: string) => Math.max(...runs.map((r) => r.out[k] as number));
  const sum = (k: string) => runs.reduce((a, r) => a + (r.out[k] as number), 0);
  onPaced();
  const paced = await smppLoad(port, smppLoadArgs(PACED, 1000));
  const lat = (q: 'p50' | 'p99') => ms(Math.max(...runs.map((r) => (r.out.submit_lat_us as Lat)[q])));
  const plat = paced.out.submit_lat_us as Lat;
  return {
    accepted_per_s: Math.round(N / worst('submit_elapsed_s')),
    end_to_end_per_s: Math.round(N / worst('e2e_elapsed_s')),
    receipts_back: sum('receipts'),
    errors: sum('err') + sum('generic_nack'),
    // The worst bind's.
    accept_p50_ms: lat('p50'),
    accept_p99_ms: lat('p99'),
    paced_1000_p50_ms: ms(plat.p50),
    paced_1000_p99_ms: ms(plat.p99),
    paced_receipts_back: paced.out.receipts as number,
    peers_cpu_us_per_msg: Math.round((runs.reduce((a, r) => a + r.cpuUs, 0) + sinkUs) / N),
  };
}

function hermodOn(dir: string, smscPort: number): Promise<Hermod> {
  const config = loadConfig(
    {
      HERMOD_DATA_DIR: dir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_UPSTREAM_SMPP: `127.0.0.1:${smscPort}`,
    },
    dir,
  );
  // BENCH_GROUP_COMMIT_MS: the SQLite store's `groupCommitMs` (default 2), to compare.
  if (process.env.BENCH_GROUP_COMMIT_MS !== undefined && config.store.type === 'sqlite')
    config.store.groupCommitMs = Number(process.env.BENCH_GROUP_COMMIT_MS);
  return startHermod(config);
}

/** Free sending for `customers` accounts (each start seeds the demo user from the config again). */
async function freeSending(h: Hermod, customers = 1): Promise<void> {
  const user = (await h.store.getUserByName('demo'))!;
  for (let i = 0; i < customers; i++)
    await h.store.upsertUser({
      username: account(i),
      passwordHash: user.passwordHash,
      balanceMicros: 0,
      rateMicros: 0,
    });
}

async function until(ok: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > 30_000) throw new Error(what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `depth` waiting messages for another connector (they sit in the same queue table): one
 * accepted through the store, then copied in one transaction (bench/lib/backlog.ts).
 */
async function fill(dir: string, depth: number): Promise<Row> {
  const t0 = performance.now();
  const h = await hermodOn(dir, 9); // nothing listens there: the template only
  const user = (await h.store.getUserByName('demo'))!;
  const id = newMessageId();
  await h.store.accept({
    id,
    userId: user.id,
    systemId: 'demo',
    source: 'x',
    destination: '447700900123',
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from('backlog'),
    registeredDelivery: 0,
    priority: 0,
    connectorId: 'parked',
    priceMicros: 0,
  });
  await h.stop();
  const db = join(dir, 'hermod.db');
  // The template's ledger entry (its charge) is not part of a backlog, and its integer
  // key would be copied as is (bench/lib/backlog.ts copies every row keyed by message_id).
  const file = new Database(db);
  file.prepare('DELETE FROM ledger WHERE message_id = ?').run(id);
  file.close();
  if (depth > 1) cloneBacklog(db, id, depth - 1);
  const secs = (performance.now() - t0) / 1000;
  const queued = queueDepth(db, 'parked');
  if (queued !== depth) throw new Error(`backlog has ${queued} queue rows, expected ${depth}`);
  const plan = claimPlan(db, 'upstream');
  console.error(`queue depth ${depth}: filled in ${secs.toFixed(1)} s; claim plan: ${plan.join(' | ')}`);
  return {
    fill_s: round(secs, 1),
    claim_uses_index: plan.some((d) => /(queue|q) USING (COVERING )?INDEX queue_due/.test(d)) ? 1 : 0,
  };
}

/** One case through Hermod: fresh data directory, fresh peers. */
async function run(o: { depth: number; binds: number; chars?: number }): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-'));
  const filled = o.depth > 0 ? await fill(dir, o.depth) : {};
  // The long messages need message_payload: the Node customer sends them (to the native SMSC when there is one).
  const nodeCustomer = !native || o.chars !== undefined;
  const node = nodeCustomer ? await nodePeers() : undefined;
  const smsc = native ? await nativeSmsc() : node!.smsc;
  const h = await hermodOn(dir, smsc.port);
  await freeSending(h, o.binds);
  await until(
    () => h.gateway.getConnector('upstream')?.ready === true,
    'the upstream connector did not bind',
  );
  let parked = 0;
  h.gateway.on('receipt_parked', () => parked++);
  const cpu0 = process.cpuUsage();
  let cpu: NodeJS.CpuUsage | undefined;
  const r: Row = node
    ? await node.run(h.smppPort, { binds: o.binds, ...(o.chars ? { chars: o.chars } : {}) })
    : await nativeCustomer(h.smppPort, o.binds, smsc, () => (cpu = process.cpuUsage(cpu0)));
  // The Node customer's run includes the paced part: counted in both.
  const counted = cpu ? N : N + PACED;
  cpu ??= process.cpuUsage(cpu0);
  node?.stop();
  if (native) smsc.stop();
  await h.stop();
  const hermodUs = Math.round((cpu.user + cpu.system) / counted);
  return {
    ...filled,
    ...r,
    hermod_cpu_us_per_msg: hermodUs,
    // What two cores allow at these costs (the peers' and Hermod's CPU per message spread
    // perfectly over both), and what Hermod may spend per message at the goal.
    two_core_ceiling_per_s: Math.round((CORES * 1e6) / (r.peers_cpu_us_per_msg + hermodUs)),
    hermod_cpu_budget_us_at_goal: Math.round((CORES * 1e6) / GOAL - r.peers_cpu_us_per_msg),
    // Receipts that overtook their submit_sm_resp's store write: parked, applied later.
    receipts_parked: parked,
    load_average_1m: round(loadavg()[0], 2),
  };
}

/** The same customer bound straight to the same SMSC: what the peers do with nothing between them. */
async function direct(): Promise<Row> {
  if (native) {
    const smsc = await nativeSmsc();
    try {
      return await nativeCustomer(smsc.port, 1, smsc, () => undefined);
    } finally {
      smsc.stop();
    }
  }
  const node = await nodePeers();
  try {
    return await node.run(node.smsc.port, { binds: 1 });
  } finally {
    node.stop();
  }
}

/** Hermod's memory growth per 100,000 messages queued (the SMSC is down: nothing leaves). */
async function memory(): Promise<Row> {
  if (!native) return { skipped_needs_native_peers: 1 };
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-mem-'));
  const h = await hermodOn(dir, await freePort()); // nothing listens there
  await freeSending(h);
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 100));
    }
    return process.memoryUsage();
  };
  const m0 = await settle();
  const cpu0 = process.cpuUsage();
  const { out } = await smppLoad(h.smppPort, ['--binds', '1', '--window', '100', '--count', String(QUEUED)]);
  const cpu = process.cpuUsage(cpu0);
  const m1 = await settle();
  const queued = await h.store.queueDepth('upstream');
  await h.stop();
  const mb = (b: number) => round(b / 2 ** 20, 1);
  return {
    queued,
    accepted_per_s: Math.round(out.submit_tps as number),
    hermod_cpu_us_per_msg: Math.round((cpu.user + cpu.system) / QUEUED),
    rss_mb_before: mb(m0.rss),
    rss_mb_per_100k_queued: mb(((m1.rss - m0.rss) * QUEUED) / queued),
    heap_mb_per_100k_queued: mb(((m1.heapUsed - m0.heapUsed) * QUEUED) / queued),
    external_mb_per_100k_queued: mb(((m1.external - m0.external) * QUEUED) / queued),
    load_average_1m: round(loadavg()[0], 2),
  };
}

const results: Record<string, number | string> = { peers: native ? 'native' : 'node', messages: N };
const ratios: Row = {};
const DEPTHS = (process.env.BENCH_DEPTHS ?? '0,100000,1000000').split(',').map(Number);
const CASES = (
  process.env.BENCH_CASES ?? [...DEPTHS.map((d) => `depth${d}`), 'binds4', 'parts3', 'memory'].join(',')
)
  .split(',')
  .filter((c) => c !== '');
const reference = await direct();
console.error(`reference (customer bound straight to the SMSC): ${JSON.stringify(reference)}`);
for (const [k, v] of Object.entries(reference)) results[`reference_direct_${k}`] = v;
for (const c of CASES) {
  const depth = /^depth(\d+)$/.exec(c);
  const r =
    c === 'memory'
      ? await memory()
      : c === 'binds4'
        ? await run({ depth: 0, binds: 4 })
        : c === 'parts3'
          ? await run({ depth: 0, binds: 1, chars: 400 })
          : depth
            ? await run({ depth: Number(depth[1]), binds: 1 })
            : undefined;
  if (!r) throw new Error(`unknown case ${c} (depth<N>, binds4, parts3, memory)`);
  console.error(`${c}: ${JSON.stringify(r)}`);
  for (const [k, v] of Object.entries(r)) results[`${c}_${k}`] = v;
  if (c === 'memory') continue;
  for (const k of ['accepted_per_s', 'end_to_end_per_s'])
    ratios[`${c}_${k}_vs_direct_smpp`] = round(r[k] / reference[k], 3);
  ratios[`${c}_end_to_end_vs_goal`] = round(r.end_to_end_per_s / GOAL, 3);
}
console.log(JSON.stringify({ bench: 'gateway', results, ratios }));
process.exit(0);
