/** The SMS engine's stores on SQLite, over the core store's connection. */
import type { EngineStores } from '../../engine-store/index.js';
import { migrateNamed, type NamedMigration, type SqliteHandle } from './handle.js';
import { CONTACTS_MIGRATIONS, SqliteContactStore } from './contacts.js';
import { PEOPLE_MIGRATIONS, SqlitePeopleStore } from './people.js';

/** Every area's migrations, in the order they run (an area's tables before those that read them). */
export const ENGINE_MIGRATIONS: readonly NamedMigration[] = [...CONTACTS_MIGRATIONS, ...PEOPLE_MIGRATIONS];

export function sqliteEngineStores(h: SqliteHandle): EngineStores {
  migrateNamed(h.db, ENGINE_MIGRATIONS);
  return {
    contacts: new SqliteContactStore(h),
    people: new SqlitePeopleStore(h),
  };
}
