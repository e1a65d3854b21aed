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
