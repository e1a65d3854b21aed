/**
 * The scale-out store: PostgreSQL through `pg`. Same contract as the SQLite store: accepted
 * messages are committed in groups (one transaction per turn of the event loop), every
 * other write too; queue claims use `FOR UPDATE SKIP LOCKED` so several nodes never claim
 * the same row, and a crashed node's leases return when they expire.
 */
import pg from 'pg';
import * as money from './money.js';
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
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
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
import {
  RESTART_REQUEUE_DETAIL,
  ROUTE_TABLES,
  type DefinitionSource,
  type DefinitionsEvent,
  type RouteKind,
  type StoredConnector,
  type StoredRoutes,
} from '../store.js';
import { PG_MIGRATIONS } from './migrations.js';
import { PostgresClusterStore } from './cluster.js';
import { resendAsSms as resendSms } from './mms-resend.js';
import { num, toMessage, type Row } from './rows.js';
import { GroupCommit, type GroupStats } from './group-commit.js';
import { Coalescer } from './coalesce.js';
import { DelayedEntries } from './delayed.js';
import { BULK_KINDS, acceptKind, ackOutboxKind, sentKind } from './bulk-writes.js';
import { PostgresWebhooks } from './webhooks.js';
import { OUTBOX_TTL_MS, insertWebhooks, receiptKind } from './bulk-receipts.js';
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
import type { PgHandle } from './engine-store/handle.js';
import { DefinitionsListener, definitionsChannel, type DefinitionsNotice } from './definitions-listener.js';

type Client = pg.PoolClient;

/**
 * The accept's debit and its ledger entry in one statement (see accept): $1 price, $2 user,
 * $3 SMS count, $4 now, $5 message id, $6 campaign.
 */
const ACCEPT_DEBIT = `WITH d AS (
    UPDATE users SET balance_micros = balance_micros - $1, sms_count = sms_count - $3,
      low_balance_at = CASE WHEN low_balance_at IS NULL AND balance_micros - $1 < low_balance_micros THEN $4 ELSE low_balance_at END
    WHERE id = $2 AND enabled AND balance_micros >= $1 AND (sms_count IS NULL OR sms_count >= $3)
      AND NOT EXISTS (SELECT 1 FROM user_groups g WHERE g.id = users.group_id AND NOT g.enabled)
    RETURNING id, username, balance_micros, sms_count, low_balance_micros, low_balance_url,
      (low_balance_at = $4 AND balance_micros + $1 >= low_balance_micros) AS crossed),
  l AS (INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, sms, message_id, campaign)
    SELECT id, $4, 'charge', -$1, balance_micros, CASE WHEN sms_count IS NULL THEN 0 ELSE -$3 END, $5, $6 FROM d)
  SELECT username, balance_micros, low_balance_micros, low_balance_url, crossed FROM d`;
const toUser = (r: Row): User => ({
  id: num(r.id),
  username: r.username as string,
  passwordHash: r.password_hash as string,
  balanceMicros: num(r.balance_micros),
  rateMicros: num(r.rate_micros),
  enabled: r.enabled as boolean,
  group: (r.group_id as string | null) ?? null,
  smsCount: r.sms_count === null || r.sms_count === undefined ? null : num(r.sms_count),
  // Filled through userSettings() so settings added later take their defaults.
  settings: userSettings(JSON.parse((r.settings as string | undefined) ?? '{}') as UserSettingsSpec),
});

