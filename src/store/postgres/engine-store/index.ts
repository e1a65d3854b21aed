/** The SMS engine's stores on PostgreSQL, over the core store's pool. */
import type { EngineStores } from '../../engine-store/index.js';
import { migrateNamed, type NamedMigration, type PgHandle } from './handle.js';
import { CONTACTS_MIGRATIONS, PgContactStore } from './contacts.js';
import { PEOPLE_MIGRATIONS, PgPeopleStore } from './people.js';

/** Every area's migrations, in the order they run (an area's tables before those that read them). */
export const ENGINE_MIGRATIONS: readonly NamedMigration[] = [...CONTACTS_MIGRATIONS, ...PEOPLE_MIGRATIONS];

export async function postgresEngineStores(h: PgHandle): Promise<EngineStores> {
  await migrateNamed(h, ENGINE_MIGRATIONS);
  return {
    contacts: new PgContactStore(h),
    people: new PgPeopleStore(h),
  };
}
