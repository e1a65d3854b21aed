/**
 * REST v1 resources of the SMS engine (contacts, contact groups, imports, templates,
 * campaigns, conversations, keyword services, ledger, rate cards, reports), one Fastify
 * plugin per resource, registered inside /v1 behind the customer's authentication
 * (`req.apiUser`): every resource is the account's own.
 */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/index.js';
import type { Gateway } from '../../gateway/index.js';
import { contactRoutes } from './contacts.js';
import { memberRoutes } from './members.js';
import { inboxRoutes } from './inbox.js';
import { keywordRoutes } from './keywords.js';
import { templateRoutes } from './templates.js';
import { campaignRoutes } from './campaigns.js';
import { contactImportRoutes } from './contact-imports.js';
import { contactImportPreviewRoutes } from './contact-import-preview.js';
import { ledgerRoutes } from './ledger.js';
import { rateCardRoutes } from './rate-card.js';
import { reportRoutes } from './reports.js';
import { lowBalanceRoutes } from './low-balance.js';
import { erasureRoutes } from './erasure.js';
import { accountSettingRoutes, type SmppListenerInfo } from './account.js';
import { snakeCaseProblems } from '../casing.js';
import { campaignDraftRoutes } from './campaign-drafts.js';

export interface EngineRouteOptions {
  engine: Engine;
  gateway: Gateway;
  /** Forgets the API-key cache (a revoked key is refused from the next request). */
  forgetApiKeys?: () => void;
  /** Where customers bind over SMPP (GET /v1/smpp). */
  smpp?: () => SmppListenerInfo;
}

/** The OpenAPI tags of the engine's resources. */
export const ENGINE_TAGS = [
  { name: 'contacts' },
  { name: 'inbox' },
  { name: 'keywords' },
  { name: 'session' },
  { name: 'members' },
  { name: 'templates' },
  { name: 'campaigns' },
  { name: 'ledger' },
  { name: 'rate-card' },
  { name: 'reports' },
];

export async function engineRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  // Every key of REST v1 is snake_case, the fields a service's errors name too.
  app.setErrorHandler(snakeCaseProblems);
  await app.register(contactRoutes, opts);
  await app.register(inboxRoutes, opts);
  await app.register(keywordRoutes, opts);
  await app.register(memberRoutes, opts);
  await app.register(templateRoutes, opts);
  await app.register(campaignRoutes, opts);
  await app.register(contactImportRoutes, opts);
  await app.register(contactImportPreviewRoutes, opts);
  await app.register(ledgerRoutes, opts);
  await app.register(rateCardRoutes, opts);
  await app.register(reportRoutes, opts);
  await app.register(lowBalanceRoutes, opts);
  await app.register(campaignDraftRoutes, opts);
  await app.register(erasureRoutes, opts);
  await app.register(accountSettingRoutes, opts);
}
