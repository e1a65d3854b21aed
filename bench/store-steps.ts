/**
 * The SQLite store's CPU per message by step: accept (debit, ledger entry, message, queue),
 * mark sent, delivered receipt (final state: report counters), 20,000 single-part messages in
 * batches of 500 as the group commit gathers them. Separates the store's cost from the
 * gateway bench's noise (docs/engine/money-and-reports.md compares it with the base commit).
 * No reference to compare with in the same run: `ratios` is empty.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/index.js';
import { hashPassword, newMessageId } from '../src/domain/index.js';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const B = 500;
const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-bench-steps-')), 'hermod.db'));
const u = await store.upsertUser({
  username: 'shop',
  passwordHash: hashPassword('pw'),
  balanceMicros: 1e12,
  rateMicros: 10_000,
});
const ids = Array.from({ length: N }, () => newMessageId());
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const spent = { accept: 0, sent: 0, receipt: 0 };
for (let i = 0; i < N; i += B) {
  const batch = ids.slice(i, i + B);
  let t = cpu();
  await Promise.all(
    batch.map((id, j) =>
      store.accept({
        id,
        userId: u.id,
        systemId: 'shop',
        source: 'Shop',
        destination: '4477009' + String(i + j).padStart(5, '0'),
        esmClass: 0,
        dataCoding: 0,
        body: Buffer.from('hello'),
        registeredDelivery: 0,
        priority: 0,
        connectorId: 'c1',
        priceMicros: 10_000,
        meta: { segments: 1 },
      }),
    ),
  );
  spent.accept += cpu() - t;
  t = cpu();
  await Promise.all(
    batch.map((id) =>
      store.markPartSent({ id, seq: 1, total: 1, connectorId: 'c1', upstreamId: `u${id}`, keys: [`u${id}`] }),
    ),
  );
  spent.sent += cpu() - t;
  t = cpu();
  await Promise.all(
    batch.map((id) =>
      store.applyPartReceipt({ id, seq: 1, state: 'delivered', detail: 'DELIVRD', notice: () => undefined }),
    ),
  );
  spent.receipt += cpu() - t;
}
await store.close();
const results = {
  accept_cpu_us_per_msg: Math.round(spent.accept / N),
  sent_cpu_us_per_msg: Math.round(spent.sent / N),
  receipt_cpu_us_per_msg: Math.round(spent.receipt / N),
  total_cpu_us_per_msg: Math.round((spent.accept + spent.sent + spent.receipt) / N),
};
console.log(`store steps: ${JSON.stringify(results)}`);
console.log(JSON.stringify({ bench: 'store-steps', results, ratios: {} }));
