/**
 * What the gateway needs from storage. Every method is async so that a networked
 * store (PostgreSQL) can implement the same contract as the embedded SQLite one.
 */
import type {
  Group,
  GroupSpec,
  MessageState,
  NewMessage,
  PartState,
  StoredMessage,
  User,
  UserSpec,
} from '../domain/index.js';

export interface QueueClaim {
  message: StoredMessage;
  attempts: number;
}

export interface OutboxItem {
  id: number;
  systemId: string;
  messageId: string;
  payload: string;
  attempts: number;
}

export interface MoPart {
  groupKey: string;
  seq: number;
  total: number;
  connectorId: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: Buffer;
}

export interface InboundMessage {
  id: string;
  connectorId: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: Buffer;
  complete: boolean;
  routedTo: string | null;
  /**
   * The URL an MO route sent it to (a `url` target), else null; with `routedTo` null too, no
   * route took it. Stored from migration 16 (SQLite) / 18 (PostgreSQL) on; older rows: null.
   */
  routedUrl?: string | null;
  receivedAt: number;
}

/**
 * How a joined MO is recorded: its id, the customer whose bind receives it (decided on
 * the joined message when a function: MO routes may filter on the full text), and the
 * outbox payload for that customer.
 */
export interface MoRecord {
  id: string;
  routedTo: string | null | ((m: Omit<InboundMessage, 'routedTo'>) => string | null);
  payload: (m: InboundMessage) => string;
  webhooks?: (m: InboundMessage) => NewWebhook[];
}

/** An outbound HTTP callback (Jasmin DLR, Jasmin MO, REST v1 status event) waiting to be delivered. */
export interface NewWebhook {
  /** The event id: the same on every attempt (row 21). */
  eventId: string;
  kind: 'jasmin_dlr' | 'jasmin_mo' | 'rest';
  /** The message (MT or MO) it reports on; items of one message are delivered in order. */
  messageId: string;
  /** The account whose secret signs it (REST), or '' for none. */
  owner: string;
  url: string;
  method: 'GET' | 'POST';
  /** JSON: Jasmin's fields (string values) or the REST event's `data`. */
  body: string;
  /** Not delivered after this time (ms since the epoch): dropped instead. */
  expiresAt: number;
}

export interface WebhookItem extends NewWebhook {
  id: number;
  /** Attempts so far, this one included. */
  attempts: number;
  createdAt: number;
}

