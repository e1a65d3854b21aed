/**
 * HTTP benchmark: Jasmin-compatible `/send` (form POST, JSON answer) → Hermod (SQLite, or
 * PostgreSQL; durable before the answer) → an upstream SMSC over SMPP, on loopback, at concurrency 1,
 * 50 and 1000, with DLR callbacks (dlr-level 2 to an HTTP receiver) off and on. Reports
 * requests/s and latency p50/p99 of /send, messages/s end to end (until the SMSC has them
 * all), DLR callbacks/s (until the receiver has them all) and Hermod's CPU time per message.
 *
 * What runs where (2 cores): Hermod alone in this process; the load generator, the DLR
 * receiver and the SMSC in other processes: the native peers of `../shared/bench/`
 * (`http-load`, `smsc-sink`, `http-sink`; bench/lib/native-http.ts) when they can be had,
 * else the Node ones (bench/_http_peers.ts, driven over stdio; said in the output, and they
 * bound the rate). BENCH_HTTP_PEERS=node forces the Node ones. `hermod_cpu_us_per_msg` is
 * this process's CPU time (all threads) from the first request until the SMSC and the
 * receiver have everything, ÷ messages: steadier than rates on a shared machine;
 * `hermod_main_thread_cpu_us_per_msg` the core thread's alone, `hermod_cores` CPU ÷ wall
 * time (`ref_c*_cpu_us_per_msg`: the same for the reference, the floor of answering at all).
 *
 * BENCH_HTTP_SCALE multiplies the request counts; BENCH_HTTP_LEVELS (1,50,1000) and
 * BENCH_HTTP_DLR (off,on) pick the cases, for profiling one of them. BENCH_HTTP_STORE=postgres
 * runs Hermod on the PostgreSQL store (HERMOD_TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test; a schema per case, dropped after it);
 * BENCH_HTTP_WEBHOOK_WORKERS sets `webhooks.workers` (default 0, Hermod's default).
 *
 * References, measured in the same run by the same client: a plain Fastify app in this
 * process answering the form POST with a small JSON body (no storage, no gateway; ratios
 * `_vs_fastify_hello`, 1.0 would mean Hermod costs nothing), and, with DLRs on, Kannel 1.4
 * (Debian's bearerbox + smsbox, in memory, as issue 17's goal compares; BENCH_HTTP_KANNEL_STORE=file
 * for its file store, durable like Hermod; bench/lib/kannel.ts)
 * taking the same messages through its sendsms to the same SMSC with its DLRs to the same
 * receiver (ratios `_vs_kannel`, above 1.0 Hermod is faster). BENCH_HTTP_KANNEL=off skips it;
 * without Kannel installed it is skipped with a message. Higher is better.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { pino } from 'pino';
import { startHermod } from '../src/compose/index.js';
import { parseConfig } from '../src/config/index.js';
import { PostgresStore } from '../src/store/index.js';
import { loadavg } from 'node:os';
import { startLoadPeers, type LoadPeers } from './lib/load.js';
import { startNativeHttpPeers } from './lib/native-http.js';
import { mainThreadCpuMicros } from './lib/native.js';
import { kannelInstalled, startKannel, type RunningKannel } from './lib/kannel.js';

const SCALE = Number(process.env.BENCH_HTTP_SCALE ?? 1);
const LEVELS = (process.env.BENCH_HTTP_LEVELS ?? '1,50,1000').split(',').map(Number);
const DLR = (process.env.BENCH_HTTP_DLR ?? 'off,on').split(',').map((v) => v === 'on');
const COUNTS: Record<number, number> = {
  1: Math.round(1500 * SCALE),
  50: Math.round(10_000 * SCALE),
  1000: Math.round(10_000 * SCALE),
};

const FORM = 'application/x-www-form-urlencoded';
const send = (port: number, concurrency: number, n: number, body: string) =>
  ({ port, path: '/send', concurrency, n, body, contentType: FORM, expectStatus: 200 }) as const;
/** `webhooks.workers` of the Hermod under test (BENCH_HTTP_WEBHOOK_WORKERS, default 0 as Hermod's). */
const WEBHOOK_WORKERS = Number(process.env.BENCH_HTTP_WEBHOOK_WORKERS ?? 0);
/** Hermod's store: sqlite (default) or postgres (BENCH_HTTP_STORE; PostgreSQL at HERMOD_TEST_DATABASE_URL, a schema of its own). */
const STORE = process.env.BENCH_HTTP_STORE === 'postgres' ? 'postgres' : 'sqlite';
const PG_URL = process.env.HERMOD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let runs = 0;
/** `webhooks.perHost` (BENCH_HTTP_PER_HOST, default 10 as Hermod's): callbacks in flight to the one receiver. */
const PER_HOST = Number(process.env.BENCH_HTTP_PER_HOST ?? 10);
/** Kannel's store: none (in memory, the issue-17 reference) or file (durable like Hermod). */
const KANNEL_STORE = process.env.BENCH_HTTP_KANNEL_STORE === 'file' ? 'file' : 'none';

