/** The SMS engine's stores on PostgreSQL, over the core store's pool. */
import type { EngineStores } from '../../engine-store/index.js';
import { migrateNamed, type NamedMigration, type PgHandle } from './handle.js';
import { CONTACTS_MIGRATIONS, PgContactStore } from './contacts.js';
import { PEOPLE_MIGRATIONS, PgPeopleStore } from './people.js';
import { INBOX_MIGRATIONS, PgInboxStore } from './inbox.js';
import { KEYWORDS_MIGRATIONS, PgKeywordStore } from './keywords.js';
import { TEMPLATES_MIGRATIONS, PgTemplateStore } from './templates.js';
import { CAMPAIGNS_MIGRATIONS, PgCampaignStore } from './campaigns.js';
import { CONTACT_IMPORTS_MIGRATIONS, PgContactImportStore } from './contact-imports.js';
import { AUDIT_MIGRATIONS, PgAuditStore } from './audit.js';

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

export async function postgresEngineStores(h: PgHandle): Promise<EngineStores> {
  await migrateNamed(h, ENGINE_MIGRATIONS);
  return {
    contacts: new PgContactStore(h),
    people: new PgPeopleStore(h),
    inbox: new PgInboxStore(h),
    keywords: new PgKeywordStore(h),
    templates: new PgTemplateStore(h),
    campaigns: new PgCampaignStore(h),
    contactImports: new PgContactImportStore(h),
    audit: new PgAuditStore(h),
  };
}