/** One submit (segment) of a message, tracked on its own (row 22). */
export interface MessagePart {
  messageId: string;
  /** 1-based position in the message. */
  seq: number;
  total: number;
  state: PartState;
  connectorId: string | null;
  /** The SMSC's id from submit_sm_resp, as received. */
  upstreamId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The answer to `findPartByUpstreamKeys`. */
export interface PartMatch {
  message: StoredMessage;
  seq: number;
  /** Found under the first key asked for (the id's canonical form), not another rendering. */
  exact?: boolean;
  /** The part as stored; undefined when the message has no part rows (sent before parts were tracked). */
  part?: { upstreamId: string | null; state: PartState };
}

/** What `cancel` did. */
export type CancelOutcome = 'canceled' | 'not_found' | 'too_late';

/** What `applyReceiptByKeys` did: applied to a part (with the message's state), or parked. */
export type ReceiptOutcome =
  { parked: false; match: PartMatch; state: MessageState | undefined } | { parked: true };

/** One entry of a message's timeline; `seq` is the part of a multipart message, null for the message. */
export interface HistoryEntry {
  state: MessageState;
  at: number;
  detail: string | null;
  seq: number | null;
}

/** What a final state owes: the customer's SMPP outbox item, HTTP webhooks, or both. */
export interface FinalNotification {
  systemId?: string;
  payload?: string;
  /** Written in the same transaction as the final state (Jasmin DLR level 2, REST events). */
  webhooks?: NewWebhook[];
}

/**
 * Called inside the store's transaction when a message's aggregate state becomes final
 * (once per message); returns the outbox item for the customer, if they want one, and the
 * webhook items owed.
 */
export type FinalNotify = (
  state: MessageState,
  m: StoredMessage,
  parts: { total: number; delivered: number },
) => FinalNotification | undefined;

/** Filters of `listMessages`; ids are time-sortable, so they double as the cursor. */
export interface MessageFilter {
  limit: number;
  userId?: number;
  connectorId?: string;
  /** Only messages older than this id (newest first: the next page). */
  before?: string;
  /** Only messages newer than this id, oldest first (for following new messages). */
  after?: string;
  state?: MessageState;
  destination?: string;
  source?: string;
  /** created_at bounds, ms since the epoch (inclusive since, exclusive until). */
  since?: number;
  until?: number;
  /** MessageMeta.clientRef equals this. */
  clientRef?: string;
  /** MessageMeta.tags contains this. */
  tag?: string;
}

/** A REST API key as the store shows it: never the key, never its hash. */
export interface ApiKeyInfo {
  id: number;
  userId: number;
  /** The operator's note ("config" for keys from users[].apiKeys), or null. */
  label: string | null;
  createdAt: number;
  /** When it was revoked, or null while it authenticates. */
  revokedAt: number | null;
}

/** Filters of `listMo`; newest first by id. */
export interface MoQuery {
  /** Only MOs routed to this customer (username). */
  routedTo?: string;
  /** true: only MOs a route took (to a customer or a URL); false: only those no route took. */
  routed?: boolean;
  /** The handset (exact). */
  source?: string;
  /** Our number or short code (exact). */
  destination?: string;
  connectorId?: string;
  /** Only ids below this one (the previous page's last). */
  before?: string;
}

/** A stored Idempotency-Key record's answer to `beginIdempotent`. */
export type IdempotencyBegin =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; response: string }
  | { kind: 'mismatch' }
  | { kind: 'in_flight' };

export interface OptOut {
  msisdn: string;
  sender: string;
  at: number;
}

/** Message counts by connector and state. */
export interface MessageCount {
  connectorId: string;
  state: MessageState;
  count: number;
}

/** An outbox item still waiting for delivery (admin listing). */
export interface PendingWebhook {
  id: number;
  eventId: string;
  kind: NewWebhook['kind'];
  messageId: string;
  url: string;
  attempts: number;
  /** When it is tried next (ms since the epoch). */
  nextAt: number;
  expiresAt: number;
  createdAt: number;
  lastError: string | null;
}

/** One delivery attempt of a webhook, as the sender saw it. */
export interface WebhookAttempt {
  eventId: string;
  messageId: string;
  url: string;
  /** 1-based, counted over the event's life (the failover URL's attempts continue the count). */
  attempt: number;
  /** The HTTP status answered, null when no answer came (then `error` says why). */
  status: number | null;
  error: string | null;
  durationMs: number;
  /** ms since the epoch. */
  at: number;
}

export interface LoggedWebhookAttempt extends WebhookAttempt {
  id: number;
}

/** Who last wrote a connector definition or the route list: the configuration file or the admin API. */
export type DefinitionSource = 'config' | 'api';

/** A connector definition as stored (the form the file and the admin API take). */
export interface StoredConnector {
  id: string;
  /** null: removed through the admin API, and kept removed (a tombstone). */
  definition: Record<string, unknown> | null;
  source: DefinitionSource;
  /** ms since the epoch. */
  updatedAt: number;
}

/** The ordered MT route list as stored. */
/** Which route list: MT (customer → SMSC) or MO (SMSC → customer or webhook). */
export type RouteKind = 'mt' | 'mo';

/** The table of each route list (one row each), the same in both stores. */
export const ROUTE_TABLES: Record<RouteKind, string> = { mt: 'mt_routes', mo: 'mo_routes' };

export interface StoredRoutes {
  routes: Record<string, unknown>[];
  source: DefinitionSource;
  updatedAt: number;
}

/**
 * What a store that several nodes share tells a subscriber of `onDefinitionsChanged`:
 * `changed`, another node committed a change of the connector or route definitions;
 * `listening`, the subscription (re)connected, so a change may have gone by unseen and the
 * store should be read; `lost`, its connection failed and is retried in `retryInMs`.
 */
