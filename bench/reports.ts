/**
 * Reports benchmark (SQLite): are the pre-aggregated counters right, and how fast are report
 * queries with 10,000,000 messages counted?
 *
 * 1. Correctness: a sample of real messages goes through the pipeline (startHermod with a
 *    simulator connector; two accounts, several countries, senders and a campaign, some
 *    refused permanently and refunded); once every one is final, the counters' report by
 *    country, sender, campaign and day is compared with a scan of the messages (the same
 *    figures computed from the rows). Any difference fails the bench.
 * 2. Speed: counter rows as 10,000,000 messages would leave them (90 days × 50 accounts ×
 *    30 combinations of country, connector, campaign and final state per account; written in
 *    SQL directly: 1,080,000 hourly rows of 9.26 messages on average, 135,000 daily rows),
 *    and a messages table of
 *    1,000,000 rows (written in SQL too). Report queries through the store (by day for one
 *    account over 30 days, by country and by account for everyone over 90 days, by month)
 *    are timed against the equivalent scan of the 1,000,000 messages; ratio = report ÷ scan
 *    (lower is better; the scan covers a tenth of the messages the counters hold).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { startHermod } from '../src/compose/index.js';
import { parseConfig } from '../src/config/index.js';
import { draftOf } from '../src/gateway/index.js';
import { SqliteStore, finalCount, foldReport, type ReportGroup } from '../src/store/index.js';
import { FINAL_STATES, type MessageState } from '../src/domain/index.js';

const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 2000);
const COUNTER_ROWS = 1_080_000;
const COUNTED_MESSAGES = 10_000_000;
const SCAN_MESSAGES = Number(process.env.BENCH_SCAN_MESSAGES ?? 1_000_000);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-reports-'));
const dbPath = join(dir, 'hermod.db');

// ---- 1. the sample through the pipeline ------------------------------------------------
const h = await startHermod(
  parseConfig(
    {
      users: [
        { username: 'shop', password: 'pw', balance: 1000, rate: 0.01 },
        { username: 'clinic', password: 'pw', balance: 1000, rate: 0.02 },
      ],
      connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 5 }, failPrefixes: ['4478'] }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    },
    {
      HERMOD_DATA_DIR: dir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
    },
    'bench',
  ),
  { logger: pino({ level: 'warn' }) },
);
const destinations = ['447700900', '447800900', '393331234', '33612345', '4915123456', '12025550'];
const users = [(await h.store.getUserByName('shop'))!, (await h.store.getUserByName('clinic'))!];
await h.gateway.money.putRateCard(users[0].id, [
  { country: 'IT', smsMicros: 35_000, mmsMicros: null, inboundMicros: null },
]);
while (!h.connectors.get('sim')!.ready) await new Promise((r) => setTimeout(r, 20));
const ids: string[] = [];
const t0 = performance.now();
for (let i = 0; i < SAMPLE; i++) {
  const user = users[i % 2];
  const d = draftOf({
    systemId: user.username,
    origin: 'rest',
    from: ['Shop', 'Clinic', '12345'][i % 3],
    to: destinations[i % destinations.length] + String(100 + (i % 900)).padStart(3, '0'),
    content: { text: i % 7 === 0 ? 'x'.repeat(200) : 'hello' },
  });
  if (i % 4 === 0) d.meta = { ...d.meta, campaign: `cmp-${i % 3}` };
  ids.push((await h.gateway.submitAccepted(user, d)).id);
}
const isFinal = async () => {
  for (let i = ids.length - 1; i >= 0; i--) {
    const m = await h.store.getMessage(ids[i]);
    if (!m || !FINAL_STATES.has(m.state)) return false;
  }
  return true;
};
while (!(await isFinal())) await new Promise((r) => setTimeout(r, 200));
console.log(
  `sample: ${SAMPLE} messages final through the pipeline in ${Math.round(performance.now() - t0)} ms`,
);
const everything = { from: 0, to: Date.now() + DAY, limit: 1000 };
const mismatches: string[] = [];
const stored = await Promise.all(ids.map((id) => h.store.getMessage(id)));
for (const groupBy of ['country', 'sender', 'campaign', 'day', 'connector'] as ReportGroup[]) {
  for (const user of users) {
    const fromCounters = await h.gateway.money.reports({ groupBy, userId: user.id, ...everything });
    // The scan: the same figures from the message rows (the refund is the whole price of a
    // message that failed before it was sent, as the simulator refuses it at submit).
    const rows = stored
      .filter((m) => m!.userId === user.id)
      .map((m) => {
        const refunded = m!.state === 'failed' ? m!.priceMicros : 0;
        const f = finalCount(m!, m!.state, m!.updatedAt, refunded);
        const k =
          groupBy === 'country'
            ? f.country
            : groupBy === 'sender'
              ? f.sender
              : groupBy === 'campaign'
                ? f.campaign
                : groupBy === 'connector'
                  ? f.connectorId
                  : f.hour - (f.hour % DAY);
        return {
          k,
          state: m!.state as string,
          messages: 1,
          parts: f.parts,
          revenue: f.revenueMicros,
          cost: null,
          hist: new Array<number>(16).fill(0),
        };
      });
    const fromScan = foldReport(rows, groupBy, 1000);
    const strip = (r: typeof fromScan) =>
      JSON.stringify(r.map((g) => [g.key, Object.entries(g.states).sort(), g.revenueMicros]));
    if (strip(fromCounters) !== strip(fromScan))
      mismatches.push(
        `${user.username} by ${groupBy}: counters ${strip(fromCounters)} ≠ scan ${strip(fromScan)}`,
      );
  }
}
await h.stop();
if (mismatches.length > 0) {
  console.error(mismatches.join('\n'));
  process.exit(1);
}
console.log(
  'sample: counters match the scan by country, sender, campaign, day and connector, for both accounts',
);

// ---- 2. 10,000,000 messages' counters and 1,000,000 messages, in SQL ------------------
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
const base = Math.floor((Date.now() - 90 * DAY) / HOUR) * HOUR;
const HOURS = 90 * 24;
const t1 = performance.now();
db.transaction(() => {
  for (let u = 100; u < 150; u++)
    db.prepare(
      "INSERT INTO users (id, username, password_hash, balance_micros, rate_micros) VALUES (?, ?, 'x', 0, 10000)",
    ).run(u, `acct${u}`);
  const hist = Array.from(
    { length: 16 },
    (_, b) => `CASE WHEN st = 'delivered' AND b = ${b} THEN m ELSE 0 END`,
  ).join(', ');
  // Row i: hour h = i % HOURS, account a = (i / HOURS) % 50, and one of the account's 30
  // combinations c of country (5) × connector (2, the second with a campaign) × final state (3)
  // (c = 3 (i / (HOURS × 50)) + h % 3: ten a hour, unique): each hour of an account fills a
  // third of its combinations, a day all 30. 1,080,000 hourly rows, 135,000 daily ones;
  // messages 9 or 10 a row so that the total is COUNTED_MESSAGES.
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${COUNTER_ROWS - 1}),
     r0 AS (SELECT i, i % ${HOURS} AS h, (i / ${HOURS}) % 50 AS a, (i / ${HOURS * 50}) * 3 + (i % ${HOURS}) % 3 AS c FROM n),
     r AS (SELECT i, ${base} + h * ${HOUR} AS hour, 100 + a AS u,
             substr('GBITFRDEES', 1 + ((c / 3) % 5) * 2, 2) AS country,
             CASE c / 15 WHEN 0 THEN 'smpp-a' ELSE 'http-b' END AS conn,
             'S' || (a % 3) AS sender, CASE c / 15 WHEN 0 THEN '' ELSE 'cmp-' || a END AS campaign,
             CASE c % 3 WHEN 0 THEN 'delivered' WHEN 1 THEN 'undelivered' ELSE 'failed' END AS st,
             CASE WHEN i < ${COUNTED_MESSAGES - 9 * COUNTER_ROWS} THEN 10 ELSE 9 END AS m, (i * 7) % 8 + 1 AS b FROM r0)
     INSERT INTO report_counters (hour, user_id, country, connector_id, sender, campaign, state, messages, parts, revenue_micros, cost_micros, ${Array.from({ length: 16 }, (_, b) => `h${b}`).join(', ')})
     SELECT hour, u, country, conn, sender, campaign, st, m, m + m / 3, m * 10000, NULL, ${hist} FROM r`,
  ).run();
  // The daily counters as the upserts leave them: the hourly rows summed per day.
  const cols = ['messages', 'parts', 'revenue_micros', ...Array.from({ length: 16 }, (_, b) => `h${b}`)];
  db.prepare(
    `INSERT INTO report_counters_daily (hour, user_id, country, connector_id, sender, campaign, state, ${cols.join(', ')}, cost_micros)
     SELECT hour - hour % ${DAY}, user_id, country, connector_id, sender, campaign, state, ${cols.map((c) => `SUM(${c})`).join(', ')}, NULL
     FROM report_counters WHERE user_id >= 100 GROUP BY 1, 2, 3, 4, 5, 6, 7`,
  ).run();
  // The messages table: SCAN_MESSAGES rows over the same 90 days and 50 accounts.
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${SCAN_MESSAGES - 1})
     INSERT INTO messages (id, user_id, system_id, source, destination, esm_class, data_coding, body, registered_delivery, priority, connector_id, price_micros, state, created_at, updated_at, meta)
     SELECT printf('scan-%010d', i), 100 + i % 50, 'acct', 'S' || (i % 5), '4477009' || printf('%05d', i % 100000), 0, 0, X'68656C6C6F', 0, 0,
            CASE i % 3 WHEN 0 THEN 'smpp-a' WHEN 1 THEN 'smpp-b' ELSE 'http-c' END, 10000,
            CASE WHEN i % 10 < 8 THEN 'delivered' WHEN i % 10 = 8 THEN 'undelivered' ELSE 'failed' END,
            ${base} + (i * ${Math.floor((90 * DAY) / SCAN_MESSAGES)}), ${base} + (i * ${Math.floor((90 * DAY) / SCAN_MESSAGES)}) + 4000,
            '{"segments":1}'
     FROM n`,
  ).run();
})();
db.exec('ANALYZE');
db.close();
console.log(
  `filled: ${COUNTER_ROWS} counter rows (${COUNTED_MESSAGES} messages) and ${SCAN_MESSAGES} message rows in ${Math.round(performance.now() - t1)} ms`,
);

const store = new SqliteStore(dbPath, { reclaim: false });
const dailyRows = (
  new Database(dbPath, { readonly: true })
    .prepare('SELECT COUNT(*) AS n FROM report_counters_daily')
    .get() as { n: number }
).n;
console.log(`daily counter rows: ${dailyRows}`);
const scanDb = new Database(dbPath, { readonly: true });
const now = base + 90 * DAY;

/** Median of `runs` timings (ms) of `fn`, after one warm-up. */
async function time(fn: () => unknown, runs = 5): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    ts.push(performance.now() - s);
  }
  ts.sort((a, b) => a - b);
  return Math.round(ts[Math.floor(runs / 2)] * 100) / 100;
}

