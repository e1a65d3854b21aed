/**
 * The embedded store: one SQLite file in WAL mode (better-sqlite3). Writes are committed
 * in groups: the `accept()` calls and other writes made in the same turn of the event
 * loop share one transaction, and each resolves only after that commit.
 * synchronous=NORMAL survives a process crash (kill -9); FULL also survives power loss.
 */
import { SingleNodeClusterStore } from '../cluster.js';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  acceptedDetail,
  aggregateState,
  isOwnPart,
  smsOf,
  topUpAmounts,
  afterTopUp,
  unsentRefund,
  FINAL_STATES,
  InvalidAccountError,
  checkSmsCount,
  userSettings,
  type Group,
  type GroupSpec,
  type MessageMeta,
  type MessageState,
  type NewMessage,
  type PartState,
  type StoredMessage,
  type User,
  type UserSettingsSpec,
  type UserSpec,
} from '../../domain/index.js';
import type {
  ApiKeyInfo,
  AcceptResult,
  FinalNotification,
  FinalNotice,
  Settled,
  PartSent,
  ExtraUpstreamId,
  PartReceipt,
  KeyedReceipt,
  UnsentFailure,
  SmsResend,
  ResendOutcome,
  CancelRequest,
  QueueMove,
  MovedMessage,
  CancelResult,
  Failure,
  MessageReceipt,
  AwaitingExpiry,
  IdempotencyClaim,
  IdempotencyAnswer,
  StoredMo,
  HistoryEntry,
  InboundMessage,
  MessagePart,
  MoPart,
  MoRecord,
  OutboxItem,
  QueueClaim,
  Store,
  NewWebhook,
  WebhookItem,
  IdempotencyBegin,
  MessageFilter,
  MoQuery,
  MessageCount,
  OptOut,
  PartMatch,
  ReceiptOutcome,
  ExpiredPart,
} from '../store.js';
// Operator views (admin API, metrics), on their own line to keep merges with hot-path work simple.
import type { LoggedWebhookAttempt, PendingWebhook, WebhookAttempt } from '../store.js';
import { toLogged, toPending } from '../operator-rows.js';
import {
  RESTART_REQUEUE_DETAIL,
  ROUTE_TABLES,
  type DefinitionSource,
  type RouteKind,
  type StoredConnector,
  type StoredRoutes,
} from '../store.js';
import { MIGRATIONS } from './migrations.js';
import * as lifecycle from './lifecycle.js';
import { purgeEngineBatch } from './lifecycle-engine.js';
import {
  mediaIdsIn,
  mediaJson,
  mediaOf,
  storedMedia,
  subjectOf,
  type MediaRow,
  type StoredMedia,
} from '../media.js';
import {
  erasedTag,
  type AgeScope,
  type ErasureRequest,
  type ErasureResult,
  type ExpiredBatch,
  type LifecycleMark,
  type RetentionBatch,
} from '../lifecycle.js';
import { SqliteMoney } from './money.js';
import { resendAsSms as resendSms } from './mms-resend.js';
import {
  finalCount,
  type AcceptOptions,
  type CreditNote,
  type LedgerEntry,
  type LedgerQuery,
  type LowBalanceCrossing,
  type MoneyState,
  type RateCardEntry,
  type ReportCounts,
  type ReportQuery,
} from '../money.js';
import type { SqliteHandle } from './engine-store/handle.js';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/**
 * A worker thread with its own connection that checkpoints the WAL (PASSIVE: it never
 * blocks a writer) every 200 ms, so the copy and its fsync run beside the event loop.
 */