export type DefinitionsEvent =
  | { kind: 'changed'; node: string | undefined }
  | { kind: 'listening' }
  | { kind: 'lost'; error: Error; retryInMs: number };

export type AcceptResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'insufficient_balance' | 'sms_quota_exhausted' | 'user_disabled' | 'group_disabled' | 'no_user';
    };

/**
 * The history detail of a message whose queue lease a store freed when it opened (checklist
 * row 1): it was claimed by a process that is gone, so its submit may have reached the SMSC.
 */
export const RESTART_REQUEUE_DETAIL =
  'requeued after a restart: it may have been sent before; a resend can duplicate it';

export interface Store {
  /**
   * Messages whose queue lease this store freed when it opened (the process that held them
   * is gone): each got a `queued` history entry with RESTART_REQUEUE_DETAIL. The gateway
   * reports the count at start (a log line, a metric).
   */
  readonly restartRequeued: number;

  // users and groups
  getUserByName(username: string): Promise<User | undefined>;
  getUser(id: number): Promise<User | undefined>;
  /** Every user, by username. */
  listUsers(): Promise<User[]>;
  /**
   * Creates a user, or updates an existing one (by username): password, rate, enabled,
   * group and settings follow `u`; balance and SMS count are taken only at creation (later
   * changes go through topUp). Settings are validated (InvalidAccountError).
   */
  upsertUser(u: UserSpec): Promise<User>;
  getBalance(userId: number): Promise<number>;
  /**
   * Adds credit: `balanceMicros` to the balance, `smsCount` to the SMS-count quota (an
   * unlimited quota stays unlimited). Negative amounts take credit back but never below
   * zero (InvalidAccountError, nothing changed). Returns the user; undefined when unknown.
   */
  topUp(userId: number, add: { balanceMicros?: number; smsCount?: number }): Promise<User | undefined>;
  /** Sets the SMS-count quota outright (null = unlimited). */
  setSmsQuota(userId: number, smsCount: number | null): Promise<User | undefined>;
  getGroup(id: string): Promise<Group | undefined>;
  listGroups(): Promise<Group[]>;
  /** Creates or updates a group (description and enabled follow `g`). */
  upsertGroup(g: GroupSpec): Promise<Group>;

  /**
   * Debits the price (and `meta.segments`, default 1, from a limited SMS-count quota)
   * and stores the message and its queue entry in one transaction; the caller
   * acknowledges the customer only after this resolves (the message is durable). A
   * balance or quota too low, a disabled user or a disabled group refuses the message;
   * neither the balance nor the quota ever goes negative. The queue entry is not due
   * before `meta.scheduleAt`.
   */
  accept(m: NewMessage): Promise<AcceptResult>;

  getMessage(id: string): Promise<StoredMessage | undefined>;
  /**
   * State history, oldest first. A multipart message records its parts' events (with
   * `seq`) and its aggregate state changes (seq null); a single-part message only the latter.
   */
  history(id: string): Promise<HistoryEntry[]>;
  /** The parts of a message in order (empty until its first part was submitted or failed). */
  getParts(id: string): Promise<MessagePart[]>;
  /** Newest first (or oldest first with `after`), at most `limit`. */
  listMessages(f: MessageFilter): Promise<StoredMessage[]>;
  /** Counts of every message by connector and state. */
  countMessages(): Promise<MessageCount[]>;

  /** Leases up to `limit` due queue entries of a connector for `leaseMs`. Expired leases return. */
  claim(connectorId: string, limit: number, leaseMs: number): Promise<QueueClaim[]>;
  /** Back to the queue after `delayMs` (transient failure). */
  release(id: string, delayMs: number, detail: string): Promise<void>;
  /** Moves a queued message to another connector (failover), due now. */
  reassign(id: string, connectorId: string, detail: string): Promise<void>;
  /**
   * The customer cancels a message that has not gone out (cancel_sm, REST cancel): only
   * while it waits in the queue unleased (scheduled, in back-off, behind a connector that is
   * down) with no part sent. It leaves the queue and ends `canceled` with `detail`, its
   * price and SMS count go back, and `notify` runs as for any final state. `not_found`: no
   * such message of `userId`; `too_late`: sent, in flight or already final.
   */
  cancel(id: string, userId: number, detail: string, notify: FinalNotify): Promise<CancelOutcome>;
  /** A final state without a receipt (permanent failure, expiry); refunds price and SMS count when `refund`. */
  fail(id: string, state: MessageState, detail: string, refund: boolean): Promise<void>;

