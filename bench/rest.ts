/**
 * REST v1 benchmark: POST /v1/messages over real HTTP on loopback → Hermod (SQLite,
 * durable before the 202) → an upstream SMSC over SMPP, at concurrency 1, 50 and 1000
 * (keep-alive connections, one per concurrent client). Reports requests/s with p50/p99
 * latency, end-to-end messages/s (until the SMSC has received every one) and Hermod's CPU
 * time per message. The reference is a plain Fastify endpoint in this process (parse JSON,
 * answer 202 with an id) measured in the same run by the same client: ratio = Hermod ÷
 * reference (higher is better, 1 = as fast as Fastify doing nothing).
 *
 * What runs where (2 cores): Hermod alone in this process; the load generator and the SMSC
 * (our simulator, bound by Hermod as an `smpp` connector) in another (bench/_http_peers.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { pino } from 'pino';
import { startHermod } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import { newMessageId } from '../src/domain/index.js';
import { startLoadPeers } from './lib/load.js';

const KEY = 'hk_bench_key_000000000000';
const LEVELS: [number, number][] = [
  [1, Number(process.env.BENCH_C1 ?? 2000)],
  [50, Number(process.env.BENCH_C50 ?? 10_000)],
  [1000, Number(process.env.BENCH_C1000 ?? 10_000)],
];

const peers = await startLoadPeers();
const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-rest-'));
const config = parseConfig(
  {
    users: [{ username: 'bench', password: 'bench', balance: 1_000_000, rate: 0, apiKeys: [KEY] }],
    connectors: [{ id: 'smsc', type: 'smpp', host: '127.0.0.1', port: peers.simPort, systemId: 'hermod', password: 'x', window: 50 }],
    routes: [{ name: 'default', type: 'static', connectors: ['smsc'] }],
  },
  { HERMOD_DATA_DIR: dir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0', HERMOD_BIND: '127.0.0.1' },
  'bench',
);
const h = await startHermod(config, { logger: pino({ level: 'warn' }) });
while (h.connectors.get('smsc')?.ready !== true) await new Promise((r) => setTimeout(r, 20));

const ref = Fastify({ logger: false });
ref.post('/ref', async (_req, reply) => reply.code(202).send({ id: newMessageId(), status: 'queued' }));
await ref.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }); // as Hermod's API listener
const refPort = (ref.server.address() as AddressInfo).port;

const results: Record<string, number> = {};
const ratios: Record<string, number> = {};
const body = JSON.stringify({ to: '+4477009{i}', from: 'Bench', text: 'benchmark message' });
const post = (port: number, path: string, concurrency: number, n: number, headers: Record<string, string>) =>
  ({ port, path, concurrency, n, body, headers, contentType: 'application/json', expectStatus: 202 }) as const;
for (const [c, n] of LEVELS) {
  const cpu0 = process.cpuUsage();
  const r = await peers.run({ ...post(h.apiPort, '/v1/messages', c, n, { authorization: `Bearer ${KEY}` }), waitSubmits: true });
  const cpu = process.cpuUsage(cpu0);
  const f = await peers.run(post(refPort, '/ref', c, n, {}));
  console.log(`concurrency ${c}: hermod ${JSON.stringify(r)}; reference fastify ${JSON.stringify(f)}`);
  Object.assign(results, {
    [`c${c}_rps`]: r.rps,
    [`c${c}_p50_ms`]: r.p50_ms,
    [`c${c}_p99_ms`]: r.p99_ms,
    [`c${c}_errors`]: r.errors,
    [`c${c}_end_to_end_per_s`]: r.end_to_end_per_s,
    [`c${c}_lost`]: r.accepted - r.at_smsc,
    [`c${c}_hermod_cpu_us_per_msg`]: Math.round((cpu.user + cpu.system) / n),
    [`c${c}_reference_rps`]: f.rps,
    [`c${c}_reference_p50_ms`]: f.p50_ms,
    [`c${c}_reference_p99_ms`]: f.p99_ms,
  });
  ratios[`c${c}_rps`] = Math.round((r.rps / f.rps) * 1000) / 1000;
}
await ref.close();
await h.stop();
await peers.close();
console.log(JSON.stringify({ bench: 'rest', results, ratios }));
process.exit(0);
