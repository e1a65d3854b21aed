/**
 * Messages sent through the Telnyx-compatible `/v2/messages` (docs/telnyx-api.md), in
 * Telnyx's shapes: the message object its API answers and its webhooks carry
 * (`OutboundMessagePayload`), the `to[].status` and `errors` of each state, the
 * `message.sent` / `message.finalized` events as durable webhook items (kind `telnyx`), and
 * their Ed25519 signature (`telnyx-signature-ed25519` over `${timestamp}|${body}`).
 *
 * Pure functions: the webhook items are built inside the store write of the state change
 * (notify.ts), like the REST and Jasmin ones.
 */
import { sign, type KeyObject } from 'node:crypto';
import {
  FINAL_STATES,
  formatMicros,
  isMms,
  newMessageId,
  type MessageState,
  type StoredMessage,
} from '../domain/index.js';
import type { InboundMessage, NewWebhook } from '../store/store.js';
import { encodingOfDataCoding, textOf } from './content.js';
import type { StateReport } from './webhook-items.js';

/** `to[].status` of Telnyx's message object. */
export type TelnyxStatus =
  'queued' | 'sending' | 'sent' | 'delivered' | 'sending_failed' | 'delivery_failed' | 'delivery_unconfirmed';

/** One entry of a Telnyx message's `errors` (Telnyx's messaging error codes, 40xxx). */
export interface TelnyxMessageError {
  code: string;
  title: string;
  detail?: string;
}

