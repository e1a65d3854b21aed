/**
 * The one door in: what every interface (SMPP server, Jasmin /send, REST, the campaign
 * runner) turns its input into before the gateway accepts it, and the one function that
 * builds it (`draftOf`). Content is encoded by `content.ts` first; the rules (authorization,
 * routing, price, parts) are the gateway's, behind `Gateway.submit`.
 */
import type { MediaRef, MessageMeta } from '../domain/index.js';
import type { GivenArguments } from './accounts.js';
import { encodeContent, type Content } from './content.js';
import { reject } from './errors.js';

/**
 * Bounds every door shares (issue 13 item 9): what is stored must be sendable and readable
 * back. SMPP 3.4 §5.2.8 gives source_addr and destination_addr 20 characters (21 with the
 * NUL); an alphanumeric sender is 11 characters on GSM networks (3GPP TS 23.040 §9.1.2.5).
 */
export const DRAFT_BOUNDS = {
  sourceMax: 20,
  alphanumericSourceMax: 11,
  /** The destination as given (formatting characters included, before normalisation). */
  destinationMax: 32,
  /** Schedule and validity: at most this far ahead (ms). */
  aheadMaxMs: 366 * 86_400_000,
} as const;

/** Throws RejectedError (400, with the SMPP status of the field) for an argument out of bounds. */
export function checkDraftBounds(input: DraftInput, now: number): void {
  const b = DRAFT_BOUNDS;
  if (input.from.length > b.sourceMax)
    throw reject.invalidSource(`from is ${input.from.length} characters, at most ${b.sourceMax}`);
  if (/[A-Za-z]/.test(input.from) && input.from.length > b.alphanumericSourceMax)
    throw reject.invalidSource(
      `an alphanumeric from is at most ${b.alphanumericSourceMax} characters, got ${input.from.length}`,
    );
  if (input.to.length > b.destinationMax)
    throw reject.invalidDestination(`to is ${input.to.length} characters, at most ${b.destinationMax}`);
  const days = b.aheadMaxMs / 86_400_000;
  if (
    input.scheduleAt !== undefined &&
    !(Number.isFinite(input.scheduleAt) && input.scheduleAt - now <= b.aheadMaxMs)
  )
    throw reject.invalidSchedule(`the schedule is at most ${days} days ahead`);
  if (input.validUntil !== undefined) {
    const from = Math.max(now, input.scheduleAt ?? now);
    if (!(Number.isFinite(input.validUntil) && input.validUntil - from <= b.aheadMaxMs))
      throw reject.invalidValidity(`the validity period is at most ${days} days`);
  }
}

export interface SubmitDraft {
  systemId: string;
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  body: Buffer;
  registeredDelivery: number;
  priority?: number;
  /** Optional attributes stored with the message (see MessageMeta). */
  meta?: MessageMeta;
  /** Arguments the customer gave that an authorization forbids giving (checked, not stored). */
  given?: GivenArguments;
  /**
   * Sent even to a number that opted out of this source: only the gateway's own STOP
   * confirmation, which the opted-out handset is owed. Never set from a customer's input.
   */
  ignoreOptOut?: boolean;
  /**
   * The message's id, chosen by the SMS engine (one per campaign recipient): accepted at most
   * once; a second submit with it is answered `duplicate: true` and charges nothing. Never
   * set from a customer's input.
   */
  messageId?: string;
}

/** What an interface received, named the same whichever door it came through. */
export interface DraftInput {
  /** The account's username (also its SMPP system_id: where its receipts go back). */
  systemId: string;
  origin: NonNullable<MessageMeta['origin']>;
  from: string;
  to: string;
  /** Text to encode, or bytes as received, or a body already encoded (`encodeContent`). */
  content: Content | { body: Buffer; dataCoding: number };
  /** esm_class as received (the UDH indicator, 0x40, when the body starts with a UDH). */
  esmClass?: number;
  /**
   * SMPP registered_delivery: receipts wanted in the customer's SMPP outbox. HTTP doors
   * leave it 0: their customers get HTTP callbacks, and receipts are tracked upstream anyway.
   */
  registeredDelivery?: number;
  priority?: number;
  /** Not sent before (ms since the epoch). */
  scheduleAt?: number;
  /** Not sent after (ms since the epoch); the message ends `expired` instead. */
  validUntil?: number;
  /** Delivery reports by HTTP: Jasmin's dlr-url/level/method. */
  dlr?: MessageMeta['dlr'];
  /** Delivery reports by HTTP: Kannel's dlr-url/dlr-mask (and what its escapes need). */
  kannel?: MessageMeta['kannel'];
  /** REST status callbacks. */
  callbackUrl?: string;
  callbackFailoverUrl?: string;
  clientRef?: string;
  tags?: string[];
  /** The message_id the customer was answered with when it is not this message's (submit_multi). */
  smppMessageId?: string;
  given?: GivenArguments;
  /** Media items already in the media library: the message is an MMS (docs/mms.md). */
  media?: MediaRef[];
  /** An MMS's subject. */
  subject?: string;
}

/**
 * The one function every door builds its SubmitDraft with. Throws RejectedError for an
 * argument out of bounds (checkDraftBounds), which every door answers as it answers a refusal.
 */
export function draftOf(input: DraftInput, now = Date.now()): SubmitDraft {
  checkDraftBounds(input, now);
  const { body, dataCoding } = 'body' in input.content ? input.content : encodeContent(input.content);
  const meta: MessageMeta = { origin: input.origin };
  if (input.dlr !== undefined) meta.dlr = input.dlr;
  if (input.kannel !== undefined) meta.kannel = input.kannel;
  if (input.callbackUrl !== undefined) meta.callbackUrl = input.callbackUrl;
  if (input.callbackFailoverUrl !== undefined) meta.callbackFailoverUrl = input.callbackFailoverUrl;
  if (input.clientRef !== undefined) meta.clientRef = input.clientRef;
  if (input.tags !== undefined && input.tags.length > 0) meta.tags = input.tags;
  if (input.scheduleAt !== undefined) meta.scheduleAt = input.scheduleAt;
  if (input.validUntil !== undefined) meta.validUntil = input.validUntil;
  if (input.smppMessageId !== undefined) meta.smppMessageId = input.smppMessageId;
  if (input.media !== undefined && input.media.length > 0) meta.media = input.media;
  if (input.subject !== undefined) meta.subject = input.subject;
  const draft: SubmitDraft = {
    systemId: input.systemId,
    source: input.from,
    destination: input.to,
    esmClass: input.esmClass ?? 0,
    dataCoding,
    body,
    registeredDelivery: input.registeredDelivery ?? 0,
    priority: input.priority ?? 0,
    meta,
  };
  if (input.given !== undefined) draft.given = input.given;
  return draft;
}
