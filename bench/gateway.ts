/**
 * Gateway benchmark: customer SMPP bind → Hermod (SQLite, durable before ack) →
 * simulator → receipt back to the customer, all on loopback. Measures accepted/s,
 * delivered-to-SMSC/s and receipts/s end to end, acceptance latency p50/p99 at full
 * speed and paced at 1,000 msg/s, at queue depths 0 and 100,000 waiting messages.
 * Everything runs in one process here (customer, gateway, simulator), so the figures
 * are a floor. No reference gateway is measured in this run yet, so `ratios` is empty.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient, type Pdu } from '../src/smpp/index.js';
import { startHermod } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { newMessageId } from '../src/domain/index.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);

async function run(depth: number) {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-'));
  const h = await startHermod(loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0' }, dir));
  const user = (await h.store.getUserByName('demo'))!;
  await h.store.upsertUser({ username: 'demo', passwordHash: user.passwordHash, balanceMicros: 0, rateMicros: 0 });
  if (depth > 0) {
    // Waiting messages for another connector: they sit in the same queue table.
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < depth; i++) {
      batch.push(h.store.accept({ id: newMessageId(), userId: user.id, systemId: 'demo', source: 'x', destination: '447700900123', esmClass: 0, dataCoding: 0, body: Buffer.from('backlog'), registeredDelivery: 0, priority: 0, connectorId: 'parked', priceMicros: 0 }));
      if (batch.length === 5000) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
  }
  const sim = h.simulator!.simulator;
  const c = new SmppClient({ host: '127.0.0.1', port: h.smppPort, systemId: 'demo', password: 'demo', reconnect: false, windowSize: 100 });
  let receipts = 0;
  let lastReceipt = 0;
  c.on('deliver_sm', (_p: Pdu, respond: () => void) => {
    receipts++;
    lastReceipt = performance.now();
    respond();
  });
  await c.connect();
  const lat: number[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < N) {
        next++;
        const s = performance.now();
        await c.submitSm({ sourceAddr: 'Bench', destinationAddr: '447700900123', registeredDelivery: 1, shortMessage: Buffer.from('benchmark message') });
        lat.push(performance.now() - s);
      }
    }),
  );
  const tAccepted = performance.now();
  while ((sim.stats.submits < N || receipts < N) && performance.now() - tAccepted < 120_000) await new Promise((r) => setTimeout(r, 20));
  const tSmsc = performance.now();
  lat.sort((a, b) => a - b);
  // Paced at 1,000 msg/s for 2 s: acceptance latency under a normal load.
  const paced: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    void c.submitSm({ destinationAddr: '447700900123', shortMessage: Buffer.from('paced') }).then(() => paced.push(performance.now() - s));
    await new Promise((r) => setTimeout(r, 1)); // about 1,000 msg/s (timer granularity)
  }
  while (paced.length < 2000) await new Promise((r) => setTimeout(r, 10));
  paced.sort((a, b) => a - b);
  await c.close();
  await h.stop();
  const p = (a: number[], q: number) => Math.round(a[Math.min(a.length - 1, Math.floor(a.length * q))] * 1000) / 1000;
  return {
    accepted_per_s: Math.round(N / ((tAccepted - t0) / 1000)),
    end_to_end_per_s: Math.round(N / ((Math.max(tSmsc, lastReceipt) - t0) / 1000)),
    receipts_back: receipts,
    accept_p50_ms: p(lat, 0.5),
    accept_p99_ms: p(lat, 0.99),
    paced_1000_p50_ms: p(paced, 0.5),
    paced_1000_p99_ms: p(paced, 0.99),
  };
}

const results: Record<string, number> = {};
const DEPTHS = (process.env.BENCH_DEPTHS ?? '0,100000,1000000').split(',').map(Number);
for (const depth of DEPTHS) {
  const r = await run(depth);
  console.log(`queue depth ${depth}: ${JSON.stringify(r)}`);
  for (const [k, v] of Object.entries(r)) results[`depth${depth}_${k}`] = v;
}
console.log(JSON.stringify({ bench: 'gateway', results, ratios: {} }));
process.exit(0);
