/**
 * The SMS engine (seed 004's second half) on top of the gateway core: contacts and groups,
 * imports, templates, campaigns, inbox and keyword services, ledger, rate cards, reports and
 * the accounts' people. Every message it sends enters through the gateway's accept door
 * (`Gateway.submitAccepted`), charged and routed as any other. One service per area, each
 * in its own file; this class builds them and starts and stops their background work.
 */
import type { Gateway } from '../gateway/index.js';
import type { EngineStores } from '../store/engine-store/index.js';
import { ContactService } from './contacts.js';
import { PeopleService, type PeopleOptions } from './people.js';
import type { InboxService } from './inbox.js';
import type { InboxFollower } from './inbox-follower.js';
import type { KeywordServices } from './keywords.js';
import { buildInbox, type InboxEngineOptions } from './inbox-engine.js';
import { TemplateService } from './templates.js';
import { CampaignService, type CampaignServiceOptions } from './campaigns.js';
import { ContactImports, type ContactImportOptions } from './contact-imports.js';
import { AuditLog } from './audit.js';

export interface EngineOptions {
  gateway: Gateway;
  stores: EngineStores;
  /** The clock of schedules and quiet hours (default Date.now). */
  now?: () => number;
  /** Web users' sessions and invitations (lifetimes). */
  people?: PeopleOptions;
  /** Inbox and keyword services: the SSRF guard, the opt-out keywords, the follower's settings. */
  inbox?: InboxEngineOptions;
  /** Campaigns' timers and pacing (tests pass a FakeClock), and their tuning. */
  campaigns?: Partial<Omit<CampaignServiceOptions, 'store' | 'templates' | 'contacts' | 'gateway'>>;
  /** CSV imports of contacts: upload cap, batch size (default: 50 MiB, 2000 rows). */
  contactImports?: ContactImportOptions;
}

export class Engine {
  readonly contacts: ContactService;
  readonly people: PeopleService;
  readonly inbox: InboxService;
  readonly keywords: KeywordServices;
  readonly inboxFollower: InboxFollower;
  readonly templates: TemplateService;
  readonly campaigns: CampaignService;
  readonly contactImports: ContactImports;
  /** Operators' changes through the admin API. */
  readonly audit: AuditLog;

  constructor(private readonly opts: EngineOptions) {
    this.contacts = new ContactService(opts.stores.contacts);
    this.people = new PeopleService(opts.stores.people, opts.gateway.services.accounts, opts.people);
    const inbox = buildInbox(opts.gateway, opts.stores, this.contacts, opts.inbox ?? {}, opts.now);
    [this.inbox, this.keywords, this.inboxFollower] = [inbox.inbox, inbox.keywords, inbox.follower];
    this.templates = new TemplateService(opts.stores.templates, opts.gateway);
    this.campaigns = new CampaignService({
      store: opts.stores.campaigns,
      templates: opts.stores.templates,
      contacts: opts.stores.contacts,
      gateway: opts.gateway,
      ...opts.campaigns,
    });
    this.contactImports = new ContactImports(opts.stores.contactImports, this.contacts, opts.contactImports);
    this.audit = new AuditLog(opts.stores.audit);
  }

  /** Starts the background work (import jobs, campaign runners, the inbox follower). */
  async start(): Promise<void> {
    this.inboxFollower.start();
    await this.campaigns.startBackground();
    this.contactImports.start();
  }

  /** Stops it; what was running resumes at the next start. */
  async stop(): Promise<void> {
    await this.inboxFollower.stop();
    await this.campaigns.stopBackground();
    await this.contactImports.stop();
  }
}
