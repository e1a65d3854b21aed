/**
 * REST v1 benchmark: POST /v1/messages over real HTTP on loopback → Hermod (SQLite,
 * durable before the 202) → the built-in simulator, at concurrency 1, 50 and 1000
 * (keep-alive connections, one per concurrent client). Reports requests/s with p50/p99
 * latency, and end-to-end messages/s (until the simulator has received every one). The
 * reference is a plain Fastify endpoint (parse JSON, answer 202 with an id) measured in the
 * same run with the same client: ratio = Hermod ÷ reference (higher is better, 1 = as fast
 * as Fastify doing nothing). Client, gateway and simulator share one process: a floor.
 */
import { load } from './lib/load.js';
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

/** `n` JSON POSTs with `concurrency` in flight through the shared load generator. */
async function post(port: number, path: string, concurrency: number, n: number, headers: Record<string, string>, body: (i: number) => string) {
  const { rps, p50_ms, p99_ms, errors, errorKinds } = await load({ port, path, concurrency, n, body, headers, contentType: 'application/json', expectStatus: 202 });
  return { rps, p50_ms, p99_ms, errors, errorKinds };
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
  const r = await post(h.apiPort, '/v1/messages', c, n, { authorization: `Bearer ${KEY}` }, msg);
  const deadline = performance.now() + 120_000;
  while (sim.stats.submits - before < n - r.errors && performance.now() < deadline)
    await new Promise((res) => setTimeout(res, 10));
  const e2e = Math.round((sim.stats.submits - before) / ((performance.now() - t0) / 1000));
  const f = await post(refPort, '/ref', c, n, {}, msg);
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
