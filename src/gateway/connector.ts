/**
 * What the gateway needs from an upstream connector (SMPP client, HTTP provider,
 * simulator). Connectors live in src/connectors and implement this.
 */
import type { Receipt } from '../smpp/index.js';
import type { Capability, MediaRef, OutboundPart, SplitSetting, StoredMessage } from '../domain/index.js';

export interface SubmitOutcome {
  upstreamId: string;
}

/** Thrown by `submit`: `transient` errors are retried later, the others fail the message. */
export interface ConnectorFailure extends Error {
  transient: boolean;
  status?: number;
}

/**
 * A response to a submit that came after its response timer had fired:
 * `submit` had already failed with a transient timeout, so the gateway requeued the part.
 */
export interface LateSubmit {
  messageId: string;
  /** The part (1-based) as submitted, of `total`. */
  seq: number;
  total: number;
  /** The response's command_status: 0 = the SMSC accepted the part after all. */
  status: number;
  /** The SMSC's id for it (with status 0). */
  upstreamId: string;
}

/** An inbound (MO) PDU or part as a connector received it. */
export interface InboundPdu {
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  shortMessage: Buffer;
  sar?: { ref: number; total: number; seq: number };
  /**
   * An inbound MMS's media, already in the media library (`MediaLibrary.put`, userId null);
   * `shortMessage` holds its text in `dataCoding` (8, UCS-2, for an MMS's UTF-8 text).
   */
  media?: MediaRef[];
  /** An inbound MMS's subject (MM7 DeliverReq Subject, a provider's `subject`), when it has one. */
  subject?: string;
}

/** A connector's live state, for the admin API, the CLI and metrics. */
export interface ConnectorStatus {
  id: string;
  type: 'smpp' | 'simulator' | string;
  /** `stopped` after an operator's stop (or before start); otherwise the bind's state. */
  state: 'stopped' | 'connecting' | 'bound' | 'reconnecting' | 'closed' | 'idle';
  bound: boolean;
  /** Where it connects (host:port). */
  remote: string | null;
  window: { inUse: number; size: number };
  /** Submits per second over the last 10 seconds; the configured limit when there is one. */
  throughput: { perSecond: number; limit: number | null };
  counters: {
    /** submit_sm sent. */
    submits: number;
    /** submit_sm answered OK. */
    submitted: number;
    /** submit_sm answered with an error or not answered. */
    errors: number;
    receipts: number;
    mos: number;
    binds: number;
    disconnects: number;
    throttled: number;
  };
  lastError: string | null;
  /** The separate receiver session of a transmitter + receiver pair. */
  receiver?: { state: ConnectorStatus['state']; bound: boolean; remote: string; lastError: string | null };
  /**
   * A connector whose binds are cluster leases (docs/architecture.md, "Cluster: binds and
   * rates"): its slots, those this node holds, who holds each, and this node's share of its
   * throughput (null: no limit).
   */
  cluster?: { slots: number; held: number[]; holders: Record<string, string>; share: number | null };
  /** Settings worth seeing next to the live state (SMPP connectors). */
  settings?: { bindType: string; dataCoding: number; split: SplitSetting; dlrExpiryS: number | null };
}

export interface Connector {
  readonly id: string;
  /** True while the connector can take submits (bound). */
  readonly ready: boolean;
  /**
   * True while its binds are up, for metrics, alerts and readiness (default: `ready`); a
   * receive-only connector is up when bound but never ready.
   */
  readonly up?: boolean;
  /**
   * True while it can take submits somewhere in the cluster (default: `ready`): a connector
   * bound on another node is healthy for routing and failover, though this node does not
   * dispatch for it.
   */
  readonly healthy?: boolean;
  /** Messages it can have in flight (its window). */
  readonly capacity: number;
  /**
   * What it can carry (default `['sms']`): only a connector with `mms` is given a message
   * with media, and it is given the whole message (`submit(m)` without a part; the media
   * ids in `m.meta.media`, their bytes from the MediaLibrary).
   */
  readonly capabilities?: readonly Capability[];
  /**
   * The total media bytes of one MMS it takes (`mmsMaxBytes` of its definition, default the
   * gateway-wide `media.maxMessageBytes`): a larger MMS is not routed to it (docs/mms.md).
   */
  readonly mmsMaxBytes?: number;
  /** How long messages are split for this connector (default `udh`). */
  readonly split?: SplitSetting;
  /** The data_coding its GSM-alphabet text goes out as (0, 1 IA5 or 3 Latin-1; default 0). */
  readonly dataCoding?: number;
  /**
   * How long a part it sent waits for its receipt before the gateway's sweep gives up on it
   * (`expired`); undefined or 0 = for ever.
   */
  readonly dlrExpiryMs?: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Releases everything at gateway shutdown (when absent, `stop` does). */
  close?(): Promise<void>;
  /** Live state: bind, window in use, throughput, counters. */
  status(): ConnectorStatus;
  /**
   * Submits one part of a message (with registered_delivery set); without `part`, the
   * message body as one submit (message_payload above 254 octets).
   */
  submit(m: StoredMessage, part?: OutboundPart): Promise<SubmitOutcome>;
  /**
   * Registers the gateway's receipt handler. The connector acknowledges the receipt to
   * its SMSC only after the returned promise resolves (the receipt is stored).
   */
  onReceipt(handler: (r: Receipt) => Promise<void>): void;
  /** Registers the MO handler; acknowledged upstream only after it resolves (stored). */
  onMo(handler: (mo: InboundPdu) => Promise<void>): void;
  /**
   * Registers the handler of submit responses that came after `submit` had timed out (a
   * connector that can tell, such as SMPP, where the response carries the sequence number).
   */
  onLateSubmit?(handler: (late: LateSubmit) => Promise<void>): void;
  /**
   * An HTTP callback from the provider (an HTTP connector's delivery reports), answered with
   * what the provider should see; resolves after what it carried is stored.
   */
  providerCallback?(
    kind: string,
    fields: Record<string, string>,
    token: string | undefined,
  ): Promise<ProviderCallback>;
  /**
   * A request to the connector's own endpoint, raw (MM7 connectors, Telnyx and Twilio
   * presets): answered with what the peer should see; resolves after what it carried is
   * stored. Takes precedence over `providerCallback`. Bodies up to `inboundBodyLimit`.
   */
  inboundHttp?(req: InboundHttpRequest): Promise<InboundHttpAnswer>;
  /** The largest body `inboundHttp` takes (bytes; default 1 MiB, at most 16 MiB). */
  readonly inboundBodyLimit?: number;
}

/**
 * A request a provider or an MMSC made to this connector's own endpoint
 * (`/v1/hooks/connectors/{id}/{kind}`), raw: for protocols that sign or structure the body
 * (MM7 SOAP, Telnyx's Ed25519 and Twilio's signatures).
 */
export interface InboundHttpRequest {
  kind: string;
  method: string;
  /** Path and query as received (`/v1/hooks/connectors/{id}/{kind}?…`). */
  url: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface InboundHttpAnswer {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

/** The answer to a provider's callback: HTTP status and a short text body. */
export interface ProviderCallback {
  status: number;
  body: string;
}

export function isTransient(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as ConnectorFailure).transient === true;
}

/** Routing's view of a connector: bound here or on another node of the cluster. */
export function isHealthy(c: Connector | undefined): boolean {
  return c ? (c.healthy ?? c.ready) : false;
}
