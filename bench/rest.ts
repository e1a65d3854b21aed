/**
 * REST v1 benchmark: POST /v1/messages over real HTTP on loopback → Hermod (SQLite,
 * durable before the 202) → the built-in simulator, at concurrency 1, 50 and 1000
 * (keep-alive connections, one per concurrent client). Reports requests/s with p50/p99
 * latency, and end-to-end messages/s (until the simulator has received every one). The
 * reference is a plain Fastify endpoint (parse JSON, answer 202 with an id) measured in the
 * same run with the same client: ratio = Hermod ÷ reference (higher is better, 1 = as fast
 * as Fastify doing nothing). Client, gateway and simulator share one process: a floor.
 */
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startHermod } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import { newMessageId } from '../src/domain/index.js';

const KEY = 'hk_bench_key_000000000000';
const LEVELS: [number, number][] = [
  [1, Number(process.env.BENCH_C1 ?? 2000)],
  [50, Number(process.env.BENCH_C50 ?? 10_000)],
  [1000, Number(process.env.BENCH_C1000 ?? 10_000)],
];

interface Run {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Non-202 answers and socket errors, by status code or error code. */
  errorKinds: Record<string, number>;
}

/** `n` POSTs of `body` to `url` with `concurrency` keep-alive clients. */
async function load(
  port: number,
  path: string,
  concurrency: number,
  n: number,
  headers: Record<string, string>,
  body: (i: number) => string,
): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const fail = (kind: string) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const payload = body(i);
      const s = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 202) fail(String(res.statusCode));
            lat.push(performance.now() - s);
            resolve();
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        fail(err.code ?? err.message);
        resolve();
      });
      req.end(payload);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const p = (q: number) =>
    Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * q))] * 1000) / 1000;
  return { rps: Math.round(n / secs), p50_ms: p(0.5), p99_ms: p(0.99), errors, errorKinds };
}

const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-rest-'));
const config = parseConfig(
  {
    users: [{ username: 'bench', password: 'bench', balance: 1_000_000, rate: 0, apiKeys: [KEY] }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  },
  { HERMOD_DATA_DIR: dir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0', HERMOD_BIND: '127.0.0.1' },
  'bench',
);
const h = await startHermod(config);
while (!h.connectors.get('sim')!.ready) await new Promise((r) => setTimeout(r, 20));
const sim = h.simulator!.simulator;

const ref = Fastify({ logger: false });
ref.post('/ref', async (_req, reply) => reply.code(202).send({ id: newMessageId(), status: 'queued' }));
await ref.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }); // as Hermod's API listener
const refPort = (ref.server.address() as import('node:net').AddressInfo).port;

const results: Record<string, number> = {};
const ratios: Record<string, number> = {};
const msg = (i: number) =>
  JSON.stringify({
    to: `+4477009${String(i % 100_000).padStart(5, '0')}`,
    from: 'Bench',
    text: 'benchmark message',
  });
for (const [c, n] of LEVELS) {
  const before = sim.stats.submits;
  const t0 = performance.now();
  const r = await load(h.apiPort, '/v1/messages', c, n, { authorization: `Bearer ${KEY}` }, msg);
  const deadline = performance.now() + 120_000;
  while (sim.stats.submits - before < n - r.errors && performance.now() < deadline)
    await new Promise((res) => setTimeout(res, 10));
  const e2e = Math.round((sim.stats.submits - before) / ((performance.now() - t0) / 1000));
  const f = await load(refPort, '/ref', c, n, {}, msg);
  console.log(
    `concurrency ${c}: hermod ${JSON.stringify(r)} end_to_end_per_s ${e2e}; reference fastify ${JSON.stringify(f)}`,
  );
  Object.assign(results, {
    [`c${c}_rps`]: r.rps,
    [`c${c}_p50_ms`]: r.p50_ms,
    [`c${c}_p99_ms`]: r.p99_ms,
    [`c${c}_errors`]: r.errors,
    [`c${c}_end_to_end_per_s`]: e2e,
    [`c${c}_reference_rps`]: f.rps,
    [`c${c}_reference_p50_ms`]: f.p50_ms,
    [`c${c}_reference_p99_ms`]: f.p99_ms,
  });
  ratios[`c${c}_rps`] = Math.round((r.rps / f.rps) * 1000) / 1000;
}
await ref.close();
await h.stop();
console.log(JSON.stringify({ bench: 'rest', results, ratios }));
process.exit(0);
