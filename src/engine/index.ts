export { Engine, type EngineOptions } from './engine.js';
export {
  ContactService,
  type Contact,
  type ContactGroup,
  type ContactInput,
  type UpsertedContacts,
  type ContactPatch,
  type ContactQuery,
  type ContactList,
} from './contacts.js';
export {
  ContactImports,
  DEFAULT_IMPORT_MAX_BYTES,
  type ContactImportOptions,
  type ImportJob,
  type ImportRowError,
  type ColumnMapping,
  type NewImportRequest,
} from './contact-imports.js';
export { EngineError } from './errors.js';