async function reference(peers: LoadPeers, c: number, n: number) {
  const app = Fastify({ logger: false });
  await app.register(formbody);
  let id = 0;
  app.post('/send', async () => ({ data: { messageid: String(++id) } }));
  app.get('/send', async () => ({ data: { messageid: String(++id) } }));
  await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  const port = (app.server.address() as AddressInfo).port;
  const cpu0 = process.cpuUsage();
  const r = await peers.run(send(port, c, n, 'username=u&password=p&to=447700900123&content=hello'));
  const cpu = process.cpuUsage(cpu0);
  await app.close();
  return { ...r, cpu_us_per_msg: Math.round((cpu.user + cpu.system) / n) };
}

async function hermod(peers: LoadPeers, c: number, n: number, dlr: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-http-'));
  // Each case on an empty schema, as each SQLite case on a new file.
  const schema = `bench_http_${process.pid}_${++runs}`;
  const config = parseConfig(
    {
      users: [{ username: 'bench', password: 'bench', balance: 1_000_000, rate: 0 }],
      connectors: [
        {
          id: 'smsc',
          type: 'smpp',
          host: '127.0.0.1',
          port: peers.simPort,
          systemId: 'hermod',
          password: 'x',
          window: 50,
        },
      ],
      routes: [{ name: 'default', type: 'static', connectors: ['smsc'] }],
      webhooks: { allow: ['127.0.0.1'], workers: WEBHOOK_WORKERS, perHost: PER_HOST },
    },
    {
      HERMOD_DATA_DIR: dir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      ...(STORE === 'postgres' ? { HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema } : {}),
    },
    'bench',
  );
  const h = await startHermod(config, { logger: pino({ level: 'warn' }) });
  while (h.connectors.get('smsc')?.ready !== true) await new Promise((r) => setTimeout(r, 10));
  const dlrArgs = dlr ? '&dlr-url={dlr}&dlr-level=2' : '';
  const body = `username=bench&password=bench&to=4477009{i}&content=benchmark+message${dlrArgs}`;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMicros();
  const t0 = performance.now();
  const r = await peers.run({ ...send(h.httpPort, c, n, body), waitSubmits: true, waitCallbacks: dlr });
  const cpu = process.cpuUsage(cpu0);
  const main = mainThreadCpuMicros() - main0;
  const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
  await h.stop();
  if (STORE === 'postgres') await PostgresStore.dropSchema(PG_URL, schema);
  return {
    ...r,
    cpu_us_per_msg: Math.round((cpu.user + cpu.system) / n),
    main_thread_cpu_us_per_msg: Math.round(main / n),
    cores: Math.round(cores * 100) / 100,
  };
}

/**
 * The same load through Kannel's sendsms (GET, as Kannel takes it), in memory or with its file store, to
 * the same SMSC, DLRs (dlr-mask 3: delivered or undelivered, as dlr-level 2) to the same receiver.
 */
async function kannel(peers: LoadPeers, k: RunningKannel, c: number, n: number) {
  const body =
    'username=bench&password=bench&from=Bench&to=4477009{i}&text=benchmark+message&dlr-mask=3&dlr-url={dlr}';
  const cpu0 = k.cpuMicros();
  const r = await peers.run({
    port: k.sendsmsPort,
    path: '/cgi-bin/sendsms',
    method: 'GET',
    concurrency: c,
    n,
    body,
    contentType: FORM,
    expectStatus: 202,
    waitSubmits: true,
    waitCallbacks: true,
  });
  return { ...r, cpu_us_per_msg: Math.round((k.cpuMicros() - cpu0) / n) };
}