const cases: { name: string; report: () => unknown; scan: () => unknown }[] = [
  {
    name: 'one_account_by_day_30d',
    report: () =>
      store.queryReports({ groupBy: 'day', userId: 107, from: now - 30 * DAY, to: now, limit: 1000 }),
    scan: () =>
      scanDb
        .prepare(
          `SELECT created_at - created_at % ${DAY} AS k, state, COUNT(*), SUM(price_micros) FROM messages
           WHERE user_id = ? AND created_at >= ? AND created_at < ? GROUP BY k, state`,
        )
        .all(107, now - 30 * DAY, now),
  },
  {
    name: 'one_account_by_hour_7d',
    report: () =>
      store.queryReports({ groupBy: 'hour', userId: 107, from: now - 7 * DAY, to: now, limit: 1000 }),
    scan: () =>
      scanDb
        .prepare(
          `SELECT created_at - created_at % ${HOUR} AS k, state, COUNT(*), SUM(price_micros) FROM messages
           WHERE user_id = ? AND created_at >= ? AND created_at < ? GROUP BY k, state`,
        )
        .all(107, now - 7 * DAY, now),
  },
  {
    name: 'all_accounts_by_connector_90d',
    report: () => store.queryReports({ groupBy: 'connector', from: base, to: now, limit: 1000 }),
    scan: () =>
      scanDb
        .prepare(
          'SELECT connector_id, state, COUNT(*), SUM(price_micros) FROM messages WHERE created_at >= ? AND created_at < ? GROUP BY connector_id, state',
        )
        .all(base, now),
  },
  {
    name: 'all_accounts_by_account_90d',
    report: () => store.queryReports({ groupBy: 'account', from: base, to: now, limit: 1000 }),
    scan: () =>
      scanDb
        .prepare(
          'SELECT user_id, state, COUNT(*), SUM(price_micros) FROM messages WHERE created_at >= ? AND created_at < ? GROUP BY user_id, state',
        )
        .all(base, now),
  },
  {
    name: 'one_account_by_country_90d',
    report: () => store.queryReports({ groupBy: 'country', userId: 107, from: base, to: now, limit: 1000 }),
    // The scan cannot group by country in SQL (it is derived from the number): rows are read
    // and grouped here, as a scan-per-request report would have to.
    scan: () => {
      const groups = new Map<string, number>();
      for (const r of scanDb
        .prepare(
          'SELECT destination, state FROM messages WHERE user_id = ? AND created_at >= ? AND created_at < ?',
        )
        .iterate(107, base, now) as Iterable<{ destination: string; state: MessageState }>) {
        const k = r.destination.slice(0, 2) + r.state;
        groups.set(k, (groups.get(k) ?? 0) + 1);
      }
      return groups;
    },
  },
];

const results: Record<string, number> = {
  counted_messages: COUNTED_MESSAGES,
  daily_counter_rows: dailyRows,
  counter_rows: COUNTER_ROWS,
  scan_messages: SCAN_MESSAGES,
  sample_messages: SAMPLE,
};
const ratios: Record<string, number> = {};
for (const c of cases) {
  const report = await time(c.report);
  const scan = await time(c.scan);
  results[`${c.name}_report_ms`] = report;
  results[`${c.name}_scan_ms`] = scan;
  ratios[`${c.name}_report_vs_scan`] = Math.round((report / scan) * 1000) / 1000;
  console.log(
    `${c.name}: report ${report} ms (10M messages counted), scan ${scan} ms (${SCAN_MESSAGES} messages)`,
  );
}
scanDb.close();
await store.close();
console.log(JSON.stringify({ bench: 'reports', results, ratios }));
process.exit(0);
