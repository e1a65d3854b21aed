/**
 * The inbox's part of the Engine: conversations, keyword services and the follower that
 * runs them, built over the engine's stores and the gateway (the Engine class holds them).
 */
import { OptOutRules, type OptOutSettings } from '../domain/index.js';
import { UrlGuard, type Gateway } from '../gateway/index.js';
import type { EngineStores } from '../store/engine-store/index.js';
import type { ContactService } from './contacts.js';
import { InboxService } from './inbox.js';
import { InboxFollower, type FollowerLog } from './inbox-follower.js';
import { KeywordServices } from './keywords.js';
import { KeywordForwarder } from './keyword-forward.js';

export interface InboxEngineOptions {
  /** The SSRF guard of the URLs forward services call (default: private address space refused). */
  guard?: UrlGuard;
  /** The gateway's opt-out keywords (the config's `optOut`): they never run a keyword service. */
  optOut?: OptOutSettings;
  /** The follower's backstop poll (default 2 s) and its wait for a gap in the MO sequence (10 s). */
  pollMs?: number;
  gapGraceMs?: number;
  /** A forward service's call deadline (default 5 s). */
  forwardTimeoutMs?: number;
  log?: FollowerLog;
}

export function buildInbox(
  gateway: Gateway,
  stores: EngineStores,
  contacts: ContactService,
  o: InboxEngineOptions,
  now?: () => number,
): { inbox: InboxService; keywords: KeywordServices; follower: InboxFollower } {
  const optOut = new OptOutRules(o.optOut);
  const forwarder = new KeywordForwarder(o.guard ?? new UrlGuard(), {
    ...(o.forwardTimeoutMs !== undefined ? { timeoutMs: o.forwardTimeoutMs } : {}),
  });
  return {
    inbox: new InboxService(stores.inbox, gateway, now),
    keywords: new KeywordServices(stores.keywords, contacts, forwarder, optOut),
    follower: new InboxFollower({
      inbox: stores.inbox,
      keywords: stores.keywords,
      gateway,
      contacts,
      forwarder,
      optOut,
      ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
      ...(o.gapGraceMs !== undefined ? { gapGraceMs: o.gapGraceMs } : {}),
      ...(now ? { now } : {}),
      ...(o.log ? { log: o.log } : {}),
    }),
  };
}
