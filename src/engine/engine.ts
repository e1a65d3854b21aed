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
import { OptOutRules, type OptOutSettings } from '../domain/index.js';
import { UrlGuard } from '../gateway/index.js';
import { InboxService } from './inbox.js';
import { InboxFollower, type FollowerLog } from './inbox-follower.js';
import { KeywordServices } from './keywords.js';
import { KeywordForwarder } from './keyword-forward.js';

export interface EngineOptions {
  gateway: Gateway;
  stores: EngineStores;
  /** The clock of schedules and quiet hours (default Date.now). */
  now?: () => number;
  /** The SSRF guard of URLs called for customers (keyword forward services; default: private space refused). */
  guard?: UrlGuard;
  /** The gateway's opt-out keywords (the config's `optOut`): never a keyword service. */
  optOut?: OptOutSettings;
  /** The inbox follower's settings (tests shorten the poll). */
  inbox?: { pollMs?: number; gapGraceMs?: number; forwardTimeoutMs?: number };
  log?: FollowerLog;
}

export class Engine {
  readonly contacts: ContactService;
  readonly inbox: InboxService;
  readonly keywords: KeywordServices;
  readonly inboxFollower: InboxFollower;

  constructor(private readonly opts: EngineOptions) {
    this.contacts = new ContactService(opts.stores.contacts);
    const optOut = new OptOutRules(opts.optOut);
    const forwarder = new KeywordForwarder(opts.guard ?? new UrlGuard(), {
      ...(opts.inbox?.forwardTimeoutMs !== undefined ? { timeoutMs: opts.inbox.forwardTimeoutMs } : {}),
    });
    this.inbox = new InboxService(opts.stores.inbox, opts.gateway, opts.now);
    this.keywords = new KeywordServices(opts.stores.keywords, this.contacts, forwarder, optOut);
    this.inboxFollower = new InboxFollower({
      inbox: opts.stores.inbox,
      keywords: opts.stores.keywords,
      gateway: opts.gateway,
      contacts: this.contacts,
      forwarder,
      optOut,
      ...(opts.inbox?.pollMs !== undefined ? { pollMs: opts.inbox.pollMs } : {}),
      ...(opts.inbox?.gapGraceMs !== undefined ? { gapGraceMs: opts.inbox.gapGraceMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  /** Starts the background work (import jobs, campaign runners, the inbox follower). */
  async start(): Promise<void> {
    this.inboxFollower.start();
  }

  /** Stops it; what was running resumes at the next start. */
  async stop(): Promise<void> {
    await this.inboxFollower.stop();
  }
}
