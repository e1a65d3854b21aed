/**
 * What the gateway needs from storage. Every method is async so that a networked
 * store (PostgreSQL) can implement the same contract as the embedded SQLite one.
 */
import type { ClusterStore } from './cluster.js';
import type { LifecycleStore } from './lifecycle.js';
import type { MediaRecordStore } from './media.js';
import type {
  Group,
  GroupSpec,
  MediaRef,
  MessageMeta,
  MessageState,
  NewMessage,
  PartState,
  StoredMessage,
  User,
  UserSpec,
} from '../domain/index.js';
import type { AcceptOptions, CreditNote, LowBalanceCrossing, MoneyStore } from './money.js';

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
  /** An inbound MMS's media (its only part; the body holds its text, UCS-2 or GSM per dataCoding). */
  media?: MediaRef[];
  /** An inbound MMS's subject, when it has one. */
  subject?: string;
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
  /** An inbound MMS's media (docs/mms.md); absent for an SMS. */
  media?: MediaRef[];
  /** An inbound MMS's subject (MM7 DeliverReq Subject, a provider's `subject`); absent without one. */
  subject?: string;
}

/** Who a joined MO goes to, as its MO route decided: a customer's bind (with the outbox payload for it) and the webhooks it owes. */
export interface MoDelivery {
  /** The customer whose bind receives it, or null. */
  routedTo: string | null;
  /** The outbox item for `routedTo`. */
  payload?: string;
  /** Written in the MO's own transaction: an MO stored is an MO whose webhook is queued. */
  webhooks: NewWebhook[];
  /** The webhook route's target (url, method), for the caller's report. */
  target?: { url: string; method: 'GET' | 'POST' };
}

/**
 * How a joined MO is recorded: its id, and a pure function of the joined message (MO routes
 * may filter on the full text) that says who it goes to. The store calls it inside its
 * transaction and returns its answer; it must have no effects.
 */
export interface MoRecord {
  id: string;
  route: (m: Omit<InboundMessage, 'routedTo' | 'routedUrl'>) => MoDelivery;
}

/** A joined MO as stored, and where it went. */
export interface StoredMo {
  mo: InboundMessage;
  delivery: MoDelivery;
}

/** An outbound HTTP callback (Jasmin DLR, Jasmin MO, REST v1 status event, Telnyx event of /v2) waiting to be delivered. */
export interface NewWebhook {
  /** The event id: the same on every attempt, so a receiver can drop a redelivery (docs/jasmin-http-api.md). */
  eventId: string;
  /** `email`: an inbound MMS mailed through SMTP (docs/mms.md), `url` its `mailto:`. */
  kind: 'jasmin_dlr' | 'jasmin_mo' | 'kannel_dlr' | 'kannel_mo' | 'rest' | 'telnyx' | 'email';
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

/** One submit (segment) of a message, tracked on its own (a long message is charged and reported per part). */
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
  | { parked: false; match: PartMatch; state: MessageState | undefined; notified?: FinalNotification }
  | { parked: true };

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
  /** A callback that could not be built (the store ignores it; the caller reports it after the commit). */
  webhookError?: unknown;
}

/** A message that just became final: its state, the message as it is now, and its parts. */
export interface FinalState {
  state: MessageState;
  message: StoredMessage;
  parts: { total: number; delivered: number };
}

/**
 * A pure description of what a message that becomes final owes: the store calls it inside
 * its transaction (once per message that becomes final), writes its answer in that same
 * transaction and returns it. It must have no effects: it only reads its argument.
 */
export type FinalNotice = (final: FinalState) => FinalNotification | undefined;

/** What a store write that can end a message did: the message's state after it, and what it owed if it became final. */
export interface Settled {
  state: MessageState | undefined;
  notified?: FinalNotification;
}

/** `markPartSent`: part `seq` of `total` accepted upstream by `connectorId` with `upstreamId`, keyed under `keys[0]`. */
export interface PartSent {
  id: string;
  seq: number;
  total: number;
  connectorId: string;
  upstreamId: string;
  keys: string[];
}

/** `addUpstreamId`: one more upstream id for part `seq` of `total`, keyed under `keys[0]`, `detail` in the history. */
export interface ExtraUpstreamId {
  id: string;
  seq: number;
  total: number;
  keys: string[];
  detail: string;
}

