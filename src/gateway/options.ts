/** The gateway's settings, and what its services share. */
import type { MmsFallback, OptOutSettings } from '../domain/index.js';
import type { Store } from '../store/store.js';
import type { BackoffPolicy } from '../lib/backoff.js';
import type { Connector } from './connector.js';
import type { RateShares } from './accounts.js';
import type { MediaLibrary } from './media.js';
import type { Emit } from './events.js';
import type { QueuedFailoverOptions } from './failover.js';
import type { MoRouteDef, RouteDef } from './router.js';

export interface GatewayOptions {
  /** Retry policy for transient connector failures. */
  retry?: BackoffPolicy;
  /** Attempts before a message that keeps failing transiently is failed. */
  maxAttempts?: number;
  leaseMs?: number;
  /** Ordered MT routes; without any, every message goes to the first connector. */
  routes?: RouteDef[];
  /** Ordered MO routes (filters → a customer's SMPP bind or an HTTP webhook). */
  moRoutes?: MoRouteDef[];
  /**
   * Loop guard: the username a connector binds to our own SMPP server as, when it points
   * at this Hermod. MOs from it are never routed back to that user, and messages submitted
   * by such a user never leave through such a connector.
   */
  selfBind?: (connectorId: string) => string | undefined;
  /**
   * How receipts of a connector find their parts: `scope`, what its message ids are unique
   * in (its `dlrScope`, default its id: a receipt is matched only to parts sent through a
   * connector of the same scope, since two SMSCs may hand out the same ids); `base`, the
   * base its SMSC writes ids in, in submit_sm_resp and in receipts (Kannel's msg-id-type),
   * when known: then a receipt's id is read in one way only, never ambiguously.
   */
  receiptMatching?: (
    connectorId: string,
  ) => { scope?: string; base?: { response: 'hex' | 'dec'; receipt: 'hex' | 'dec' } } | undefined;
  /**
   * Customers' throughput as cluster-wide rates (the `Cluster` service): each node's buckets
   * run at its share. Absent: every limit is this node's own.
   */
  rateShares?: RateShares;
  /** The time routes' time windows see (default Date.now; tests inject it). */
  now?: () => number;
  /** Webhook items not delivered within this long are dropped (default 3 days). */
  webhookRetentionMs?: number;
  /**
   * Receipts parked this long without their part showing up are dropped (default 3 days,
   * like the customer outbox): an SMSC's receipt for an id we never sent must not stay for ever.
   */
  parkedReceiptRetentionMs?: number;
  /** Incomplete concatenated MOs are released after this long (default 60 s). */
  moPartTimeoutMs?: number;
  /**
   * Customer resends of the same message (same account, source, destination, coding and
   * body) within this window get the first message's id instead of a second message
   * (a client that retries after a lost answer must not send twice). 0 = off. Kept in
   * memory, per node.
   */
  dedupeWindowMs?: number;
  /** STOP / START / HELP keywords and their auto-replies, per receiving number (default DEFAULT_OPT_OUT). */
  optOut?: OptOutSettings;
  /**
   * How long a user or group read from the store is reused by `currentUser()` and the
   * group check of the submit path (default 1000 ms). The store's accept() checks enabled
   * flags and quotas itself, so this only delays the precise refusal reason.
   */
  accountCacheMs?: number;
  /**
   * Whether a message that ends without reaching the SMSC gets its price back (config
   * `billing.refund`, docs/configuration.md): `rejected`, the SMSC refused a submit with a
   * permanent error; `failed`, the retries of transient errors ran out; `expired`, its
   * validity period ended before it was sent. Only the parts not accepted upstream, each
   * flag default true. A canceled message is always refunded.
   */
  refund?: { rejected?: boolean; failed?: boolean; expired?: boolean };
  /**
   * Failover of messages already queued (config `failover`, docs/routing.md): how long a
   * connector may be down before its queue moves along the routes, the batch, and after how
   * many transient failures on a connector that is down a message fails over at once.
   */
  failover?: QueuedFailoverOptions;
  /** MMS media (docs/mms.md): uploads, inbound MMS and what MMS connectors send. */
  media?: MediaLibrary;
  /** MMS at the accept door (config `media`, docs/mms.md). */
  mms?: MmsOptions;
  /**
   * Whether this node runs the cluster's singletons now (its sweeps and expiries: parked
   * receipts, the outbox, awaiting receipts, stale MO parts, media, queued failover), read at
   * every tick so that leadership can move without a restart (default: always, one node).
   */
  singletons?: () => boolean;
  /** Whether another live node has this connector ready (the cluster's view; default never). */
  readyElsewhere?: (connectorId: string) => boolean;
}

export interface MmsOptions {
  /** What an MMS becomes without an MMS route, when neither account nor route says (default `refuse`). */
  fallback?: MmsFallback;
  /** An MMS's price without a rate card MMS column or route `mmsRate`: this × the SMS price (default 4). */
  priceFactor?: number;
  /** How long the links of an SMS fallback stay valid (s; default 7 days). */
  linkTtlS?: number;
  /** Media older than this (ms) that no queued message names are deleted (0 or absent: kept). */
  retentionMs?: number;
  /** How often the retention sweep runs (ms; default hourly). */
  sweepEveryMs?: number;
}

/** The connectors under their ids, in the order they were added. */
export type ConnectorMap = ReadonlyMap<string, Connector>;

/**
 * What every service of the core shares: the store, the settings (one object: the route
 * tables in it change at runtime), the connectors and the facade's typed emit.
 */
export interface GatewayContext {
  readonly store: Store;
  readonly opts: GatewayOptions;
  readonly connectors: ConnectorMap;
  readonly emit: Emit;
  /** The time routes' time windows see (opts.now, else Date.now). */
  now(): number;
}
