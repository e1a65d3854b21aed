/**
 * Gateway benchmark: customer SMPP bind → Hermod (SQLite, durable before ack) → an
 * upstream SMSC over SMPP (our simulator) → receipt back to the customer, all on
 * loopback. Measures accepted/s, delivered-to-SMSC/s and receipts/s end to end,
 * acceptance latency p50/p99 at full speed and paced at 1,000 msg/s, at queue depths of
 * 0, 100,000 and 1,000,000 waiting messages (BENCH_DEPTHS; the backlog's fill time and
 * whether the claim is index-backed at that depth are reported beside them). Hermod runs in this process;
 * the SMSC and the customer share another (bench/_peers.ts), so on 2 cores Hermod has
 * one core to itself. The reference, measured in the same run: the same customer bound straight
to the same simulator, no gateway between them; each ratio is Hermod ÷ that (1.0 would
mean the gateway costs nothing).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startHermod } from '../src/compose/index.js';
import { loadConfig } from '../src/config/index.js';
import { newMessageId } from '../src/domain/index.js';
import { claimPlan, cloneBacklog, queueDepth } from './lib/backlog.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
/** The goal (msg/s end to end) and the cores it is set for. */
const GOAL = 20_000;
const CORES = 2;

/**
 * `depth` waiting messages for another connector (they sit in the same queue table): one
 * accepted through the store, then copied in one transaction (bench/lib/backlog.ts).
 */
async function fill(dir: string, depth: number) {
  const t0 = performance.now();
  const h = await startHermod(
    loadConfig(
      { HERMOD_DATA_DIR: dir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0' },
      dir,
    ),
  );
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
  if (depth > 1) cloneBacklog(db, id, depth - 1);
  const secs = (performance.now() - t0) / 1000;
  const queued = queueDepth(db, 'parked');
  if (queued !== depth) throw new Error(`backlog has ${queued} queue rows, expected ${depth}`);
  const plan = claimPlan(db, 'upstream');
  console.log(`queue depth ${depth}: filled in ${secs.toFixed(1)} s; claim plan: ${plan.join(' | ')}`);
  return {
    fill_s: Math.round(secs * 10) / 10,
    claim_uses_index: plan.some((d) => /(queue|q) USING (COVERING )?INDEX queue_due/.test(d)) ? 1 : 0,
  };
}

async function run(depth: number) {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-'));
  const filled: Record<string, number> = depth > 0 ? await fill(dir, depth) : {};
  // The SMSC and the customer run in their own process (bench/_peers.ts).
  const peers = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./_peers.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const replies = createInterface({ input: peers.stdout })[Symbol.asyncIterator]();
  const nextReply = async () =>
    JSON.parse(String((await replies.next()).value ?? '{}')) as Record<string, number>;
  const { simPort } = await nextReply();
  const h = await startHermod(
    loadConfig(
      {
        HERMOD_DATA_DIR: dir,
        HERMOD_SMPP_PORT: '0',
        HERMOD_HTTP_PORT: '0',
        HERMOD_API_PORT: '0',
        HERMOD_UPSTREAM_SMPP: `127.0.0.1:${simPort}`,
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
  await until(() => h.gateway.getConnector('upstream')?.ready === true);
  let parked = 0;
  h.gateway.on('receipt_parked', () => parked++);
  const cpu0 = process.cpuUsage();
  peers.stdin.write(JSON.stringify({ hermodPort: h.smppPort, n: N }) + '\n');
  const r: Record<string, number> = { ...filled, ...(await nextReply()) };
  // Hermod's CPU time (all its threads) per message of the run, the paced part included:
  // steadier than rates on a shared machine.
  const cpu = process.cpuUsage(cpu0);
  r.hermod_cpu_us_per_msg = Math.round((cpu.user + cpu.system) / (N + 2000));
  // What two cores allow: the peers' CPU and Hermod's per message, spread perfectly over
  // both cores, bound the end-to-end rate; and what Hermod may spend per message for the
  // issue's goal once the peers have theirs (negative: the peers alone need more).
  r.two_core_ceiling_per_s = Math.round((CORES * 1e6) / (r.peers_cpu_us_per_msg + r.hermod_cpu_us_per_msg));
  r.hermod_cpu_budget_us_at_goal = Math.round((CORES * 1e6) / GOAL - r.peers_cpu_us_per_msg);
  // Receipts that overtook their submit_sm_resp's store write (row 7): parked, applied later.
  r.receipts_parked = parked;
  delete r.done;
  peers.stdin.end();
  await h.stop();
  return r;
}

async function until(ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > 30_000) throw new Error('the upstream connector did not bind');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The reference: the same customer bound straight to the same SMSC simulator, no gateway
 * between them (the simulator answers and sends receipts itself). A ratio of 1.0 would
 * mean Hermod costs nothing on top of the two peers.
 */
async function direct() {
  const peers = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./_peers.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const replies = createInterface({ input: peers.stdout })[Symbol.asyncIterator]();
  const nextReply = async () =>
    JSON.parse(String((await replies.next()).value ?? '{}')) as Record<string, number>;
  const { simPort } = await nextReply();
  peers.stdin.write(JSON.stringify({ hermodPort: simPort, n: N }) + '\n');
  const r = await nextReply();
  delete r.done;
  peers.stdin.end();
  return r;
}

const results: Record<string, number> = {};
const ratios: Record<string, number> = {};
const reference = await direct();
console.log(`reference (customer bound straight to the simulator): ${JSON.stringify(reference)}`);
for (const [k, v] of Object.entries(reference)) results[`reference_direct_${k}`] = v;
const DEPTHS = (process.env.BENCH_DEPTHS ?? '0,100000,1000000').split(',').map(Number);
for (const depth of DEPTHS) {
  const r = await run(depth);
  console.log(`queue depth ${depth}: ${JSON.stringify(r)}`);
  for (const [k, v] of Object.entries(r)) results[`depth${depth}_${k}`] = v;
  for (const k of ['accepted_per_s', 'end_to_end_per_s'])
    ratios[`depth${depth}_${k}_vs_direct_smpp`] = Math.round((r[k] / reference[k]) * 1000) / 1000;
}
console.log(JSON.stringify({ bench: 'gateway', results, ratios }));
process.exit(0);
