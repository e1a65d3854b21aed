/**
 * The query and command services the interfaces (HTTP APIs, the customer SMPP server) use
 * instead of holding the Store: message views, accounts and balances, API keys, idempotency
 * records, inbound messages, opt-outs and the webhook log. Each takes one options object where
 * the store takes a positional list, so a change of the store's signatures stops here. The
 * Gateway builds them over its private store (`gateway.services`), which the composition root
 * hands to the interfaces; message submission and cancellation stay on the Gateway (its rules).
 */
import { Erasures } from './erasure.js';
import type { Group, GroupSpec, StoredMessage, User, UserSpec } from '../domain/index.js';
import type {
  ApiKeyInfo,
  HistoryEntry,
  IdempotencyBegin,
  InboundMessage,
  LoggedWebhookAttempt,
  MessageCount,
  MessageFilter,
  MessagePart,
  MoQuery,
  OptOut,
  PendingWebhook,
  Store,
} from '../store/store.js';
import { Outbox } from './outbox.js';
import type { CreditNote } from '../store/money.js';

export type {
  ApiKeyInfo,
  HistoryEntry,
  IdempotencyBegin,
  InboundMessage,
  LoggedWebhookAttempt,
  MessageCount,
  MessageFilter,
  MessagePart,
  MoQuery,
  OptOut,
  PendingWebhook,
};

/** Messages as the customer and admin APIs show them. */
export class MessageViews {
  constructor(private readonly store: Store) {}

  get(id: string): Promise<StoredMessage | undefined> {
    return this.store.getMessage(id);
  }

  /** The message when it is this account's; undefined for another's (as for none). */
  async ofUser(userId: number, id: string): Promise<StoredMessage | undefined> {
    const m = await this.store.getMessage(id);
    return m && m.userId === userId ? m : undefined;
  }

  /** Its state transitions, oldest first. */
  history(id: string): Promise<HistoryEntry[]> {
    return this.store.history(id);
  }

  /** Its SMS parts (one row per part of a multipart message). */
  parts(id: string): Promise<MessagePart[]> {
    return this.store.getParts(id);
  }

  list(filter: MessageFilter): Promise<StoredMessage[]> {
    return this.store.listMessages(filter);
  }

  /** Messages by state and connector (the admin statistics). */
  counts(): Promise<MessageCount[]> {
    return this.store.countMessages();
  }

  /** Queue entries waiting: of one connector, or of all. */
  queueDepth(connectorId?: string): Promise<number> {
    return connectorId === undefined ? this.store.queueDepth() : this.store.queueDepth(connectorId);
  }
}

/** Accounts, groups, balances and quotas. */
export class Accounts {
  constructor(private readonly store: Store) {}

  byName(username: string): Promise<User | undefined> {
    return this.store.getUserByName(username);
  }

  byId(id: number): Promise<User | undefined> {
    return this.store.getUser(id);
  }

  list(): Promise<User[]> {
    return this.store.listUsers();
  }

  /** Creates the account, or replaces the one of that username. */
  put(spec: UserSpec): Promise<User> {
    return this.store.upsertUser(spec);
  }

  /** Balance in micro-units. */
  balance(userId: number): Promise<number> {
    return this.store.getBalance(userId);
  }

  /** Adds (or, negative, takes) credit; InvalidAccountError when the balance would go below zero. */
  topUp(
    o: { userId: number; balanceMicros?: number; smsCount?: number } & CreditNote,
  ): Promise<User | undefined> {
    const { userId, ...add } = o;
    return this.store.topUp(userId, add);
  }

  /** Sets the SMS-count quota (null: unlimited). */
  setSmsQuota(o: { userId: number; smsCount: number | null }): Promise<User | undefined> {
    return this.store.setSmsQuota(o.userId, o.smsCount);
  }

  group(id: string): Promise<Group | undefined> {
    return this.store.getGroup(id);
  }

  groups(): Promise<Group[]> {
    return this.store.listGroups();
  }

  putGroup(spec: GroupSpec): Promise<Group> {
    return this.store.upsertGroup(spec);
  }
}

/** REST API keys: only their SHA-256 is kept. */
export class ApiKeys {
  constructor(private readonly store: Store) {}

