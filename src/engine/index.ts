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
export {
  previewImport,
  PREVIEW_MAX_BYTES,
  PREVIEW_MAX_ROWS,
  type ImportPreview,
  type PreviewRow,
} from './contact-import-preview.js';
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
export { InboxService, INBOX_LIMITS, peerOf, type Page, type ThreadEntry } from './inbox.js';
export {
  KeywordServices,
  KEYWORD_LIMITS,
  DEFAULT_REPLIES,
  type KeywordServiceInput,
  type KeywordServiceUpdate,
  type KeywordService,
  type KeywordKind,
  type PollResult,
} from './keywords.js';
export { InboxFollower } from './inbox-follower.js';
export { matchKeyword, renderReply, unknownPlaceholders } from './keyword-match.js';
export type { ConversationSummary, Conversation, ThreadMessage } from './inbox.js';
export {
  TemplateService,
  parseTemplate,
  render,
  type Template,
  type MessagePreview,
  type Personalisation,
} from './templates.js';
export {
  CampaignService,
  type Campaign,
  type CampaignInput,
  type CampaignStats,
  type CampaignState,
  type CampaignEstimate,
  type RecipientStatus,
} from './campaigns.js';
export type { AudienceAnswer, AudienceQuestion, RecipientPreview } from './campaign-audience.js';
export { AuditLog, type AuditPage } from './audit.js';
export {
  AccountService,
  TOTP_ISSUER,
  TELNYX_WEBHOOK_KEY,
  type Ed25519Key,
  type TotpSetup,
  type WebhookSettings,
} from './account.js';
