/**
 * HTTP benchmark: Jasmin-compatible `/send` (form POST, JSON answer) → Hermod (SQLite,
 * durable before the answer) → simulator, on loopback, at concurrency 1, 50 and 1000, with
 * DLR callbacks (dlr-level 2 to a local HTTP receiver) off and on. Reports requests/s and
 * latency p50/p99 of /send, messages/s end to end (until the simulator has them all) and
 * DLR callbacks/s (until the receiver has them all).
 *
 * Reference, measured in the same run with the same client: a plain Fastify app answering
 * a form POST with a small JSON body (no storage, no gateway). Ratios are Hermod ÷ reference
 * at the same concurrency (higher is better; 1.0 would mean Hermod costs nothing).
 * Everything (client, Hermod, simulator, receiver) shares one process, so figures are a floor.
 */
import http from 'node:http';
import { load } from './lib/load.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { pino } from 'pino';
import { startHermod } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';

const SCALE = Number(process.env.BENCH_HTTP_SCALE ?? 1);
const COUNTS: Record<number, number> = {
  1: Math.round(1500 * SCALE),
  50: Math.round(10_000 * SCALE),
  1000: Math.round(10_000 * SCALE),
};

const FORM = 'application/x-www-form-urlencoded';

/** `n` form POSTs with `c` in flight through the shared load generator; latencies in ms. */
async function send(port: number, c: number, n: number, body: (i: number) => string) {
  const r = await load({ port, path: '/send', concurrency: c, n, body, contentType: FORM, expectStatus: 200 });
  return { rps: r.rps, p50: r.p50_ms, p99: r.p99_ms, t0: r.t0, errors: r.errors };
}

async function reference(c: number, n: number) {
  const app = Fastify({ logger: false });
  await app.register(formbody);
  let id = 0;
  app.post('/send', async () => ({ data: { messageid: String(++id) } }));
  await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  const port = (app.server.address() as AddressInfo).port;
  const r = await send(port, c, n, () => 'username=u&password=p&to=447700900123&content=hello');
  await app.close();
  return r;
}

async function hermod(c: number, n: number, dlr: boolean) {
  let callbacks = 0;
  let lastCallback = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      callbacks++;
      lastCallback = performance.now();
      res.end('ACK/Jasmin');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const rport = (receiver.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-http-'));
  const config = parseConfig(
    {
      users: [{ username: 'bench', password: 'bench', balance: 1_000_000, rate: 0 }],
      connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
      webhooks: { allow: ['127.0.0.1'] },
    },
    { HERMOD_DATA_DIR: dir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0', HERMOD_BIND: '127.0.0.1' },
    'bench',
  );
  const h = await startHermod(config, { logger: pino({ level: 'warn' }) });
  while (!h.simulator?.ready) await new Promise((r) => setTimeout(r, 10));
  const sim = h.simulator.simulator;
  const before = sim.stats.submits;
  const dlrArgs = dlr ? `&dlr-url=${encodeURIComponent(`http://127.0.0.1:${rport}/dlr`)}&dlr-level=2` : '';
  const r = await send(
    h.httpPort,
    c,
    n,
    (i) =>
      `username=bench&password=bench&to=4477009${String(i % 100000).padStart(5, '0')}&content=benchmark+message${dlrArgs}`,
  );
  const ok = n - r.errors;
  const deadline = performance.now() + 120_000;
  while (sim.stats.submits - before < ok && performance.now() < deadline)
    await new Promise((res) => setTimeout(res, 5));
  const tSmsc = performance.now();
  while (dlr && callbacks < ok && performance.now() < deadline)
    await new Promise((res) => setTimeout(res, 5));
  const out = {
    errors: r.errors,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    e2e: Math.round(ok / ((tSmsc - r.t0) / 1000)),
    accepted: ok,
    at_smsc: sim.stats.submits - before,
    callbacks,
    callbacks_per_s: dlr ? Math.round(callbacks / ((lastCallback - r.t0) / 1000)) : 0,
  };
  await h.stop();
  await new Promise((res) => receiver.close(res));
  return out;
}

const results: Record<string, number> = {};
const ratios: Record<string, number> = {};
for (const c of [1, 50, 1000]) {
  const n = COUNTS[c];
  const ref = await reference(c, n);
  results[`ref_c${c}_rps`] = ref.rps;
  results[`ref_c${c}_p50_ms`] = ref.p50;
  results[`ref_c${c}_p99_ms`] = ref.p99;
  results[`ref_c${c}_http_errors`] = ref.errors;
  for (const dlr of [false, true]) {
    const k = `send_${dlr ? 'dlr' : 'nodlr'}_c${c}`;
    const r = await hermod(c, n, dlr);
    console.log(
      `${k} (n=${n}): ${JSON.stringify(r)}  reference: ${JSON.stringify({ rps: ref.rps, p50: ref.p50, p99: ref.p99 })}`,
    );
    results[`${k}_rps`] = r.rps;
    results[`${k}_p50_ms`] = r.p50;
    results[`${k}_p99_ms`] = r.p99;
    results[`${k}_end_to_end_per_s`] = r.e2e;
    results[`${k}_http_errors`] = r.errors;
    // Accepted (200) but never at the SMSC: must be 0.
    results[`${k}_lost`] = r.accepted - r.at_smsc;
    if (dlr) {
      results[`${k}_callbacks_per_s`] = r.callbacks_per_s;
      results[`${k}_callbacks_missing`] = r.accepted - r.callbacks;
    }
    ratios[`${k}_rps_vs_fastify_hello`] = Math.round((r.rps / ref.rps) * 1000) / 1000;
  }
}
console.log(JSON.stringify({ bench: 'http', results, ratios }));
process.exit(0);
