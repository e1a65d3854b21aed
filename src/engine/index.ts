export { Engine, type EngineOptions } from './engine.js';
export {
  ContactService,
  type Contact,
  type ContactGroup,
  type ContactInput,
  type UpsertedContacts,
} from './contacts.js';
export { EngineError } from './errors.js';
export {
  PeopleService,
  MEMBER_ROLES,
  WEB_DOOR,
  csrfOf,
  isSessionToken,
  type MemberRole,
  type NewSession,
  type PeopleOptions,
  type SignedIn,
  type WebUser,
  type WebUserScope,
} from './people.js';
