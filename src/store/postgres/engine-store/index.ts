/** The SMS engine's stores on PostgreSQL, over the core store's pool. */
import type { EngineStores } from '../../engine-store/index.js';
import { migrateNamed, type NamedMigration, type PgHandle } from './handle.js';
import { CONTACTS_MIGRATIONS, PgContactStore } from './contacts.js';
import { CONTACT_IMPORTS_MIGRATIONS, PgContactImportStore } from './contact-imports.js';

/** Every area's migrations, in the order they run (an area's tables before those that read them). */
export const ENGINE_MIGRATIONS: readonly NamedMigration[] = [
  ...CONTACTS_MIGRATIONS,
  ...CONTACT_IMPORTS_MIGRATIONS,
];

export async function postgresEngineStores(h: PgHandle): Promise<EngineStores> {
  await migrateNamed(h, ENGINE_MIGRATIONS);
  return {
    contacts: new PgContactStore(h),
    contactImports: new PgContactImportStore(h),
  };
}
