/**
 * What the SMS engine (src/engine/) needs from storage: one store interface per area, each
 * implemented for SQLite (src/store/sqlite/engine/) and PostgreSQL (src/store/postgres/engine/)
 * over the core store's own database, and tested by one contract suite per area
 * (test/engine/). Each area owns its tables through named migrations (`<area>/<n>`), so
 * areas add tables without renumbering each other's.
 */
import type { ContactStore } from './contacts.js';
import type { PeopleStore } from './people.js';
import type { InboxStore } from './inbox.js';
import type { KeywordStore } from './keywords.js';
import type { TemplateStore } from './templates.js';
import type { CampaignStore } from './campaigns.js';
import type { ContactImportStore } from './contact-imports.js';
import type { AuditStore } from './audit.js';

export type {
  Contact,
  ContactInput,
  ContactGroup,
  ContactStore,
  UpsertContacts,
  UpsertedContacts,
  GroupMembers,
  ContactPatch,
  ContactFilter,
  ContactCursor,
  ContactPage,
} from './contacts.js';
export * from './people.js';
export type { TemplateRow, TemplateStore } from './templates.js';
export type * from './campaigns.js';
export { statsOf } from './campaigns.js';
export { TemplateExistsError } from './campaign-errors.js';
export type {
  ContactImportStore,
  ImportJob,
  ImportState,
  ImportColumns,
  ImportBatch,
  ImportRowError,
  NewImport,
} from './contact-imports.js';
export { ContactGroupExistsError, UnknownContactGroupError, ContactExistsError } from './errors.js';

/** The engine's stores, one per area, over one database. */
export interface EngineStores {
  contacts: ContactStore;
  people: PeopleStore;
  inbox: InboxStore;
  keywords: KeywordStore;
  templates: TemplateStore;
  campaigns: CampaignStore;
  contactImports: ContactImportStore;
  audit: AuditStore;
}
export { openEngineStores } from './open.js';
export type * from './inbox.js';
export type * from './keywords.js';
export { KEYWORD_KINDS } from './keywords.js';
export { INBOX_FOLLOWER } from './inbox.js';
export * from './inbox-errors.js';
export type { AuditEntry, AuditStore, NewAuditEntry } from './audit.js';