/** `applyPartReceipt`: a receipt's state for part `seq` of message `id`. */
export interface PartReceipt {
  id: string;
  seq: number;
  state: PartState;
  detail: string;
  notice: FinalNotice;
  /**
   * A parked receipt (`parkedReceipts`): applied only while it is still parked under
   * `keys`, and unparked in the same transaction, so it is applied at most once however
   * often it is tried (a retry after an answer lost with its connection, a second taker).
   */
  parked?: { keys: string[]; payload: string };
}

/** `applyReceiptByKeys`: a receipt looked up under `keys`, parked under `park.keys` (default `keys`) when not its own part's. */
export interface KeyedReceipt {
  keys: string[];
  /** The receipt's id as received: decides whether a part found is its own (domain isOwnPart). */
  receiptId: string;
  state: PartState;
  detail: string;
  notice: FinalNotice;
  park: { payload: string; keys?: string[] };
}

/** `failUnsent`: a permanent failure of message `id` split into `total` parts. */
export interface UnsentFailure {
  id: string;
  total: number;
  detail: string;
  refund: boolean;
  notice: FinalNotice;
}

/**
 * `resendAsSms`: a queued MMS that a connector refused, re-sent under its own id as the SMS
 * with media links (docs/mms.md, "Fallback after a refusal"): its new content, meta (no
 * `media`), price, charged segments and connector, and the history detail.
 */
export interface SmsResend {
  id: string;
  connectorId: string;
  body: Buffer;
  dataCoding: number;
  esmClass: number;
  meta: MessageMeta;
  priceMicros: number;
  segments: number;
  detail: string;
}

/** What `resendAsSms` did: `too_late` (final, gone or a part accepted upstream), `insufficient` (balance or quota). */
export type ResendOutcome = 'resent' | 'too_late' | 'insufficient';

/**
 * `moveQueued`: one batch of a down connector's waiting messages, moved along their routes
 * (failover of messages already queued, docs/routing.md).
 */
export interface QueueMove {
  /** The connector that is down. */
  from: string;
  /** Per route name (a message's `meta.route`), the connector its messages move to and the history detail. */
  targets: { route: string; to: string; detail: string }[];
  /** At most this many messages. */
  limit: number;
}

/** A message `moveQueued` moved, and where to. */
export interface MovedMessage {
  id: string;
  to: string;
}

/** `cancel`: the customer `userId` takes back message `id`. */
export interface CancelRequest {
  id: string;
  userId: number;
  detail: string;
  notice: FinalNotice;
}

/** What `cancel` did, and what it owed when it canceled. */
export interface CancelResult {
  outcome: CancelOutcome;
  notified?: FinalNotification;
}

/** `fail`: a final state without a receipt; price and SMS count back when `refund`. */
export interface Failure {
  id: string;
  state: MessageState;
  detail: string;
  refund: boolean;
}

/** `applyReceipt`: a message-level state with its history detail, and the customer's outbox item, if owed. */
export interface MessageReceipt {
  id: string;
  state: MessageState;
  detail: string;
  item?: { systemId: string; payload: string };
}

/** `expireAwaitingReceipts`: up to `limit` parts of `connectorId` that heard nothing since `before`. */
export interface AwaitingExpiry {
  connectorId: string;
  before: number;
  limit: number;
  detail: string;
  notice: FinalNotice;
}

/** `beginIdempotent`: claims (`userId`, `key`) for a request whose body hashes to `bodyHash`. */
export interface IdempotencyClaim {
  userId: number;
  key: string;
  bodyHash: string;
  ttlMs: number;
  staleMs: number;
}

/** `finishIdempotent`: the answer a claimed request gave, kept for its replays. */
export interface IdempotencyAnswer {
  userId: number;
  key: string;
  status: number;
  response: string;
}

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
  /** MessageMeta.campaign equals this (the SMS engine's campaign id). */
  campaign?: string;
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
  | {
      ok: true;
      /** The charge took the balance below the low-balance threshold. */ lowBalance?: LowBalanceCrossing;
    }
  | {
      ok: false;
      reason:
        | 'insufficient_balance'
        | 'sms_quota_exhausted'
        | 'user_disabled'
        | 'group_disabled'
        | 'no_user'
        /** `onceOnly` and a message with this id exists: nothing was written or charged. */
        | 'duplicate_id';
    };

