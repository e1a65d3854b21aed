/**
 * Route definitions, MT and MO: what the configuration declares and the router evaluates
 * (src/gateway/router.ts). Data only; selection lives in the router.
 */
import type { MmsFallback } from './media.js';

/** A time-of-day window in a time zone; `from` > `to` wraps midnight ("22:00-06:00"). */
export interface TimeWindow {
  /** Minutes after local midnight, inclusive. */
  from: number;
  /** Minutes after local midnight, exclusive. */
  to: number;
  /** Local days of the week it applies to, 0 = Sunday … 6 = Saturday; absent = every day. */
  days?: number[];
  /** IANA time zone ("Europe/Rome"); default UTC. */
  timeZone?: string;
}

/** Filters of an MT route. Every filter given must match; none given = a default route. */
export interface MtFilters {
  /** Destination prefixes (E.164 digits); empty or absent matches every destination. */
  prefixes: string[];
  destinationRegex?: string;
  /** ISO 3166 alpha-2 countries of the destination (libphonenumber-js). */
  countries?: string[];
  /** Exact source addresses. */
  sources?: string[];
  sourceRegex?: string;
  /** Usernames of the sending account. */
  users?: string[];
  /** Groups of the sending account. */
  groups?: string[];
  /** On the decoded text of the message. */
  contentRegex?: string;
  timeWindow?: TimeWindow;
  /** Matches when the message carries any of these tags (MessageMeta.tags). */
  tags?: string[];
}

export type RouteType = 'static' | 'failover' | 'roundrobin' | 'leastcost' | 'weighted';

export interface RouteDef extends MtFilters {
  name: string;
  type: RouteType;
  connectors: string[];
  /** connector id → destination prefix → cost, for least-cost routing. */
  costs: Record<string, Record<string, number>>;
  /** connector id → relative share (> 0), for weighted routes. */
  weights?: Record<string, number>;
  /** Customer price per part on this route (currency units); else the user's rate. */
  rate?: number;
  /** Customer price of one MMS on this route (currency units); else 4× the SMS price (docs/mms.md). */
  mmsRate?: number;
  /** What an MMS on this route becomes when none of its connectors carries MMS (docs/mms.md). */
  mmsFallback?: MmsFallback;
}

/** An MO route: filters (ANDed) and a target, a customer's SMPP bind, an HTTP webhook or email addresses. */
export interface MoRouteDef {
  name?: string;
  /** Our numbers / short codes (destination prefixes); empty = any. */
  prefixes: string[];
  destinationRegex?: string;
  /** ISO 3166 alpha-2 countries of the sender (the handset's number, libphonenumber-js). */
  countries?: string[];
  /** Exact handset numbers. */
  sources?: string[];
  sourceRegex?: string;
  contentRegex?: string;
  timeWindow?: TimeWindow;
  /** The connectors the MO may have arrived on. */
  originConnectors?: string[];
  /** Target: the customer (username) whose SMPP bind receives it … */
  user?: string;
  /** … or an HTTP webhook. */
  url?: string;
  method?: 'GET' | 'POST';
  /**
   * What a `url` target gets: Jasmin's MO fields (default), a REST v1 `message.received`
   * event, `kannel`: Kannel's sms-service, `url` with its escapes (%p %a %k ...) filled, called
   * by GET (get-url) or POST (post-url, the MO text as the body), or
   * `telnyx`: Telnyx's `message.received` event (docs/telnyx-api.md).
   */
  format?: 'jasmin' | 'rest' | 'kannel' | 'telnyx';
  /**
   * `format: kannel` only: the answer's body (2xx, text/plain, not empty) is sent back to the
   * handset as an SMS from the number it texted, as Kannel's sms-service does.
   */
  reply?: MoReplySetting;
  /**
   * `user` target only: an inbound MMS reaches the bind as an SMS of its subject, text and a
   * signed link per media item (default, absent = true); false: the text alone.
   */
  mmsAsLinks?: boolean;
  /** … or email: an inbound MMS mailed to these addresses through `smtp:` (docs/mms.md, "MMS to email"). */
  email?: string[];
  /** `email` target only: an SMS MO is mailed too (default false: an SMS passes on to the next route). */
  emailSms?: boolean;
}

/** Kannel's sms-service reply: `max-messages` and who is charged for it. */
export interface MoReplySetting {
  /** At most this many SMS parts (Kannel's max-messages); a longer answer is cut. */
  maxMessages: number;
  /** The account the reply is sent (routed, charged) as; else the number's `optOut.account`. */
  account?: string;
}
