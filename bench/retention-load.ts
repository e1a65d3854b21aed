/**
 * Acceptance while the retention purge runs (SQLite, issue 21): Hermod takes a steady SMPP
 * load from the native load generator (`smpp-load`, a customer bind asking for receipts)
 * and sends it to the native SMSC (`smsc-sink`, receipts back), while its store holds
 * `BENCH_OLD` messages 100 days old. Four phases of `BENCH_SECONDS` each, in one run:
 *   off         no purge
 *   purging     the purger deletes the old messages (deleteAfterDays 90) meanwhile
 *   off-again   no purge (the noise of the machine between two quiet phases)
 *   archiving   as purging, with the archive before purge (gzip NDJSON) on
 * Each prints the acceptance latency (submit_sm → submit_sm_resp, as the customer sees it)
 * p50/p99/max, and, for the purging phases, how long the purge took, whether it lasted
 * the whole phase, and how long each deletion batch held the store's writer (the most an
 * acceptance can wait behind it; SQLite has one writer). The old messages are copied in with SQL between phases (bench-only).
 *
 * Peers: `smpp-load` and `smsc-sink` from ../shared/bench/ (Rust, build them with
 * `cargo build --release --manifest-path ../shared/bench/smpp-load/Cargo.toml --target-dir
 * /tmp/hermod-bench`, same for smsc-sink); HERMOD_BENCH_BIN names their directory.
 *
 * Env: BENCH_RATE (msg/s, default 2000), BENCH_SECONDS (default 20), BENCH_OLD (default
 * 300,000), BENCH_BATCH_ROWS (1000), BENCH_PAUSE_MS (50).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { startHermod } from '../src/compose/index.js';
import { loadConfig } from '../src/config/index.js';
import { newMessageId } from '../src/domain/index.js';
import { RetentionArchive, RetentionPurger, type PurgeReport } from '../src/gateway/index.js';
import type { LifecycleStore } from '../src/store/index.js';
import { systemClock } from '../src/lib/clock.js';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const OLD = Number(process.env.BENCH_OLD ?? 300_000);
const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 1000);
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 50);
const BIN = process.env.HERMOD_BENCH_BIN ?? '/tmp/hermod-bench/release';
const DAY = 86_400_000;

for (const tool of ['smpp-load', 'smsc-sink'])
  if (!existsSync(join(BIN, tool))) {
    console.error(
      `${join(BIN, tool)} is missing: build it with cargo build --release --manifest-path ../shared/bench/${tool}/Cargo.toml --target-dir /tmp/hermod-bench (or set HERMOD_BENCH_BIN)`,
    );
    process.exit(2);
  }

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-retention-load-'));
const sinkPort = await freePort();
const sink = spawn(
  join(BIN, 'smsc-sink'),
  ['--port', String(sinkPort), '--receipts-requested', '--quickack', '--quiet', '--interval-ms', '0'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const h = await startHermod(
  loadConfig(
    {
      HERMOD_DATA_DIR: dir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_UPSTREAM_SMPP: `127.0.0.1:${sinkPort}`,
      HERMOD_SAMPLE_DATA: 'false',
    },
    dir,
  ),
  { logger: pino({ level: 'warn' }) },
);
const demo = (await h.store.getUserByName('demo'))!;
// Free sending: the balance never runs out over the run.
await h.store.upsertUser({
  username: 'demo',
  passwordHash: demo.passwordHash,
  balanceMicros: 0,
  rateMicros: 0,
});
for (let t0 = Date.now(); h.gateway.getConnector('upstream')?.ready !== true;) {
  if (Date.now() - t0 > 30_000) throw new Error('the upstream connector did not bind to smsc-sink');
  await new Promise((r) => setTimeout(r, 20));
}

/**
 * `n` final messages 100 days old: one accepted and failed through the store, then copied
 * with its history in one transaction on a connection of the bench's own (Hermod idle).
 */