const native = process.env.BENCH_HTTP_PEERS === 'node' ? undefined : await startNativeHttpPeers();
const peers: LoadPeers = native ?? (await startLoadPeers());
console.log(
  native
    ? `peers: ${native.describe}`
    : 'peers: Node (bench/_http_peers.ts; the native ones of ../shared/bench were not found or BENCH_HTTP_PEERS=node): they bound the rate',
);
// Kannel 1.4 (Debian's bearerbox + smsbox) in the same run, when installed.
let kannelRef: RunningKannel | undefined;
if (process.env.BENCH_HTTP_KANNEL !== 'off' && DLR.includes(true)) {
  if (kannelInstalled())
    kannelRef = await startKannel(peers.simPort, () => peers.bound('kannel'), KANNEL_STORE);
  else
    console.log(
      '!!! Kannel (bearerbox, smsbox) is not installed: the Kannel reference is skipped (apt-get install kannel) !!!',
    );
}
const results: Record<string, number> = {};
const ratios: Record<string, number> = {};
for (const c of LEVELS) {
  const n = COUNTS[c] ?? Math.round(10_000 * SCALE);
  const ref = await reference(peers, c, n);
  results[`ref_c${c}_rps`] = ref.rps;
  results[`ref_c${c}_p50_ms`] = ref.p50_ms;
  results[`ref_c${c}_p99_ms`] = ref.p99_ms;
  results[`ref_c${c}_http_errors`] = ref.errors;
  results[`ref_c${c}_cpu_us_per_msg`] = ref.cpu_us_per_msg;
  for (const dlr of DLR) {
    const k = `send_${dlr ? 'dlr' : 'nodlr'}_c${c}`;
    const r = await hermod(peers, c, n, dlr);
    console.log(
      `${k} (n=${n}): ${JSON.stringify(r)}  reference: ${JSON.stringify({ rps: ref.rps, p50: ref.p50_ms, p99: ref.p99_ms })}`,
    );
    results[`${k}_rps`] = r.rps;
    results[`${k}_p50_ms`] = r.p50_ms;
    results[`${k}_p99_ms`] = r.p99_ms;
    results[`${k}_end_to_end_per_s`] = r.end_to_end_per_s;
    results[`${k}_http_errors`] = r.errors;
    results[`${k}_hermod_cpu_us_per_msg`] = r.cpu_us_per_msg;
    // Hermod's CPU time ÷ wall time of the run: above 1.0 it used more than one core.
    results[`${k}_hermod_cores`] = r.cores;
    // The core thread alone (the store's writer, Fastify, the gateway): what a worker relieves.
    results[`${k}_hermod_main_thread_cpu_us_per_msg`] = r.main_thread_cpu_us_per_msg;
    // Accepted (200) but never at the SMSC: must be 0.
    results[`${k}_lost`] = Math.max(0, r.accepted - r.at_smsc);
    // Requests the client counted as failed (e.g. its 30 s read timeout) whose messages were
    // committed and sent all the same (at least this many: the native client stops counting
    // at the number it had answered).
    results[`${k}_failed_but_sent`] = Math.max(0, r.at_smsc - r.accepted);
    if (dlr) {
      results[`${k}_callbacks_per_s`] = r.callbacks_per_s;
      results[`${k}_callbacks_missing`] = Math.max(0, r.accepted - r.callbacks);
    }
    ratios[`${k}_rps_vs_fastify_hello`] = Math.round((r.rps / ref.rps) * 1000) / 1000;
    if (dlr && kannelRef) {
      const kr = await kannel(peers, kannelRef, c, n);
      console.log(`kannel_dlr_c${c} (n=${n}): ${JSON.stringify(kr)}`);
      results[`kannel_dlr_c${c}_rps`] = kr.rps;
      results[`kannel_dlr_c${c}_end_to_end_per_s`] = kr.end_to_end_per_s;
      results[`kannel_dlr_c${c}_callbacks_per_s`] = kr.callbacks_per_s;
      results[`kannel_dlr_c${c}_http_errors`] = kr.errors;
      results[`kannel_dlr_c${c}_lost`] = Math.max(0, kr.accepted - kr.at_smsc);
      results[`kannel_dlr_c${c}_cpu_us_per_msg`] = kr.cpu_us_per_msg;
      if (kr.rps > 0) ratios[`${k}_rps_vs_kannel`] = Math.round((r.rps / kr.rps) * 1000) / 1000;
      if (kr.end_to_end_per_s > 0)
        ratios[`${k}_end_to_end_vs_kannel`] =
          Math.round((r.end_to_end_per_s / kr.end_to_end_per_s) * 1000) / 1000;
      // The whole path: each message at the SMSC and its DLR callback at the receiver.
      if (kr.callbacks_per_s > 0)
        ratios[`${k}_callbacks_vs_kannel`] =
          Math.round((r.callbacks_per_s / kr.callbacks_per_s) * 1000) / 1000;
    }
  }
}
kannelRef?.stop();
await peers.close();
results.load_average_1m = Math.round(loadavg()[0] * 100) / 100;
console.log(
  JSON.stringify({
    bench: 'http',
    peers: native ? 'native' : 'node',
    store: STORE,
    webhook_workers: WEBHOOK_WORKERS,
    webhooks_per_host: PER_HOST,
    kannel_store: kannelRef ? KANNEL_STORE : 'skipped',
    results,
    ratios,
  }),
);
process.exit(0);