  add(o: { userId: number; keyHash: string; label?: string }): Promise<ApiKeyInfo> {
    return this.store.addApiKey(o.userId, o.keyHash, o.label);
  }

  list(userId: number): Promise<ApiKeyInfo[]> {
    return this.store.listApiKeys(userId);
  }

  /** The key revoked, or undefined when the user has no such key. */
  revoke(o: { userId: number; id: number }): Promise<ApiKeyInfo | undefined> {
    return this.store.revokeApiKey(o.userId, o.id);
  }

  /** The account a live key (by its hash) belongs to. */
  userOf(keyHash: string): Promise<User | undefined> {
    return this.store.getUserByApiKey(keyHash);
  }
}

/** Idempotency-Key records (draft-ietf-httpapi-idempotency-key-header), per user and key. */
export class IdempotencyRecords {
  constructor(private readonly store: Store) {}

  /** Claims (user, key) for a request whose body hashes to `bodyHash` (see Store.beginIdempotent). */
  begin(o: {
    userId: number;
    key: string;
    bodyHash: string;
    ttlMs: number;
    staleMs: number;
  }): Promise<IdempotencyBegin> {
    return this.store.beginIdempotent(o);
  }

  finish(o: { userId: number; key: string; status: number; response: string }): Promise<void> {
    return this.store.finishIdempotent(o);
  }

  /** Forgets an unfinished record (the request failed in a way a retry may fix). */
  abandon(o: { userId: number; key: string }): Promise<void> {
    return this.store.abandonIdempotent(o.userId, o.key);
  }
}

/** Inbound (MO) messages as stored, and the numbers that opted out. */
export class InboundViews {
  constructor(private readonly store: Store) {}

  /** Newest first. */
  list(o: MoQuery & { limit: number }): Promise<InboundMessage[]> {
    const { limit, ...q } = o;
    return this.store.listMo(limit, q);
  }

  count(): Promise<number> {
    return this.store.countMo();
  }
}

export class OptOuts {
  constructor(private readonly store: Store) {}

  list(o: { msisdn?: string; limit: number }): Promise<OptOut[]> {
    return this.store.listOptOuts(o);
  }

  has(o: { msisdn: string; sender: string }): Promise<boolean> {
    return this.store.isOptedOut(o.msisdn, o.sender);
  }

  set(o: { msisdn: string; sender: string; optedOut: boolean }): Promise<void> {
    return this.store.setOptOut(o.msisdn, o.sender, o.optedOut);
  }
}

/** Webhooks waiting to go out, and the log of attempts made. */
export class WebhookViews {
  constructor(private readonly store: Store) {}

  log(o: { messageId?: string; limit: number }): Promise<LoggedWebhookAttempt[]> {
    return this.store.listWebhookLog(o);
  }

  depth(): Promise<number> {
    return this.store.webhookDepth();
  }

  pending(o: { limit: number }): Promise<PendingWebhook[]> {
    return this.store.listPendingWebhooks(o.limit);
  }
}

/** Everything the interfaces read and change outside Gateway.submit/cancel. */
export interface InterfaceServices {
  messages: MessageViews;
  accounts: Accounts;
  apiKeys: ApiKeys;
  idempotency: IdempotencyRecords;
  inbound: InboundViews;
  optOuts: OptOuts;
  /** Erasure of a number on request (src/gateway/erasure.ts). */
  erasures: Erasures;
  webhooks: WebhookViews;
  /** The customer outbox the SMPP server delivers receipts and MOs from. */
  outbox: Outbox;
  /** A committed write through the store (readiness). */
  ping(): Promise<void>;
}

/** The services over one Store (the composition root's). */
export function interfaceServices(store: Store): InterfaceServices {
  return {
    messages: new MessageViews(store),
    accounts: new Accounts(store),
    apiKeys: new ApiKeys(store),
    idempotency: new IdempotencyRecords(store),
    inbound: new InboundViews(store),
    optOuts: new OptOuts(store),
    erasures: new Erasures(store),
    webhooks: new WebhookViews(store),
    outbox: new Outbox(store),
    ping: () => store.ping(),
  };
}

/** The services of the store a Gateway was built on, for tests and embedders that hold only a Gateway. */
export function servicesOf(gateway: { readonly services: InterfaceServices }): InterfaceServices {
  return gateway.services;
}