  /**
   * Part `seq` of `total` was accepted upstream: the parts are created (queued) at the
   * first, the upstream id is keyed to the part under its canonical form `keys[0]`
   * (messageIdKeys order), which takes the key over from any older id; once no part is
   * left queued the message is `sent` and leaves the queue. Only the canonical form is
   * stored: a receipt is looked up under every rendering of its own id (hex ↔ decimal),
   * which finds the same part with one write instead of three, and two concurrent ids
   * such as hex 0b (decimal 11) and hex 11 never share a key.
   */
  markPartSent(
    id: string,
    seq: number,
    total: number,
    connectorId: string,
    upstreamId: string,
    keys: string[],
  ): Promise<void>;
  /**
   * One more upstream id for part `seq` of `total`, which keeps its state and its stored
   * upstream id (row 5: the SMSC accepted the part twice, a late submit_sm_resp and a resend;
   * or it accepted it after the message had ended). The id is keyed to the part under its
   * canonical form `keys[0]` as markPartSent keys it, so its receipts find the part, and
   * `detail` goes into the history as a `sent` entry of that part.
   */
  addUpstreamId(id: string, seq: number, total: number, keys: string[], detail: string): Promise<void>;
  /**
   * A receipt for one part: the part's state and history, then the message's aggregate
   * state. A part already final is left alone. `notify` runs once, when the aggregate
   * becomes final. Resolves with the message's state.
   */
  applyPartReceipt(
    id: string,
    seq: number,
    state: PartState,
    detail: string,
    notify: FinalNotify,
  ): Promise<MessageState | undefined>;
  /**
   * A permanent failure: every part of `total` not accepted upstream becomes `failed`;
   * when `refund`, the price of those parts (price × unsent / total) goes back to the
   * account; the message leaves the queue and takes its aggregate state (`notify` as above).
   */
  failUnsent(
    id: string,
    total: number,
    detail: string,
    refund: boolean,
    notify: FinalNotify,
  ): Promise<MessageState | undefined>;
  /**
   * The part an upstream id belongs to, by the first of its keys that is known (keys[0]
   * first), with that part's upstream id and state as stored (null/undefined for a message
   * sent before parts were tracked).
   */
  findPartByUpstreamKeys(keys: string[]): Promise<PartMatch | undefined>;

  /**
   * A receipt, looked up and applied in one write: the part found under `keys` (as
   * findPartByUpstreamKeys finds it) is offered to `own`; when it is the receipt's own part,
   * the receipt is applied to it as applyPartReceipt does. Otherwise (no part, or not its
   * own) the receipt is parked under `parkKeys` (default `keys`; row 7) in the same
   * transaction as the lookup.
   */
  applyReceiptByKeys(
    keys: string[],
    own: (m: PartMatch) => boolean,
    state: PartState,
    detail: string,
    notify: FinalNotify,
    parkPayload: string,
    parkKeys?: string[],
  ): Promise<ReceiptOutcome>;

  /** The receipts parked under `keys` (row 7: they came before their submit_sm_resp was stored), taken once. */
  takeParkedReceipts(keys: string[]): Promise<string[]>;
  /** Applies a receipt's state; adds an outbox item for the customer when `notify`. */
  applyReceipt(
    id: string,
    state: MessageState,
    detail: string,
    notify: { systemId: string; payload: string } | undefined,
  ): Promise<void>;