const toPart = (r: Row): MessagePart => ({
  messageId: r.message_id as string,
  seq: r.seq as number,
  total: r.total as number,
  state: r.state as PartState,
  connectorId: (r.connector_id as string | null) ?? null,
  upstreamId: (r.upstream_id as string | null) ?? null,
  error: (r.error as string | null) ?? null,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

const toGroup = (r: Row): Group => ({
  id: r.id as string,
  description: (r.description as string | null) ?? null,
  enabled: r.enabled as boolean,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

/** SMS parts a message takes from a limited SMS-count quota. */

const toMo = (r: Row): InboundMessage => ({
  id: r.id as string,
  connectorId: r.connector_id as string,
  source: r.source as string,
  destination: r.destination as string,
  dataCoding: r.data_coding as number,
  body: r.body as Buffer,
  complete: r.complete as boolean,
  routedTo: (r.routed_to as string | null) ?? null,
  routedUrl: (r.routed_url as string | null) ?? null,
  receivedAt: num(r.received_at),
  ...mediaOf(r.media as string | null),
  ...subjectOf(r.subject as string | null),
});

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema to use (created when missing); lets tests and tenants share a database. */
  schema?: string;
  poolSize?: number;
  /**
   * This node's name. Leases carry it, and a node that starts frees the leases it held
   * before (its previous process is gone); other nodes' leases return when they expire.
   */
  nodeId?: string;
  /**
   * Free the leases this node held before (default true: a starting gateway's previous
   * process is gone). False for a tool that only reads (`hermod config check --store`)
   * beside a running node, whose leases are live.
   */
  reclaim?: boolean;
}

const API_KEY_COLUMNS = 'id, user_id, label, created_at, revoked_at';
// BIGINT columns come back as strings from pg: ids and times fit a double.
const toApiKey = (r: Row): ApiKeyInfo => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  label: (r.label as string | null) ?? null,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export class PostgresStore implements Store {
  /** The erasure key, read once (a promise: the first turn's callers share one read). */
  private erasureKey: Promise<string> | undefined;
  /** The erasure pepper (usePepper), null for none. */
  private pepper: string | null = null;
  private readonly pool: pg.Pool;
  /** The claims' connections: sessions that plan index scans only (claimInIndexOrder). */
  private readonly leases: pg.Pool;
  /** The webhook outbox and log (webhooks.ts). */
  private readonly webhooks: PostgresWebhooks;
  private readonly group: GroupCommit;
  private readonly receipts: GroupCommit;
  /** When a claim must promote delayed queue entries first. */
  private readonly delayed = new DelayedEntries();
  /** Where definition changes are NOTIFYed (one channel per schema: tenants of one database do not hear each other). */
  readonly definitionsChannel: string;
  private readonly notice: string;
  private readonly listener: DefinitionsListener;
  /** What the group commit did so far: writes in bulk statements, alone, bulk statements that failed. */
  groupStats(): GroupStats {
    return { ...this.group.stats };
  }

  /** Messages whose lease this node held before and freed at open (Store.restartRequeued). */
  restartRequeued = 0;

  /** Membership and named leases, shared by the nodes of this schema. */
  readonly cluster: PostgresClusterStore;

  private constructor(
    pool: pg.Pool,
    leases: pg.Pool,
    connectionString: string,
    readonly schema: string,
    readonly nodeId: string,
  ) {
    this.pool = pool;
    this.leases = leases;
    this.cluster = new PostgresClusterStore(pool);
    this.group = new GroupCommit(pool, BULK_KINDS);
    // Receipts in transactions of their own, beside the main group's (parts sent commit
    // without waiting for them), each after the main group's writes asked for before it.
    this.receipts = new GroupCommit(pool, [receiptKind], { after: this.group, stats: this.group.stats });
    this.webhooks = new PostgresWebhooks(pool, leases, this.group, nodeId);
    this.definitionsChannel = definitionsChannel(schema);
    const notice: DefinitionsNotice = { node: nodeId, instance: randomUUID() };
    this.notice = JSON.stringify(notice);
    this.listener = new DefinitionsListener({
      connectionString,
      channel: this.definitionsChannel,
      applicationName: `hermod-definitions ${nodeId}`,
      instance: notice.instance,
    });
  }

  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = opts.schema ?? 'hermod';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    const poolOf = (max: number, settings = '') =>
      new pg.Pool({
        connectionString: opts.connectionString,
        max,
        options: `-c search_path=${schema}${settings}`,
        // Names this node's connections in pg_stat_activity (operators, and tests that end them).
        application_name: `hermod ${opts.nodeId ?? hostname()}`,
      });
    const pool = poolOf(opts.poolSize ?? 10);
    // The claims' connections (claimInIndexOrder): index scans only, set once per connection.
    const leases = poolOf(2, ' -c enable_bitmapscan=off -c enable_seqscan=off');
    // A connection PostgreSQL ends (a restart, a failover, pg_terminate_backend) is an 'error'
    // event of its client: an idle one's through the pool, a checked-out one's on the client.
    // Unheard, either ends the process; heard, the queries on it reject and the pool opens a
    // new connection for the next ones (a client that failed is not given out again).
    for (const p of [pool, leases]) {
      p.on('error', () => undefined);
      p.on('connect', (client) => client.on('error', () => undefined));
    }
    const store = new PostgresStore(pool, leases, opts.connectionString, schema, opts.nodeId ?? hostname());
    await store.migrate();
    if (opts.reclaim === false) return store;
    // Each message so freed may have reached the SMSC before this node stopped: its history
    // says so (a resend may duplicate it, and every possible duplicate is reported), in the
    // same statement as the freeing.
    const freed = await pool.query(
      `WITH freed AS (UPDATE queue SET lease_until = 0, claimed_by = NULL WHERE claimed_by = $1 AND lease_until > 0 RETURNING message_id)
       INSERT INTO message_events (message_id, state, at, detail) SELECT message_id, 'queued', $2, $3 FROM freed`,
      [store.nodeId, Date.now(), RESTART_REQUEUE_DETAIL],
    );
    store.restartRequeued = freed.rowCount ?? 0;
    await pool.query('UPDATE queue SET claimed_by = NULL WHERE claimed_by = $1', [store.nodeId]);
    await pool.query('UPDATE outbox SET lease_until = 0, claimed_by = NULL WHERE claimed_by = $1', [
      store.nodeId,
    ]);
    await pool.query('UPDATE webhooks SET lease_until = 0, claimed_by = NULL WHERE claimed_by = $1', [
      store.nodeId,
    ]);
    return store;
  }

  private async migrate(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      // One migrator at a time per schema across nodes (other schemas do not wait).
      await c.query("SELECT pg_advisory_lock(hashtext('hermod-migrate-' || $1))", [this.schema]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const done = new Set(
        (await c.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => r.version as number),
      );
      for (let i = 0; i < PG_MIGRATIONS.length; i++) {
        if (done.has(i + 1)) continue;
        await c.query('BEGIN');
        await c.query(PG_MIGRATIONS[i]);
        await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          i + 1,
          Date.now(),
        ]);
        await c.query('COMMIT');
      }
    } finally {
      await c
        .query("SELECT pg_advisory_unlock(hashtext('hermod-migrate-' || $1))", [this.schema])
        .catch(() => undefined);
      c.release();
    }
  }

  /**
   * A claim of a queue-like table (the outbox, the webhooks) walked on its index in order,
   * never as a bitmap or a sequential scan. Its delivered items are dead rows until a vacuum
   * (up to a minute of them, one per item), and only an index scan marks them dead in the
   * index for the next claim; a bitmap or sequential scan, which the planner picks for the
   * few live rows, visits every one of them again at every claim (5 ms per outbox claim
   * after 20,000 receipts, the busiest statement of a paced run). On the claims' own
   * connections, whose sessions are set so (`leases`): one autocommit statement, where SET
   * LOCAL in a transaction of its own cost three round trips more per claim. The queue's
   * claim runs there too (on its index either way), off the pool the group commits share.
   */
  private async claimInIndexOrder(sql: string, params: unknown[]): Promise<Row[]> {
    return (await this.leases.query(sql, params)).rows as Row[];
  }

  /** Group commit (group-commit.ts): writes requested in one turn share a transaction; each has a savepoint. */
  private batched<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    return this.group.write(fn);
  }

  // ---- money and reports (src/store/money.ts, src/store/postgres/money.ts) ----------------
  listLedger(q: LedgerQuery): Promise<LedgerEntry[]> {
    return money.listLedger(this.pool, q);
  }

  getMoneyState(userId: number): Promise<MoneyState | undefined> {
    return money.moneyState(this.pool, userId);
  }

  setLowBalance(
    userId: number,
    s: { thresholdMicros: number | null; url: string | null },
  ): Promise<MoneyState | undefined> {
    return this.batched(async (c) =>
      (await money.setLowBalance(c, userId, s, Date.now())) ? money.moneyState(c, userId) : undefined,
    );
  }

  getRateCard(userId: number): Promise<RateCardEntry[]> {
    return money.rateCard(this.pool, userId);
  }

  putRateCard(userId: number, entries: RateCardEntry[]): Promise<void> {
    return this.batched((c) => money.putRateCard(c, userId, entries, Date.now()));
  }

  queryReports(q: ReportQuery): Promise<ReportCounts[]> {
    return money.reports(this.pool, q);
  }

  /**
   * The pool and the group-commit writer, for the SMS engine's stores
   * (src/store/postgres/engine/): their writes share the core's transactions.
   */
  engineHandle(): PgHandle {
    return { pool: this.pool, schema: this.schema, write: (fn) => this.batched(fn) };
  }

  private async one(sql: string, params: unknown[] = []): Promise<Row | undefined> {
    return (await this.pool.query(sql, params)).rows[0] as Row | undefined;
  }

  async getUserByName(username: string): Promise<User | undefined> {
    const r = await this.one('SELECT * FROM users WHERE username = $1', [username]);
    return r && toUser(r);
  }

  async getUser(id: number): Promise<User | undefined> {
    const r = await this.one('SELECT * FROM users WHERE id = $1', [id]);
    return r && toUser(r);
  }

  async listUsers(): Promise<User[]> {
    return (await this.pool.query('SELECT * FROM users ORDER BY username')).rows.map(toUser);
  }

  async upsertUser(u: UserSpec): Promise<User> {
    const settings = JSON.stringify(userSettings(u.settings));
    const smsCount = checkSmsCount(u.smsCount);
    // A new account's opening balance is the ledger's first entry, in the same statement
    // (xmax = 0: the row was inserted, not updated).
    await this.pool.query(
      `WITH u AS (
         INSERT INTO users (username, password_hash, balance_micros, rate_micros, enabled, group_id, sms_count, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, rate_micros = EXCLUDED.rate_micros, enabled = EXCLUDED.enabled,
           group_id = EXCLUDED.group_id, settings = EXCLUDED.settings
         RETURNING id, balance_micros, xmax = 0 AS created)
       INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, note)
       SELECT id, $9, 'adjustment', balance_micros, balance_micros, 'opening balance' FROM u WHERE created AND balance_micros <> 0`,
      [
        u.username,
        u.passwordHash,
        u.balanceMicros,
        u.rateMicros,
        u.enabled !== false,
        u.group ?? null,
        smsCount,
        settings,
        Date.now(),
      ],
    );
    return (await this.getUserByName(u.username))!;
  }

  async getBalance(userId: number): Promise<number> {
    return num(
      (await this.one('SELECT balance_micros FROM users WHERE id = $1', [userId]))?.balance_micros ?? 0,
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
    return this.batched(async (c) => {
      const r = (await c.query('SELECT * FROM users WHERE id = $1 FOR UPDATE', [userId])).rows[0] as
        Row | undefined;
      if (!r) return undefined;
      const current = {
        balanceMicros: num(r.balance_micros),
        smsCount: r.sms_count === null ? null : num(r.sms_count),
      };
      afterTopUp(current, amounts); // throws below zero
      await money.creditWithEntry(c, {
        userId,
        amount: amounts.balanceMicros,
        sms: amounts.smsCount,
        at: Date.now(),
        kind: add.kind ?? (amounts.balanceMicros < 0 ? 'adjustment' : 'topup'),
        note: add.note ?? null,
        actor: add.actor ?? null,
      });
      const { rows } = await c.query('SELECT * FROM users WHERE id = $1', [userId]);
      return toUser(rows[0] as Row);
    });
  }

  setSmsQuota(userId: number, smsCount: number | null): Promise<User | undefined> {
    let n: number | null;
    try {
      n = checkSmsCount(smsCount);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.batched(async (c) => {
      const { rows } = await c.query('UPDATE users SET sms_count = $1 WHERE id = $2 RETURNING *', [
        n,
        userId,
      ]);
      return rows[0] ? toUser(rows[0] as Row) : undefined;
    });
  }

  async getGroup(id: string): Promise<Group | undefined> {
    const r = await this.one('SELECT * FROM user_groups WHERE id = $1', [id]);
    return r && toGroup(r);
  }

  async listGroups(): Promise<Group[]> {
    return (await this.pool.query('SELECT * FROM user_groups ORDER BY id')).rows.map(toGroup);
  }

  async upsertGroup(g: GroupSpec): Promise<Group> {
    if (typeof g.id !== 'string' || g.id.length === 0)
      throw new InvalidAccountError('group id must be a non-empty string');
    const now = Date.now();
    const { rows } = await this.pool.query(
      `INSERT INTO user_groups (id, description, enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (id) DO UPDATE SET description = EXCLUDED.description, enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at RETURNING *`,
      [g.id, g.description ?? null, g.enabled !== false, now],
    );
    return toGroup(rows[0] as Row);
  }

  /** Why a debit was refused (only asked on the refusal path). */
  private async refusal(c: Client, m: NewMessage): Promise<Exclude<AcceptResult, { ok: true }>['reason']> {
    const u = (
      await c.query(
        'SELECT u.enabled, u.balance_micros, g.enabled AS group_enabled FROM users u LEFT JOIN user_groups g ON g.id = u.group_id WHERE u.id = $1',
        [m.userId],
      )
    ).rows[0] as Row | undefined;
    if (!u) return 'no_user';
    if (!u.enabled) return 'user_disabled';
    if (u.group_enabled === false) return 'group_disabled';
    if (num(u.balance_micros) < m.priceMicros) return 'insufficient_balance';
    return 'sms_quota_exhausted';
  }

  async countMessages(): Promise<MessageCount[]> {
    const { rows } = await this.pool.query(
      'SELECT connector_id, state, COUNT(*) AS n FROM messages GROUP BY connector_id, state ORDER BY connector_id, state',
    );
    return rows.map((r: Row) => ({
      connectorId: r.connector_id as string,
      state: r.state as MessageState,
      count: num(r.n),
    }));
  }

  async accept(m: NewMessage, opts: AcceptOptions = {}): Promise<AcceptResult> {
    const result = await this.acceptOne(m, opts);
    // Once committed (a promotion that ran before the commit did not see it).
    if (result.ok && m.meta?.scheduleAt !== undefined) this.delayed.wrote(m.meta.scheduleAt);
    return result;
  }

  private acceptOne(m: NewMessage, opts: AcceptOptions): Promise<AcceptResult> {
    // A batch's accepts in one statement (bulk-writes.ts); what it leaves runs here, alone.
    return this.group.bulk(acceptKind, m, async (c): Promise<AcceptResult> => {
      if (m.onceOnly && (await c.query('SELECT 1 FROM messages WHERE id = $1', [m.id])).rowCount !== 0)
        return { ok: false, reason: 'duplicate_id' } as const;
      const now = Date.now();
      // One statement: the balance and the SMS-count quota are debited together or not at
      // all (the row lock serialises concurrent debits, so neither goes negative), only for an enabled user
      // whose group (if any) is not disabled. NULL sms_count (unlimited) stays NULL. The
      // charge's ledger entry is written by the same statement (a CTE: no extra round trip),
      // and a debit that takes the balance below the low-balance threshold flags it.
      const debit = await c.query(ACCEPT_DEBIT, [
        m.priceMicros,
        m.userId,
        smsOf(m),
        now,
        m.id,
        m.meta?.campaign ?? null,
      ]);
      if (debit.rowCount === 0) return { ok: false, reason: await this.refusal(c, m) } as const;
      const d = debit.rows[0] as Row;
      let lowBalance: LowBalanceCrossing | undefined;
      if (d.crossed === true) {
        lowBalance = {
          userId: m.userId,
          username: d.username as string,
          balanceMicros: num(d.balance_micros),
          thresholdMicros: num(d.low_balance_micros),
          url: (d.low_balance_url as string | null) ?? null,
          messageId: m.id,
          at: now,
        };
        await insertWebhooks(c, opts.lowBalance?.(lowBalance) ?? [], now);
      }
      await c.query(
        `INSERT INTO messages (id, user_id, system_id, source, destination, esm_class, data_coding, body, registered_delivery, priority, connector_id, price_micros, state, created_at, updated_at, meta)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'queued',$13,$13,$14)`,
        [
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
          JSON.stringify(m.meta ?? {}),
        ],
      );
      await c.query(
        "INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, 'accepted', $2, $4), ($1, 'queued', $2, $3)",
        [m.id, now, m.connectorId, acceptedDetail(m.meta)],
      );
      const notBefore = Math.max(now, m.meta?.scheduleAt ?? 0);
      await c.query(
        'INSERT INTO queue (message_id, connector_id, priority, not_before, delayed) VALUES ($1, $2, $3, $4, $5)',
        [m.id, m.connectorId, m.priority, notBefore, notBefore > now ? 1 : 0],
      );
      return lowBalance ? { ok: true, lowBalance } : { ok: true };
    });
  }

  async getMessage(id: string): Promise<StoredMessage | undefined> {
    const r = await this.one('SELECT * FROM messages WHERE id = $1', [id]);
    return r && toMessage(r);
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const { rows } = await this.pool.query(
      'SELECT state, at, detail, seq FROM message_events WHERE message_id = $1 ORDER BY id',
      [id],
    );
    return rows.map((r: Row) => ({
      state: r.state as MessageState,
      at: num(r.at),
      detail: (r.detail as string | null) ?? null,
      seq: (r.seq as number | null) ?? null,
    }));
  }

  async getParts(id: string): Promise<MessagePart[]> {
    return (
      await this.pool.query('SELECT * FROM message_parts WHERE message_id = $1 ORDER BY seq', [id])
    ).rows.map(toPart);
  }

  /** A part's event: a single-part message's part is the message, so its events carry no seq. */
  private async partEvent(
    c: Client,
    id: string,
    seq: number,
    total: number,
    state: MessageState,
    now: number,
    detail: string | null,
  ): Promise<void> {
    await c.query(
      'INSERT INTO message_events (message_id, state, at, detail, seq) VALUES ($1, $2, $3, $4, $5)',
      [id, state, now, detail, total > 1 ? seq : null],
    );
  }

  private async ensureParts(c: Client, id: string, total: number, now: number): Promise<void> {
    await c.query(
      `INSERT INTO message_parts (message_id, seq, total, state, created_at, updated_at)
       SELECT $1, g, $2, 'queued', $3, $3 FROM generate_series(1, $2::int) AS g ON CONFLICT DO NOTHING`,
      [id, total, now],
    );
  }

  /**
   * The message takes the aggregate state of its parts; the customer's receipt is queued
   * when it becomes final. The caller holds the message row's lock.
   */
  private async settle(
    c: Client,
    row: Row,
    now: number,
    detail: string | null,
    notice: FinalNotice | undefined,
    refunded = 0,
  ): Promise<Settled> {
    const id = row.id as string;
    const parts = (
      await c.query('SELECT seq, state, error FROM message_parts WHERE message_id = $1 ORDER BY seq', [id])
    ).rows as { state: PartState; error: string | null }[];
    const state = aggregateState(parts);
    const before = row.state as MessageState;
    if (state === before) return { state };
    const error =
      state === 'delivered'
        ? null
        : (parts.find((p) => p.error !== null && p.state !== 'delivered')?.error ?? null);
    await c.query(
      'UPDATE messages SET state = $1, error = COALESCE($2, error), updated_at = $3 WHERE id = $4',
      [state, error, now, id],
    );
    if (parts.length > 1)
      await c.query('INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, $2, $3, $4)', [
        id,
        state,
        now,
        detail,
      ]);
    if (FINAL_STATES.has(state) && !FINAL_STATES.has(before))
      await money.countFinal(c, finalCount(toMessage(row), state, now, refunded));
    if (FINAL_STATES.has(state) && !FINAL_STATES.has(before) && notice) {
      const m = toMessage(row);
      const notified = notice({
        state,
        message: { ...m, state, error: error ?? m.error, updatedAt: now },
        parts: { total: parts.length, delivered: parts.filter((p) => p.state === 'delivered').length },
      });
      await this.writeNotification(c, id, notified, now);
      return { state, notified };
    }
    return { state };
  }

  /** What a final state owes (FinalNotice's answer): the customer's outbox item and the webhooks (inside a write transaction). */
  private async writeNotification(
    c: Client,
    id: string,
    n: FinalNotification | undefined,
    now: number,
  ): Promise<void> {
    if (n?.systemId !== undefined && n.payload !== undefined)
      await c.query(
        'INSERT INTO outbox (system_id, message_id, payload, next_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [n.systemId, id, n.payload, now, now + OUTBOX_TTL_MS],
      );
    await insertWebhooks(c, n?.webhooks ?? [], now);
  }

  /**
   * A refund: price and SMS count back to the account (a NULL, unlimited, quota stays NULL),
   * with its ledger entry (why: the state that ended the message, and its detail), in one statement.
   */
  private async credit(
    c: Client,
    row: Row,
    r: { price: unknown; sms: number; reason: string; note: string | null; at: number },
  ): Promise<void> {
    const meta = JSON.parse((row.meta as string | undefined) ?? '{}') as MessageMeta;
    await money.creditWithEntry(c, {
      userId: row.user_id,
      amount: r.price,
      sms: r.sms,
      at: r.at,
      kind: 'refund',
      messageId: row.id as string,
      campaign: meta.campaign ?? null,
      reason: r.reason,
      note: r.note,
    });
  }

  private async lockMessage(c: Client, id: string): Promise<Row | undefined> {
    return (await c.query('SELECT * FROM messages WHERE id = $1 FOR UPDATE', [id])).rows[0] as
      Row | undefined;
  }

  markPartSent(sent: PartSent): Promise<void> {
    const { id, seq, total, connectorId, upstreamId, keys } = sent;
    return this.group.bulk(sentKind, sent, async (c) => {
      const now = Date.now();
      const row = await this.lockMessage(c, id);
      if (!row) return;
      await this.ensureParts(c, id, total, now);
      await c.query(
        "UPDATE message_parts SET state = 'sent', connector_id = $1, upstream_id = $2, updated_at = $3 WHERE message_id = $4 AND seq = $5",
        [connectorId, upstreamId, now, id, seq],
      );
      // Only the canonical form is keyed: lookups try every rendering of the receipt's id.
      if (keys.length > 0)
        await c.query(
          'INSERT INTO upstream_ids (key, message_id, seq) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET message_id = EXCLUDED.message_id, seq = EXCLUDED.seq',
          [keys[0], id, seq],
        );
      if (seq === 1)
        await c.query(
          'UPDATE messages SET upstream_id = COALESCE(upstream_id, $1), updated_at = $2 WHERE id = $3',
          [upstreamId, now, id],
        );
      await this.partEvent(c, id, seq, total, 'sent', now, upstreamId);
      const left = (
        await c.query("SELECT 1 FROM message_parts WHERE message_id = $1 AND state = 'queued' LIMIT 1", [id])
      ).rowCount;
      if (left === 0) {
        await c.query('DELETE FROM queue WHERE message_id = $1', [id]);
        await this.settle(c, row, now, total > 1 ? `${total} parts submitted` : upstreamId, undefined);
      }
    });
  }

  addUpstreamId({ id, seq, total, keys, detail }: ExtraUpstreamId): Promise<void> {
    return this.batched(async (c) => {
      if (keys.length > 0)
        await c.query(
          'INSERT INTO upstream_ids (key, message_id, seq) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET message_id = EXCLUDED.message_id, seq = EXCLUDED.seq',
          [keys[0], id, seq],
        );
      await this.partEvent(c, id, seq, total, 'sent', Date.now(), detail);
    });
  }

  applyPartReceipt({ id, seq, state, detail, notice, parked }: PartReceipt): Promise<Settled> {
    return this.batched(async (c): Promise<Settled> => {
      if (parked) {
        const gone = await c.query('DELETE FROM parked_receipts WHERE key = ANY($1) AND payload = $2', [
          parked.keys,
          parked.payload,
        ]);
        // Unparked already: applied by the attempt whose answer was lost, or by another taker.
        if (!gone.rowCount) return { state: undefined };
      }
      return this.applyPart(c, id, seq, state, detail, notice);
    });
  }

  applyReceiptByKeys(r: KeyedReceipt): Promise<ReceiptOutcome> {
    return this.receipts.bulk(receiptKind, r, async (c): Promise<ReceiptOutcome> => {
      const match = await this.partByKeys(c, r.keys);
      if (match && isOwnPart(match, r.receiptId)) {
        const settled = await this.applyPart(c, match.message.id, match.seq, r.state, r.detail, r.notice);
        return { parked: false, match, ...settled };
      }
      await this.park(c, r.park.keys ?? r.keys, r.park.payload);
      return { parked: true };
    });
  }

  /** A part's receipt inside a write transaction (applyPartReceipt). */
  private async applyPart(
    c: Client,
    id: string,
    seq: number,
    state: PartState,
    detail: string,
    notice: FinalNotice,
  ): Promise<Settled> {
    const now = Date.now();
    const row = await this.lockMessage(c, id);
    if (!row) return { state: undefined };
    let part = (await c.query('SELECT * FROM message_parts WHERE message_id = $1 AND seq = $2', [id, seq]))
      .rows[0] as Row | undefined;
    if (!part) {
      // A message sent before parts were tracked: its one part is the message.
      const st = row.state === 'queued' || row.state === 'accepted' ? 'sent' : (row.state as string);
      await c.query(
        'INSERT INTO message_parts (message_id, seq, total, state, connector_id, upstream_id, created_at, updated_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $6)',
        [id, seq, st, row.connector_id, row.upstream_id, now],
      );
      part = { state: st, total: 1 };
    }
    if (FINAL_STATES.has(part.state as MessageState)) return { state: row.state as MessageState };
    await c.query(
      'UPDATE message_parts SET state = $1, error = COALESCE($2, error), updated_at = $3 WHERE message_id = $4 AND seq = $5',
      [state, state === 'delivered' || state === 'sent' ? null : detail, now, id, seq],
    );
    await this.partEvent(c, id, seq, part.total as number, state, now, detail);
    return this.settle(c, row, now, `part ${seq}: ${detail}`, notice);
  }

  failUnsent({ id, total, detail, refund, notice }: UnsentFailure): Promise<Settled> {
    return this.batched(async (c): Promise<Settled> => {
      const now = Date.now();
      const row = await this.lockMessage(c, id);
      if (!row) return { state: undefined };
      await this.ensureParts(c, id, total, now);
      const unsent = (
        await c.query(
          "UPDATE message_parts SET state = 'failed', error = $1, updated_at = $2 WHERE message_id = $3 AND state IN ('queued', 'accepted') RETURNING seq",
          [detail, now, id],
        )
      ).rows
        .map((r: Row) => r.seq as number)
        .sort((a, b) => a - b);
      if (total > 1) for (const s of unsent) await this.partEvent(c, id, s, total, 'failed', now, detail);
      await c.query('DELETE FROM queue WHERE message_id = $1', [id]);
      let refunded = 0;
      if (refund && unsent.length > 0) {
        const sms = smsOf({ meta: JSON.parse((row.meta as string | undefined) ?? '{}') as MessageMeta });
        const back = unsentRefund(
          { priceMicros: num(row.price_micros), sms },
          { unsent: unsent.length, total },
        );
        await this.credit(c, row, {
          price: back.priceMicros,
          sms: back.sms,
          reason: 'failed',
          note: detail,
          at: now,
        });
        refunded = back.priceMicros;
      }
      return this.settle(c, row, now, detail, notice, refunded);
    });
  }

  findPartByUpstreamKeys(keys: string[]): Promise<PartMatch | undefined> {
    return this.partByKeys(this.pool, keys);
  }

  private async partByKeys(c: Pick<Client, 'query'>, keys: string[]): Promise<PartMatch | undefined> {
    const r = (
      await c.query(
        `SELECT m.*, u.seq AS part_seq, u.key AS part_key, p.upstream_id AS part_upstream_id, p.state AS part_state
         FROM upstream_ids u JOIN messages m ON m.id = u.message_id LEFT JOIN message_parts p ON p.message_id = u.message_id AND p.seq = u.seq
         WHERE u.key = ANY($1) ORDER BY array_position($1::text[], u.key) LIMIT 1`,
        [keys],
      )
    ).rows[0] as Row | undefined;
    if (!r) return undefined;
    const partState = r.part_state as PartState | null;
    return {
      message: toMessage(r),
      seq: r.part_seq as number,
      exact: r.part_key === keys[0],
      ...(partState !== null
        ? { part: { upstreamId: r.part_upstream_id as string | null, state: partState } }
        : {}),
    };
  }

  async claim(connectorId: string, limit: number, leaseMs: number): Promise<QueueClaim[]> {
    const now = Date.now();
    // Delayed entries that are due join the claim's range again (migration 15), when some may be (delayed.ts).
    await this.delayed.promote(this.pool, now);
    // The lease and the messages' rows in one statement (one round trip).
    const { rows } = await this.leases.query(
      `WITH c AS (
         UPDATE queue SET lease_until = $1, attempts = attempts + 1, claimed_by = $5
         WHERE message_id IN (SELECT message_id FROM queue WHERE connector_id = $2 AND delayed = 0 AND not_before <= $3 AND lease_until <= $3
                              ORDER BY priority DESC, seq LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING message_id, attempts)
       SELECT m.*, c.attempts AS claim_attempts FROM c JOIN messages m ON m.id = c.message_id`,
      [now + leaseMs, connectorId, now, limit, this.nodeId],
    );
    return (rows as Row[])
      .map((r) => ({ message: toMessage(r), attempts: r.claim_attempts as number }))
      .sort((a, b) => b.message.priority - a.message.priority);
  }

  async release(id: string, delayMs: number, detail: string): Promise<void> {
    let due = 0;
    await this.batched(async (c) => {
      const now = Date.now();
      due = now + delayMs;
      await c.query('UPDATE queue SET not_before = $1, delayed = $2, lease_until = 0 WHERE message_id = $3', [
        now + delayMs,
        delayMs > 0 ? 1 : 0,
        id,
      ]);
      await c.query(
        "INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, 'queued', $2, $3)",
        [id, now, detail],
      );
    });
    // Once committed: a promotion that ran before the commit did not see it.
    if (delayMs > 0) this.delayed.wrote(due);
  }

  reassign(id: string, connectorId: string, detail: string): Promise<void> {
    return this.batched(async (c) => {
      const now = Date.now();
      await c.query(
        'UPDATE queue SET connector_id = $1, not_before = $2, delayed = 0, lease_until = 0 WHERE message_id = $3',
        [connectorId, now, id],
      );
      await c.query('UPDATE messages SET connector_id = $1, updated_at = $2 WHERE id = $3', [
        connectorId,
        now,
        id,
      ]);
      await c.query(
        "INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, 'queued', $2, $3)",
        [id, now, detail],
      );
    });
  }

  resendAsSms(r: SmsResend): Promise<ResendOutcome> {
    return this.batched((c) => resendSms(c, r, Date.now()));
  }

  /**
   * One statement: the movable entries of $1 (not leased, re-checked under the row lock;
   * due or in back-off; no part accepted upstream or ended), each with its route's target
   * from $2 (JSON `[{route, to, detail}]`), re-queued there due now with their attempts
   * reset; the messages and their history follow. SKIP LOCKED: a row a claim holds now stays.
   */
  moveQueued({ from, targets, limit }: QueueMove): Promise<MovedMessage[]> {
    if (targets.length === 0 || limit <= 0) return Promise.resolve([]);
    return this.batched(async (c) => {
      const { rows } = await c.query(
        `WITH t AS (SELECT * FROM json_to_recordset($2::json) AS t(route text, target text, detail text)),
         pick AS (
           SELECT q.message_id, t.target, t.detail FROM queue q
             JOIN messages m ON m.id = q.message_id
             JOIN t ON t.route = m.meta::json ->> 'route'
            WHERE q.connector_id = $1 AND q.lease_until <= $3 AND (q.not_before <= $3 OR q.attempts > 0)
              AND NOT EXISTS (SELECT 1 FROM message_parts p WHERE p.message_id = q.message_id
                                AND (p.state <> 'queued' OR p.upstream_id IS NOT NULL))
            ORDER BY q.priority DESC, q.seq LIMIT $4 FOR UPDATE OF q SKIP LOCKED),
         moved AS (
           UPDATE queue q SET connector_id = pick.target, not_before = $3, delayed = 0, lease_until = 0,
                  attempts = 0, claimed_by = NULL
             FROM pick WHERE q.message_id = pick.message_id
           RETURNING q.message_id, q.connector_id, pick.detail),
         msgs AS (UPDATE messages m SET connector_id = moved.connector_id, updated_at = $3 FROM moved WHERE m.id = moved.message_id),
         ev AS (INSERT INTO message_events (message_id, state, at, detail) SELECT message_id, 'queued', $3, detail FROM moved)
         SELECT message_id, connector_id FROM moved`,
        [
          from,
          JSON.stringify(targets.map((x) => ({ route: x.route, target: x.to, detail: x.detail }))),
          Date.now(),
          limit,
        ],
      );
      return rows.map((r: Row) => ({ id: r.message_id as string, to: r.connector_id as string }));
    });
  }

  cancel({ id, userId, detail, notice }: CancelRequest): Promise<CancelResult> {
    return this.batched(async (c): Promise<CancelResult> => {
      const now = Date.now();
      const row = await this.lockMessage(c, id);
      if (!row || Number(row.user_id) !== userId) return { outcome: 'not_found' };
      if (FINAL_STATES.has(row.state as MessageState)) return { outcome: 'too_late' };
      const parts = (await c.query('SELECT state FROM message_parts WHERE message_id = $1', [id])).rows as {
        state: PartState;
      }[];
      if (parts.some((p) => p.state !== 'queued' && p.state !== 'accepted')) return { outcome: 'too_late' };
      // Not while a dispatcher holds its lease: a claim that got there first wins (SKIP LOCKED
      // claims lease under the row lock, and this re-reads lease_until after waiting for it).
      const gone = await c.query(
        'DELETE FROM queue WHERE message_id = $1 AND lease_until <= $2 RETURNING message_id',
        [id, now],
      );
      if (gone.rowCount === 0) return { outcome: 'too_late' };
      await c.query("UPDATE message_parts SET state = 'canceled', updated_at = $1 WHERE message_id = $2", [
        now,
        id,
      ]);
      await c.query("UPDATE messages SET state = 'canceled', error = $1, updated_at = $2 WHERE id = $3", [
        detail,
        now,
        id,
      ]);
      await c.query(
        "INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, 'canceled', $2, $3)",
        [id, now, detail],
      );
      const m = toMessage(row);
      await this.credit(c, row, {
        price: num(row.price_micros),
        sms: smsOf(m),
        reason: 'canceled',
        note: detail,
        at: now,
      });
      await money.countFinal(c, finalCount(m, 'canceled', now, m.priceMicros));
      const notified = notice({
        state: 'canceled',
        message: { ...m, state: 'canceled', error: detail, updatedAt: now },
        parts: { total: Math.max(1, parts.length), delivered: 0 },
      });
      await this.writeNotification(c, id, notified, now);
      return { outcome: 'canceled', notified };
    });
  }

  fail({ id, state, detail, refund }: Failure): Promise<void> {
    return this.batched(async (c) => {
      const now = Date.now();
      const m = (await c.query('SELECT * FROM messages WHERE id = $1', [id])).rows[0] as Row | undefined;
      if (!m) return;
      await c.query('UPDATE messages SET state = $1, error = $2, updated_at = $3 WHERE id = $4', [
        state,
        detail,
        now,
        id,
      ]);
      await c.query('INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, $2, $3, $4)', [
        id,
        state,
        now,
        detail,
      ]);
      await c.query('DELETE FROM queue WHERE message_id = $1', [id]);
      if (refund) {
        const sms = smsOf({ meta: JSON.parse((m.meta as string | undefined) ?? '{}') as MessageMeta });
        await this.credit(c, m, { price: m.price_micros, sms, reason: state, note: detail, at: now });
      }
      // Counted once: a message already final is not counted again.
      if (FINAL_STATES.has(state) && !FINAL_STATES.has(m.state as MessageState))
        await money.countFinal(c, finalCount(toMessage(m), state, now, refund ? num(m.price_micros) : 0));
    });
  }

  /** Parks a receipt under each of its keys (inside a write transaction). */
  private async park(c: Client, keys: string[], payload: string): Promise<void> {
    for (const k of keys)
      await c.query('INSERT INTO parked_receipts (key, payload, at) VALUES ($1, $2, $3)', [
        k,
        payload,
        Date.now(),
      ]);
  }

  parkedReceipts(keys: string[]): Promise<string[]> {
    return this.parkedReads.ask(keys);
  }

  /** A turn's lookups of parked receipts in one SELECT (they stay parked until applied). */
  private readonly parkedReads = new Coalescer<string[], string[]>(async (asks) => {
    const { rows } = await this.pool.query(
      'SELECT key, payload FROM parked_receipts WHERE key = ANY($1) ORDER BY id',
      [[...new Set(asks.flat())]],
    );
    const byKey = new Map<string, string[]>();
    for (const r of rows as Row[])
      byKey.set(r.key as string, [...(byKey.get(r.key as string) ?? []), r.payload as string]);
    return asks.map((keys) => [...new Set(keys.flatMap((k) => byKey.get(k) ?? []))]);
  });

  applyReceipt({ id, state, detail, item }: MessageReceipt): Promise<void> {
    return this.batched(async (c) => {
      const now = Date.now();
      await c.query(
        'UPDATE messages SET state = $1, error = COALESCE($2, error), updated_at = $3 WHERE id = $4',
        [state, state === 'delivered' ? null : detail, now, id],
      );
      await c.query('INSERT INTO message_events (message_id, state, at, detail) VALUES ($1, $2, $3, $4)', [
        id,
        state,
        now,
        detail,
      ]);
      if (item)
        await c.query(
          'INSERT INTO outbox (system_id, message_id, payload, next_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
          [item.systemId, id, item.payload, now, now + 3 * 86_400_000],
        );
    });
  }

  async claimOutbox(systemId: string, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    const now = Date.now();
    // Walked in id order on outbox_by_system (claimInIndexOrder).
    const rows = await this.claimInIndexOrder(
      `UPDATE outbox SET lease_until = $1, attempts = attempts + 1, claimed_by = $5
       WHERE id IN (SELECT id FROM outbox WHERE system_id = $2 AND next_at <= $3 AND lease_until <= $3 AND expires_at > $3 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING id, system_id, message_id, payload, attempts`,
      [now + leaseMs, systemId, now, limit, this.nodeId],
    );
    return rows
      .map((r: Row) => ({
        id: num(r.id),
        systemId: r.system_id as string,
        messageId: r.message_id as string,
        payload: r.payload as string,
        attempts: r.attempts as number,
      }))
      .sort((a, b) => a.id - b.id);
  }

  ackOutbox(id: number): Promise<void> {
    return this.group.bulk(
      ackOutboxKind,
      id,
      async (c) => void (await c.query('DELETE FROM outbox WHERE id = $1', [id])),
    );
  }

  retryOutbox(id: number, delayMs: number): Promise<void> {
    return this.batched(
      async (c) =>
        void (await c.query('UPDATE outbox SET next_at = $1, lease_until = 0 WHERE id = $2', [
          Date.now() + delayMs,
          id,
        ])),
    );
  }

  addMoPart(part: MoPart, mo: MoRecord): Promise<StoredMo | undefined> {
    return this.batched(async (c) => {
      const now = Date.now();
      await c.query(
        `INSERT INTO mo_parts (group_key, seq, total, connector_id, source, destination, data_coding, body, received_at, media, subject) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
         ON CONFLICT DO NOTHING`,
        [
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
        ],
      );
      // Lock the group so two nodes receiving the last parts at once join it only once.
      const { rows } = await c.query('SELECT seq FROM mo_parts WHERE group_key = $1 FOR UPDATE', [
        part.groupKey,
      ]);
      if (rows.length < part.total) return undefined;
      return this.joinMo(c, part.groupKey, mo, true, now);
    });
  }

  private async joinMo(
    c: Client,
    groupKey: string,
    mo: MoRecord,
    complete: boolean,
    now: number,
  ): Promise<StoredMo> {
    const parts = (
      await c.query('DELETE FROM mo_parts WHERE group_key = $1 RETURNING *', [groupKey])
    ).rows.sort((a: Row, b: Row) => (a.seq as number) - (b.seq as number)) as Row[];
    const first = parts[0];
    const base: Omit<InboundMessage, 'routedTo' | 'routedUrl'> = {
      id: mo.id,
      connectorId: first.connector_id as string,
      source: first.source as string,
      destination: first.destination as string,
      dataCoding: first.data_coding as number,
      body: Buffer.concat(parts.map((p) => p.body as Buffer)),
      complete,
      receivedAt: now,
      ...mediaOf(first.media as string | null),
      ...subjectOf(first.subject as string | null),
    };
    const delivery = mo.route(base);
    // The route's webhook (a url target): its URL is kept on the MO.
    const m: InboundMessage = {
      ...base,
      routedTo: delivery.routedTo,
      routedUrl: delivery.webhooks[0]?.url ?? null,
    };
    await c.query(
      'INSERT INTO mo (id, connector_id, source, destination, data_coding, body, complete, routed_to, routed_url, received_at, media, subject) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)',
      [
        m.id,
        m.connectorId,
        m.source,
        m.destination,
        m.dataCoding,
        m.body,
        complete,
        m.routedTo,
        m.routedUrl,
        now,
        mediaJson(m.media),
        m.subject ?? null,
      ],
    );
    if (m.routedTo && delivery.payload !== undefined)
      await c.query(
        'INSERT INTO outbox (system_id, message_id, payload, next_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [m.routedTo, m.id, delivery.payload, now, now + 3 * 86_400_000],
      );
    await insertWebhooks(c, delivery.webhooks, now);
    return { mo: m, delivery };
  }

  releaseStaleMoParts(olderThanMs: number, mo: (groupKey: string) => MoRecord): Promise<StoredMo[]> {
    return this.batched(async (c) => {
      const now = Date.now();
      const keys = (
        await c.query('SELECT group_key FROM mo_parts GROUP BY group_key HAVING MIN(received_at) <= $1', [
          now - olderThanMs,
        ])
      ).rows.map((r: Row) => r.group_key as string);
      const out: StoredMo[] = [];
      for (const k of keys) out.push(await this.joinMo(c, k, mo(k), false, now));
      return out;
    });
  }

  async listMo(limit: number, q: MoQuery = {}): Promise<InboundMessage[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.routedTo !== undefined) {
      args.push(q.routedTo);
      where.push(`routed_to = $${args.length}`);
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
      args.push(v);
      where.push(`${col} = $${args.length}`);
    }
    if (q.before !== undefined) {
      args.push(q.before);
      where.push(`id COLLATE "C" < $${args.length}`);
    }
    args.push(limit);
    const sql = `SELECT * FROM mo ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id COLLATE "C" DESC LIMIT $${args.length}`;
    return (await this.pool.query(sql, args)).rows.map(toMo);
  }

  // ---- media (src/store/media.ts) ---------------------------------------------------------

  addMedia(m: StoredMedia): Promise<void> {
    return this.batched(async (c) => {
      await c.query(
        'INSERT INTO media (id, user_id, sha256, content_type, size, filename, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [m.id, m.userId, m.sha256, m.contentType, m.size, m.filename ?? null, m.createdAt],
      );
    });
  }

  async getMedia(id: string): Promise<StoredMedia | undefined> {
    const r = (await this.pool.query('SELECT * FROM media WHERE id = $1', [id])).rows[0] as
      MediaRow | undefined;
    return r && storedMedia(r);
  }

  purgeMedia(o: { before: number; limit: number }): Promise<{ deleted: number; unreferenced: string[] }> {
    return this.batched(async (c) => {
      const old = (
        await c.query(
          'SELECT id, sha256 FROM media WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED',
          [o.before, o.limit],
        )
      ).rows as { id: string; sha256: string }[];
      if (old.length === 0) return { deleted: 0, unreferenced: [] };
      const queued = (
        await c.query(
          "SELECT m.meta::text AS meta FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.meta::text LIKE '%med\\_%'",
        )
      ).rows as { meta: string }[];
      const keep = mediaIdsIn(queued.map((r) => r.meta));
      const gone = old.filter((r) => !keep.has(r.id)).map((r) => r.id);
      const deleted = (await c.query('DELETE FROM media WHERE id = ANY($1::text[]) RETURNING sha256', [gone]))
        .rows as { sha256: string }[];
      const shas = [...new Set(deleted.map((r) => r.sha256))];
      const still = new Set(
        (
          (await c.query('SELECT DISTINCT sha256 FROM media WHERE sha256 = ANY($1::text[])', [shas]))
            .rows as {
            sha256: string;
          }[]
        ).map((r) => r.sha256),
      );
      return { deleted: deleted.length, unreferenced: shas.filter((sha) => !still.has(sha)) };
    });
  }

  setOptOut(msisdn: string, sender: string, optedOut: boolean): Promise<void> {
    return this.batched(async (c) => {
      if (optedOut)
        await c.query(
          'INSERT INTO optouts (msisdn, sender, at) VALUES ($1, $2, $3) ON CONFLICT (msisdn, sender) DO UPDATE SET at = EXCLUDED.at',
          [msisdn, sender, Date.now()],
        );
      else await c.query('DELETE FROM optouts WHERE msisdn = $1 AND sender = $2', [msisdn, sender]);
    });
  }

  async isOptedOut(msisdn: string, sender: string): Promise<boolean> {
    // An erased number's opt-outs are kept under its keyed hash (src/store/lifecycle.ts).
    this.erasureKey ??= lifecycle.erasureKey(this.pool, this.pepper).catch((err: unknown) => {
      this.erasureKey = undefined; // read again next time
      throw err;
    });
    const tag = erasedTag(await this.erasureKey, msisdn);
    return this.optOutChecks.ask({ msisdn, tag, sender });
  }

  /** A turn's opt-out checks in one statement. */
  private readonly optOutChecks = new Coalescer<{ msisdn: string; tag: string; sender: string }, boolean>(
    async (asks) => {
      const { rows } = await this.pool.query(
        `SELECT q.i FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS q(msisdn, tag, sender, i)
         WHERE EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn IN (q.msisdn, q.tag) AND o.sender = q.sender)`,
        [asks.map((a) => a.msisdn), asks.map((a) => a.tag), asks.map((a) => a.sender)],
      );
      const out = new Set((rows as Row[]).map((r) => num(r.i)));
      return asks.map((_, i) => out.has(i + 1));
    },
  );

  // ---- webhook outbox and log (webhooks.ts) ---------------------------------------------
  addWebhooks(items: NewWebhook[]): Promise<void> {
    return this.webhooks.addWebhooks(items);
  }

  claimWebhooks(limit: number, leaseMs: number): Promise<WebhookItem[]> {
    return this.webhooks.claimWebhooks(limit, leaseMs);
  }

  ackWebhook(id: number): Promise<void> {
    return this.webhooks.ackWebhook(id);
  }

  retryWebhook(id: number, delayMs: number, error: string): Promise<void> {
    return this.webhooks.retryWebhook(id, delayMs, error);
  }

  dropWebhook(id: number): Promise<void> {
    return this.webhooks.dropWebhook(id);
  }

  expireWebhooks(): Promise<WebhookItem[]> {
    return this.webhooks.expireWebhooks();
  }

  webhookDepth(): Promise<number> {
    return this.webhooks.webhookDepth();
  }

  listPendingWebhooks(limit: number): Promise<PendingWebhook[]> {
    return this.webhooks.listPendingWebhooks(limit);
  }

  logWebhookAttempts(entries: WebhookAttempt[]): Promise<void> {
    return this.webhooks.logWebhookAttempts(entries);
  }

  listWebhookLog(f: { messageId?: string; limit: number }): Promise<LoggedWebhookAttempt[]> {
    return this.webhooks.listWebhookLog(f);
  }

  pruneWebhookLog(f: { keep?: number; olderThan?: number }): Promise<number> {
    return this.webhooks.pruneWebhookLog(f);
  }

  async listOptOuts(f: { msisdn?: string; limit: number }): Promise<OptOut[]> {
    const { rows } = f.msisdn
      ? await this.pool.query('SELECT * FROM optouts WHERE msisdn = $1 ORDER BY msisdn, sender LIMIT $2', [
          f.msisdn,
          f.limit,
        ])
      : await this.pool.query('SELECT * FROM optouts ORDER BY msisdn, sender LIMIT $1', [f.limit]);
    return rows.map((r: Row) => ({ msisdn: r.msisdn as string, sender: r.sender as string, at: num(r.at) }));
  }

  async countMo(): Promise<number> {
    return num((await this.one('SELECT COUNT(*) AS n FROM mo'))?.n ?? 0);
  }

  async queueDepth(connectorId?: string): Promise<number> {
    const r = connectorId
      ? await this.one('SELECT COUNT(*) AS n FROM queue WHERE connector_id = $1', [connectorId])
      : await this.one('SELECT COUNT(*) AS n FROM queue');
    return num(r?.n ?? 0);
  }

  async listMessages(q: MessageFilter): Promise<StoredMessage[]> {
    const args: unknown[] = [];
    const where: string[] = [];
    const add = (sql: (n: string) => string, v: unknown) => {
      args.push(v);
      where.push(sql(`$${args.length}`));
    };
    if (q.userId !== undefined) add((n) => `user_id = ${n}`, q.userId);
    if (q.connectorId !== undefined) add((n) => `connector_id = ${n}`, q.connectorId);
    if (q.before !== undefined) add((n) => `id COLLATE "C" < ${n}`, q.before);
    if (q.after !== undefined) add((n) => `id COLLATE "C" > ${n}`, q.after);
    if (q.state !== undefined) add((n) => `state = ${n}`, q.state);
    if (q.destination !== undefined) add((n) => `destination = ${n}`, q.destination);
    if (q.source !== undefined) add((n) => `source = ${n}`, q.source);
    if (q.since !== undefined) add((n) => `created_at >= ${n}`, q.since);
    if (q.until !== undefined) add((n) => `created_at < ${n}`, q.until);
    if (q.clientRef !== undefined) add((n) => `(meta::jsonb ->> 'clientRef') = ${n}`, q.clientRef);
    if (q.tag !== undefined) add((n) => `(meta::jsonb -> 'tags') ? ${n}`, q.tag);
    if (q.campaign !== undefined) add((n) => `(meta::jsonb ->> 'campaign') = ${n}`, q.campaign);
    args.push(q.limit);
    // COLLATE "C": ids compare byte-wise, as in SQLite, whatever the database's collation.
    const sql = `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id COLLATE "C" ${q.after !== undefined ? 'ASC' : 'DESC'} LIMIT $${args.length}`;
    return (await this.pool.query(sql, args)).rows.map(toMessage);
  }

  addApiKey(userId: number, keyHash: string, label?: string): Promise<ApiKeyInfo> {
    return this.batched(async (c) => {
      await c.query(
        'INSERT INTO api_keys (key_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key_hash) DO NOTHING',
        [keyHash, userId, label ?? null, Date.now()],
      );
      return toApiKey(
        (await c.query(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1`, [keyHash])).rows[0],
      );
    });
  }

  async listApiKeys(userId: number): Promise<ApiKeyInfo[]> {
    return (
      await this.pool.query(
        `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id`,
        [userId],
      )
    ).rows.map(toApiKey);
  }

  revokeApiKey(userId: number, id: number): Promise<ApiKeyInfo | undefined> {
    return this.batched(async (c) => {
      const r = await c.query(
        `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING ${API_KEY_COLUMNS}`,
        [Date.now(), id, userId],
      );
      return r.rows[0] && toApiKey(r.rows[0]);
    });
  }

  async getUserByApiKey(keyHash: string): Promise<User | undefined> {
    const r = await this.one(
      'SELECT u.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL',
      [keyHash],
    );
    return r && toUser(r);
  }

  async beginIdempotent(claim: IdempotencyClaim): Promise<IdempotencyBegin> {
    const { userId, key, bodyHash, ttlMs, staleMs } = claim;
    const now = Date.now();
    // Each statement is atomic on its row: of concurrent requests (on any node) one wins.
    const ins = await this.pool.query(
      'INSERT INTO idempotency (user_id, key, body_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING',
      [userId, key, bodyHash, now, now + ttlMs],
    );
    if (ins.rowCount === 1) return { kind: 'new' };
    const taken = await this.pool.query(
      `UPDATE idempotency SET body_hash = $1, status = NULL, response = NULL, created_at = $2, expires_at = $3
       WHERE user_id = $4 AND key = $5 AND (expires_at <= $2 OR (status IS NULL AND created_at < $6))`,
      [bodyHash, now, now + ttlMs, userId, key, now - staleMs],
    );
    if (taken.rowCount === 1) return { kind: 'new' };
    const r = await this.one(
      'SELECT body_hash, status, response FROM idempotency WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    if (!r) return this.beginIdempotent(claim);
    if (r.body_hash !== bodyHash) return { kind: 'mismatch' };
    if (r.status === null || r.response === null) return { kind: 'in_flight' };
    return { kind: 'replay', status: r.status as number, response: r.response as string };
  }

  finishIdempotent({ userId, key, status, response }: IdempotencyAnswer): Promise<void> {
    return this.batched(
      async (c) =>
        void (await c.query(
          'UPDATE idempotency SET status = $1, response = $2 WHERE user_id = $3 AND key = $4',
          [status, response, userId, key],
        )),
    );
  }

  abandonIdempotent(userId: number, key: string): Promise<void> {
    return this.batched(
      async (c) =>
        void (await c.query('DELETE FROM idempotency WHERE user_id = $1 AND key = $2 AND status IS NULL', [
          userId,
          key,
        ])),
    );
  }

  // ---- data lifecycle (src/store/lifecycle.ts, src/store/postgres/lifecycle.ts) ---------
  redactBatch(o: AgeScope & { limit: number; now: number }): Promise<RetentionBatch> {
    return this.batched((c) => lifecycle.redactBatch(c, o));
  }

  deleteBatch(o: AgeScope & { limit: number }): Promise<RetentionBatch> {
    return this.batched((c) => lifecycle.deleteBatch(c, o));
  }

  expiredBatch(o: AgeScope & { limit: number }): Promise<ExpiredBatch> {
    return lifecycle.expiredBatch(this.pool, o);
  }

  deleteExpired(o: {
    messageIds: readonly string[];
    moIds: readonly string[];
    marks?: readonly LifecycleMark[];
    now: number;
  }): Promise<RetentionBatch> {
    return this.batched((c) => lifecycle.deleteExpired(c, o));
  }

  purgeEngineBatch(o: AgeScope & { limit: number; now: number }): Promise<RetentionBatch> {
    return this.batched((c) => purgeEngineBatch(c, o));
  }

  async usePepper(pepper: string | null): Promise<void> {
    await this.batched((c) => lifecycle.usePepper(c, pepper, Date.now()));
    this.pepper = pepper;
    this.erasureKey = undefined;
  }

  readMark(name: string): Promise<string | undefined> {
    return lifecycle.readMark(this.pool, name);
  }

  takePurgeLease(o: { holder: string; ttlMs: number; now: number }): Promise<boolean> {
    return this.batched((c) => lifecycle.takePurgeLease(c, o));
  }

  async reclaimSpace(): Promise<number> {
    return 0; // autovacuum reuses the space of deleted rows
  }

  erase(r: ErasureRequest): Promise<ErasureResult> {
    return this.batched((c) => lifecycle.erase(c, r, this.pepper));
  }

  ping(): Promise<void> {
    return this.batched(
      async (c) =>
        void (await c.query(
          'INSERT INTO health (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at',
          [Date.now()],
        )),
    );
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.group.idle();
    await this.receipts.idle();
    await this.group.idle();
    await this.pool.end();
    await this.leases.end();
  }

  // ---- operator views (admin API, metrics) ----------------------------------------------
  async queueOldestDue(): Promise<{ connectorId: string; dueAt: number }[]> {
    // A loose index scan over queue_oldest_due (next connector id, then its MIN(not_before),
    // one seek each): a GROUP BY read the whole queue at every /metrics scrape.
    const now = Date.now();
    const { rows } = await this.pool.query(
      `WITH RECURSIVE connectors(id) AS (
         SELECT MIN(connector_id) FROM queue
         UNION ALL
         SELECT (SELECT MIN(connector_id) FROM queue WHERE connector_id > connectors.id) FROM connectors WHERE connectors.id IS NOT NULL
       )
       SELECT id AS connector_id, (SELECT MIN(not_before + 0) FROM queue WHERE connector_id = connectors.id) AS due FROM connectors WHERE id IS NOT NULL ORDER BY id`,
    );
    // A connector's oldest entry not yet due means none of its entries is due (scheduled or backing off).
    return rows
      .map((r: Row) => ({ connectorId: r.connector_id as string, dueAt: num(r.due) }))
      .filter((d) => d.dueAt <= now);
  }

  /** Drops the schema (tests). */
  static async dropSchema(connectionString: string, schema: string): Promise<void> {
    const c = new pg.Client({ connectionString });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }

  async expireOutbox(now = Date.now()): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM outbox WHERE id < COALESCE((SELECT MIN(id) FROM outbox WHERE expires_at > $1), (SELECT MAX(id) + 1 FROM outbox)) AND expires_at <= $1',
      [now],
    );
    return rowCount ?? 0;
  }

  async expireParkedReceipts(olderThanMs: number): Promise<number> {
    return (
      (await this.pool.query('DELETE FROM parked_receipts WHERE at <= $1', [Date.now() - olderThanMs]))
        .rowCount ?? 0
    );
  }

  expireAwaitingReceipts({
    connectorId,
    before,
    limit,
    detail,
    notice,
  }: AwaitingExpiry): Promise<ExpiredPart[]> {
    return this.batched(async (c) => {
      // No row lock here: locks are taken message first (as receipts take them), then part.
      const { rows } = await c.query(
        "SELECT message_id, seq FROM message_parts WHERE connector_id = $1 AND state IN ('sent', 'unknown') AND updated_at <= $2 ORDER BY updated_at LIMIT $3",
        [connectorId, before, limit],
      );
      const out: ExpiredPart[] = [];
      for (const r of rows as { message_id: string; seq: number }[]) {
        // Read again under the message's lock (applyPart takes it): a receipt committed since
        // the lookup wins, final or intermediate.
        const row = await this.lockMessage(c, r.message_id);
        const part = (
          await c.query('SELECT state, updated_at FROM message_parts WHERE message_id = $1 AND seq = $2', [
            r.message_id,
            r.seq,
          ])
        ).rows[0] as Row | undefined;
        if (
          !row ||
          !part ||
          !['sent', 'unknown'].includes(part.state as string) ||
          Number(part.updated_at) > before
        )
          continue;
        out.push({
          id: r.message_id,
          seq: r.seq,
          ...(await this.applyPart(c, r.message_id, r.seq, 'expired', detail, notice)),
        });
      }
      return out;
    });
  }

  // ---- connectors and routes changed at runtime -----------------------------------------
  onDefinitionsChanged(listener: (event: DefinitionsEvent) => void): () => void {
    return this.listener.subscribe(listener);
  }

  /**
   * Tells the other nodes, inside the write's transaction: PostgreSQL delivers a NOTIFY when
   * its transaction commits and drops it with a rolled-back savepoint, so a listener never
   * reads the store before the change is there, nor for a write that failed.
   */
  private async notifyDefinitions(c: Client): Promise<void> {
    await c.query('SELECT pg_notify($1, $2)', [this.definitionsChannel, this.notice]);
  }

  async listConnectorDefinitions(): Promise<StoredConnector[]> {
    const { rows } = await this.pool.query(
      'SELECT id, definition, source, updated_at FROM connectors ORDER BY seq',
    );
    return rows.map((r: Row) => ({
      id: r.id as string,
      definition:
        r.definition === null ? null : (JSON.parse(r.definition as string) as Record<string, unknown>),
      source: r.source as DefinitionSource,
      updatedAt: num(r.updated_at),
    }));
  }

  putConnectorDefinition(
    id: string,
    definition: Record<string, unknown> | null,
    source: DefinitionSource,
  ): Promise<void> {
    return this.batched(async (c) => {
      await c.query(
        `INSERT INTO connectors (id, definition, source, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at`,
        [id, definition === null ? null : JSON.stringify(definition), source, Date.now()],
      );
      await this.notifyDefinitions(c);
    });
  }

  deleteConnectorDefinition(id: string): Promise<boolean> {
    return this.batched(async (c) => {
      const gone = ((await c.query('DELETE FROM connectors WHERE id = $1', [id])).rowCount ?? 0) > 0;
      if (gone) await this.notifyDefinitions(c);
      return gone;
    });
  }

  async getRouteDefinitions(kind: RouteKind = 'mt'): Promise<StoredRoutes | undefined> {
    const r = await this.one(`SELECT routes, source, updated_at FROM ${ROUTE_TABLES[kind]} WHERE id = 1`);
    return (
      r && {
        routes: JSON.parse(r.routes as string) as Record<string, unknown>[],
        source: r.source as DefinitionSource,
        updatedAt: num(r.updated_at),
      }
    );
  }

  putRouteDefinitions(
    routes: Record<string, unknown>[],
    source: DefinitionSource,
    kind: RouteKind = 'mt',
  ): Promise<void> {
    return this.batched(async (c) => {
      await c.query(
        `INSERT INTO ${ROUTE_TABLES[kind]} (id, routes, source, updated_at) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET routes = EXCLUDED.routes, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at`,
        [JSON.stringify(routes), source, Date.now()],
      );
      await this.notifyDefinitions(c);
    });
  }
}
