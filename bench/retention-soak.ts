/**
 * Retention soak (SQLite, issue 21): a steady number of messages per simulated day with a
 * short retention (redact after 1 day, delete after 3). After each day the purger runs (a
 * fake clock says which day it is) while the next day's messages are being accepted. The
 * file size should level off once the first `deleteAfterDays` have passed; acceptance
 * latency with a purge running is printed beside that without one.
 *
 * Env: BENCH_PER_DAY (default 20,000 messages), BENCH_DAYS (default 10).
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../src/lib/clock.js';
import { hashPassword, newMessageId } from '../src/domain/index.js';
import { RetentionPurger } from '../src/gateway/index.js';
import { SqliteStore } from '../src/store/index.js';

const PER_DAY = Number(process.env.BENCH_PER_DAY ?? 20_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 10);
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-retention-'));
const path = join(dir, 'hermod.db');
const store = new SqliteStore(path);
const user = await store.upsertUser({
  username: 'shop',
  passwordHash: hashPassword('pw'),
  balanceMicros: 1_000_000_000_000,
  rateMicros: 1,
});
const start = Date.now() - DAYS * DAY;
const clock = new FakeClock(start);
const purger = new RetentionPurger(store, {
  redactAfterDays: 1,
  deleteAfterDays: 3,
  batchRows: 1000,
  pauseMs: 5,
  intervalS: 600,
  holder: 'bench',
  clock,
});

/** Accepts `n` messages of day `day` (100 at a time), the latency of each accept in ms. */
async function acceptDay(day: number, n: number, from: number): Promise<number[]> {
  const lat: number[] = [];
  for (let i = from; i < from + n; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, async (_, k) => {
        const id = newMessageId(start + day * DAY + Math.floor(((i + k) / PER_DAY) * DAY));
        const t = performance.now();
        await store.accept({
          id,
          userId: user.id,
          systemId: 'shop',
          source: 'Shop',
          destination: `4477009${String(i + k).padStart(5, '0')}`,
          esmClass: 0,
          dataCoding: 0,
          body: Buffer.from(`Your code is ${i + k}. It expires in 10 minutes. Do not share it.`),
          registeredDelivery: 1,
          priority: 0,
          connectorId: 'sim',
          priceMicros: 1,
        });
        lat.push(performance.now() - t);
        await store.fail({ id, state: 'failed', detail: 'bench', refund: false });
      }),
    );
  }
  return lat;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? 0;
const size = () => statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
const days: { day: number; mb: number; deleted: number; p99Quiet: number; p99Purging: number }[] = [];
for (let day = 0; day < DAYS; day++) {
  clock.advance(day === 0 ? 0 : DAY);
  // The purge of the days past runs while the first half of this day is accepted.
  const purge = purger.runOnce();
  const during = await acceptDay(day, PER_DAY / 2, 0);
  const r = await purge;
  const quiet = await acceptDay(day, PER_DAY / 2, PER_DAY / 2);
  days.push({
    day,
    mb: Math.round(size() / 1e5) / 10,
    deleted: r.deleted,
    p99Quiet: Math.round(p99(quiet) * 100) / 100,
    p99Purging: Math.round(p99(during) * 100) / 100,
  });
  console.error(JSON.stringify(days[days.length - 1]));
}
await store.close();
const last = days.slice(-3).map((d) => d.mb);
console.log(
  JSON.stringify({
    bench: 'retention-soak',
    results: { perDay: PER_DAY, days },
    ratios: {
      sizeLastOverPeak: Math.round((last[last.length - 1]! / Math.max(...days.map((d) => d.mb))) * 100) / 100,
    },
  }),
);
