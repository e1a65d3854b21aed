import type { UserSettings, UserSettingsSpec } from './account.js';
import { decodeText, parseUdh } from '../smpp/index.js';
import type { MediaRef } from './media.js';

/**
 * Message states (DESIGN.md, "The message pipeline"):
 * accepted → queued → sent → delivered | undelivered | expired | rejected | failed.
 * A multipart message's state is the aggregate of its parts' states (state.ts,
 * `aggregateState`), which adds `partially_delivered`; a part never takes it.
 */
export type MessageState =
  | 'accepted'
  | 'queued'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'expired'
  | 'rejected'
  | 'failed'
  | 'unknown'
  | 'partially_delivered'
  | 'canceled';

export const FINAL_STATES: ReadonlySet<MessageState> = new Set<MessageState>([
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'partially_delivered',
  'canceled',
]);

/**
 * Optional per-message attributes that no SQL query selects on, stored as one JSON
 * document (messages.meta). Features add their fields here instead of new columns.
 */
export interface MessageMeta {
  /** The interface the message came in through. */
  origin?: 'smpp' | 'http' | 'rest';
  /**
   * Jasmin-style HTTP delivery reports: level 1 = SMSC acknowledgement (sent),
   * 2 = final state, 3 = both; sent to `url` by GET or POST.
   */
  dlr?: { url: string; level: 1 | 2 | 3; method: 'GET' | 'POST' };
  /** REST v1 status callback URL (signed events). */
  callbackUrl?: string;
  /** Where the same events go when `callbackUrl` keeps failing (webhooks.failoverAfter attempts). */
  callbackFailoverUrl?: string;
  /** The customer's own reference, echoed in callbacks and listings. */
  clientRef?: string;
  tags?: string[];
  /** Not sent before this time (ms since the epoch). */
  scheduleAt?: number;
  /** Not sent after this time (ms since the epoch); ends `expired` instead. */
  validUntil?: number;
  /** The MT route it was routed by (its failover order is that route's). */
  route?: string;
  /**
   * SMS segments the message was charged for (priceMicros = rate × segments); also what it
   * takes from a limited SMS-count quota (default 1), given back with the price on a refund.
   */
  segments?: number;
  /**
   * The message_id the customer's SMPP bind was given when it is not this message's own:
   * a submit_multi answers one id for all its destinations, and their receipts carry it.
   */
  smppMessageId?: string;
  /** The SMS engine's campaign it was sent for (its id), for the campaign's statistics and reports. */
  campaign?: string;
  /** Media items: a message with media is an MMS (docs/mms.md); the body holds its text. */
  media?: MediaRef[];
  /** An MMS's subject line. */
  subject?: string;
  /**
   * Set when an MMS was sent as an SMS instead (no MMS-capable connector on its route and
   * the fallback allowed it, docs/mms.md): the body is the text plus a signed link per item,
   * `media` is absent (it is not an MMS) and `linkedMedia` names the items linked.
   */
  fallback?: 'sms_link';
  /** The media items an SMS fallback links to (see `fallback`). */
  linkedMedia?: MediaRef[];
  /**
   * Kannel-style delivery reports (the Kannel interface's sendsms): `dlrUrl` with Kannel's
   * escapes, called for the states `dlrMask` asks for; account, binfo and meta-data as given,
   * for their escapes (gateway/kannel.ts).
   */
  kannel?: { dlrUrl?: string; dlrMask?: number; account?: string; binfo?: string; metaData?: string };
  /**
   * Sent through the Telnyx-compatible `/v2/messages` (docs/telnyx-api.md): its callbacks are
   * Telnyx events (`message.sent`, `message.finalized`) signed with Ed25519, and its views
   * echo what the customer gave in Telnyx's terms.
   */
  telnyx?: TelnyxMeta;
}

/** What `/v2/messages` keeps of a request besides the message itself. */
export interface TelnyxMeta {
  /** `messaging_profile_id` as given: echoed, not interpreted (Hermod has no profiles). */
  messagingProfileId?: string;
  /** Per media item (in `meta.media`'s order): the URL or upload id the customer named, and the bytes' SHA-256. */
  media?: { url: string; sha256: string }[];
}

/** A message as the gateway accepts it (one SMS part as received on SMPP). */
export interface NewMessage {
  id: string;
  userId: number;
  /** The customer's bind system_id, to route its receipts back. */
  systemId: string;
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  body: Buffer;
  registeredDelivery: number;
  priority: number;
  connectorId: string;
  /** Price charged, in micro-units of the account currency. */
  priceMicros: number;
  meta?: MessageMeta;
  /**
   * The id was chosen by the caller (the campaign runner's, one per recipient): when a
   * message with it exists the store writes and charges nothing and answers `duplicate_id`,
   * so a runner that resends after a crash never sends a recipient twice.
   */
  onceOnly?: boolean;
}

export interface StoredMessage extends NewMessage {
  meta: MessageMeta;
  state: MessageState;
  upstreamId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface User {
  id: number;
  username: string;
  passwordHash: string;
  balanceMicros: number;
  /** Price per SMS part in micro-units. */
  rateMicros: number;
  enabled: boolean;
  /** The group the user belongs to; null = none. A disabled group refuses its users' messages. */
  group: string | null;
  /** SMS parts the user may still send; null = unlimited. Never negative. */
  smsCount: number | null;
  /** Authorizations, value filters, defaults and throughput (Jasmin's user model). */
  settings: UserSettings;
}

/** What a caller gives to create or update a user; omitted settings take their defaults. */
export interface UserSpec {
  username: string;
  passwordHash: string;
  /** Only used when the user is created (later changes go through topUp). */
  balanceMicros: number;
  rateMicros: number;
  enabled?: boolean;
  group?: string | null;
  /** Only used when the user is created; null (the default) = unlimited. */
  smsCount?: number | null;
  settings?: UserSettingsSpec;
}

/**
 * The text of a stored body (its UDH removed when esm_class says there is one); undefined
 * for binary data codings (for listings: never log it at info).
 */
export function bodyText(m: { body: Buffer; dataCoding: number; esmClass: number }): string | undefined {
  if (![0, 1, 3, 8].includes(m.dataCoding)) return undefined;
  let body = m.body;
  if (m.esmClass & 0x40) {
    const udh = parseUdh(m.body);
    if (udh) body = Buffer.from(udh.body);
  }
  try {
    return decodeText(body, m.dataCoding);
  } catch {
    // Not text in its own coding (broken UCS-2, a binary body): it has no text to show.
    return undefined;
  }
}

/** The delivery-receipt stat (SMPP 3.4 Appendix B) that names a message's final (aggregate) state. */
export const RECEIPT_STAT: Partial<Record<MessageState, string>> = {
  delivered: 'DELIVRD',
  undelivered: 'UNDELIV',
  expired: 'EXPIRED',
  rejected: 'REJECTD',
  failed: 'UNDELIV',
  partially_delivered: 'UNDELIV',
  canceled: 'DELETED',
};
