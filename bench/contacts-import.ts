/**
 * `npm run bench -- contacts-import`: a CSV of 100,000 contacts (BENCH_IMPORT_ROWS) imported
 * through the real job (upload stored in chunks, header sniffed, rows parsed by csv-parse,
 * numbers normalised half national with the default country GB and half international,
 * upserted in batches into a group with the job's cursor in each transaction) on SQLite, and
 * on PostgreSQL when one answers at HERMOD_TEST_DATABASE_URL. The goal: under 20 s on this
 * 2-core machine. The reference, measured in the same run: the same rows (numbers as they
 * are, not normalised) inserted by a plain prepared INSERT loop, in one transaction, into a
 * bare SQLite table without indexes: what the disk and SQLite cost at the least.
 * ratios: import rows/s ÷ reference rows/s (the share of the bare minimum the job reaches).
 * BENCH_POSTGRES=0 skips PostgreSQL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { hashPassword } from '../src/domain/index.js';
import { PostgresStore, SqliteStore, openEngineStores, type Store } from '../src/store/index.js';
import { ContactService } from '../src/engine/contacts.js';
import { ContactImports } from '../src/engine/contact-imports.js';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const PG_URL = process.env.HERMOD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The file: 1 in 100 rows has a bad number, 1 in 100 repeats an earlier number. */
function csvFile(): { csv: Buffer; rows: string[][] } {
  const rows: string[][] = [];
  const lines = ['Phone,First Name,Last Name,Member Code'];
  for (let i = 0; i < ROWS; i++) {
    const n = String(100_000_000 + i).slice(1); // 8 digits
    const phone =
      i % 100 === 7
        ? `07${n}x`
        : i % 100 === 9
          ? `+44 7 ${String(100_000_000 + i - 5).slice(1)}0`
          : i % 2
            ? `07${n}0`
            : `+44 7${n}0`;
    const row = [phone, `First${i}`, `Last${i}`, `M${i}`];
    rows.push(row);
    lines.push(row.join(','));
  }
  return { csv: Buffer.from(lines.join('\r\n') + '\r\n'), rows };
}

async function importOn(
  store: Store,
  csv: Buffer,
): Promise<{ seconds: number; cpuSeconds: number; job: Record<string, number> }> {
  const stores = await openEngineStores(store);
  const user = await store.upsertUser({
    username: 'bench',
    passwordHash: hashPassword('pw'),
    balanceMicros: 0,
    rateMicros: 0,
  });
  const imports = new ContactImports(stores.contactImports, new ContactService(stores.contacts), {
    pollMs: 5,
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  imports.start();
  const created = await imports.create(user.id, 'GB', { csv, groupName: 'Bench' });
  for (;;) {
    const job = (await imports.get(user.id, created.id))!;
    if (job.state === 'completed' || job.state === 'failed') {
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      await imports.stop();
      if (job.state === 'failed') throw new Error(`import failed: ${job.error}`);
      return {
        seconds,
        // This process's CPU (the machine is shared: wall time includes waiting for a core).
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        job: { total: job.total, created: job.created, updated: job.updated, invalid: job.invalid },
      };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The reference: a prepared INSERT per row, one transaction, a bare table. */
function bareInserts(rows: string[][]): number {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'hermod-bench-ref-')), 'ref.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (msisdn TEXT, first_name TEXT, last_name TEXT, fields TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
  const t0 = performance.now();
  db.transaction(() => {
    for (const r of rows) insert.run(r[0], r[1], r[2], JSON.stringify({ member_code: r[3] }));
  })();
  const s = (performance.now() - t0) / 1000;
  db.close();
  return s;
}

const { csv, rows } = csvFile();
console.error(`contacts-import: ${ROWS} rows, ${(csv.length / 1e6).toFixed(1)} MB`);
const refSeconds = bareInserts(rows);
console.error(`reference (bare INSERT loop): ${refSeconds.toFixed(2)} s`);

const sqlite = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-bench-import-')), 'hermod.db'));
const onSqlite = await importOn(sqlite, csv);
await sqlite.close();
console.error(`sqlite: ${onSqlite.seconds.toFixed(2)} s ${JSON.stringify(onSqlite.job)}`);

const results: Record<string, number> = {
  rows: ROWS,
  sqlite_seconds: Number(onSqlite.seconds.toFixed(2)),
  sqlite_rows_per_s: Math.round(ROWS / onSqlite.seconds),
  sqlite_cpu_seconds: Number(onSqlite.cpuSeconds.toFixed(2)),
  sqlite_updated: onSqlite.job.updated,
  sqlite_created: onSqlite.job.created,
  sqlite_invalid: onSqlite.job.invalid,
  reference_bare_insert_rows_per_s: Math.round(ROWS / refSeconds),
};
const ratios: Record<string, number> = {
  sqlite_vs_bare_insert: Number((refSeconds / onSqlite.seconds).toFixed(3)),
};

let pgUp = false;
if (process.env.BENCH_POSTGRES !== '0')
  try {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
    pgUp = true;
  } catch {
    console.error(`postgres: not reachable at ${PG_URL}, skipped`);
  }
if (pgUp) {
  const schema = `hermod_bench_${randomBytes(4).toString('hex')}`;
  const store = await PostgresStore.open({ connectionString: PG_URL, schema });
  try {
    const onPg = await importOn(store, csv);
    console.error(`postgres: ${onPg.seconds.toFixed(2)} s ${JSON.stringify(onPg.job)}`);
    results.postgres_seconds = Number(onPg.seconds.toFixed(2));
    results.postgres_rows_per_s = Math.round(ROWS / onPg.seconds);
    results.postgres_cpu_seconds = Number(onPg.cpuSeconds.toFixed(2));
    ratios.postgres_vs_bare_insert = Number((refSeconds / onPg.seconds).toFixed(3));
  } finally {
    await store.close();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
}
console.log(JSON.stringify({ bench: 'contacts-import', results, ratios }));
