/**
 * Backup and restore of the embedded store (docs/operations.md, "Backup and restore").
 *
 * A backup is SQLite's online backup (sqlite3_backup_*), taken through a connection of its
 * own on a worker thread, so a gateway running in this process (a scheduled backup) or in
 * another one (`hermod backup`) keeps accepting: in WAL mode the copy reads one snapshot
 * while writers go on. The whole copy is one backup step: a backup copied in several steps
 * restarts whenever another connection writes between two of them, which under steady load
 * is always. What was committed before the step began is in the copy, so every message a
 * client had its id for by then.
 *
 * A running gateway holds the data directory's lock file (`<db>.lock`, a SQLite file in
 * locking_mode EXCLUSIVE): the operating system drops that lock when the process ends, even
 * at kill -9, so a lock found held means a live gateway, never a stale pid file.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { HermodError } from '../../lib/errors.js';
import { MIGRATIONS } from './migrations.js';

export class BackupError extends HermodError {
  constructor(message: string) {
    super('HERMOD_ERR_BACKUP', message);
    this.name = 'BackupError';
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** The schema version of the copy (the store's migrations applied). */
  schemaVersion: number;
  tookMs: number;
}

/**
 * An online copy of the SQLite database at `source` into `dest` (written beside it as
 * `dest.partial`, renamed when complete: a file named `dest` is always a whole backup).
 */
export async function backupSqlite(source: string, dest: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new BackupError(`no SQLite store at ${source}`);
  const started = Date.now();
  mkdirSync(dirname(dest), { recursive: true });
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  await inWorker(source, partial);
  renameSync(partial, dest);
  return {
    file: dest,
    bytes: statSync(dest).size,
    schemaVersion: schemaVersion(dest),
    tookMs: Date.now() - started,
  };
}

function inWorker(source: string, dest: string): Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.source, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // The first call only reads the page count; every page then goes in one step (see above).
    db.backup(workerData.dest, { progress: () => 0x7fffffff }).then(
      () => { db.close(); parentPort.postMessage({ ok: true }); },
      (err) => { db.close(); parentPort.postMessage({ ok: false, message: String(err && err.message || err) }); },
    );
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { driver, source, dest } });
    w.once('message', (m: { ok: boolean; message?: string }) => {
      if (m.ok) resolve();
      else reject(new BackupError(`backup of ${source} failed: ${m.message}`));
    });
    w.once('error', (err) => reject(new BackupError(`backup of ${source} failed: ${err.message}`)));
    w.once('exit', () => reject(new BackupError(`backup of ${source} stopped before the end`)));
  });
}

/** The highest migration applied in a Hermod SQLite file; a file that is not one throws. */
export function schemaVersion(file: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file} is damaged: ${String(check)}`);
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    return row.v ?? 0;
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${file} is not a Hermod SQLite store: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}

/** The lock file of the store at `dbPath`. */
export const lockPath = (dbPath: string): string => `${dbPath}.lock`;

/** The data directory's gateway lock, held from start to stop. */
export class GatewayLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock of the store at `dbPath`, or throws naming the process that holds it. */
  static acquire(dbPath: string): GatewayLock {
    mkdirSync(dirname(dbPath), { recursive: true });
    const db = new Database(lockPath(dbPath));
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('busy_timeout = 0');
      // The write takes the EXCLUSIVE lock; in this locking mode it is kept until close.
      db.exec(
        'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, at INTEGER)',
      );
      db.prepare('INSERT OR REPLACE INTO holder (id, pid, at) VALUES (1, ?, ?)').run(process.pid, Date.now());
      return new GatewayLock(db);
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY')
        throw new BackupError(
          `a Hermod gateway is running on ${dbPath} (its lock ${lockPath(dbPath)} is held): stop it first`,
        );
      throw err;
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}

export interface RestoreResult {
  restored: string;
  from: string;
  schemaVersion: number;
  /** Where the database the restore replaced was moved (undefined: there was none). */
  previous: string | undefined;
}

/**
 * Restores a backup into `dbPath`: refused while a gateway holds the lock (which the restore
 * holds meanwhile, so none starts half-way), refused for a file that is damaged, not a Hermod
 * store, or of a newer Hermod. The database replaced is kept beside it as
 * `<db>.before-restore-<time>` (its WAL checkpointed into it first).
 */
export function restoreSqlite(file: string, dbPath: string, now = Date.now()): RestoreResult {
  if (!existsSync(file)) throw new BackupError(`no backup file at ${file}`);
  const version = schemaVersion(file);
  if (version > MIGRATIONS.length)
    throw new BackupError(
      `${file} is from a newer Hermod (schema ${version}; this one knows ${MIGRATIONS.length}): restore it with that version`,
    );
  const lock = GatewayLock.acquire(dbPath);
  try {
    let previous: string | undefined;
    if (existsSync(dbPath)) {
      const db = new Database(dbPath, { fileMustExist: true });
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
      previous = `${dbPath}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
      renameSync(dbPath, previous);
    }
    for (const side of ['-wal', '-shm', '-journal']) rmSync(`${dbPath}${side}`, { force: true });
    const partial = `${dbPath}.restoring`;
    copyFileSync(file, partial);
    renameSync(partial, dbPath);
    return { restored: dbPath, from: file, schemaVersion: version, previous };
  } finally {
    lock.release();
  }
}

/** The name of a scheduled backup taken at `at`: sorts by time. */
export const scheduledName = (dbPath: string, at: number): string =>
  `${basename(dbPath, '.db')}-${new Date(at).toISOString().replace(/[:.]/g, '-')}.db`;

/** Deletes the oldest scheduled backups of `dbPath` in `dir` beyond the newest `keep`; returns those deleted. */
export function rotateBackups(dir: string, dbPath: string, keep: number): string[] {
  const prefix = `${basename(dbPath, '.db')}-`;
  const ours = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.db'))
    .sort();
  const gone = ours.slice(0, Math.max(0, ours.length - keep)).map((f) => join(dir, f));
  for (const f of gone) rmSync(f, { force: true });
  return gone;
}