/** What a view of the message knows besides the stored message (timestamps from its history). */
export interface TelnyxView {
  status?: TelnyxStatus;
  errors?: TelnyxMessageError[];
  /** ms since the epoch. */
  sentAt?: number | undefined;
  completedAt?: number | undefined;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Telnyx's names of the alphabets (its `encoding` field). */
const ENCODINGS: Record<string, string> = {
  gsm7: 'GSM-7',
  ucs2: 'UCS-2',
  latin1: 'ISO-8859-1',
  ascii: 'ASCII',
  binary: 'binary',
};

/** A sender as Telnyx writes it: E.164 with its '+', a short code or an alphanumeric id as they are. */
function senderOf(source: string): string {
  return /^\d{7,15}$/.test(source) ? `+${source}` : source;
}

/** A state's `to[].status` and `errors`; `sent` says whether the SMSC ever took the message. */
export function telnyxOutcome(
  state: MessageState,
  o: { receipt?: boolean; error?: string | null; sent?: boolean } = {},
): { status: TelnyxStatus; errors: TelnyxMessageError[] } {
  const detail = o.error ?? undefined;
  const err = (code: string, title: string): TelnyxMessageError[] => [
    { code, title, ...(detail ? { detail } : {}) },
  ];
  switch (state) {
    case 'accepted':
    case 'queued':
      return { status: 'queued', errors: [] };
    case 'sent':
      return { status: 'sent', errors: [] };
    case 'delivered':
      return { status: 'delivered', errors: [] };
    case 'unknown':
      return { status: 'delivery_unconfirmed', errors: [] };
    case 'rejected':
      return { status: 'delivery_failed', errors: err('40004', 'Rejected by destination') };
    case 'undelivered':
    case 'partially_delivered':
      return { status: 'delivery_failed', errors: err('40008', 'Undeliverable') };
    case 'expired':
      // A receipt said so; no receipt came within dlrExpiryS; or it never left the queue in time.
      if (o.receipt) return { status: 'delivery_failed', errors: err('40005', 'Message expired') };
      if (o.sent) return { status: 'delivery_unconfirmed', errors: [] };
      return { status: 'sending_failed', errors: err('40014', 'Expired in queue') };
    case 'failed':
      return { status: 'sending_failed', errors: err('40008', 'Undeliverable') };
    case 'canceled':
      return { status: 'sending_failed', errors: err('40008', 'Undeliverable') };
  }
}

/**
 * The message object (Telnyx's `OutboundMessagePayload`): what Hermod knows filled in, what
 * it does not know `null` (carrier, line type, currency). `status` and `errors` default to
 * the message's current state.
 */
export function telnyxMessage(m: StoredMessage, v: TelnyxView = {}): Record<string, unknown> {
  const outcome = v.status
    ? { status: v.status, errors: v.errors ?? [] }
    : telnyxOutcome(m.state, { error: m.error, sent: m.upstreamId !== null });
  const media = m.meta.media ?? [];
  const given = m.meta.telnyx?.media ?? [];
  return {
    record_type: 'message',
    direction: 'outbound',
    id: m.id,
    type: isMms(m) ? 'MMS' : 'SMS',
    messaging_profile_id: m.meta.telnyx?.messagingProfileId ?? null,
    from: { phone_number: senderOf(m.source), carrier: null, line_type: null },
    to: [{ phone_number: `+${m.destination}`, status: outcome.status, carrier: null, line_type: null }],
    cc: [],
    text: textOf(m.body, m.dataCoding) ?? '',
    subject: m.meta.subject ?? null,
    media: media.map((ref, i) => ({
      url: given[i]?.url ?? ref.id,
      content_type: ref.contentType,
      size: ref.size,
      sha256: given[i]?.sha256 ?? null,
    })),
    webhook_url: m.meta.callbackUrl ?? null,
    webhook_failover_url: m.meta.callbackFailoverUrl ?? null,
    encoding: ENCODINGS[encodingOfDataCoding(m.dataCoding)] ?? 'binary',
    parts: m.meta.segments ?? 1,
    tags: m.meta.tags ?? [],
    cost: { amount: formatMicros(m.priceMicros), currency: null },
    received_at: iso(m.createdAt),
    sent_at: iso(v.sentAt),
    completed_at: iso(v.completedAt),
    valid_until: iso(m.meta.validUntil),
    errors: v.errors ?? outcome.errors,
  };
}

/**
 * The Telnyx event a state change owes a `/v2` message with a `webhook_url`: `message.sent`
 * when the SMSC accepted it (not for an intermediate receipt), `message.finalized` for a
 * final state; nothing for the others. The item's body is the event's `data`; the sender
 * wraps it with `meta` (attempt, delivered_to) and signs it at each attempt.
 */
export function telnyxWebhook(m: StoredMessage, r: StateReport, expiresAt: number): NewWebhook | undefined {
  if (!m.meta.callbackUrl) return undefined;
  let eventType: 'message.sent' | 'message.finalized';
  let view: TelnyxView;
  if (r.state === 'sent') {
    if (r.receipt) return undefined;
    eventType = 'message.sent';
    view = { status: 'sent', errors: [], sentAt: r.at };
  } else {
    if (!FINAL_STATES.has(r.state)) return undefined;
    eventType = 'message.finalized';
    const error =
      r.error ?? (r.receipt?.err && r.receipt.err !== '000' ? `error ${r.receipt.err}` : undefined);
    const sent = r.receipt !== undefined || m.upstreamId !== null || (r.upstreamId ?? null) !== null;
    const outcome = telnyxOutcome(r.state, { receipt: r.receipt !== undefined, error: error ?? null, sent });
    const partial =
      r.state === 'partially_delivered' && r.parts
        ? `${r.parts.delivered} of ${r.parts.total} parts delivered`
        : undefined;
    view = {
      status: outcome.status,
      errors: outcome.errors.map((e) => (partial && !e.detail ? { ...e, detail: partial } : e)),
      completedAt: r.at,
      ...(m.state === 'sent' ? { sentAt: m.updatedAt } : {}),
    };
  }
  const eventId = newMessageId();
  const data = {
    record_type: 'event',
    id: eventId,
    event_type: eventType,
    occurred_at: new Date(r.at).toISOString(),
    payload: telnyxMessage(m, view),
  };
  return {
    eventId,
    kind: 'telnyx',
    messageId: m.id,
    owner: m.systemId,
    url: m.meta.callbackUrl,
    method: 'POST',
    body: JSON.stringify(data),
    expiresAt,
  };
}

/**
 * An MO as Telnyx's `message.received` event `data` (its `InboundMessagePayload`), for MO
 * routes with `format: telnyx`. Media items carry a URL the receiver can fetch (`mediaUrl`:
 * a signed, expiring media URL when the library signs), else the media id.
 */
export function telnyxInbound(
  mo: InboundMessage,
  o: { eventId: string; mediaUrl?: (id: string) => string | undefined },
): Record<string, unknown> {
  const media = mo.media ?? [];
  const received = new Date(mo.receivedAt).toISOString();
  return {
    record_type: 'event',
    id: o.eventId,
    event_type: 'message.received',
    occurred_at: received,
    payload: {
      record_type: 'message',
      direction: 'inbound',
      id: mo.id,
      type: media.length > 0 ? 'MMS' : 'SMS',
      messaging_profile_id: null,
      from: { phone_number: senderOf(mo.source), carrier: null, line_type: null },
      to: [
        {
          phone_number: senderOf(mo.destination),
          status: 'webhook_delivered',
          carrier: null,
          line_type: null,
        },
      ],
      cc: [],
      text: textOf(mo.body, mo.dataCoding) ?? '',
      subject: mo.subject ?? null,
      media: media.map((ref) => ({
        url: o.mediaUrl?.(ref.id) ?? ref.id,
        content_type: ref.contentType,
        size: ref.size,
        hash_sha256: null,
      })),
      encoding: ENCODINGS[encodingOfDataCoding(mo.dataCoding)] ?? 'binary',
      parts: 1,
      tags: [],
      cost: null,
      received_at: received,
      sent_at: null,
      completed_at: null,
      valid_until: null,
      webhook_url: null,
      webhook_failover_url: null,
      errors: [],
    },
  };
}

/** The body a Telnyx webhook attempt posts: the event and its delivery `meta`. */
export function telnyxWebhookBody(data: string, attempt: number, deliveredTo: string): string {
  return `{"data":${data},"meta":${JSON.stringify({ attempt, delivered_to: deliveredTo })}}`;
}

/** Telnyx's signature headers of a body: base64 Ed25519 over `${timestamp}|${body}`. */
export function telnyxSignature(
  key: KeyObject,
  body: string,
  timestamp: number,
): { 'telnyx-signature-ed25519': string; 'telnyx-timestamp': string } {
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), key).toString('base64');
  return { 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': String(timestamp) };
}