/**
 * The history detail of a message whose queue lease a store freed when it opened: it was
 * claimed by a process that is gone, so its submit may have reached the SMSC.
 */
export const RESTART_REQUEUE_DETAIL =
  'requeued after a restart: it may have been sent before; a resend can duplicate it';

/** Accounts and billing: users, groups, balances and SMS-count quotas. */
export interface AccountStore {
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
   * The change is a ledger entry (`kind`, default topup, or adjustment when negative) in the
   * same transaction, with the note and who made it.
   */
  topUp(
    userId: number,
    add: { balanceMicros?: number; smsCount?: number } & CreditNote,
  ): Promise<User | undefined>;

  /** Sets the SMS-count quota outright (null = unlimited). */
  setSmsQuota(userId: number, smsCount: number | null): Promise<User | undefined>;

  getGroup(id: string): Promise<Group | undefined>;

  listGroups(): Promise<Group[]>;

  /** Creates or updates a group (description and enabled follow `g`). */
  upsertGroup(g: GroupSpec): Promise<Group>;
}

/** Messages and their queue: accept, claim, send, fail, cancel, and the listings. */
export interface MessageStore {
  /**
   * Messages whose queue lease this store freed when it opened (the process that held them
   * is gone): each got a `queued` history entry with RESTART_REQUEUE_DETAIL. The gateway
   * reports the count at start (a log line, a metric).
   */
  readonly restartRequeued: number;

  /**
   * Debits the price (and `meta.segments`, default 1, from a limited SMS-count quota)
   * and stores the message and its queue entry in one transaction; the caller
   * acknowledges the customer only after this resolves (the message is durable). A
   * balance or quota too low, a disabled user or a disabled group refuses the message;
   * neither the balance nor the quota ever goes negative. The queue entry is not due
   * before `meta.scheduleAt`.
   */
  accept(m: NewMessage, opts?: AcceptOptions): Promise<AcceptResult>;

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
   * Moves up to `limit` of the messages queued for `from` whose route is one of `targets`
   * to that route's connector, in one statement (one transaction): due at once there, their
   * attempts counted afresh, `messages.connector_id` following, a `queued` history entry
   * each with the target's detail. Only messages that can move without being sent twice:
   * not leased (no dispatcher holds them), no part accepted upstream or ended (a message
   * mid-multipart stays with its connector), and due or in back-off (a scheduled message
   * not yet due stays). Highest priority, then oldest first. Returns what moved.
   */
  moveQueued(m: QueueMove): Promise<MovedMessage[]>;

  /**
   * The customer cancels a message that has not gone out (cancel_sm, REST cancel): only
   * while it waits in the queue unleased (scheduled, in back-off, behind a connector that is
   * down) with no part sent. It leaves the queue and ends `canceled` with `detail`, its
   * price and SMS count go back, and `notice` is written as for any final state. `not_found`:
   * no such message of `userId`; `too_late`: sent, in flight or already final.
   */
  cancel(c: CancelRequest): Promise<CancelResult>;

  /** A final state without a receipt (permanent failure, expiry); refunds price and SMS count when `refund`. */
  fail(f: Failure): Promise<void>;

  /**
   * Part `seq` of `total` was accepted upstream: the parts are created (queued) at the
   * first, the upstream id is keyed to the part under its canonical form `keys[0]`
   * (messageIdKeys order), which takes the key over from any older id; once no part is
   * left queued the message is `sent` and leaves the queue. Only the canonical form is
   * stored: a receipt is looked up under every rendering of its own id (hex ↔ decimal),
   * which finds the same part with one write instead of three, and two concurrent ids
   * such as hex 0b (decimal 11) and hex 11 never share a key.
   */
  markPartSent(p: PartSent): Promise<void>;

  /**
   * One more upstream id for part `seq` of `total`, which keeps its state and its stored
   * upstream id (the SMSC accepted the part twice: a late submit_sm_resp and a resend;
   * or it accepted it after the message had ended). The id is keyed to the part under its
   * canonical form `keys[0]` as markPartSent keys it, so its receipts find the part, and
   * `detail` goes into the history as a `sent` entry of that part.
   */
  addUpstreamId(u: ExtraUpstreamId): Promise<void>;

