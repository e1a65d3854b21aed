/**
 * The data lifecycle's settings (docs/configuration.md, `retention` and `backup`): how long
 * messages keep their content and their rows, and the scheduled backups of the SQLite store.
 * Everything is off by default: nothing is deleted or copied until an operator says so.
 */
import { join } from 'node:path';
import type { Checker, Obj } from './checker.js';

export interface RetentionConfig {
  /** Days after which a final message's content and numbers are masked (0 = never). */
  redactAfterDays: number;
  /** Days after which a final message, its parts, history and receipts are deleted (0 = never). */
  deleteAfterDays: number;
  /** Rows per purge statement (default 1000): each batch is one short transaction. */
  batchRows: number;
  /** Pause between two batches (ms, default 50), so acceptance never waits behind a purge. */
  pauseMs: number;
  /** How often a purge runs (s, default 600). */
  intervalS: number;
  /** Where messages are archived before they are deleted (null, the default: not archived). */
  archive: { dir: string } | null;
}

export interface BackupConfig {
  /** Hours between two scheduled backups of the SQLite store (0 = no schedule, the default). */
  intervalHours: number;
  /** Where scheduled backups go (default `<data dir>/backups`). */
  dir: string;
  /** Scheduled backups kept; older ones are deleted (default 7). */
  keep: number;
}

export interface ErasureConfig {
  /**
   * A server secret the erased numbers' hashes are keyed with, besides the store's own key
   * (null: the store's key only). Never to change once erasures were made with it.
   */
  pepper: string | null;
}

export function retentionOf(c: Checker, root: Obj): RetentionConfig {
  const p = 'retention';
  const r =
    c.obj(root.retention ?? {}, p, [
      'redactAfterDays',
      'deleteAfterDays',
      'batchRows',
      'pauseMs',
      'intervalS',
      'archive',
    ]) ?? {};
  const redactAfterDays = c.num(r, 'redactAfterDays', p, { def: 0, min: 0, max: 36_500 }) ?? 0;
  const deleteAfterDays = c.num(r, 'deleteAfterDays', p, { def: 0, min: 0, max: 36_500 }) ?? 0;
  if (redactAfterDays > 0 && deleteAfterDays > 0 && deleteAfterDays < redactAfterDays)
    c.fail(
      `${p}.deleteAfterDays`,
      `must be at least redactAfterDays (${redactAfterDays}): a message is redacted before it is deleted`,
    );
  return {
    redactAfterDays,
    deleteAfterDays,
    batchRows: c.num(r, 'batchRows', p, { def: 1000, min: 1, max: 100_000, int: true }) ?? 1000,
    pauseMs: c.num(r, 'pauseMs', p, { def: 50, min: 0, max: 60_000, int: true }) ?? 50,
    intervalS: c.num(r, 'intervalS', p, { def: 600, min: 1, max: 86_400 }) ?? 600,
    archive: archiveOf(c, r.archive, `${p}.archive`),
  };
}

function archiveOf(c: Checker, v: unknown, p: string): { dir: string } | null {
  if (v === undefined || v === null) return null;
  const a = c.obj(v, p, ['dir']);
  const dir = a && c.str(a, 'dir', p);
  return dir ? { dir } : null;
}

export function backupOf(c: Checker, root: Obj, env: NodeJS.ProcessEnv): BackupConfig {
  const p = 'backup';
  const b = c.obj(root.backup ?? {}, p, ['intervalHours', 'dir', 'keep']) ?? {};
  const dataDir = env.HERMOD_DATA_DIR ?? './data';
  return {
    intervalHours: c.num(b, 'intervalHours', p, { def: 0, min: 0, max: 8760 }) ?? 0,
    dir: (b.dir === undefined ? undefined : c.str(b, 'dir', p)) ?? join(dataDir, 'backups'),
    keep: c.num(b, 'keep', p, { def: 7, min: 1, max: 1000, int: true }) ?? 7,
  };
}

/** `erasure.pepper`, or HERMOD_ERASURE_PEPPER (which wins: the secret can stay out of the file). */
export function erasureOf(c: Checker, root: Obj, env: NodeJS.ProcessEnv): ErasureConfig {
  const p = 'erasure';
  const e = c.obj(root.erasure ?? {}, p, ['pepper']) ?? {};
  const pepper = env.HERMOD_ERASURE_PEPPER ?? (e.pepper === undefined ? undefined : c.str(e, 'pepper', p));
  if (pepper !== undefined && pepper.length < 16)
    return { pepper: c.fail(`${p}.pepper`, 'must be at least 16 characters (a random secret)') ?? null };
  return { pepper: pepper ?? null };
}
