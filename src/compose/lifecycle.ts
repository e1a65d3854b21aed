/**
 * The data lifecycle a start runs (docs/operations.md): the data directory's gateway lock
 * and the scheduled backups of the SQLite store; the retention purger (with its archive and
 * the accounts' own ages).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { backupSqlite, GatewayLock, rotateBackups, scheduledName } from '../store/sqlite/backup.js';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { RetentionArchive, RetentionPurger } from '../gateway/index.js';
import type { Store } from '../store/index.js';
import { systemClock } from '../lib/clock.js';

export {
  backupSqlite,
  restoreSqlite,
  BackupError,
  GatewayLock,
  schemaVersion,
} from '../store/sqlite/backup.js';
export type { BackupResult, RestoreResult } from '../store/sqlite/backup.js';

export interface Lifecycle {
  /** The retention purger, once the store is open (undefined before). */
  readonly purger: RetentionPurger | undefined;
  /** Starts the retention purger on the open store (off unless retention is configured). */
  startRetention(store: Store): void;
  /** The last scheduled backup finished (for tests), undefined before the first. */
  readonly lastBackup: Promise<string | undefined>;
  stop(): Promise<void>;
}

/**
 * Takes the data directory's lock (SQLite stores on a file: a second gateway on the same file
 * is refused, and `hermod restore` knows one runs) and starts the backup schedule.
 */
export function startLifecycle(config: Config, log: Logger, now: () => number = Date.now): Lifecycle {
  const s = config.store;
  const onFile = s.type === 'sqlite' && s.path !== ':memory:';
  const lock = onFile ? GatewayLock.acquire(s.path) : undefined;
  let timer: NodeJS.Timeout | undefined;
  let last: Promise<string | undefined> = Promise.resolve(undefined);
  const { intervalHours, dir, keep } = config.backup;
  if (onFile && intervalHours > 0) {
    const take = async (): Promise<string | undefined> => {
      try {
        const r = await backupSqlite(s.path, join(dir, scheduledName(s.path, now())));
        const removed = rotateBackups(dir, s.path, keep);
        log.info(
          { component: 'backup', file: r.file, bytes: r.bytes, tookMs: r.tookMs, removed },
          'backup taken',
        );
        return r.file;
      } catch (err) {
        log.error({ component: 'backup', err }, 'scheduled backup failed');
        return undefined;
      }
    };
    timer = setInterval(() => {
      last = last.then(take);
    }, intervalHours * 3_600_000);
    timer.unref();
  }
  let purger: RetentionPurger | undefined;
  return {
    get purger() {
      return purger;
    },
    startRetention(store: Store) {
      const holder = s.type === 'postgres' ? (s.nodeId ?? `${hostname()}:${process.pid}`) : 'sqlite';
      const { archive, ...ages } = config.retention;
      purger = new RetentionPurger(store, {
        ...ages,
        holder,
        clock: systemClock,
        archive: archive ? new RetentionArchive(archive.dir, holder) : undefined,
        // Accounts with ages of their own (their settings' retention), read at each purge.
        accountAges: async () =>
          (await store.listUsers()).map((u) => ({ userId: u.id, ...u.settings.retention })),
        onRun: (r) => {
          if (r.redacted > 0 || r.deleted > 0 || r.rows > 0)
            log.info({ component: 'retention', ...r }, 'retention purge');
        },
      });
      purger.start();
    },
    get lastBackup() {
      return last;
    },
    async stop() {
      clearInterval(timer);
      await purger?.stop();
      await last;
      lock?.release();
    },
  };
}
