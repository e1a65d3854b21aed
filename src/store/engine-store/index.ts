/**
 * What the SMS engine (src/engine/) needs from storage: one store interface per area, each
 * implemented for SQLite (src/store/sqlite/engine/) and PostgreSQL (src/store/postgres/engine/)
 * over the core store's own database, and tested by one contract suite per area
 * (test/engine/). Each area owns its tables through named migrations (`<area>/<n>`), so
 * areas add tables without renumbering each other's.
 */
import type { ContactStore } from './contacts.js';
import type { ContactImportStore } from './contact-imports.js';

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
  contactImports: ContactImportStore;
}
export { openEngineStores } from './open.js';
