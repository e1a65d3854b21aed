/**
 * An MT message (customer → handset) as the gateway core stores it: one row per message,
 * one Part per segment. Numbers are E.164 digits without "+" (see number.ts); money is in
 * integer micro-units (see money.ts); times are milliseconds since the epoch.
 */
import type { MtState, PartState } from './state.js';

/** SMPP priority_flag 0 (lowest) to 3 (highest); the queue serves higher first. */
export type Priority = 0 | 1 | 2 | 3;
export const PRIORITIES: readonly Priority[] = [0, 1, 2, 3];
export const isPriority = (n: unknown): n is Priority => n === 0 || n === 1 || n === 2 || n === 3;

export type Encoding = 'gsm7' | 'ucs2' | 'latin1' | 'binary';

/** The content as the customer gave it: text, or bytes (hex content, binary SMS). */
export type MessageBody = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Buffer };

/** How the message entered Hermod; SMPP receipts go back to the account's bind. */
export type Origin = 'http' | 'rest' | 'smpp' | 'internal';

/**
 * Delivery report wishes. `level` as in Jasmin: 0 none, 1 SMSC acknowledgement (sent),
 * 2 final state, 3 both. `url`/`method` for an HTTP callback; SMPP customers get a
 * deliver_sm on their bind instead (per `registeredDelivery`).
 */
export interface DlrOptions {
  level: 0 | 1 | 2 | 3;
  url: string | null;
  method: 'GET' | 'POST';
}

export const NO_DLR: Readonly<DlrOptions> = { level: 0, url: null, method: 'POST' };

/** One segment of a message, tracked on its own (row 22). */
export interface Part {
  /** 1-based position in the message. */
  seq: number;
  state: PartState;
  /** The connector it was last submitted through. */
  connectorId: string | null;
  /** The SMSC's message id from submit_sm_resp, as received. */
  upstreamId: string | null;
  error: string | null;
  /**
   * The bytes to submit for this segment (UDH included when esmClass has UDHI), when the
   * core encoded them at accept time; null when the dispatcher encodes at send time.
   */
  payload: Buffer | null;
  updatedAt: number;
}

export interface Message {
  /** Hermod's own id: time-sortable (newMessageId). */
  id: string;
  /** The account (Account.id) that sent it. */
  userId: string;
  origin: Origin;
  /** Sender: E.164 digits, a short code, or an alphanumeric sender id, as accepted. */
  source: string;
  /** Recipient: E.164 digits without "+" (normalizeMsisdn). */
  destination: string;
  body: MessageBody;
  /** SMPP data_coding of the parts. */
  dataCoding: number;
  encoding: Encoding;
  /** SMPP esm_class of the parts (0x40 when payloads carry a UDH). */
  esmClass: number;
  /** Number of parts. */
  segments: number;
  priority: Priority;
  /** Not sent before this time; null = now. */
  scheduleAt: number | null;
  /** Expires (is not sent any more) after this time; null = the connector's default. */
  validUntil: number | null;
  /** SMPP registered_delivery requested from the SMSC. */
  registeredDelivery: number;
  dlr: DlrOptions;
  /** The customer's own reference, echoed in callbacks. */
  clientRef: string | null;
  tags: string[];
  /** The connector it is queued on or was sent through. */
  connectorId: string | null;
  routeId: string | null;
  /** Total price charged to the account, micro-units. */
  price: number;
  /** For a multipart message: aggregateState(parts). */
  state: MtState;
  /** The last error recorded on the message or one of its parts. */
  error: string | null;
  parts: Part[];
  createdAt: number;
  updatedAt: number;
}

/** A part's identity, as the upstream-id map returns it. */
export interface PartRef {
  messageId: string;
  seq: number;
}
