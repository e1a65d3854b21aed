/**
 * The configuration: one YAML file plus environment overrides, validated once at start.
 * Every problem is reported with the key path that caused it, all at once.
 */
import type { Mm7ConnectorConfig } from './connector-mm7.js';
import type { BackupConfig, ErasureConfig, RetentionConfig } from './lifecycle.js';
import type { MediaConfig } from './media.js';
import type { ClusterConfig } from './cluster.js';
import type { SmtpConfig } from './mms-email.js';
import { HermodError } from '../lib/errors.js';
import type {
  MoRouteDef,
  OptOutSettings,
  RouteDef,
  TextDataCoding,
  UserSettingsSpec,
} from '../domain/index.js';
// Type-only: a connector definition is the connector's own options in the file's units
// (seconds, flat TON/NPI), so each shape is declared once, by the connector that reads it.
import type {
  ConnectorBind,
  HttpConnectorOptions,
  SimulatorConnectorOptions,
  SmppAddressing,
  SmppConnectorOptions,
} from '../connectors/index.js';
import type { ProviderConnectorConfig } from './connector-providers.js';

export interface UserConfig {
  username: string;
  password: string;
  /** Credit in currency units (taken when the user is first created). */
  balance: number;
  /** Price per message part in currency units. */
  rate: number;
  enabled: boolean;
  /** The group (one of `groups`); null = none. */
  group: string | null;
  /** SMS parts the user may send (taken when the user is first created); null = unlimited. */
  smsCount: number | null;
  /** Authorizations, value filters, default source and throughput, as given (the rest defaults). */
  settings: UserSettingsSpec;
  /** Jasmin HTTP API settings of this account (override the global `httpApi`). */
  httpApi?: { responseFormat?: JasminResponseFormat };
  /** Signs this account's REST v1 status callbacks (else `webhooks.secret`). */
  webhookSecret?: string;
  /** REST v1 API keys (Bearer) of this user; stored hashed. */
  apiKeys: string[];
}

export interface GroupConfig {
  id: string;
  description: string | null;
  enabled: boolean;
}

/** `json`: `{"data":{"messageid":...}}` (the seed's Laravel client); `jasmin`: Jasmin's `Success "<id>"` text. */
export type JasminResponseFormat = 'json' | 'jasmin';

export interface WebhooksConfig {
  /** Allow callback URLs in loopback/private/link-local space (SSRF guard off). */
  allowPrivateNetworks: boolean;
  /** CIDRs, addresses or host names allowed despite the guard. */
  allow: string[];
  /** Global signing secret of REST v1 callbacks (Standard Webhooks). */
  secret?: string;
  /** Undelivered items are dropped after this long. */
  retentionS: number;
  /** Retry back-off: first delay and cap. */
  backoff: { initialMs: number; maxMs: number };
  timeoutS: number;
  /** Attempts at a REST event's callback_url before it goes to its callback_failover_url. */
  failoverAfter: number;
  /** The webhook delivery log keeps at most this many attempts... */
  logKeep: number;
  /** ...and none older than this. */
  logRetentionS: number;
  /** Attempts in flight to one host (host:port) at once. */
  perHost: number;
  /** Attempts in flight for one account's REST events at once. */
  perCustomer: number;
  /** Worker threads making the HTTP attempts (0: the core thread makes them). */
  workers: number;
}

/** Issue 13: login lockout shared by SMPP binds and HTTP passwords, and the customer SMPP port's limits. */
export interface SecurityConfig {
  login: { maxFailuresPerAddress: number; maxFailuresPerUser: number; windowS: number; lockS: number };
  smpp: {
    maxConnections: number;
    maxUnboundPerAddress: number;
    bindTimeoutS: number;
    maxBindsPerUser: number;
    maxUnboundRequests: number;
  };
  /** Both HTTP listeners (REST/admin and Jasmin), each: timeouts in seconds and a connection cap. */
  http: {
    requestTimeoutS: number;
    headersTimeoutS: number;
    keepAliveTimeoutS: number;
    idleTimeoutS: number;
    maxConnections: number;
  };
}

/**
 * When a message's price goes back to the account (docs/configuration.md, `billing.refund`). Each flag covers one
 * way a message ends without reaching the SMSC; a part the SMSC accepted is never refunded.
 */
export interface RefundConfig {
  /** The SMSC refused a submit with a permanent error (no failover left): the parts not accepted. */
  rejected: boolean;
  /** Hermod gave up after its retries of transient errors: the parts not accepted. */
  failed: boolean;
  /** The validity period ended before the message could be sent: all of it. */
  expired: boolean;
}

export interface BillingConfig {
  refund: RefundConfig;
}

