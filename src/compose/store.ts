/**
 * The store a configuration names, and the accounts the file seeds into it.
 */
import { dirname, join } from 'node:path';
import { FileMediaBlobs, PostgresStore, SqliteStore, type Store } from '../store/index.js';
import { MediaLibrary } from '../gateway/index.js';
import { hashApiKey, hashPassword, verifyPassword } from '../domain/index.js';
import type { Config } from '../config/index.js';

/**
 * The store a configuration names: its SQLite file, or its PostgreSQL schema. `reclaim`
 * false leaves the leases alone (a reading tool beside a running gateway).
 */
export async function openStore(c: Config['store'], { reclaim = true } = {}): Promise<Store> {
  return c.type === 'postgres'
    ? PostgresStore.open({ connectionString: c.url, schema: c.schema, nodeId: c.nodeId, reclaim })
    : new SqliteStore(c.path, { synchronous: c.synchronous, groupCommitMs: c.groupCommitMs, reclaim });
}

/**
 * Groups and users from the configuration: a user is created with its balance and SMS
 * count the first time; afterwards password, rate, enabled, group and settings follow the
 * file while the balance and the SMS count are the store's. The file's API keys are added
 * (stored hashed).
 */
export async function seedAccounts(store: Store, config: Pick<Config, 'groups' | 'users'>): Promise<void> {
  for (const g of config.groups) await store.upsertGroup(g);
  for (const u of config.users) {
    const existing = await store.getUserByName(u.username);
    await store.upsertUser({
      username: u.username,
      // A password that still matches keeps its hash (and its salt): no rewrite at every start.
      passwordHash:
        existing && verifyPassword(u.password, existing.passwordHash)
          ? existing.passwordHash
          : hashPassword(u.password),
      balanceMicros: Math.round(u.balance * 1_000_000),
      rateMicros: Math.round(u.rate * 1_000_000),
      enabled: u.enabled,
      group: u.group,
      smsCount: u.smsCount,
      settings: u.settings,
    });
  }
  for (const u of config.users) {
    if (u.apiKeys.length === 0) continue;
    const user = (await store.getUserByName(u.username))!;
    for (const key of u.apiKeys) await store.addApiKey(user.id, hashApiKey(key), 'config');
  }
}

/**
 * Where MMS media bytes are kept (docs/mms.md): a `media` directory beside the SQLite file;
 * for PostgreSQL, under HERMOD_DATA_DIR (every node must see the same directory).
 */
export function mediaDirOf(c: Config['store'], env: NodeJS.ProcessEnv = process.env): string {
  return c.type === 'sqlite'
    ? join(dirname(c.path), 'media')
    : join(env.HERMOD_DATA_DIR ?? './data', 'media');
}

/** The media library on a store. */
export function openMedia(store: Store, c: Config['store']): MediaLibrary {
  return new MediaLibrary(store, new FileMediaBlobs(mediaDirOf(c)));
}
