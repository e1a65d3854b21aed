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

export interface EngineOptions {
  gateway: Gateway;
  stores: EngineStores;
  /** The clock of schedules and quiet hours (default Date.now). */
  now?: () => number;
  /** Web users' sessions and invitations (lifetimes). */
  people?: PeopleOptions;
}

export class Engine {
  readonly contacts: ContactService;
  readonly people: PeopleService;

  constructor(private readonly opts: EngineOptions) {
    this.contacts = new ContactService(opts.stores.contacts);
    this.people = new PeopleService(opts.stores.people, opts.gateway.services.accounts, opts.people);
  }

  /** Starts the background work (import jobs, campaign runners, the inbox follower). */
  async start(): Promise<void> {}

  /** Stops it; what was running resumes at the next start. */
  async stop(): Promise<void> {}
}
