/**
 * What the SMS engine (src/engine/) needs from storage: one store interface per area, each
 * implemented for SQLite (src/store/sqlite/engine/) and PostgreSQL (src/store/postgres/engine/)
 * over the core store's own database, and tested by one contract suite per area
 * (test/engine/). Each area owns its tables through named migrations (`<area>/<n>`), so
 * areas add tables without renumbering each other's.
 */
import type { ContactStore } from './contacts.js';
import type { PeopleStore } from './people.js';

export type {
  Contact,
  ContactInput,
  ContactGroup,
  ContactStore,
  UpsertContacts,
  UpsertedContacts,
  GroupMembers,
} from './contacts.js';
export { ContactGroupExistsError, UnknownContactGroupError } from './errors.js';
export * from './people.js';

/** The engine's stores, one per area, over one database. */
export interface EngineStores {
  contacts: ContactStore;
  people: PeopleStore;
}
export { openEngineStores } from './open.js';