  /**
   * A permanent failure: every part of `total` not accepted upstream becomes `failed`;
   * when `refund`, the price of those parts (price × unsent / total) goes back to the
   * account; the message leaves the queue and takes its aggregate state (`notice` as above).
   */
  failUnsent(f: UnsentFailure): Promise<Settled>;

  /**
   * An MMS a connector refused goes out as an SMS under the same id (`SmsResend`), in one
   * transaction, only while it is queued with no part accepted upstream: its price and SMS
   * count back (a `refund` entry), `priceMicros` and `segments` charged (a `charge` entry;
   * `insufficient`, nothing changed, when the balance or quota would go negative), the
   * message rewritten, its part rows dropped, its queue entry moved to `connectorId` due now
   * with its attempts counted afresh, and a `queued` history entry with `detail`.
   */
  resendAsSms(r: SmsResend): Promise<ResendOutcome>;

  queueDepth(connectorId?: string): Promise<number>;

  /**
   * Per connector, when its oldest due queue entry became due (ms since the epoch; leased
   * entries count, scheduled ones not yet due do not). Connectors with nothing due are absent.
   */
  queueOldestDue(): Promise<{ connectorId: string; dueAt: number }[]>;
}

/** Delivery receipts: matched to parts, parked, applied, and the sweeps that stop waiting. */
export interface ReceiptStore {
  /**
   * A receipt for one part: the part's state and history, then the message's aggregate
   * state. A part already final is left alone. `notice` is written once, when the aggregate
   * becomes final. Resolves with the message's state and what it owed.
   */
  applyPartReceipt(r: PartReceipt): Promise<Settled>;

  /**
   * The part an upstream id belongs to, by the first of its keys that is known (keys[0]
   * first), with that part's upstream id and state as stored (null/undefined for a message
   * sent before parts were tracked).
   */
  findPartByUpstreamKeys(keys: string[]): Promise<PartMatch | undefined>;

  /**
   * A receipt, looked up and applied in one write: when the part found under `keys` (as
   * findPartByUpstreamKeys finds it) is the receipt's own (domain isOwnPart), the receipt is
   * applied to it as applyPartReceipt does. Otherwise (no part, or not its own) the receipt
   * is parked under `park.keys` (default `keys`: it came before its submit_sm_resp was
   * stored) in the same transaction as the lookup.
   */
  applyReceiptByKeys(r: KeyedReceipt): Promise<ReceiptOutcome>;

  /**
   * The receipts parked under `keys` (they came before their submit_sm_resp was stored),
   * left parked: each goes when applied (`applyPartReceipt` with `parked`), in the same
   * transaction, so a lost answer never loses a receipt.
   */
  parkedReceipts(keys: string[]): Promise<string[]>;

  /** Applies a receipt's state; adds the customer's outbox `item` when given. */
  applyReceipt(r: MessageReceipt): Promise<void>;

  /**
   * Drops receipts parked longer than `olderThanMs` (ids no submit_sm_resp of ours ever
   * claimed, or a redelivery that only matched a finished part through another rendering
   * of its id); returns how many rows went.
   */
  expireParkedReceipts(olderThanMs: number): Promise<number>;

  /**
   * Stops waiting for receipts (Jasmin's `dlr_expiry`): up to `limit` parts that connector
   * `connectorId` got accepted upstream (state `sent` or `unknown`) and that heard nothing
   * since `before` (ms since the epoch: their submit_sm_resp or last intermediate receipt),
   * oldest first, become `expired` with `detail`, each in its history; the message takes its
   * aggregate state and `notice` is written once when it becomes final, as for a receipt. Not
   * refunded: the SMSC accepted the message. Served by an index on the waiting parts.
   * Returns each part changed, with its message's state and what it owed.
   */
  expireAwaitingReceipts(e: AwaitingExpiry): Promise<ExpiredPart[]>;
}

