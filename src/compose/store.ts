/**
 * The store a configuration names, and the accounts the file seeds into it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileMediaBlobs, PostgresStore, SqliteStore, type Store } from '../store/index.js';
import { MediaLibrary, type MediaLibraryOptions } from '../gateway/index.js';
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

/**
 * The media library on a store, with the `media:` settings when given (limits, deadline,
 * signing with `media.publicUrl` as the base): the directory is `media.dir`, else mediaDirOf.
 */
export function openMedia(
  store: Store,
  c: Config['store'],
  o: MediaLibraryOptions = {},
  media?: Config['media'],
): MediaLibrary {
  const dir = media?.dir ?? mediaDirOf(c);
  if (!media) return new MediaLibrary(store, new FileMediaBlobs(dir), o);
  return new MediaLibrary(store, new FileMediaBlobs(dir), {
    maxFileBytes: media.maxFileBytes,
    maxMessageBytes: media.maxMessageBytes,
    maxItems: media.maxItems,
    fetchDeadlineMs: media.fetchDeadlineS * 1000,
    urlTtlS: media.urlTtlS,
    signing: { key: media.signingKey ?? signingKeyIn(dir), baseUrl: media.publicUrl },
    ...o,
  });
}

/**
 * The media signing key kept in the media directory (`.signing-key`, mode 0600), made on
 * first use: it survives restarts, and every node of a PostgreSQL deployment, sharing the
 * directory with the media, shares it. Created exclusively, so two nodes starting at once
 * end with the same key.
 */
export function signingKeyIn(dir: string): string {
  const file = join(dir, '.signing-key');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) {
    // Written whole under a name of its own, then linked in place: link fails if it exists.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, randomBytes(32).toString('hex'), { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 16) throw new Error(`${file} holds no signing key (delete it to make a new one)`);
  return key;
}
