/**
 * The SQLite store's CPU per message on the SMPP path, by step, in the order the gateway
 * calls them: accept, claim (lease), part sent, receipt by upstream keys (final: the
 * customer's receipt into the outbox), outbox claim, outbox ack. Batches of 100 as the group
 * commit gathers them under load. `node --import tsx bench/_smpp-store-path.ts`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/index.js';
import { hashPassword, newMessageId } from '../src/domain/index.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const B = Number(process.env.BENCH_BATCH ?? 100);
const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-bench-path-')), 'hermod.db'));
const u = await store.upsertUser({
  username: 'shop',
  passwordHash: hashPassword('pw'),
  balanceMicros: 1e12,
  rateMicros: 0,
});
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const spent: Record<string, number> = { accept: 0, claim: 0, sent: 0, receipt: 0, outboxClaim: 0, ack: 0 };
async function step<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t = cpu();
  const r = await f();
  spent[name] += cpu() - t;
  return r;
}
for (let i = 0; i < N; i += B) {
  const ids = Array.from({ length: B }, () => newMessageId());
  await step('accept', () =>
    Promise.all(
      ids.map((id) =>
        store.accept({
          id,
          userId: u.id,
          systemId: 'shop',
          source: 'Shop',
          destination: '447700900123',
          esmClass: 0,
          dataCoding: 0,
          body: Buffer.from('benchmark message'),
          registeredDelivery: 1,
          priority: 0,
          connectorId: 'c1',
          priceMicros: 0,
          meta: { segments: 1 },
        }),
      ),
    ),
  );
  const claimed = await step('claim', () => store.claim('c1', B, 30_000));
  if (claimed.length !== B) throw new Error(`claimed ${claimed.length}`);
  await step('sent', () =>
    Promise.all(
      ids.map((id, j) =>
        store.markPartSent({
          id,
          seq: 1,
          total: 1,
          connectorId: 'c1',
          upstreamId: `${i + j}`,
          keys: [`c1:${i + j}`],
        }),
      ),
    ),
  );
  await step('receipt', () =>
    Promise.all(
      ids.map((id, j) =>
        store.applyReceiptByKeys({
          keys: [`c1:${i + j}`],
          receiptId: `${i + j}`,
          state: 'delivered',
          detail: 'DELIVRD',
          notice: () => ({ systemId: 'shop', payload: JSON.stringify({ id, stat: 'DELIVRD' }) }),
          park: { payload: '{}' },
        }),
      ),
    ),
  );
  const items = await step('outboxClaim', () => store.claimOutbox('shop', B, 30_000));
  if (items.length !== B) throw new Error(`outbox ${items.length}`);
  await step('ack', () => Promise.all(items.map((it) => store.ackOutbox(it.id))));
}
await store.close();
const out: Record<string, number> = {};
let total = 0;
for (const [k, v] of Object.entries(spent)) {
  out[`${k}_us`] = Math.round((v / N) * 10) / 10;
  total += v;
}
out.total_us = Math.round((total / N) * 10) / 10;
console.log(JSON.stringify(out));
