export { Engine, type EngineOptions } from './engine.js';
export {
  ContactService,
  type Contact,
  type ContactGroup,
  type ContactInput,
  type UpsertedContacts,
} from './contacts.js';
export { EngineError } from './errors.js';