  /** Receipts waiting for a customer's SMPP bind. */
  claimOutbox(systemId: string, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  ackOutbox(id: number): Promise<void>;
  retryOutbox(id: number, delayMs: number): Promise<void>;

  /**
   * Stores one inbound part durably. When it completes its group, the parts are joined,
   * stored as one MO (with an outbox item for `routedTo`) and removed, in one transaction;
   * the MO is returned. Duplicate parts are ignored.
   */
  addMoPart(part: MoPart, mo: MoRecord): Promise<InboundMessage | undefined>;
  /** Groups older than `olderThanMs` become incomplete MOs (parts joined in order). */
  releaseStaleMoParts(olderThanMs: number, mo: (groupKey: string) => MoRecord): Promise<InboundMessage[]>;
  /** Inbound messages, newest first (by id). */
  listMo(limit: number, q?: MoQuery): Promise<InboundMessage[]>;
  setOptOut(msisdn: string, sender: string, optedOut: boolean): Promise<void>;
  isOptedOut(msisdn: string, sender: string): Promise<boolean>;
  /** Opt-outs by number then sender; `msisdn` filters one number. */
  listOptOuts(f: { msisdn?: string; limit: number }): Promise<OptOut[]>;
  countMo(): Promise<number>;

  /**
   * Webhook outbox. Writes requested in the same turn of the event loop commit in one
   * transaction on both stores (group commit), so the gateway calls `addWebhooks` in the
   * same turn as the state change it reports: both are stored, or neither.
   */
  addWebhooks(items: NewWebhook[]): Promise<void>;
  /**
   * Leases up to `limit` due items. An item is due only when no older item of the same
   * message is still pending, so one message's events are delivered in order.
   */
  claimWebhooks(limit: number, leaseMs: number): Promise<WebhookItem[]>;
  /** Delivered: removed. */
  ackWebhook(id: number): Promise<void>;
  /** Failed attempt: due again after `delayMs`, with the error kept. */
  retryWebhook(id: number, delayMs: number, error: string): Promise<void>;
  /** Given up (a refused URL, a redirect): removed. */
  dropWebhook(id: number): Promise<void>;
  /** Removes items past their expiry; returns them (for the log). */
  expireWebhooks(): Promise<WebhookItem[]>;
  webhookDepth(): Promise<number>;

  queueDepth(connectorId?: string): Promise<number>;

  /** Newest first (or oldest first with `after`), at most `limit`, filtered (REST v1 and admin listings). */
  listMessages(f: MessageFilter): Promise<StoredMessage[]>;

  // API keys: only the sha256 of a key is stored.
  /**
   * Adds a key to a user and returns it as stored; adding the same hash again is a no-op
   * that returns the key already stored (revoked or not: a revoked key stays revoked).
   */
  addApiKey(userId: number, keyHash: string, label?: string): Promise<ApiKeyInfo>;
  /** The user's keys that are not revoked, oldest first. Never the hash. */
  listApiKeys(userId: number): Promise<ApiKeyInfo[]>;
  /**
   * Revokes one of the user's keys: it stops authenticating at once (its row stays, so the
   * configuration cannot add the same key back). Undefined when the user has no such key
   * or it was revoked already.
   */
  revokeApiKey(userId: number, id: number): Promise<ApiKeyInfo | undefined>;
  /** The enabled or disabled user a key hash that is not revoked belongs to. */
  getUserByApiKey(keyHash: string): Promise<User | undefined>;

  /**
   * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): atomically claims
   * (user, key) for a request whose body hashes to `bodyHash`. `new`: the caller runs the
   * request and calls `finishIdempotent` (or `abandonIdempotent`). An expired record, or
   * an unfinished one older than `staleMs` (its request died with its node), is taken over.
   */
  beginIdempotent(
    userId: number,
    key: string,
    bodyHash: string,
    ttlMs: number,
    staleMs: number,
  ): Promise<IdempotencyBegin>;
  finishIdempotent(userId: number, key: string, status: number, response: string): Promise<void>;
  /** Forgets an unfinished record (the request failed in a way a retry may fix). */
  abandonIdempotent(userId: number, key: string): Promise<void>;

  /** Readiness probe: one committed write through the store's normal write path. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Operator views (admin API, metrics); added after the rest so the hot paths stay untouched.
  /**
   * Per connector, when its oldest due queue entry became due (ms since the epoch; leased
   * entries count, scheduled ones not yet due do not). Connectors with nothing due are absent.
   */
  queueOldestDue(): Promise<{ connectorId: string; dueAt: number }[]>;
  /** The webhook outbox, oldest first, at most `limit`. */
  listPendingWebhooks(limit: number): Promise<PendingWebhook[]>;
  /** Records delivery attempts (the webhook log). */
  logWebhookAttempts(entries: WebhookAttempt[]): Promise<void>;
  /** The webhook log, newest first; `messageId` filters one message's events. */
  listWebhookLog(f: { messageId?: string; limit: number }): Promise<LoggedWebhookAttempt[]>;
  /** Deletes log entries beyond the newest `keep` or older than `olderThan` (ms since the epoch); returns how many. */
  pruneWebhookLog(f: { keep?: number; olderThan?: number }): Promise<number>;
  /**
   * Drops receipts parked longer than `olderThanMs` (ids no submit_sm_resp of ours ever
   * claimed, or a redelivery that only matched a finished part through another rendering
   * of its id); returns how many rows went.
   */
  expireParkedReceipts(olderThanMs: number): Promise<number>;
  /**
   * Drops the customer outbox items (receipts and MOs held for an SMPP bind) whose hold time
   * ran out by `now` (default: the present) without a delivery; returns how many went.
   * Items share one time to live, so they expire in id order: the sweep reads from the
   * oldest up to the first one still held, never the whole outbox.
   */
  expireOutbox(now?: number): Promise<number>;
  /**
   * Stops waiting for receipts (Jasmin's `dlr_expiry`): up to `limit` parts that connector
   * `connectorId` got accepted upstream (state `sent` or `unknown`) and that heard nothing
   * since `before` (ms since the epoch: their submit_sm_resp or last intermediate receipt),
   * oldest first, become `expired` with `detail`, each in its history; the message takes its
   * aggregate state and `notify` runs once when it becomes final, as for a receipt. Not
   * refunded: the SMSC accepted the message. Served by an index on the waiting parts.
   * Returns each part changed, with its message's state.
   */
  expireAwaitingReceipts(
    connectorId: string,
    before: number,
    limit: number,
    detail: string,
    notify: FinalNotify,
  ): Promise<ExpiredPart[]>;

  // Connectors and routes changed at runtime (seeded from the file at start, see docs/configuration.md).
  /** Every stored connector definition, tombstones included, in the order they were first stored. */
  listConnectorDefinitions(): Promise<StoredConnector[]>;
  /** Creates or replaces one (a replaced definition keeps its place in the order); null stores a tombstone. */
  putConnectorDefinition(
    id: string,
    definition: Record<string, unknown> | null,
    source: DefinitionSource,
  ): Promise<void>;
  /** Forgets a definition or tombstone altogether; false when there was none. */
  deleteConnectorDefinition(id: string): Promise<boolean>;
  /** The stored MT (default) or MO route list; undefined before the first start wrote one. */
  getRouteDefinitions(kind?: RouteKind): Promise<StoredRoutes | undefined>;
  /** Replaces the whole ordered MT (default) or MO route list. */
  putRouteDefinitions(
    routes: Record<string, unknown>[],
    source: DefinitionSource,
    kind?: RouteKind,
  ): Promise<void>;
  /**
   * Pushes changes of the definitions above that other nodes commit (a store several nodes
   * share: PostgreSQL LISTEN/NOTIFY), so they apply within moments rather than at the next
   * poll. Best effort: a change made while the subscription is down is not replayed, which is
   * why `listening` follows every (re)connect. Returns the unsubscribe; `close()` ends it too.
   * A single-node store (SQLite) leaves it out.
   */
  onDefinitionsChanged?(listener: (event: DefinitionsEvent) => void): () => void;
}

/** A part `expireAwaitingReceipts` gave up on, and its message's state after. */
export interface ExpiredPart {
  id: string;
  seq: number;
  state: MessageState | undefined;
}