/** Failover of messages already queued (docs/configuration.md, `failover`; docs/routing.md). */
export interface FailoverConfig {
  /** Move the queue of a connector that is down along the routes (default true). */
  moveQueued: boolean;
  /** How long a connector may be down (not bound) before its queue moves (default 5 s). */
  downGraceS: number;
  /** Messages moved per store statement (default 500). */
  batch: number;
  /** Transient failures of a message on a connector that is down before it fails over at once (default 3; 0 = never). */
  afterTransientFailures: number;
}

/** Thresholds of the alert rules evaluated in Hermod (hermod_alert_active{alert}). */
export interface AlertsConfig {
  /** Delivered ÷ final receipts over the window below this → delivery_rate_low. */
  deliveryRateMin: number;
  /** Failed ÷ (sent + failed) over the window above this → error_rate_high. */
  errorRateMax: number;
  /** Queued messages above this → queue_backlog. */
  queueBacklogMax: number;
  /** Spend (currency units) over the window above this → spend_high; null = off. */
  spendMax: number | null;
  /** A connector not bound for this long → connector_down. */
  connectorDownS: number;
  /** The sliding window of the rate and spend rules. */
  windowS: number;
  /** Rate rules need at least this many events in the window. */
  minSamples: number;
  /** Every alert change is POSTed here as JSON (the operator's URL); null = off. */
  webhookUrl: string | null;
}

/** `type: simulator`: the simulator's options, with every default filled in. */
export interface SimulatorConnectorConfig
  extends
    Required<Pick<SimulatorConnectorOptions, 'latencyMs' | 'receiptBeforeResponse' | 'split'>>,
    Pick<SimulatorConnectorOptions, 'throttle'> {
  id: string;
  type: 'simulator';
  outcomes: Required<NonNullable<SimulatorConnectorOptions['outcomes']>>;
  /** Destination prefixes this simulator refuses with ESME_RINVDSTADR (to test failover). */
  failPrefixes: string[];
  /** Share of submits answered ESME_RMSGQFUL (a temporary error), to test retries. */
  errorRate?: number;
  /** Also carries MMS (capabilities sms + mms; docs/mms.md): an MMS is submitted whole, its text as one submit. */
  mms: boolean;
  /** With `mms`: total media bytes of one MMS it takes (absent: `media.maxMessageBytes`; docs/mms.md). */
  mmsMaxBytes?: number;
}

/** TLS to an SMSC beyond `true`: a CA of its own (PEM file), the name its certificate carries, or no check at all (tests only). */
export interface SmppClientTlsConfig {
  ca?: string;
  servername?: string;
  insecure?: boolean;
}

/**
 * `type: smpp`: the SMPP connector's options in the file's units (seconds), its TON/NPI
 * flat (SmppAddressing), and `tls` naming a CA file instead of holding its bytes.
 */
export interface SmppConnectorConfig
  extends
    Required<Pick<SmppConnectorOptions, 'host' | 'port' | 'systemId' | 'password' | 'systemType' | 'split'>>,
    Pick<SmppConnectorOptions, 'throughput' | 'receiver'>,
    SmppAddressing {
  id: string;
  type: 'smpp';
  tls: boolean | SmppClientTlsConfig;
  /** Requests in flight at most (the SMPP window). */
  window: number;
  /**
   * Sessions (binds) the provider allows, across the whole cluster (default 1): each is a
   * bind slot leased by one node (docs/architecture.md, "Cluster: binds and rates"); a
   * transmitter + receiver pair counts as one slot.
   */
  binds: number;
  enquireLinkS: number;
  responseTimeoutS: number;
  /**
   * transceiver (default); transmitter (receipts and MOs never arrive on this bind, unless
   * `receiver` opens a second session for them); receiver (only MOs and receipts come in;
   * no route may send through it).
   */
  bindType: Exclude<ConnectorBind, 'pair'>;
  /** Reconnect back-off: the first delay and the cap, in seconds (doubling between, jittered). */
  reconnectDelayS: { min: number; max: number };
  /** The data_coding GSM-alphabet text goes out as: 0 GSM 03.38 (default), 1 IA5/ASCII, 3 Latin-1. */
  dataCoding: TextDataCoding;
  /**
   * A sent message waits this long for its receipt (after the SMSC's last word on it), then
   * ends `expired` (Jasmin's dlr_expiry); 0 = for ever.
   */
  dlrExpiryS: number;
  /**
   * Receipts are matched by message id within this scope (default: the connector's id):
   * two SMSCs may hand out the same ids. A separate receiver connector to the same SMSC
   * names the transmitter's scope.
   */
  dlrScope?: string;
  /**
   * The base the SMSC writes message ids in, in submit_sm_resp and in receipts (Kannel's
   * msg-id-type); unset: any rendering matches (hex or decimal, zero padding, case).
   */
  messageIdBase?: { response: 'hex' | 'dec'; receipt: 'hex' | 'dec' };
}