async function seedOld(n: number, offset: number): Promise<number> {
  const id = newMessageId(Date.now() - 100 * DAY);
  await h.store.accept({
    id,
    userId: demo.id,
    systemId: 'demo',
    source: 'Shop',
    destination: '447700900123',
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from('Your code is 123456. It expires in 10 minutes. Do not share it.'),
    registeredDelivery: 1,
    priority: 0,
    connectorId: 'upstream',
    priceMicros: 0,
  });
  await h.store.fail({ id, state: 'undelivered', detail: 'bench: old', refund: false });
  const db = new Database(join(dir, 'hermod.db'));
  const t0 = performance.now();
  try {
    db.pragma('busy_timeout = 10000');
    db.transaction(() => {
      for (const table of ['messages', 'message_events', 'message_parts']) {
        const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map(
          (c) => c.name,
        );
        const key = table === 'messages' ? 'id' : 'message_id';
        // Same millisecond as the template (so as old), a suffix of its own.
        const select = cols.map((c) =>
          c === key ? `substr(src.${key}, 1, 10) || printf('%016d', n.i + @offset)` : `src.${c}`,
        );
        db.prepare(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @n)
           INSERT INTO ${table} (${cols.join(', ')}) SELECT ${select.join(', ')} FROM ${table} AS src, n WHERE src.${key} = @id`,
        ).run({ n: n - 1, id, offset });
      }
    })();
  } finally {
    db.close();
  }
  return Math.round(performance.now() - t0);
}

interface LoadLine {
  ok: number;
  err: number;
  submit_tps: number;
  submit_lat_us: { n: number; p50: number; p99: number; max: number };
  receipts?: number;
  timed_out: boolean;
}

/** One phase of the native load: RATE msg/s for SECONDS, a receipt asked for each. */
function runLoad(label: string): Promise<LoadLine> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      join(BIN, 'smpp-load'),
      [
        ['--port', String(h.smppPort)],
        ['--system-id', 'demo'],
        ['--password', 'demo'],
        ['--binds', '1'],
        ['--window', '100'],
        ['--rate', String(RATE)],
        ['--count', String(RATE * SECONDS)],
        ['--timeout-s', String(SECONDS * 4 + 60)],
        ['--label', label],
      ]
        .flat()
        .concat('--receipts'),
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as LoadLine);
      } catch {
        reject(new Error(`smpp-load gave no result: ${out}`));
      }
    });
  });
}

/** How long each deletion batch held the store's writer (what acceptance can wait behind), ms. */
let batchMs: number[] = [];
const st = h.store;
const timedStore: LifecycleStore = {
  redactBatch: (o) => st.redactBatch(o),
  deleteBatch: timed((o: Parameters<LifecycleStore['deleteBatch']>[0]) => st.deleteBatch(o)),
  expiredBatch: (o) => st.expiredBatch(o),
  deleteExpired: timed((o: Parameters<LifecycleStore['deleteExpired']>[0]) => st.deleteExpired(o)),
  purgeEngineBatch: (o) => st.purgeEngineBatch(o),
  readMark: (n) => st.readMark(n),
  takePurgeLease: (o) => st.takePurgeLease(o),
  reclaimSpace: () => st.reclaimSpace(),
  erase: (r) => st.erase(r),
  usePepper: (p) => st.usePepper(p),
};
function timed<A, R>(fn: (a: A) => Promise<R>): (a: A) => Promise<R> {
  return async (a) => {
    const t = performance.now();
    try {
      return await fn(a);
    } finally {
      batchMs.push(performance.now() - t);
    }
  };
}

const purger = (archive?: RetentionArchive) =>
  new RetentionPurger(timedStore, {
    redactAfterDays: 0,
    deleteAfterDays: 90,
    batchRows: BATCH_ROWS,
    pauseMs: PAUSE_MS,
    intervalS: 600,
    holder: 'sqlite',
    clock: systemClock,
    archive,
  });

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)] ?? 0;
/** µs → ms, to 0.1 ms. */
const ms = (us: number) => Math.round(us / 100) / 10;

const phases: Record<string, number | string | boolean>[] = [];
async function phase(name: string, purge?: RetentionPurger) {
  const t0 = performance.now();
  let purgeMs = 0;
  batchMs = [];
  const running: Promise<PurgeReport | undefined> = purge
    ? purge.runOnce().then((r) => ((purgeMs = performance.now() - t0), r))
    : Promise.resolve(undefined);
  const load = await runLoad(name);
  const loadMs = performance.now() - t0;
  const r = await running;
  const row = {
    phase: name,
    accepted: load.ok,
    errors: load.err,
    submit_per_s: Math.round(load.submit_tps),
    receipts: load.receipts ?? 0,
    accept_p50_ms: ms(load.submit_lat_us.p50),
    accept_p99_ms: ms(load.submit_lat_us.p99),
    accept_max_ms: ms(load.submit_lat_us.max),
    ...(r
      ? {
          purged: r.deleted,
          archived: r.archived,
          purge_s: Math.round(purgeMs / 100) / 10,
          purge_per_s: Math.round(r.deleted / (purgeMs / 1000)),
          purge_lasted_the_phase: purgeMs >= loadMs * 0.95,
          batches: batchMs.length,
          batch_p50_ms: Math.round(pct(batchMs, 0.5) * 10) / 10,
          batch_p99_ms: Math.round(pct(batchMs, 0.99) * 10) / 10,
        }
      : {}),
  };
  phases.push(row);
  console.error(JSON.stringify(row));
}

console.error(`seeding ${OLD} old messages: ${await seedOld(OLD, 0)} ms`);
// Warm-up (not counted): the first seconds of a process run cold code.
await runLoad('warm-up');
await phase('off');
await phase('purging', purger());
await phase('off-again');
console.error(`seeding ${OLD} old messages: ${await seedOld(OLD, OLD)} ms`);
const archiveDir = join(dir, 'archive');
await phase('archiving', purger(new RetentionArchive(archiveDir, 'sqlite')));

await h.stop();
sink.kill('SIGTERM');
const p99 = (name: string) => Number(phases.find((p) => p.phase === name)?.accept_p99_ms ?? 0);
const quiet = Math.max(p99('off'), p99('off-again'));
console.log(
  JSON.stringify({
    bench: 'retention-load',
    peers: 'smpp-load + smsc-sink (native, ../shared/bench)',
    results: {
      rate: RATE,
      seconds: SECONDS,
      old: OLD,
      batchRows: BATCH_ROWS,
      pauseMs: PAUSE_MS,
      phases,
      archive_files: readdirSync(archiveDir).length,
    },
    ratios: {
      // Higher is better, as every bench's ratios: the quiet p99 over the purging one.
      p99_quiet_over_purging: Math.round((quiet / p99('purging')) * 100) / 100,
      p99_quiet_over_archiving: Math.round((quiet / p99('archiving')) * 100) / 100,
    },
  }),
);
process.exit(0);
