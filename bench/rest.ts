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
import { startHermod } from '../src/compose/index.js';
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
    webhooks: { allow: ['127.0.0.1'] }, // the peers' callback receiver is on loopback
  },
  {
    HERMOD_DATA_DIR: dir,
    HERMOD_SMPP_PORT: '0',
    HERMOD_HTTP_PORT: '0',
    HERMOD_API_PORT: '0',
    HERMOD_BIND: '127.0.0.1',
  },
  'bench',
);
const h = await startHermod(config, { logger: pino({ level: 'warn' }) });
while (h.connectors.get('smsc')?.ready !== true) await new Promise((r) => setTimeout(r, 20));

const ref = Fastify({ logger: false });
ref.post('/ref', async (_req, reply) => reply.code(202).send({ id: newMessageId(), status: 'queued' }));
// Batches with status callbacks: POST /v1/messages/batch, BATCH_SIZE recipients a request,
// each message with a callback_url to the peers' receiver (REST events message.sent and
// message.finalized: two a message), measured until the SMSC has every message and the
// receiver every event. The reference: the plain Fastify app parsing the same body and
// answering an id for each recipient.
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 100);
const BATCH_REQUESTS = Number(process.env.BENCH_BATCH_REQUESTS ?? 100);
const BATCH_CONCURRENCY = 10;
const recipients = Array.from({ length: BATCH_SIZE }, (_, j) => `+4477009${String(j).padStart(5, '0')}`);
const batchBody = JSON.stringify({
  to: recipients,
  from: 'Bench',
  text: 'benchmark message',
  callback_url: peers.dlrUrl,
});
ref.post('/ref/batch', async (req, reply) =>
  reply.code(200).send({
    accepted: (req.body as { to: string[] }).to.length,
    results: (req.body as { to: string[] }).to.map((to, index) => ({
      index,
      to,
      ok: true,
      message: { id: newMessageId(), status: 'queued' },
    })),
  }),
);
await ref.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }); // as Hermod's API listener
const refPort = (ref.server.address() as AddressInfo).port;

const results: Record<string, number> = {};
const ratios: Record<string, number> = {};
const body = JSON.stringify({ to: '+4477009{i}', from: 'Bench', text: 'benchmark message' });
const post = (port: number, path: string, concurrency: number, n: number, headers: Record<string, string>) =>
  ({
    port,
    path,
    concurrency,
    n,
    body,
    headers,
    contentType: 'application/json',
    expectStatus: 202,
  }) as const;
for (const [c, n] of LEVELS) {
  const cpu0 = process.cpuUsage();
  const r = await peers.run({
    ...post(h.apiPort, '/v1/messages', c, n, { authorization: `Bearer ${KEY}` }),
    waitSubmits: true,
  });
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

{
  const messages = BATCH_SIZE * BATCH_REQUESTS;
  const batch = (port: number, path: string, headers: Record<string, string>) =>
    ({
      port,
      path,
      concurrency: BATCH_CONCURRENCY,
      n: BATCH_REQUESTS,
      body: batchBody,
      headers,
      contentType: 'application/json',
      expectStatus: 200,
      messagesPerRequest: BATCH_SIZE,
    }) as const;
  const cpu0 = process.cpuUsage();
  const r = await peers.run({
    ...batch(h.apiPort, '/v1/messages/batch', { authorization: `Bearer ${KEY}` }),
    waitSubmits: true,
    waitCallbacks: true,
    callbacksPerMessage: 2,
  });
  const cpu = process.cpuUsage(cpu0);
  const f = await peers.run(batch(refPort, '/ref/batch', {}));
  console.log(
    `batch of ${BATCH_SIZE} (${BATCH_REQUESTS} requests, concurrency ${BATCH_CONCURRENCY}, callbacks on): hermod ${JSON.stringify(r)}; reference fastify ${JSON.stringify(f)}`,
  );
  const k = `batch${BATCH_SIZE}`;
  Object.assign(results, {
    [`${k}_messages_per_s`]: Math.round(r.rps * BATCH_SIZE),
    [`${k}_p50_ms`]: r.p50_ms,
    [`${k}_p99_ms`]: r.p99_ms,
    [`${k}_errors`]: r.errors,
    [`${k}_end_to_end_per_s`]: r.end_to_end_per_s,
    [`${k}_callbacks_per_s`]: r.callbacks_per_s,
    [`${k}_callbacks_missing`]: r.accepted * 2 - r.callbacks,
    [`${k}_lost`]: r.accepted - r.at_smsc,
    [`${k}_hermod_cpu_us_per_msg`]: Math.round((cpu.user + cpu.system) / messages),
    [`${k}_reference_messages_per_s`]: Math.round(f.rps * BATCH_SIZE),
  });
  ratios[`${k}_messages_per_s`] = Math.round((r.rps / f.rps) * 1000) / 1000;
}
await ref.close();
await h.stop();
await peers.close();
console.log(JSON.stringify({ bench: 'rest', results, ratios }));
process.exit(0);