/**
 * `type: http`: a provider's HTTP API (docs/configuration.md): the HTTP connector's options
 * (src/connectors/http-connector.ts) with its timeouts in seconds.
 */
export interface HttpConnectorConfig extends Omit<HttpConnectorOptions, 'timeoutMs' | 'dlrExpiryMs'> {
  id: string;
  type: 'http';
  timeoutS: number;
  dlrExpiryS: number;
  /** As SmppConnectorConfig.dlrScope. */
  dlrScope?: string;
}

export type ConnectorConfig =
  | SimulatorConnectorConfig
  | SmppConnectorConfig
  | HttpConnectorConfig
  | Mm7ConnectorConfig
  | ProviderConnectorConfig;

export interface Config {
  demo: boolean;
  /** Demo mode seeds its sample address book, campaign and traffic (HERMOD_SAMPLE_DATA, default on in demo mode). */
  sampleData: boolean;
  security: SecurityConfig;
  server: {
    host: string;
    smppPort: number;
    /** A second customer SMPP listener over TLS. */ smppTls?: SmppTlsConfig;
    /** PROXY protocol v1 on the SMPP listeners, believed from these balancers. */ proxyProtocol?: {
      trusted: string[];
    };
    httpPort: number;
    apiPort: number;
    /**
     * When set, the admin API, /metrics and /docs listen here (on adminHost) instead of on
     * apiPort, which then serves customers only (issue 13 item 11).
     */
    adminPort?: number;
    /** Address of the admin listener (default 127.0.0.1). */
    adminHost: string;
    /** The Kannel-compatible sendsms listener (`/cgi-bin/sendsms`, Kannel's 13013); off when unset. */
    kannelPort?: number;
  };
  /** Jasmin-compatible HTTP API (:1401). */
  httpApi: { responseFormat: JasminResponseFormat };
  webhooks: WebhooksConfig;
  /** Bearer keys of the admin API (config `admin.keys` plus HERMOD_ADMIN_KEY); empty = admin API closed. */
  admin: { keys: string[] };
  store:
    | {
        type: 'sqlite';
        path: string;
        synchronous: 'NORMAL' | 'FULL';
        /** At most one commit per this many ms under load (group commit); 0 = every turn. */ groupCommitMs: number;
      }
    | {
        type: 'postgres';
        url: string;
        schema: string;
        nodeId?: string;
        /** How often a node reads the connectors and routes other nodes changed (s), as the fallback for their NOTIFY; 0 = no poll. */ definitionsPollS: number;
      };
  users: UserConfig[];
  groups: GroupConfig[];
  connectors: ConnectorConfig[];
  routes: RouteDef[];
  /** MO routes, in order: filters → the customer (SMPP bind) or webhook that receives them. */
  moRoutes: MoRouteDef[];
  /** STOP / START / HELP keywords and auto-replies, per receiving number. */
  optOut: OptOutSettings;
  /** Seconds within which an identical resend returns the first message's id (0 = off). */
  dedupeWindowS: number;
  /** A receipt for an upstream id we never stored is kept this long (for a late submit_sm_resp), then dropped. */
  parkedReceiptRetentionS: number;
  alerts: AlertsConfig;
  billing: BillingConfig;
  failover: FailoverConfig;
  engine: EngineConfig;
  /** Retention of messages (docs/operations.md). */
  retention: RetentionConfig;
  /** Scheduled backups of the SQLite store (docs/operations.md). */
  backup: BackupConfig;
  /** Erasure of numbers on request (docs/operations.md). */
  erasure: ErasureConfig;
  /** MMS media: store, limits, signed URLs, fallback and price (docs/mms.md). */
  media: MediaConfig;
  /** Heartbeat and dead-after times of the nodes sharing a PostgreSQL schema (docs/architecture.md, "Cluster"). */
  cluster: ClusterConfig;
  /** The SMTP server inbound MMS are mailed through (MO routes with `email`); null when absent. */
  smtp: SmtpConfig | null;
}

/** The SMS engine's settings (docs/configuration.md, `engine`). */
export interface EngineConfig {
  imports: {
    /** The largest CSV upload of contacts accepted (bytes; default 50 MiB). */
    maxBytes: number;
    /** Rows applied per transaction (default 2000). */
    batchRows: number;
  };
}

export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends HermodError {
  constructor(
    readonly issues: ConfigIssue[],
    source: string,
  ) {
    super(
      'HERMOD_ERR_CONFIG',
      `invalid configuration (${source}):\n` + issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
    );
  }
}

/** The customer SMPP listener over TLS: its port and the PEM files of its certificate and key. */
export interface SmppTlsConfig {
  port: number;
  cert: string;
  key: string;
}
