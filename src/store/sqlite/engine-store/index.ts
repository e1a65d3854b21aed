/** The SMS engine's stores on SQLite, over the core store's connection. */
import type { EngineStores } from '../../engine-store/index.js';
import { migrateNamed, type NamedMigration, type SqliteHandle } from './handle.js';
import { CONTACTS_MIGRATIONS, SqliteContactStore } from './contacts.js';
import { PEOPLE_MIGRATIONS, SqlitePeopleStore } from './people.js';
import { INBOX_MIGRATIONS, SqliteInboxStore } from './inbox.js';
import { KEYWORDS_MIGRATIONS, SqliteKeywordStore } from './keywords.js';
import { TEMPLATES_MIGRATIONS, SqliteTemplateStore } from './templates.js';
import { CAMPAIGNS_MIGRATIONS, SqliteCampaignStore } from './campaigns.js';
import { CONTACT_IMPORTS_MIGRATIONS, SqliteContactImportStore } from './contact-imports.js';
import { AUDIT_MIGRATIONS, SqliteAuditStore } from './audit.js';

/** Every area's migrations, in the order they run (an area's tables before those that read them). */
export const ENGINE_MIGRATIONS: readonly NamedMigration[] = [
  ...CONTACTS_MIGRATIONS,
  ...PEOPLE_MIGRATIONS,
  ...KEYWORDS_MIGRATIONS,
  ...INBOX_MIGRATIONS,
  ...TEMPLATES_MIGRATIONS,
  ...CAMPAIGNS_MIGRATIONS,
  ...CONTACT_IMPORTS_MIGRATIONS,
  ...AUDIT_MIGRATIONS,
];

export function sqliteEngineStores(h: SqliteHandle): EngineStores {
  migrateNamed(h.db, ENGINE_MIGRATIONS);
  const contacts = new SqliteContactStore(h);
  return {
    contacts,
    people: new SqlitePeopleStore(h),
    inbox: new SqliteInboxStore(h),
    keywords: new SqliteKeywordStore(h),
    templates: new SqliteTemplateStore(h),
    campaigns: new SqliteCampaignStore(h),
    contactImports: new SqliteContactImportStore(h, contacts),
    audit: new SqliteAuditStore(h),
  };
}