/** Inbound messages (MO) and opt-outs. */
export interface MoStore {
  /**
   * Stores one inbound part durably. When it completes its group, the parts are joined,
   * stored as one MO (with what `mo.route` decided: an outbox item, webhooks) and removed, in
   * one transaction; the MO and its delivery are returned. Duplicate parts are ignored.
   */
  addMoPart(part: MoPart, mo: MoRecord): Promise<StoredMo | undefined>;

  /** Groups older than `olderThanMs` become incomplete MOs (parts joined in order). */
  releaseStaleMoParts(olderThanMs: number, mo: (groupKey: string) => MoRecord): Promise<StoredMo[]>;

  /** Inbound messages, newest first (by id). */
  listMo(limit: number, q?: MoQuery): Promise<InboundMessage[]>;

  setOptOut(msisdn: string, sender: string, optedOut: boolean): Promise<void>;

  isOptedOut(msisdn: string, sender: string): Promise<boolean>;

  /** Opt-outs by number then sender; `msisdn` filters one number. */
  listOptOuts(f: { msisdn?: string; limit: number }): Promise<OptOut[]>;

  countMo(): Promise<number>;
}

/** What the customers are owed: the SMPP outbox and the webhook outbox, with its log. */
export interface NotificationStore {
  /** Receipts waiting for a customer's SMPP bind. */
  claimOutbox(systemId: string, limit: number, leaseMs: number): Promise<OutboxItem[]>;

  ackOutbox(id: number): Promise<void>;

  retryOutbox(id: number, delayMs: number): Promise<void>;

  /**
   * Drops the customer outbox items (receipts and MOs held for an SMPP bind) whose hold time
   * ran out by `now` (default: the present) without a delivery; returns how many went.
   * Items share one time to live, so they expire in id order: the sweep reads from the
   * oldest up to the first one still held, never the whole outbox.
   */
  expireOutbox(now?: number): Promise<number>;

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

  /** The webhook outbox, oldest first, at most `limit`. */
  listPendingWebhooks(limit: number): Promise<PendingWebhook[]>;

  /** Records delivery attempts (the webhook log). */
  logWebhookAttempts(entries: WebhookAttempt[]): Promise<void>;

  /** The webhook log, newest first; `messageId` filters one message's events. */
  listWebhookLog(f: { messageId?: string; limit: number }): Promise<LoggedWebhookAttempt[]>;

  /** Deletes log entries beyond the newest `keep` or older than `olderThan` (ms since the epoch); returns how many. */
  pruneWebhookLog(f: { keep?: number; olderThan?: number }): Promise<number>;
}

/** REST API keys: only the sha256 of a key is stored. */
export interface ApiKeyStore {
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
}

/** Idempotency-Key records of the REST API. */
export interface IdempotencyStore {
  /**
   * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): atomically claims
   * (user, key) for a request whose body hashes to `bodyHash`. `new`: the caller runs the
   * request and calls `finishIdempotent` (or `abandonIdempotent`). An expired record, or
   * an unfinished one older than `staleMs` (its request died with its node), is taken over.
   */
  beginIdempotent(c: IdempotencyClaim): Promise<IdempotencyBegin>;

  finishIdempotent(a: IdempotencyAnswer): Promise<void>;

  /** Forgets an unfinished record (the request failed in a way a retry may fix). */
  abandonIdempotent(userId: number, key: string): Promise<void>;
}

/** Connectors and routes changed at runtime (seeded from the file at start, see docs/configuration.md). */
export interface DefinitionStore {
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

/**
 * What the gateway needs from storage, by aggregate. Every method is async so that a
 * networked store (PostgreSQL) can implement the same contract as the embedded SQLite one.
 */
export interface Store
  extends
    LifecycleStore,
    MediaRecordStore,
    AccountStore,
    MessageStore,
    ReceiptStore,
    MoStore,
    NotificationStore,
    ApiKeyStore,
    IdempotencyStore,
    DefinitionStore,
    MoneyStore {
  /** Membership and named leases (one node on SQLite; docs/scaling.md). */
  readonly cluster: ClusterStore;

  /** Readiness probe: one committed write through the store's normal write path. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

/** A part `expireAwaitingReceipts` gave up on, and its message's state after. */
export interface ExpiredPart {
  id: string;
  seq: number;
  state: MessageState | undefined;
  notified?: FinalNotification;
}
