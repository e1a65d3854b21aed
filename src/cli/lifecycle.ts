/**
 * `hermod backup` and `hermod restore` (docs/operations.md, "Backup and restore"): an online
 * copy of the SQLite store while Hermod runs, and its return into the data directory while
 * it does not. PostgreSQL has its own tools (pg_dump, point-in-time recovery): the commands
 * say so rather than pretend.
 */
import { Command } from 'commander';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { AdminClient, apiCommand, CliError, printJson, type ApiOptions } from './admin-client.js';
import { cliIo, say } from './io.js';

const POSTGRES_HINT =
  'the store is PostgreSQL: back it up with pg_dump (or base backups and WAL archiving for point-in-time recovery) and restore with pg_restore / your PITR procedure, as docs/operations.md describes; hermod backup and restore copy the SQLite store only';

async function config(file: string | undefined): Promise<Config> {
  const { loadConfig } = await import('../config/index.js');
  const { env, cwd } = cliIo();
  return loadConfig(file ? { ...env, HERMOD_CONFIG: file } : env, cwd);
}

/** What `hermod backup` prints: the copy taken, or why none was. */
export async function runBackup(c: Config, file: string | undefined): Promise<string> {
  if (c.store.type !== 'sqlite') throw new CliError(POSTGRES_HINT, 2);
  const { backupSqlite, BackupError } = await import('../compose/lifecycle.js');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dest = file ?? join(c.backup.dir, `hermod-manual-${stamp}.db`);
  try {
    const r = await backupSqlite(c.store.path, dest);
    return `backup of ${c.store.path} written to ${r.file} (${r.bytes} bytes, schema ${r.schemaVersion}, ${r.tookMs} ms)`;
  } catch (err) {
    if (err instanceof BackupError) throw new CliError(err.message);
    throw err;
  }
}

/** What `hermod restore` prints: where the backup went and where the replaced database is kept. */
export async function runRestore(c: Config, file: string): Promise<string> {
  if (c.store.type !== 'sqlite') throw new CliError(POSTGRES_HINT, 2);
  const { restoreSqlite, BackupError } = await import('../compose/lifecycle.js');
  try {
    const r = restoreSqlite(file, c.store.path);
    return (
      `restored ${r.from} into ${r.restored} (schema ${r.schemaVersion}; a start applies any newer migrations)` +
      (r.previous ? `\nthe database it replaced is kept as ${r.previous}` : '')
    );
  } catch (err) {
    if (err instanceof BackupError) throw new CliError(err.message);
    throw err;
  }
}

export function lifecycleCommands(): Command[] {
  const backup = new Command('backup')
    .description(
      'take a consistent online copy of the SQLite store (SQLite online backup; Hermod may be running and accepting)',
    )
    .argument('[file]', 'where to write the copy (default: backup.dir/hermod-manual-<time>.db)')
    .option('--config <file>', 'the configuration naming the store (default: HERMOD_CONFIG, ./hermod.yaml)')
    .action(async (file: string | undefined, o: { config?: string }) => {
      say(await runBackup(await config(o.config), file));
    });
  const restore = new Command('restore')
    .description(
      'put a backup back as the SQLite store; refused while a gateway runs on that store (stop it first). The database replaced is kept beside it',
    )
    .argument('<file>', 'a file written by hermod backup (or a scheduled backup)')
    .option('--config <file>', 'the configuration naming the store (default: HERMOD_CONFIG, ./hermod.yaml)')
    .action(async (file: string, o: { config?: string }) => {
      say(await runRestore(await config(o.config), file));
    });
  const erase = apiCommand(
    'erase',
    'erase a phone number from messages, MOs, contacts and every other table of a running Hermod (its opt-outs still hold, kept as a keyed hash); the erasure is recorded without the number',
  )
    .requiredOption('--number <msisdn>', 'the number to erase, E.164 (e.g. +447700900123)')
    .option('--account <username>', "only this account's messages, contacts and campaign recipients")
    .action(async (o: ApiOptions & { number: string; account?: string }) => {
      const r = await new AdminClient(o).request<ErasureAnswer>('POST', '/erasure', {
        msisdn: o.number,
        ...(o.account ? { username: o.account } : {}),
      });
      if (o.json) return printJson(r);
      say(eraseLine(r));
    });
  return [backup, restore, erase];
}

interface ErasureAnswer {
  id: number;
  rows: number;
  tables: Record<string, number>;
  optOutsKept: number;
  numberHash: string;
}

/** What `hermod erase` prints. */
export function eraseLine(r: ErasureAnswer): string {
  const where = Object.entries(r.tables)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return (
    `erased: ${r.rows} rows changed or deleted${where ? ` (${where})` : ''}; erasure #${r.id} recorded` +
    (r.optOutsKept
      ? `; ${r.optOutsKept} opt-out(s) kept as ${r.numberHash.slice(0, 19)}…, still refused`
      : '')
  );
}