/** The store's prepared statements, made once at open. */
function prepareStatements(db: Database.Database) {
  return {
    // One statement: the balance and the SMS-count quota are debited together or not at
    // all, and only for an enabled user whose group (if any) is not disabled: a balance or
    // quota never goes negative under concurrent submits.
    // It returns the balance after it (the ledger entry's) and whether it crossed the
    // low-balance threshold (above it before, below after: flagged in the same statement).
    debit: db.prepare(
      `UPDATE users SET balance_micros = balance_micros - @price, sms_count = CASE WHEN sms_count IS NULL THEN NULL ELSE sms_count - @sms END,
         low_balance_at = CASE WHEN low_balance_at IS NULL AND balance_micros - @price < low_balance_micros THEN @now ELSE low_balance_at END
       WHERE id = @id AND enabled = 1 AND balance_micros >= @price AND (sms_count IS NULL OR sms_count >= @sms)
         AND NOT EXISTS (SELECT 1 FROM user_groups g WHERE g.id = users.group_id AND g.enabled = 0)
       RETURNING balance_micros, sms_count, low_balance_micros, low_balance_at = @now AND balance_micros + @price >= low_balance_micros AS crossed`,
    ),
    insertMessage: db.prepare(
      `INSERT INTO messages (id, user_id, system_id, source, destination, esm_class, data_coding, body, registered_delivery, priority, connector_id, price_micros, state, created_at, updated_at, meta)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
    ),
    event: db.prepare('INSERT INTO message_events (message_id, state, at, detail) VALUES (?, ?, ?, ?)'),
    acceptedEvents: db.prepare(
      "INSERT INTO message_events (message_id, state, at, detail) VALUES (?, 'accepted', ?, ?), (?, 'queued', ?, ?)",
    ),
    partEvent: db.prepare(
      'INSERT INTO message_events (message_id, state, at, detail, seq) VALUES (?, ?, ?, ?, ?)',
    ),
    parts: db.prepare('SELECT * FROM message_parts WHERE message_id = ? ORDER BY seq'),
    part: db.prepare('SELECT * FROM message_parts WHERE message_id = ? AND seq = ?'),
    newPart: db.prepare(
      "INSERT OR IGNORE INTO message_parts (message_id, seq, total, state, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?)",
    ),
    partSent: db.prepare(
      "UPDATE message_parts SET state = 'sent', connector_id = ?, upstream_id = ?, updated_at = ? WHERE message_id = ? AND seq = ?",
    ),
    partState: db.prepare(
      'UPDATE message_parts SET state = ?, error = COALESCE(?, error), updated_at = ? WHERE message_id = ? AND seq = ?',
    ),
    partKey: db.prepare('INSERT OR REPLACE INTO upstream_ids (key, message_id, seq) VALUES (?, ?, ?)'),
    partAltKey: db.prepare('INSERT OR IGNORE INTO upstream_ids (key, message_id, seq) VALUES (?, ?, ?)'),
    // A receipt's lookup in one read: the key, the message's live columns, the part.
    byPartKey: db.prepare(
      `SELECT u.message_id, u.seq, m.state, m.connector_id, m.upstream_id, m.error, m.updated_at,
              p.total AS part_total, p.upstream_id AS part_upstream_id, p.state AS part_state, p.error AS part_error,
              p.connector_id AS part_connector_id, p.created_at AS part_created_at, p.updated_at AS part_updated_at
       FROM upstream_ids u JOIN messages m ON m.id = u.message_id
       LEFT JOIN message_parts p ON p.message_id = u.message_id AND p.seq = u.seq WHERE u.key = ?`,
    ),
    // A single-part message's one part, created already accepted upstream.
    singlePartSent: db.prepare(
      `INSERT INTO message_parts (message_id, seq, total, state, connector_id, upstream_id, created_at, updated_at) VALUES (?, 1, 1, 'sent', ?, ?, ?, ?)
       ON CONFLICT (message_id, seq) DO UPDATE SET state = 'sent', connector_id = excluded.connector_id, upstream_id = excluded.upstream_id, updated_at = excluded.updated_at`,
    ),
    singleSent: db.prepare(
      "UPDATE messages SET upstream_id = COALESCE(upstream_id, ?), state = 'sent', updated_at = ? WHERE id = ? AND state IN ('accepted', 'queued')",
    ),
    optedOut: db.prepare('SELECT 1 FROM optouts WHERE msisdn = ? AND sender = ?'),
    firstUpstream: db.prepare(
      'UPDATE messages SET upstream_id = COALESCE(upstream_id, ?), updated_at = ? WHERE id = ?',
    ),
    enqueue: db.prepare(
      'INSERT INTO queue (message_id, connector_id, priority, not_before, seq, delayed) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    // Delayed entries that are due join the claim's range again (see migration 13).
    promote: db.prepare('UPDATE queue SET delayed = 0 WHERE delayed = 1 AND not_before <= ?'),
    userById: db.prepare('SELECT * FROM users WHERE id = ?'),
    groupById: db.prepare('SELECT * FROM user_groups WHERE id = ?'),
    getMessage: db.prepare('SELECT * FROM messages WHERE id = ?'),
    live: db.prepare('SELECT state, connector_id, upstream_id, error, updated_at FROM messages WHERE id = ?'),
    setState: db.prepare(
      'UPDATE messages SET state = ?, error = COALESCE(?, error), updated_at = ? WHERE id = ?',
    ),
    // The due entries with their messages' live columns, then one lease per entry (an
    // UPDATE ... WHERE message_id IN (subquery) RETURNING costs twice as much per row).
    due: db.prepare(SqliteStore.CLAIM_SQL),
    lease: db.prepare('UPDATE queue SET lease_until = ?, attempts = attempts + 1 WHERE message_id = ?'),
    dequeue: db.prepare('DELETE FROM queue WHERE message_id = ?'),
    release: db.prepare('UPDATE queue SET not_before = ?, delayed = ?, lease_until = 0 WHERE message_id = ?'),
    setUpstream: db.prepare(
      "UPDATE messages SET upstream_id = ?, state = 'sent', updated_at = ? WHERE id = ?",
    ),
    upstreamKey: db.prepare('INSERT OR REPLACE INTO upstream_ids (key, message_id) VALUES (?, ?)'),
    park: db.prepare('INSERT INTO parked_receipts (key, payload, at) VALUES (?, ?, ?)'),
    parked: db.prepare('SELECT payload FROM parked_receipts WHERE key = ? ORDER BY rowid'),
    unpark: db.prepare('DELETE FROM parked_receipts WHERE key = ? AND payload = ?'),
    outbox: db.prepare(
      'INSERT INTO outbox (system_id, message_id, payload, next_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    dueOutbox: db.prepare(
      'SELECT id, system_id, message_id, payload, attempts FROM outbox WHERE system_id = @sys AND next_at <= @now AND lease_until <= @now AND expires_at > @now ORDER BY id LIMIT @limit',
    ),
    leaseOutbox: db.prepare('UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?'),
    ackOutbox: db.prepare('DELETE FROM outbox WHERE id = ?'),
    retryOutbox: db.prepare('UPDATE outbox SET next_at = ?, lease_until = 0 WHERE id = ?'),
    addWebhook: db.prepare(
      `INSERT OR IGNORE INTO webhooks (event_id, kind, message_id, owner, url, method, body, next_at, expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Due, not leased, and no older pending item of the same message (order per message),
    // earliest due first: read from webhooks_due (next_at, then rowid), so items waiting out
    // a back-off are never read. In id order the claim scanned every pending item, 13 ms a
    // claim with 200,000 in back-off behind a receiver that was down.
    claimWebhooks: db.prepare(
      `UPDATE webhooks SET lease_until = @until, attempts = attempts + 1
       WHERE id IN (SELECT w.id FROM webhooks w WHERE w.next_at <= @now AND w.lease_until <= @now AND w.expires_at > @now
                      AND NOT EXISTS (SELECT 1 FROM webhooks o WHERE o.message_id = w.message_id AND o.id < w.id)
                    ORDER BY w.next_at, w.id LIMIT @limit)
       RETURNING *`,
    ),
    ackWebhook: db.prepare('DELETE FROM webhooks WHERE id = ?'),
    retryWebhook: db.prepare(
      'UPDATE webhooks SET next_at = @next, lease_until = 0, last_error = @error WHERE id = @id',
    ),
    // The message's later items cannot go before this one: they wait out its back-off too,
    // out of the claim's due range instead of being read and passed over at every claim.
    holdLater: db.prepare(
      'UPDATE webhooks SET next_at = MAX(next_at, @next) WHERE message_id = (SELECT message_id FROM webhooks WHERE id = @id) AND id > @id',
    ),
    expireWebhooks: db.prepare('DELETE FROM webhooks WHERE expires_at <= ? RETURNING *'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function startCheckpointer(path: string): Worker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const code = `
    const { workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.path);
    db.pragma('busy_timeout = 1000');
    // A checkpoint that fails (busy) is retried at the next tick; the writer's own automatic one remains.
    setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* retried in 200 ms */ } }, 200);
  `;
  const w = new Worker(code, { eval: true, workerData: { driver, path } });
  w.on('error', () => undefined); // the connection's own automatic checkpoint remains
  w.unref();
  return w;
}

interface MessageRow {
  id: string;
  user_id: number;
  system_id: string;
  source: string;
  destination: string;
  esm_class: number;
  data_coding: number;
  body: Buffer;
  registered_delivery: number;
  priority: number;
  connector_id: string;
  price_micros: number;
  state: MessageState;
  upstream_id: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  meta: string;
}

function toMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    userId: r.user_id,
    systemId: r.system_id,
    source: r.source,
    destination: r.destination,
    esmClass: r.esm_class,
    dataCoding: r.data_coding,
    body: r.body,
    registeredDelivery: r.registered_delivery,
    priority: r.priority,
    connectorId: r.connector_id,
    priceMicros: r.price_micros,
    state: r.state,
    upstreamId: r.upstream_id,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    meta: JSON.parse(r.meta) as MessageMeta,
  };
}

/** The columns of a message that change after accept. */
interface LiveRow {
  state: MessageState;
  connector_id: string;
  upstream_id: string | null;
  error: string | null;
  updated_at: number;
}

/** What a message is at accept and stays: everything but its live columns. */
type FixedMessage = Omit<StoredMessage, 'state' | 'connectorId' | 'upstreamId' | 'error' | 'updatedAt'>;

// Spelled out, not spread: an object literal of one shape is several times cheaper to build.
function withLive(f: FixedMessage, r: LiveRow): StoredMessage {
  return {
    id: f.id,
    userId: f.userId,
    systemId: f.systemId,
    source: f.source,
    destination: f.destination,
    esmClass: f.esmClass,
    dataCoding: f.dataCoding,
    body: f.body,
    registeredDelivery: f.registeredDelivery,
    priority: f.priority,
    connectorId: r.connector_id,
    priceMicros: f.priceMicros,
    state: r.state,
    upstreamId: r.upstream_id,
    error: r.error,
    createdAt: f.createdAt,
    updatedAt: r.updated_at,
    meta: f.meta,
  };
}

function fixedOf(m: StoredMessage): FixedMessage {
  return {
    id: m.id,
    userId: m.userId,
    systemId: m.systemId,
    source: m.source,
    destination: m.destination,
    esmClass: m.esmClass,
    dataCoding: m.dataCoding,
    body: m.body,
    registeredDelivery: m.registeredDelivery,
    priority: m.priority,
    priceMicros: m.priceMicros,
    createdAt: m.createdAt,
    meta: m.meta,
  };
}

/** Fixed parts of recently accepted or read messages kept by the store (oldest out first). */
const FIXED_CACHE_MAX = 100_000;

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  balance_micros: number;
  rate_micros: number;
  enabled: number;
  group_id: string | null;
  sms_count: number | null;
  settings: string;
}

/** A receipt's key, its message's live columns and its part (null columns: no part row). */
interface PartKeyRow extends LiveRow {
  message_id: string;
  seq: number;
  part_total: number | null;
  part_upstream_id: string | null;
  part_state: PartState | null;
  part_error: string | null;
  part_connector_id: string | null;
  part_created_at: number | null;
  part_updated_at: number | null;
}

interface PartRow {
  message_id: string;
  seq: number;
  total: number;
  state: PartState;
  connector_id: string | null;
  upstream_id: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** The part row a receipt's lookup joined in, if the message has part rows. */
const partOf = (k: PartKeyRow): PartRow | undefined =>
  k.part_state === null
    ? undefined
    : {
        message_id: k.message_id,
        seq: k.seq,
        total: k.part_total!,
        state: k.part_state,
        connector_id: k.part_connector_id,
        upstream_id: k.part_upstream_id,
        error: k.part_error,
        created_at: k.part_created_at!,
        updated_at: k.part_updated_at!,
      };

const toPart = (r: PartRow): MessagePart => ({
  messageId: r.message_id,
  seq: r.seq,
  total: r.total,
  state: r.state,
  connectorId: r.connector_id,
  upstreamId: r.upstream_id,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Receipts and MOs are held for the customer for 3 days (SMPP validity default of many SMSCs). */
const OUTBOX_TTL_MS = 3 * 86_400_000;

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  balanceMicros: r.balance_micros,
  rateMicros: r.rate_micros,
  enabled: r.enabled === 1,
  group: r.group_id,
  smsCount: r.sms_count,
  // Filled through userSettings() so settings added later take their defaults.
  settings: userSettings(JSON.parse(r.settings) as UserSettingsSpec),
});

interface GroupRow {
  id: string;
  description: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

const toGroup = (r: GroupRow): Group => ({
  id: r.id,
  description: r.description,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** SMS parts a message takes from a limited SMS-count quota. */
interface WebhookRow {
  id: number;
  event_id: string;
  kind: NewWebhook['kind'];
  message_id: string;
  owner: string;
  url: string;
  method: 'GET' | 'POST';
  body: string;
  attempts: number;
  expires_at: number;
  created_at: number;
}

const toWebhook = (r: WebhookRow): WebhookItem => ({
  id: r.id,
  eventId: r.event_id,
  kind: r.kind,
  messageId: r.message_id,
  owner: r.owner,
  url: r.url,
  method: r.method,
  body: r.body,
  attempts: r.attempts,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
});

interface ApiKeyRow {
  id: number;
  user_id: number;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
}
const toApiKey = (r: ApiKeyRow): ApiKeyInfo => ({
  id: r.id,
  userId: r.user_id,
  label: r.label,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private writes: { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private writeFlushScheduled = false;
  private lastFlush = 0;
  private checkpointer: Worker | undefined;
  private readonly groupCommitMs: number;
  private seq = 0;
  private readonly optOutCache = new Map<string, boolean>();
  /** Every number that has (or had) an opt-out: a number not in it needs no lookup at all. */
  private readonly optedOutNumbers = new Set<string>();
  private erasureKey: string | undefined;
  /** The erasure pepper (usePepper), null for none. */
  private pepper: string | null = null;
  /** Some opt-outs are kept under an erased number's hash (then a lookup hashes the number). */
  private erasedOptOuts = false;
  /** Keys with parked receipts (this process is the only writer): most submits have none to look for. */
  private readonly parkedKeys = new Set<string>();
  /**
   * Fixed parts of messages by id, in two generations of up to FIXED_CACHE_MAX / 2: when the
   * young one is full it becomes the old one and the old one is dropped (evicting one entry
   * at a time from a Map's front costs a scan over its deleted slots). A hit spares reading
   * and converting the whole row.
   */
  private fixedYoung = new Map<string, FixedMessage>();
  private fixedOld = new Map<string, FixedMessage>();
  private readonly stmts: Statements;
  /** Ledger, counters, rate cards (src/store/sqlite/money.ts). */
  private readonly money: SqliteMoney;
  /** Messages whose lease was freed at open (Store.restartRequeued). */
  readonly restartRequeued: number;

  /** One node by construction: the data directory's lock stops a second process. */
  readonly cluster = new SingleNodeClusterStore();

  /**
   * `groupCommitMs`: the shortest time between two commits (default 2 ms); 0 commits
   * every turn of the event loop.
   */
  /**
   * `reclaim` (default true): free every lease at open, as the embedded store's one gateway
   * process starts; false for a tool that only reads (`hermod config check --store`) beside
   * a running gateway, whose leases are live.
   */
  constructor(
    path: string,
    opts: { synchronous?: 'NORMAL' | 'FULL'; groupCommitMs?: number; reclaim?: boolean } = {},
  ) {
    this.groupCommitMs = opts.groupCommitMs ?? 2;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // A new file gives freed pages back on an incremental vacuum (after retention purges);
    // an existing one keeps its mode until a VACUUM (docs/operations.md).
    if (this.db.prepare('SELECT COUNT(*) AS n FROM sqlite_master').pluck().get() === 0)
      this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    // Checkpoints (copying the WAL into the database, with an fsync) run on another thread
    // every 200 ms (checkpointer below), so the event loop never waits for one; the
    // connection's own automatic checkpoint stays as a backstop at 20,000 pages.
    this.db.pragma(`wal_autocheckpoint = ${path === ':memory:' ? 1000 : 20_000}`);
    this.db.pragma('cache_size = -65536');
    this.migrate();
    if (path !== ':memory:') this.checkpointer = startCheckpointer(path);
    this.seq = (this.sql('SELECT COALESCE(MAX(seq), 0) AS s FROM queue').get() as { s: number }).s;
    for (const r of this.sql('SELECT DISTINCT key FROM parked_receipts').all() as { key: string }[])
      this.parkedKeys.add(r.key);
    for (const r of this.sql('SELECT DISTINCT msisdn FROM optouts').all() as { msisdn: string }[])
      this.optedOutNumbers.add(r.msisdn);
    this.erasedOptOuts = [...this.optedOutNumbers].some((n) => n.startsWith('erased:'));
    // The embedded store has exactly one gateway process: leases held when it last stopped
    // (or crashed) belong to nobody now, so they return to the queue at once.
    // Each message so freed may have reached the SMSC before the stop: its history says so
    // (a resend may duplicate it, and every possible duplicate is reported), in the same
    // transaction as the freeing.
    this.restartRequeued =
      opts.reclaim === false
        ? 0
        : this.db.transaction(() => {
            const n = this.db
              .prepare(
                "INSERT INTO message_events (message_id, state, at, detail) SELECT message_id, 'queued', ?, ? FROM queue WHERE lease_until > 0",
              )
              .run(Date.now(), RESTART_REQUEUE_DETAIL).changes;
            this.db.exec(
              'UPDATE queue SET lease_until = 0 WHERE lease_until > 0; UPDATE outbox SET lease_until = 0 WHERE lease_until > 0; UPDATE webhooks SET lease_until = 0 WHERE lease_until > 0;',
            );
            return n;
          })();
    this.stmts = prepareStatements(this.db);
    this.money = new SqliteMoney(this.db);
  }

  // ---- money and reports (src/store/money.ts) --------------------------------------------
  async listLedger(q: LedgerQuery): Promise<LedgerEntry[]> {
    return this.money.listLedger(q);
  }

  async getMoneyState(userId: number): Promise<MoneyState | undefined> {
    return this.money.moneyState(userId);
  }

  setLowBalance(
    userId: number,
    s: { thresholdMicros: number | null; url: string | null },
  ): Promise<MoneyState | undefined> {
    return this.batched(() =>
      this.money.setLowBalance(userId, s, Date.now()) ? this.money.moneyState(userId) : undefined,
    );
  }

  async getRateCard(userId: number): Promise<RateCardEntry[]> {
    return this.money.rateCard(userId);
  }

  putRateCard(userId: number, entries: RateCardEntry[]): Promise<void> {
    return this.batched(() => this.money.putRateCard(userId, entries, Date.now()));
  }

  async queryReports(q: ReportQuery): Promise<ReportCounts[]> {
    return this.money.reports(q);
  }

  private addWebhookRow(w: NewWebhook, now: number): void {
    this.stmts.addWebhook.run(
      w.eventId,
      w.kind,
      w.messageId,
      w.owner,
      w.url,
      w.method,
      w.body,
      now,
      w.expiresAt,
      now,
    );
  }

  /**
   * The connection and the group-commit writer, for the SMS engine's stores
   * (src/store/sqlite/engine/): their writes share the core's transactions.
   */
  engineHandle(): SqliteHandle {
    return { db: this.db, write: (fn) => this.batched(fn) };
  }

  private readonly prepared = new Map<string, Database.Statement>();

  /** A statement prepared once per SQL text (preparing costs more than most runs). */
  private sql(text: string): Database.Statement {
    let st = this.prepared.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.prepared.set(text, st);
    }
    return st;
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
    );
    const done = new Set(
      (this.sql('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    MIGRATIONS.forEach((sql, i) => {
      const version = i + 1;
      if (done.has(version)) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.sql('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
          version,
          Date.now(),
        );
      })();
    });
  }

  async getUserByName(username: string): Promise<User | undefined> {
    const r = this.sql('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return r && toUser(r);
  }

  async getUser(id: number): Promise<User | undefined> {
    const r = this.stmts.userById.get(id) as UserRow | undefined;
    return r && toUser(r);
  }

  async listUsers(): Promise<User[]> {
    return (this.sql('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  async upsertUser(u: UserSpec): Promise<User> {
    const settings = JSON.stringify(userSettings(u.settings));
    const smsCount = checkSmsCount(u.smsCount);
    // A new account's opening balance is the ledger's first entry, in the same transaction.
    this.db.transaction(() => {
      const existed = this.sql('SELECT 1 FROM users WHERE username = ?').get(u.username) !== undefined;
      this.upsertUserRow(u, smsCount, settings);
      if (existed || !u.balanceMicros) return;
      const r = this.sql('SELECT id, balance_micros FROM users WHERE username = ?').get(u.username) as {
        id: number;
        balance_micros: number;
      };
      this.money.entry({
        userId: r.id,
        at: Date.now(),
        kind: 'adjustment',
        amountMicros: r.balance_micros,
        balanceMicros: r.balance_micros,
        sms: 0,
        note: 'opening balance',
      });
    })();
    return (await this.getUserByName(u.username))!;
  }

  private upsertUserRow(u: UserSpec, smsCount: number | null, settings: string): void {
    this.sql(
      `INSERT INTO users (username, password_hash, balance_micros, rate_micros, enabled, group_id, sms_count, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, rate_micros = excluded.rate_micros, enabled = excluded.enabled,
           group_id = excluded.group_id, settings = excluded.settings`,
    ).run(
      u.username,
      u.passwordHash,
      u.balanceMicros,
      u.rateMicros,
      u.enabled === false ? 0 : 1,
      u.group ?? null,
      smsCount,
      settings,
    );
  }

  async getBalance(userId: number): Promise<number> {
    return (
      (
        this.sql('SELECT balance_micros AS b FROM users WHERE id = ?').get(userId) as
          { b: number } | undefined
      )?.b ?? 0
    );
  }

  topUp(
    userId: number,
    add: { balanceMicros?: number; smsCount?: number } & CreditNote,
  ): Promise<User | undefined> {
    let amounts: { balanceMicros: number; smsCount: number };
    try {
      amounts = topUpAmounts(add);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.batched(() => {
      const r = this.stmts.userById.get(userId) as UserRow | undefined;
      if (!r) return undefined;
      afterTopUp({ balanceMicros: r.balance_micros, smsCount: r.sms_count }, amounts); // throws below zero
      const after = this.money.credit.get({
        price: amounts.balanceMicros,
        sms: amounts.smsCount,
        id: userId,
      }) as {
        balance_micros: number;
      };
      this.money.entry({
        userId,
        at: Date.now(),
        kind: add.kind ?? (amounts.balanceMicros < 0 ? 'adjustment' : 'topup'),
        amountMicros: amounts.balanceMicros,
        balanceMicros: after.balance_micros,
        sms: r.sms_count === null ? 0 : amounts.smsCount,
        note: add.note ?? null,
        actor: add.actor ?? null,
      });
      return toUser(this.stmts.userById.get(userId) as UserRow);
    });
  }

  setSmsQuota(userId: number, smsCount: number | null): Promise<User | undefined> {
    let n: number | null;
    try {
      n = checkSmsCount(smsCount);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.batched(() => {
      if (this.sql('UPDATE users SET sms_count = ? WHERE id = ?').run(n, userId).changes === 0)
        return undefined;
      return toUser(this.stmts.userById.get(userId) as UserRow);
    });
  }

  async getGroup(id: string): Promise<Group | undefined> {
    const r = this.stmts.groupById.get(id) as GroupRow | undefined;
    return r && toGroup(r);
  }

  async listGroups(): Promise<Group[]> {
    return (this.sql('SELECT * FROM user_groups ORDER BY id').all() as GroupRow[]).map(toGroup);
  }

  async upsertGroup(g: GroupSpec): Promise<Group> {
    if (typeof g.id !== 'string' || g.id.length === 0)
      throw new InvalidAccountError('group id must be a non-empty string');
    const now = Date.now();
    this.sql(
      `INSERT INTO user_groups (id, description, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET description = excluded.description, enabled = excluded.enabled, updated_at = excluded.updated_at`,
    ).run(g.id, g.description ?? null, g.enabled === false ? 0 : 1, now, now);
    return (await this.getGroup(g.id))!;
  }

  /** Why a debit was refused (only asked on the refusal path). */
  private refusal(m: NewMessage): Exclude<AcceptResult, { ok: true }>['reason'] {
    const u = this.stmts.userById.get(m.userId) as UserRow | undefined;
    if (!u) return 'no_user';
    if (u.enabled !== 1) return 'user_disabled';
    if (u.group_id !== null && (this.stmts.groupById.get(u.group_id) as GroupRow | undefined)?.enabled === 0)
      return 'group_disabled';
    if (u.balance_micros < m.priceMicros) return 'insufficient_balance';
    return 'sms_quota_exhausted';
  }

  async countMessages(): Promise<MessageCount[]> {
    const rows = this.sql(
      'SELECT connector_id, state, COUNT(*) AS n FROM messages GROUP BY connector_id, state ORDER BY connector_id, state',
    ).all() as { connector_id: string; state: MessageState; n: number }[];
    return rows.map((r) => ({ connectorId: r.connector_id, state: r.state, count: r.n }));
  }

  /** Group commit: the accepts of one turn share one transaction with the other writes of that turn. */
  accept(m: NewMessage, opts: AcceptOptions = {}): Promise<AcceptResult> {
    return this.batched((): AcceptResult => {
      if (m.onceOnly && this.sql('SELECT 1 FROM messages WHERE id = ?').get(m.id) !== undefined)
        return { ok: false, reason: 'duplicate_id' };
      const now = Date.now();
      const sms = smsOf(m);
      const debit = this.stmts.debit.get({ price: m.priceMicros, sms, id: m.userId, now }) as
        | {
            balance_micros: number;
            sms_count: number | null;
            low_balance_micros: number | null;
            crossed: number | null;
          }
        | undefined;
      if (!debit) return { ok: false, reason: this.refusal(m) };
      // The charge's ledger entry: one prepared INSERT in the accept's transaction.
      this.money.entry({
        userId: m.userId,
        at: now,
        kind: 'charge',
        amountMicros: -m.priceMicros,
        balanceMicros: debit.balance_micros,
        sms: debit.sms_count === null ? 0 : -sms,
        messageId: m.id,
        campaign: m.meta?.campaign ?? null,
      });
      const lowBalance = debit.crossed === 1 ? this.lowBalanceCrossed(m, debit, now, opts) : undefined;
      const meta = JSON.stringify(m.meta ?? {});
      // Positional, not a spread object: one less copy of the message per accept.
      this.stmts.insertMessage.run(
        m.id,
        m.userId,
        m.systemId,
        m.source,
        m.destination,
        m.esmClass,
        m.dataCoding,
        m.body,
        m.registeredDelivery,
        m.priority,
        m.connectorId,
        m.priceMicros,
        now,
        now,
        meta,
      );
      this.stmts.acceptedEvents.run(m.id, now, acceptedDetail(m.meta), m.id, now, m.connectorId);
      const notBefore = Math.max(now, m.meta?.scheduleAt ?? 0);
      this.stmts.enqueue.run(m.id, m.connectorId, m.priority, notBefore, ++this.seq, notBefore > now ? 1 : 0);
      // As read back: meta through JSON, the body copied (it may be a view of a reused buffer).
      // Rolled back, the entry names a message that does not exist, and every read checks the row first.
      this.remember({
        id: m.id,
        userId: m.userId,
        systemId: m.systemId,
        source: m.source,
        destination: m.destination,
        esmClass: m.esmClass,
        dataCoding: m.dataCoding,
        body: Buffer.from(m.body),
        registeredDelivery: m.registeredDelivery,
        priority: m.priority,
        priceMicros: m.priceMicros,
        createdAt: now,
        meta: JSON.parse(meta) as MessageMeta,
      });
      return lowBalance ? { ok: true, lowBalance } : { ok: true };
    });
  }

  /** A debit took the balance below the threshold: the crossing and its webhooks (inside the accept's write). */
  private lowBalanceCrossed(
    m: NewMessage,
    debit: { balance_micros: number; low_balance_micros: number | null },
    now: number,
    opts: AcceptOptions,
  ): LowBalanceCrossing {
    const u = this.sql('SELECT username, low_balance_url FROM users WHERE id = ?').get(m.userId) as {
      username: string;
      low_balance_url: string | null;
    };
    const crossing: LowBalanceCrossing = {
      userId: m.userId,
      username: u.username,
      balanceMicros: debit.balance_micros,
      thresholdMicros: debit.low_balance_micros ?? 0,
      url: u.low_balance_url,
      messageId: m.id,
      at: now,
    };
    for (const w of opts.lowBalance?.(crossing) ?? []) this.addWebhookRow(w, now);
    return crossing;
  }

  /**
   * Group commit for every other write: the writes requested in one turn of the event
   * loop run in one transaction; each caller resolves after the commit. A write that
   * throws fails alone, the others commit: the batch first runs without savepoints (one
   * per write costs as much as the write); when a write throws, the whole attempt is rolled
   * back and the batch runs again with a savepoint around each write. A write may thus run
   * twice, the first time rolled back: its function must not have effects outside the
   * database other than recording what it decided.
   */
  private batched<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.writes.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.writeFlushScheduled) {
        this.writeFlushScheduled = true;
        // At most one commit per `groupCommitMs`: under load, writes gather into large
        // transactions (a commit writes every page it touched to the WAL, so fewer,
        // larger commits write far less); when idle, the first write commits at once.
        const wait = this.lastFlush + this.groupCommitMs - performance.now();
        if (wait > 0) setTimeout(this.flushWrites, wait);
        else setImmediate(this.flushWrites);
      }
    });
  }

  private readonly flushWrites = (): void => {
    this.writeFlushScheduled = false;
    this.lastFlush = performance.now();
    const batch = this.writes;
    this.writes = [];
    const values: unknown[] = [];
    // The report counters of the batch's final states: one upsert per counter row at its end.
    const money = this.money;
    try {
      money.beginBatch();
      this.db.transaction(() => {
        for (const w of batch) values.push(w.fn());
        money.endBatch();
      })();
      batch.forEach((w, i) => w.resolve(values[i]));
      return;
    } catch {
      // One of them threw: run again, each write alone in its savepoint.
      money.dropBatch();
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      money.beginBatch();
      this.db.transaction(() => {
        for (const w of batch) {
          const mark = money.mark();
          try {
            outcomes.push({ ok: true, value: this.db.transaction(w.fn)() });
          } catch (err) {
            money.rollBackTo(mark);
            outcomes.push({ ok: false, value: err });
          }
        }
        money.endBatch();
      })();
    } catch (err) {
      money.dropBatch();
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => (outcomes[i].ok ? w.resolve(outcomes[i].value) : w.reject(outcomes[i].value)));
  };

  private remember(f: FixedMessage): void {
    if (this.fixedYoung.size >= FIXED_CACHE_MAX / 2) {
      this.fixedOld = this.fixedYoung;
      this.fixedYoung = new Map();
    }
    this.fixedYoung.set(f.id, f);
  }

  /** A message from its live columns, the rest from the cache or, on a miss, the whole row. */
  private messageOf(id: string, live: LiveRow): StoredMessage | undefined {
    const f = this.fixedYoung.get(id) ?? this.fixedOld.get(id);
    if (f) return withLive(f, live);
    const row = this.stmts.getMessage.get(id) as MessageRow | undefined;
    if (!row) return undefined;
    const m = toMessage(row);
    this.remember(fixedOf(m));
    return m;
  }

  /** A message by id: its live columns read, the rest from the cache where it is. */
  private readMessage(id: string): StoredMessage | undefined {
    const live = this.stmts.live.get(id) as LiveRow | undefined;
    return live && this.messageOf(id, live);
  }

  async getMessage(id: string): Promise<StoredMessage | undefined> {
    const r = this.stmts.getMessage.get(id) as MessageRow | undefined;
    return r && toMessage(r);
  }

  async history(id: string): Promise<HistoryEntry[]> {
    return this.sql(
      'SELECT state, at, detail, seq FROM message_events WHERE message_id = ? ORDER BY rowid',
    ).all(id) as HistoryEntry[];
  }

  async getParts(id: string): Promise<MessagePart[]> {
    return (this.stmts.parts.all(id) as PartRow[]).map(toPart);
  }

  /** A part's event: a single-part message's part is the message, so its events carry no seq. */
  private partEvent(
    id: string,
    seq: number,
    total: number,
    state: MessageState,
    now: number,
    detail: string | null,
  ): void {
    this.stmts.partEvent.run(id, state, now, detail, total > 1 ? seq : null);
  }

  /**
   * The message takes the aggregate state of its parts (inside a write transaction);
   * the customer's receipt is queued when it becomes final.
   */
  private settle(
    id: string,
    now: number,
    detail: string | null,
    notice: FinalNotice | undefined,
    known?: { message: StoredMessage; parts?: PartRow[] },
    refunded = 0,
  ): Settled {
    const row = known?.message ?? this.readMessage(id);
    if (!row) return { state: undefined };
    const parts = known?.parts ?? (this.stmts.parts.all(id) as PartRow[]);
    const state = aggregateState(parts);
    if (state === row.state) return { state };
    const error =
      state === 'delivered'
        ? null
        : (parts.find((p) => p.error !== null && p.state !== 'delivered')?.error ?? null);
    this.stmts.setState.run(state, error, now, id);
    if (parts.length > 1) this.stmts.partEvent.run(id, state, now, detail, null);
    if (FINAL_STATES.has(state) && !FINAL_STATES.has(row.state))
      this.money.count(finalCount(row, state, now, refunded));
    if (FINAL_STATES.has(state) && !FINAL_STATES.has(row.state) && notice) {
      const notified = notice({
        state,
        message: { ...row, state, error: error ?? row.error, updatedAt: now },
        parts: { total: parts.length, delivered: parts.filter((p) => p.state === 'delivered').length },
      });
      this.writeNotification(id, notified, now);
      return { state, notified };
    }
    return { state };
  }

  /** What a final state owes (FinalNotice's answer): the customer's outbox item and the webhooks (inside a write transaction). */
  private writeNotification(id: string, n: FinalNotification | undefined, now: number): void {
    if (n?.systemId !== undefined && n.payload !== undefined)
      this.stmts.outbox.run(n.systemId, id, n.payload, now, now + OUTBOX_TTL_MS);
    for (const w of n?.webhooks ?? []) this.addWebhookRow(w, now);
  }

  markPartSent({ id, seq, total, connectorId, upstreamId, keys }: PartSent): Promise<void> {
    return this.batched(() => {
      const now = Date.now();
      // Only the canonical form is keyed: lookups try every rendering of the receipt's id.
      if (keys.length > 0) this.stmts.partKey.run(keys[0], id, seq);
      if (total === 1) {
        // The common case in a few statements: the one part is the message, nothing else is queued.
        this.stmts.singlePartSent.run(id, connectorId, upstreamId, now, now);
        this.stmts.singleSent.run(upstreamId, now, id);
        this.partEvent(id, seq, total, 'sent', now, upstreamId);
        this.stmts.dequeue.run(id);
        return;
      }
      for (let i = 1; i <= total; i++) this.stmts.newPart.run(id, i, total, now, now);
      this.stmts.partSent.run(connectorId, upstreamId, now, id, seq);
      if (seq === 1) this.stmts.firstUpstream.run(upstreamId, now, id);
      this.partEvent(id, seq, total, 'sent', now, upstreamId);
      const parts = this.stmts.parts.all(id) as PartRow[];
      if (parts.every((p) => p.state !== 'queued')) {
        this.stmts.dequeue.run(id);
        this.settle(id, now, `${total} parts submitted`, undefined);
      }
    });
  }

  addUpstreamId({ id, seq, total, keys, detail }: ExtraUpstreamId): Promise<void> {
    return this.batched(() => {
      if (keys.length > 0) this.stmts.partKey.run(keys[0], id, seq);
      this.partEvent(id, seq, total, 'sent', Date.now(), detail);
    });
  }

  applyPartReceipt({ id, seq, state, detail, notice, parked }: PartReceipt): Promise<Settled> {
    return this.batched((): Settled => {
      // Unparked already (applied by an earlier try, or another taker): nothing to do.
      if (parked && !this.unpark(parked.keys, parked.payload)) return { state: undefined };
      return this.applyPart(id, seq, state, detail, notice);
    });
  }

  applyReceiptByKeys(r: KeyedReceipt): Promise<ReceiptOutcome> {
    return this.batched((): ReceiptOutcome => {
      const found = this.partRowByKeys(r.keys);
      const match = found && this.toMatch(found);
      if (found && match && isOwnPart(match, r.receiptId)) {
        const settled = this.applyPart(match.message.id, match.seq, r.state, r.detail, r.notice, {
          message: match.message,
          part: partOf(found.key),
        });
        return { parked: false, match, ...settled };
      }
      this.park(r.park.keys ?? r.keys, r.park.payload);
      return { parked: true };
    });
  }

  /** A part's receipt inside a write transaction (applyPartReceipt). */
  private applyPart(
    id: string,
    seq: number,
    state: PartState,
    detail: string,
    notice: FinalNotice,
    read?: { message: StoredMessage; part: PartRow | undefined },
  ): Settled {
    const row = read?.message;
    const now = Date.now();
    let part = read ? read.part : (this.stmts.part.get(id, seq) as PartRow | undefined);
    if (!part) {
      // A message sent before parts were tracked: its one part is the message.
      const m = this.stmts.getMessage.get(id) as MessageRow | undefined;
      if (!m) return { state: undefined };
      this.sql(
        'INSERT INTO message_parts (message_id, seq, total, state, connector_id, upstream_id, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?)',
      ).run(
        id,
        seq,
        m.state === 'queued' || m.state === 'accepted' ? 'sent' : m.state,
        m.connector_id,
        m.upstream_id,
        now,
        now,
      );
      part = this.stmts.part.get(id, seq) as PartRow;
    }
    if (FINAL_STATES.has(part.state)) return { state: (row ?? this.readMessage(id))?.state };
    const error = state === 'delivered' || state === 'sent' ? null : detail;
    this.stmts.partState.run(state, error, now, id, seq);
    this.partEvent(id, seq, part.total, state, now, detail);
    // A single part is the whole message: its new state is all settle needs to know.
    const known =
      read &&
      (part.total === 1
        ? { message: read.message, parts: [{ ...part, state, error: error ?? part.error, updated_at: now }] }
        : { message: read.message });
    return this.settle(id, now, `part ${seq}: ${detail}`, notice, known);
  }

  failUnsent({ id, total, detail, refund, notice }: UnsentFailure): Promise<Settled> {
    return this.batched((): Settled => {
      const now = Date.now();
      const m = this.stmts.getMessage.get(id) as MessageRow | undefined;
      if (!m) return { state: undefined };
      for (let i = 1; i <= total; i++) this.stmts.newPart.run(id, i, total, now, now);
      const unsent = (this.stmts.parts.all(id) as PartRow[]).filter(
        (p) => p.state === 'queued' || p.state === 'accepted',
      );
      for (const p of unsent) {
        this.stmts.partState.run('failed', detail, now, id, p.seq);
        if (total > 1) this.partEvent(id, p.seq, total, 'failed', now, detail);
      }
      this.stmts.dequeue.run(id);
      let refunded = 0;
      if (refund && unsent.length > 0) {
        const meta = JSON.parse(m.meta) as MessageMeta;
        const back = unsentRefund(
          { priceMicros: m.price_micros, sms: smsOf({ meta }) },
          { unsent: unsent.length, total },
        );
        this.money.refund({
          userId: m.user_id,
          price: back.priceMicros,
          sms: back.sms,
          messageId: id,
          campaign: meta.campaign,
          reason: 'failed',
          note: detail,
          at: now,
        });
        refunded = back.priceMicros;
      }
      return this.settle(id, now, detail, notice, undefined, refunded);
    });
  }

  async findPartByUpstreamKeys(keys: string[]): Promise<PartMatch | undefined> {
    const found = this.partRowByKeys(keys);
    return found && this.toMatch(found);
  }

  private partRowByKeys(
    keys: string[],
  ): { message: StoredMessage; key: PartKeyRow; exact: boolean } | undefined {
    for (const [i, k] of keys.entries()) {
      const key = this.stmts.byPartKey.get(k) as PartKeyRow | undefined;
      if (!key) continue;
      const message = this.messageOf(key.message_id, key);
      if (message) return { message, key, exact: i === 0 };
    }
    return undefined;
  }

  private toMatch({
    message,
    key,
    exact,
  }: {
    message: StoredMessage;
    key: PartKeyRow;
    exact: boolean;
  }): PartMatch {
    return {
      message,
      seq: key.seq,
      exact,
      ...(key.part_state !== null
        ? { part: { upstreamId: key.part_upstream_id, state: key.part_state } }
        : {}),
    };
  }

  /** A lease is a write: it shares the turn's transaction instead of committing alone. */
  claim(connectorId: string, limit: number, leaseMs: number): Promise<QueueClaim[]> {
    return this.batched(() => {
      const now = Date.now();
      this.stmts.promote.run(now);
      const rows = this.stmts.due.all({ connector: connectorId, now, limit }) as (LiveRow & {
        message_id: string;
        attempts: number;
      })[];
      const out: QueueClaim[] = [];
      for (const r of rows) {
        this.stmts.lease.run(now + leaseMs, r.message_id);
        const message = this.messageOf(r.message_id, r);
        if (message) out.push({ message, attempts: r.attempts + 1 });
      }
      return out;
    });
  }

  release(id: string, delayMs: number, detail: string): Promise<void> {
    return this.batched(() => {
      const now = Date.now();
      this.stmts.release.run(now + delayMs, delayMs > 0 ? 1 : 0, id);
      this.stmts.event.run(id, 'queued', now, detail);
    });
  }

  reassign(id: string, connectorId: string, detail: string): Promise<void> {
    return this.batched(() => {
      const now = Date.now();
      this.sql(
        'UPDATE queue SET connector_id = ?, not_before = ?, delayed = 0, lease_until = 0 WHERE message_id = ?',
      ).run(connectorId, now, id);
      this.sql('UPDATE messages SET connector_id = ?, updated_at = ? WHERE id = ?').run(connectorId, now, id);
      this.stmts.event.run(id, 'queued', now, detail);
    });
  }

  resendAsSms(r: SmsResend): Promise<ResendOutcome> {
    return this.batched(() => {
      const out = resendSms(this.db, this.money, r, Date.now());
      // Its body and meta changed: the cached copy is stale.
      this.fixedYoung.delete(r.id);
      this.fixedOld.delete(r.id);
      return out;
    });
  }

  moveQueued({ from, targets, limit }: QueueMove): Promise<MovedMessage[]> {
    if (targets.length === 0 || limit <= 0) return Promise.resolve([]);
    return this.batched(() => {
      const now = Date.now();
      const moved = this.sql(SqliteStore.MOVE_SQL).all({
        from,
        targets: JSON.stringify(targets),
        now,
        limit,
      }) as { message_id: string; connector_id: string; detail: string }[];
      if (moved.length === 0) return [];
      // The messages and their history follow the batch, set-wise as well.
      const rows = JSON.stringify(moved.map((r) => [r.message_id, r.connector_id, r.detail]));
      this.sql(
        "UPDATE messages SET connector_id = j.value ->> '$[1]', updated_at = ? FROM json_each(?) j WHERE messages.id = j.value ->> '$[0]'",
      ).run(now, rows);
      this.sql(
        "INSERT INTO message_events (message_id, state, at, detail) SELECT j.value ->> '$[0]', 'queued', ?, j.value ->> '$[2]' FROM json_each(?) j",
      ).run(now, rows);
      return moved.map((r) => ({ id: r.message_id, to: r.connector_id }));
    });
  }

  cancel({ id, userId, detail, notice }: CancelRequest): Promise<CancelResult> {
    return this.batched((): CancelResult => {
      const now = Date.now();
      const m = this.stmts.getMessage.get(id) as MessageRow | undefined;
      if (!m || m.user_id !== userId) return { outcome: 'not_found' };
      const q = this.sql('SELECT lease_until FROM queue WHERE message_id = ?').get(id) as
        { lease_until: number } | undefined;
      if (!q || q.lease_until > now || FINAL_STATES.has(m.state as MessageState))
        return { outcome: 'too_late' };
      const parts = this.stmts.parts.all(id) as PartRow[];
      if (parts.some((p) => p.state !== 'queued' && p.state !== 'accepted')) return { outcome: 'too_late' };
      this.stmts.dequeue.run(id);
      this.sql("UPDATE message_parts SET state = 'canceled', updated_at = ? WHERE message_id = ?").run(
        now,
        id,
      );
      this.stmts.setState.run('canceled', detail, now, id);
      this.stmts.event.run(id, 'canceled', now, detail);
      const message = toMessage(m);
      this.money.refund({
        userId: m.user_id,
        price: m.price_micros,
        sms: smsOf(message),
        messageId: id,
        campaign: message.meta.campaign,
        reason: 'canceled',
        note: detail,
        at: now,
      });
      this.money.count(finalCount(message, 'canceled', now, m.price_micros));
      const notified = notice({
        state: 'canceled',
        message: { ...message, state: 'canceled', error: detail, updatedAt: now },
        parts: { total: Math.max(1, parts.length), delivered: 0 },
      });
      this.writeNotification(id, notified, now);
      return { outcome: 'canceled', notified };
    });
  }

  fail({ id, state, detail, refund }: Failure): Promise<void> {
    return this.batched(() => {
      const now = Date.now();
      const m = this.stmts.getMessage.get(id) as MessageRow | undefined;
      if (!m) return;
      this.stmts.setState.run(state, detail, now, id);
      this.stmts.event.run(id, state, now, detail);
      this.stmts.dequeue.run(id);
      const message = toMessage(m);
      if (refund)
        this.money.refund({
          userId: m.user_id,
          price: m.price_micros,
          sms: smsOf(message),
          messageId: id,
          campaign: message.meta.campaign,
          reason: state,
          note: detail,
          at: now,
        });
      // Counted once: a message already final is not counted again.
      if (FINAL_STATES.has(state) && !FINAL_STATES.has(m.state as MessageState))
        this.money.count(finalCount(message, state, now, refund ? m.price_micros : 0));
    });
  }

  /** Parks a receipt under each of its keys (inside a write transaction). */
  private park(keys: string[], payload: string): void {
    const now = Date.now();
    for (const k of keys) {
      this.stmts.park.run(k, payload, now);
      this.parkedKeys.add(k);
    }
  }

  async parkedReceipts(keys: string[]): Promise<string[]> {
    // Most messages have none: the set of parked keys answers without a read.
    if (!keys.some((k) => this.parkedKeys.has(k))) return [];
    const out = new Set<string>();
    for (const k of keys)
      for (const r of this.stmts.parked.all(k) as { payload: string }[]) out.add(r.payload);
    return [...out];
  }

  /** Unparks one receipt (inside a write transaction); false when it was not parked any more. */
  private unpark(keys: string[], payload: string): boolean {
    let n = 0;
    for (const k of keys) {
      n += this.stmts.unpark.run(k, payload).changes;
      if (this.stmts.parked.get(k) === undefined) this.parkedKeys.delete(k);
    }
    return n > 0;
  }

  applyReceipt({ id, state, detail, item }: MessageReceipt): Promise<void> {
    return this.batched(() => {
      const now = Date.now();
      this.stmts.setState.run(state, state === 'delivered' ? null : detail, now, id);
      this.stmts.event.run(id, state, now, detail);
      // Receipts are held for the customer for 3 days (SMPP validity default of many SMSCs).
      if (item) this.stmts.outbox.run(item.systemId, id, item.payload, now, now + 3 * 86_400_000);
    });
  }

  claimOutbox(systemId: string, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return this.batched(() => {
      const now = Date.now();
      const rows = this.stmts.dueOutbox.all({ sys: systemId, now, limit }) as {
        id: number;
        system_id: string;
        message_id: string;
        payload: string;
        attempts: number;
      }[];
      for (const r of rows) this.stmts.leaseOutbox.run(now + leaseMs, r.id);
      return rows.map((r) => ({
        id: r.id,
        systemId: r.system_id,
        messageId: r.message_id,
        payload: r.payload,
        attempts: r.attempts + 1,
      }));
    });
  }

  ackOutbox(id: number): Promise<void> {
    return this.batched(() => void this.stmts.ackOutbox.run(id));
  }

  retryOutbox(id: number, delayMs: number): Promise<void> {
    return this.batched(() => void this.stmts.retryOutbox.run(Date.now() + delayMs, id));
  }

  addMoPart(part: MoPart, mo: MoRecord): Promise<StoredMo | undefined> {
    return this.batched(() => {
      const now = Date.now();
      this.sql(
        'INSERT OR IGNORE INTO mo_parts (group_key, seq, total, connector_id, source, destination, data_coding, body, received_at, media, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        part.groupKey,
        part.seq,
        part.total,
        part.connectorId,
        part.source,
        part.destination,
        part.dataCoding,
        part.body,
        now,
        mediaJson(part.media),
        part.subject ?? null,
      );
      const n = (
        this.sql('SELECT COUNT(*) AS n FROM mo_parts WHERE group_key = ?').get(part.groupKey) as { n: number }
      ).n;
      if (n < part.total) return undefined;
      return this.joinMo(part.groupKey, mo, true, now);
    });
  }

  private joinMo(groupKey: string, mo: MoRecord, complete: boolean, now: number): StoredMo {
    const parts = this.sql('SELECT * FROM mo_parts WHERE group_key = ? ORDER BY seq').all(groupKey) as {
      connector_id: string;
      source: string;
      destination: string;
      data_coding: number;
      body: Buffer;
      media: string | null;
      subject: string | null;
    }[];
    const first = parts[0];
    const base: Omit<InboundMessage, 'routedTo' | 'routedUrl'> = {
      id: mo.id,
      connectorId: first.connector_id,
      source: first.source,
      destination: first.destination,
      dataCoding: first.data_coding,
      body: Buffer.concat(parts.map((p) => p.body)),
      complete,
      receivedAt: now,
      ...mediaOf(first.media),
      ...subjectOf(first.subject),
    };
    const delivery = mo.route(base);
    // The route's webhook (a url target): its URL is kept on the MO.
    const m: InboundMessage = {
      ...base,
      routedTo: delivery.routedTo,
      routedUrl: delivery.webhooks[0]?.url ?? null,
    };
    this.sql(
      'INSERT INTO mo (id, connector_id, source, destination, data_coding, body, complete, routed_to, routed_url, received_at, media, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      m.id,
      m.connectorId,
      m.source,
      m.destination,
      m.dataCoding,
      m.body,
      complete ? 1 : 0,
      m.routedTo,
      m.routedUrl,
      now,
      mediaJson(m.media),
      m.subject ?? null,
    );
    this.sql('DELETE FROM mo_parts WHERE group_key = ?').run(groupKey);
    if (m.routedTo && delivery.payload !== undefined)
      this.stmts.outbox.run(m.routedTo, m.id, delivery.payload, now, now + 3 * 86_400_000);
    for (const w of delivery.webhooks) this.addWebhookRow(w, now);
    return { mo: m, delivery };
  }

  releaseStaleMoParts(olderThanMs: number, mo: (groupKey: string) => MoRecord): Promise<StoredMo[]> {
    return this.batched(() => {
      const now = Date.now();
      const keys = this.sql(
        'SELECT group_key FROM mo_parts GROUP BY group_key HAVING MIN(received_at) <= ?',
      ).all(now - olderThanMs) as { group_key: string }[];
      return keys.map((k) => this.joinMo(k.group_key, mo(k.group_key), false, now));
    });
  }

  async listMo(limit: number, q: MoQuery = {}): Promise<InboundMessage[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.routedTo !== undefined) {
      where.push('routed_to = ?');
      args.push(q.routedTo);
    }
    if (q.routed !== undefined)
      where.push(
        q.routed
          ? '(routed_to IS NOT NULL OR routed_url IS NOT NULL)'
          : '(routed_to IS NULL AND routed_url IS NULL)',
      );
    for (const [col, v] of [
      ['source', q.source],
      ['destination', q.destination],
      ['connector_id', q.connectorId],
    ] as const) {
      if (v === undefined) continue;
      where.push(`${col} = ?`);
      args.push(v);
    }
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    const sql = `SELECT * FROM mo ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.sql(sql).all(...args, limit) as {
      id: string;
      connector_id: string;
      source: string;
      destination: string;
      data_coding: number;
      body: Buffer;
      complete: number;
      routed_to: string | null;
      routed_url: string | null;
      received_at: number;
      media: string | null;
      subject: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      connectorId: r.connector_id,
      source: r.source,
      destination: r.destination,
      dataCoding: r.data_coding,
      body: r.body,
      complete: r.complete === 1,
      routedTo: r.routed_to,
      routedUrl: r.routed_url,
      receivedAt: r.received_at,
      ...mediaOf(r.media),
      ...subjectOf(r.subject),
    }));
  }

  setOptOut(msisdn: string, sender: string, optedOut: boolean): Promise<void> {
    return this.batched(() => {
      // Forgotten when written, read again after: the next lookup sees the committed row.
      this.optOutCache.delete(`${msisdn}\0${sender}`);
      // Added before the write commits: a lookup in between reads the store, which still says no.
      if (optedOut) {
        this.optedOutNumbers.add(msisdn);
        this.sql('INSERT OR REPLACE INTO optouts (msisdn, sender, at) VALUES (?, ?, ?)').run(
          msisdn,
          sender,
          Date.now(),
        );
      } else this.sql('DELETE FROM optouts WHERE msisdn = ? AND sender = ?').run(msisdn, sender);
    });
  }

  /**
   * A number that never opted out is answered from the set of opted-out numbers (loaded at
   * open, added to by setOptOut); the others are looked up once per number and sender, then
   * answered from memory: this process is the only writer of the embedded store, and
   * setOptOut forgets the pair it changes.
   */
  async isOptedOut(msisdn: string, sender: string): Promise<boolean> {
    if (!this.optedOutNumbers.has(msisdn)) {
      // An erased number's opt-outs are kept under its keyed hash (src/store/lifecycle.ts).
      if (!this.erasedOptOuts) return false;
      const tag = erasedTag((this.erasureKey ??= lifecycle.erasureKey(this.db, this.pepper)), msisdn);
      if (!this.optedOutNumbers.has(tag)) return false;
      msisdn = tag;
    }
    const key = `${msisdn}\0${sender}`;
    const hit = this.optOutCache.get(key);
    if (hit !== undefined) return hit;
    const out = this.stmts.optedOut.get(msisdn, sender) !== undefined;
    if (this.optOutCache.size >= 100_000) this.optOutCache.clear();
    this.optOutCache.set(key, out);
    return out;
  }

  addWebhooks(items: NewWebhook[]): Promise<void> {
    return this.batched(() => {
      const now = Date.now();
      for (const w of items) this.addWebhookRow(w, now);
    });
  }

  claimWebhooks(limit: number, leaseMs: number): Promise<WebhookItem[]> {
    return this.batched(() => {
      const now = Date.now();
      const rows = this.stmts.claimWebhooks.all({ until: now + leaseMs, now, limit }) as WebhookRow[];
      return rows.map(toWebhook).sort((a, b) => a.id - b.id);
    });
  }

  ackWebhook(id: number): Promise<void> {
    return this.batched(() => void this.stmts.ackWebhook.run(id));
  }

  retryWebhook(id: number, delayMs: number, error: string): Promise<void> {
    return this.batched(() => {
      const next = Date.now() + delayMs;
      this.stmts.retryWebhook.run({ next, error, id });
      this.stmts.holdLater.run({ next, id });
    });
  }

  dropWebhook(id: number): Promise<void> {
    return this.batched(() => void this.stmts.ackWebhook.run(id));
  }

  expireWebhooks(): Promise<WebhookItem[]> {
    return this.batched(() => (this.stmts.expireWebhooks.all(Date.now()) as WebhookRow[]).map(toWebhook));
  }

  async webhookDepth(): Promise<number> {
    return (this.sql('SELECT COUNT(*) AS n FROM webhooks').get() as { n: number }).n;
  }

  async listOptOuts(f: { msisdn?: string; limit: number }): Promise<OptOut[]> {
    const rows = (
      f.msisdn
        ? this.sql('SELECT * FROM optouts WHERE msisdn = ? ORDER BY msisdn, sender LIMIT ?').all(
            f.msisdn,
            f.limit,
          )
        : this.sql('SELECT * FROM optouts ORDER BY msisdn, sender LIMIT ?').all(f.limit)
    ) as OptOut[];
    return rows.map((r) => ({ msisdn: r.msisdn, sender: r.sender, at: r.at }));
  }

  async countMo(): Promise<number> {
    return (this.sql('SELECT COUNT(*) AS n FROM mo').get() as { n: number }).n;
  }

  async queueDepth(connectorId?: string): Promise<number> {
    const r = connectorId
      ? (this.sql('SELECT COUNT(*) AS n FROM queue WHERE connector_id = ?').get(connectorId) as { n: number })
      : (this.sql('SELECT COUNT(*) AS n FROM queue').get() as { n: number });
    return r.n;
  }

  async listMessages(q: MessageFilter): Promise<StoredMessage[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      args.push(v);
    };
    if (q.userId !== undefined) add('user_id = ?', q.userId);
    if (q.connectorId !== undefined) add('connector_id = ?', q.connectorId);
    if (q.before !== undefined) add('id < ?', q.before);
    if (q.after !== undefined) add('id > ?', q.after);
    if (q.state !== undefined) add('state = ?', q.state);
    if (q.destination !== undefined) add('destination = ?', q.destination);
    if (q.source !== undefined) add('source = ?', q.source);
    if (q.since !== undefined) add('created_at >= ?', q.since);
    if (q.until !== undefined) add('created_at < ?', q.until);
    if (q.clientRef !== undefined) add("json_extract(meta, '$.clientRef') = ?", q.clientRef);
    if (q.tag !== undefined) add("EXISTS (SELECT 1 FROM json_each(meta, '$.tags') WHERE value = ?)", q.tag);
    if (q.campaign !== undefined) add("json_extract(meta, '$.campaign') = ?", q.campaign);
    const sql = `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${q.after !== undefined ? 'ASC' : 'DESC'} LIMIT ?`;
    const rows = this.sql(sql).all(...args, q.limit) as MessageRow[];
    return rows.map(toMessage);
  }

  addApiKey(userId: number, keyHash: string, label?: string): Promise<ApiKeyInfo> {
    return this.batched(() => {
      this.sql(
        'INSERT OR IGNORE INTO api_keys (key_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)',
      ).run(keyHash, userId, label ?? null, Date.now());
      return toApiKey(
        this.sql('SELECT id, user_id, label, created_at, revoked_at FROM api_keys WHERE key_hash = ?').get(
          keyHash,
        ) as ApiKeyRow,
      );
    });
  }

  async listApiKeys(userId: number): Promise<ApiKeyInfo[]> {
    const rows = this.sql(
      'SELECT id, user_id, label, created_at, revoked_at FROM api_keys WHERE user_id = ? AND revoked_at IS NULL ORDER BY id',
    ).all(userId) as ApiKeyRow[];
    return rows.map(toApiKey);
  }

  revokeApiKey(userId: number, id: number): Promise<ApiKeyInfo | undefined> {
    return this.batched(() => {
      const r = this.sql(
        'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL RETURNING id, user_id, label, created_at, revoked_at',
      ).get(Date.now(), id, userId) as ApiKeyRow | undefined;
      return r && toApiKey(r);
    });
  }

  async getUserByApiKey(keyHash: string): Promise<User | undefined> {
    const r = this.sql(
      'SELECT u.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ? AND k.revoked_at IS NULL',
    ).get(keyHash) as UserRow | undefined;
    return r && toUser(r);
  }

  async beginIdempotent(claim: IdempotencyClaim): Promise<IdempotencyBegin> {
    const { userId, key, bodyHash, ttlMs, staleMs } = claim;
    // Synchronous statements: nothing else runs on this connection between them.
    const now = Date.now();
    const inserted = this.sql(
      'INSERT OR IGNORE INTO idempotency (user_id, key, body_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ).run(userId, key, bodyHash, now, now + ttlMs);
    if (inserted.changes === 1) return { kind: 'new' };
    const taken = this.sql(
      `UPDATE idempotency SET body_hash = ?, status = NULL, response = NULL, created_at = ?, expires_at = ?
         WHERE user_id = ? AND key = ? AND (expires_at <= ? OR (status IS NULL AND created_at < ?))`,
    ).run(bodyHash, now, now + ttlMs, userId, key, now, now - staleMs);
    if (taken.changes === 1) return { kind: 'new' };
    const r = this.sql(
      'SELECT body_hash, status, response FROM idempotency WHERE user_id = ? AND key = ?',
    ).get(userId, key) as { body_hash: string; status: number | null; response: string | null } | undefined;
    if (!r) return this.beginIdempotent(claim);
    if (r.body_hash !== bodyHash) return { kind: 'mismatch' };
    if (r.status === null || r.response === null) return { kind: 'in_flight' };
    return { kind: 'replay', status: r.status, response: r.response };
  }

  finishIdempotent({ userId, key, status, response }: IdempotencyAnswer): Promise<void> {
    return this.batched(
      () =>
        void this.sql('UPDATE idempotency SET status = ?, response = ? WHERE user_id = ? AND key = ?').run(
          status,
          response,
          userId,
          key,
        ),
    );
  }

  abandonIdempotent(userId: number, key: string): Promise<void> {
    return this.batched(
      () =>
        void this.sql('DELETE FROM idempotency WHERE user_id = ? AND key = ? AND status IS NULL').run(
          userId,
          key,
        ),
    );
  }

  // ---- media (src/store/media.ts) ---------------------------------------------------------

  addMedia(m: StoredMedia): Promise<void> {
    return this.batched(
      () =>
        void this.sql(
          'INSERT INTO media (id, user_id, sha256, content_type, size, filename, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(m.id, m.userId, m.sha256, m.contentType, m.size, m.filename ?? null, m.createdAt),
    );
  }

  async getMedia(id: string): Promise<StoredMedia | undefined> {
    const r = this.sql('SELECT * FROM media WHERE id = ?').get(id) as MediaRow | undefined;
    return r && storedMedia(r);
  }

  purgeMedia(o: { before: number; limit: number }): Promise<{ deleted: number; unreferenced: string[] }> {
    return this.batched(() => {
      const old = this.sql(
        'SELECT id, sha256 FROM media WHERE created_at < ? ORDER BY created_at LIMIT ?',
      ).all(o.before, o.limit) as { id: string; sha256: string }[];
      if (old.length === 0) return { deleted: 0, unreferenced: [] };
      const queued = this.sql(
        "SELECT m.meta FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.meta LIKE '%med\\_%' ESCAPE '\\'",
      ).all() as { meta: string }[];
      const keep = mediaIdsIn(queued.map((r) => r.meta));
      const gone = old.filter((r) => !keep.has(r.id));
      const del = this.sql('DELETE FROM media WHERE id = ?');
      for (const r of gone) del.run(r.id);
      const still = this.sql('SELECT 1 FROM media WHERE sha256 = ? LIMIT 1');
      const unreferenced = [...new Set(gone.map((r) => r.sha256))].filter((sha) => !still.get(sha));
      return { deleted: gone.length, unreferenced };
    });
  }

  // ---- data lifecycle (src/store/lifecycle.ts, src/store/sqlite/lifecycle.ts) -----------
  redactBatch(o: AgeScope & { limit: number; now: number }): Promise<RetentionBatch> {
    return this.batched(() => {
      this.forgetFixed();
      return lifecycle.redactBatch(this.db, o);
    });
  }

  deleteBatch(o: AgeScope & { limit: number }): Promise<RetentionBatch> {
    return this.batched(() => {
      this.forgetFixed();
      return lifecycle.deleteBatch(this.db, o);
    });
  }

  async expiredBatch(o: AgeScope & { limit: number }): Promise<ExpiredBatch> {
    return lifecycle.expiredBatch(this.db, o);
  }

  deleteExpired(o: {
    messageIds: readonly string[];
    moIds: readonly string[];
    marks?: readonly LifecycleMark[];
    now: number;
  }): Promise<RetentionBatch> {
    return this.batched(() => {
      this.forgetFixed();
      return lifecycle.deleteExpired(this.db, o);
    });
  }

  purgeEngineBatch(o: AgeScope & { limit: number; now: number }): Promise<RetentionBatch> {
    return this.batched(() => purgeEngineBatch(this.db, o));
  }

  usePepper(pepper: string | null): Promise<void> {
    return this.batched(() => {
      lifecycle.usePepper(this.db, pepper, Date.now());
      this.pepper = pepper;
      this.erasureKey = undefined;
      this.optOutCache.clear();
    });
  }

  async readMark(name: string): Promise<string | undefined> {
    return lifecycle.readMark(this.db, name);
  }

  takePurgeLease(o: { holder: string; ttlMs: number; now: number }): Promise<boolean> {
    return this.batched(() => lifecycle.takePurgeLease(this.db, o));
  }

  async reclaimSpace(): Promise<number> {
    return lifecycle.reclaimSpace(this.db);
  }

  erase(r: ErasureRequest): Promise<ErasureResult> {
    return this.batched(() => {
      this.forgetFixed();
      const e = lifecycle.erase(this.db, r, this.pepper);
      // The number's opt-outs now live under the tag: the caches follow.
      if (r.userId === undefined) this.optedOutNumbers.delete(r.msisdn);
      if (e.optOutsKept > 0) {
        this.optedOutNumbers.add(e.tag);
        this.erasedOptOuts = true;
      }
      this.optOutCache.clear();
      const { tag: _tag, ...result } = e;
      return result;
    });
  }

  private forgetFixed(): void {
    this.fixedYoung.clear();
    this.fixedOld.clear();
  }

  ping(): Promise<void> {
    return this.batched(
      () => void this.sql('INSERT OR REPLACE INTO health (id, at) VALUES (1, ?)').run(Date.now()),
    );
  }

  async close(): Promise<void> {
    await this.checkpointer?.terminate();
    if (this.writes.length) this.flushWrites();
    this.db.close();
  }

  // ---- operator views (admin API, metrics) ----------------------------------------------
  /**
   * The oldest `not_before` of each connector, by a loose index scan: the next connector id
   * is one seek in `queue_oldest_due`, its MIN(not_before + 0) (the index's expression) another, so a scrape costs a few
   * seeks per connector however deep the queue (a GROUP BY read every row: slow at 1,000,000).
   * The plan is checked by test/store/sqlite.test.ts.
   */
  /** The dispatcher's claim: due entries in order with their messages' live columns (public for plan checks). */
  static readonly CLAIM_SQL = `SELECT q.message_id, q.attempts, m.state, m.connector_id, m.upstream_id, m.error, m.updated_at
         FROM queue q JOIN messages m ON m.id = q.message_id
         WHERE q.connector_id = @connector AND q.delayed = 0 AND q.not_before <= @now AND q.lease_until <= @now
         ORDER BY q.priority DESC, q.seq LIMIT @limit`;

  /**
   * moveQueued's batch: the movable entries of `@from` (not leased; due or in back-off; no
   * part accepted upstream or ended), each with its route's target from `@targets` (JSON
   * `[{route, to, detail}]`), re-queued there due now with their attempts reset. (RETURNING
   * may not name the FROM table: the detail is looked up again by the message's route.)
   */
  static readonly MOVE_SQL = `UPDATE queue SET connector_id = t.target, not_before = @now, delayed = 0, lease_until = 0, attempts = 0
     FROM (SELECT q.message_id AS mid, j.value ->> '$.to' AS target
             FROM queue q JOIN messages m ON m.id = q.message_id
             JOIN json_each(@targets) j ON j.value ->> '$.route' = m.meta ->> '$.route'
            WHERE q.connector_id = @from AND q.lease_until <= @now AND (q.not_before <= @now OR q.attempts > 0)
              AND NOT EXISTS (SELECT 1 FROM message_parts p WHERE p.message_id = q.message_id
                                AND (p.state <> 'queued' OR p.upstream_id IS NOT NULL))
            ORDER BY q.priority DESC, q.seq LIMIT @limit) AS t
    WHERE queue.message_id = t.mid
    RETURNING message_id, connector_id,
      (SELECT j.value ->> '$.detail' FROM json_each(@targets) j
        WHERE j.value ->> '$.route' = (SELECT meta ->> '$.route' FROM messages WHERE id = queue.message_id)) AS detail`;

  static readonly OLDEST_DUE_SQL = `WITH RECURSIVE connectors(id) AS (
     SELECT MIN(connector_id) FROM queue
     UNION ALL
     SELECT (SELECT MIN(connector_id) FROM queue WHERE connector_id > connectors.id) FROM connectors WHERE connectors.id IS NOT NULL
   )
   SELECT id AS connector_id, (SELECT MIN(not_before + 0) FROM queue WHERE connector_id = connectors.id) AS due FROM connectors WHERE id IS NOT NULL ORDER BY id`;

  async queueOldestDue(): Promise<{ connectorId: string; dueAt: number }[]> {
    const now = Date.now();
    const rows = this.sql(SqliteStore.OLDEST_DUE_SQL).all() as { connector_id: string; due: number }[];
    // A connector's oldest entry not yet due means none of its entries is due (scheduled or backing off).
    return rows.filter((r) => r.due <= now).map((r) => ({ connectorId: r.connector_id, dueAt: r.due }));
  }

  async listPendingWebhooks(limit: number): Promise<PendingWebhook[]> {
    const rows = this.sql(
      'SELECT id, event_id, kind, message_id, url, attempts, next_at, expires_at, created_at, last_error FROM webhooks ORDER BY id LIMIT ?',
    ).all(limit) as Record<string, unknown>[];
    return rows.map(toPending);
  }

  logWebhookAttempts(entries: WebhookAttempt[]): Promise<void> {
    return this.batched(() => {
      const ins = this.sql(
        'INSERT INTO webhook_log (event_id, message_id, url, attempt, status, error, duration_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const e of entries)
        ins.run(e.eventId, e.messageId, e.url, e.attempt, e.status, e.error, Math.round(e.durationMs), e.at);
    });
  }

  async listWebhookLog(f: { messageId?: string; limit: number }): Promise<LoggedWebhookAttempt[]> {
    const rows = (
      f.messageId === undefined
        ? this.sql('SELECT * FROM webhook_log ORDER BY id DESC LIMIT ?').all(f.limit)
        : this.sql('SELECT * FROM webhook_log WHERE message_id = ? ORDER BY id DESC LIMIT ?').all(
            f.messageId,
            f.limit,
          )
    ) as Record<string, unknown>[];
    return rows.map(toLogged);
  }

  pruneWebhookLog(f: { keep?: number; olderThan?: number }): Promise<number> {
    return this.batched(() => {
      let n = 0;
      if (f.olderThan !== undefined)
        n += this.sql('DELETE FROM webhook_log WHERE at < ?').run(f.olderThan).changes;
      if (f.keep !== undefined)
        n += this.sql(
          'DELETE FROM webhook_log WHERE id <= (SELECT id FROM webhook_log ORDER BY id DESC LIMIT 1 OFFSET ?)',
        ).run(f.keep).changes;
      return n;
    });
  }

  expireOutbox(now = Date.now()): Promise<number> {
    return this.batched(
      () =>
        this.sql(
          'DELETE FROM outbox WHERE id < COALESCE((SELECT MIN(id) FROM outbox WHERE expires_at > @now), (SELECT MAX(id) + 1 FROM outbox)) AND expires_at <= @now',
        ).run({ now }).changes,
    );
  }

  expireParkedReceipts(olderThanMs: number): Promise<number> {
    return this.batched(() => {
      const gone = this.sql('DELETE FROM parked_receipts WHERE at <= ? RETURNING key').all(
        Date.now() - olderThanMs,
      ) as { key: string }[];
      for (const { key } of gone) if (this.stmts.parked.get(key) === undefined) this.parkedKeys.delete(key);
      return gone.length;
    });
  }

  expireAwaitingReceipts({
    connectorId,
    before,
    limit,
    detail,
    notice,
  }: AwaitingExpiry): Promise<ExpiredPart[]> {
    // Looked up inside the write: no receipt can land between the lookup and the expiry.
    return this.batched(() => {
      const rows = this.sql(
        "SELECT message_id, seq FROM message_parts WHERE connector_id = ? AND state IN ('sent', 'unknown') AND updated_at <= ? ORDER BY updated_at LIMIT ?",
      ).all(connectorId, before, limit) as { message_id: string; seq: number }[];
      return rows.map((r) => ({
        id: r.message_id,
        seq: r.seq,
        ...this.applyPart(r.message_id, r.seq, 'expired', detail, notice),
      }));
    });
  }

  // ---- connectors and routes changed at runtime -----------------------------------------
  async listConnectorDefinitions(): Promise<StoredConnector[]> {
    const rows = this.sql('SELECT id, definition, source, updated_at FROM connectors ORDER BY seq').all() as {
      id: string;
      definition: string | null;
      source: DefinitionSource;
      updated_at: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      definition: r.definition === null ? null : (JSON.parse(r.definition) as Record<string, unknown>),
      source: r.source,
      updatedAt: r.updated_at,
    }));
  }

  putConnectorDefinition(
    id: string,
    definition: Record<string, unknown> | null,
    source: DefinitionSource,
  ): Promise<void> {
    return this.batched(
      () =>
        void this.sql(
          `INSERT INTO connectors (id, definition, source, seq, updated_at) VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM connectors), ?)
           ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, source = excluded.source, updated_at = excluded.updated_at`,
        ).run(id, definition === null ? null : JSON.stringify(definition), source, Date.now()),
    );
  }

  deleteConnectorDefinition(id: string): Promise<boolean> {
    return this.batched(() => this.sql('DELETE FROM connectors WHERE id = ?').run(id).changes > 0);
  }

  async getRouteDefinitions(kind: RouteKind = 'mt'): Promise<StoredRoutes | undefined> {
    const r = this.sql(`SELECT routes, source, updated_at FROM ${ROUTE_TABLES[kind]} WHERE id = 1`).get() as
      { routes: string; source: DefinitionSource; updated_at: number } | undefined;
    return (
      r && {
        routes: JSON.parse(r.routes) as Record<string, unknown>[],
        source: r.source,
        updatedAt: r.updated_at,
      }
    );
  }

  putRouteDefinitions(
    routes: Record<string, unknown>[],
    source: DefinitionSource,
    kind: RouteKind = 'mt',
  ): Promise<void> {
    return this.batched(
      () =>
        void this.sql(
          `INSERT INTO ${ROUTE_TABLES[kind]} (id, routes, source, updated_at) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET routes = excluded.routes, source = excluded.source, updated_at = excluded.updated_at`,
        ).run(JSON.stringify(routes), source, Date.now()),
    );
  }
}
