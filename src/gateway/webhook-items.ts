/**
 * The webhooks a message's state change or an inbound message owes, as durable items for
 * the sender (webhooks.ts): Jasmin DLR callbacks per dlr-level, Kannel DLRs per dlr-mask
 * (kannel.ts), Telnyx events (telnyx.ts), REST v1 status events, and MO callbacks (Jasmin,
 * Telnyx, REST and Kannel formats); and the REST signature (Standard Webhooks' v1 HMAC).
 */
import { createHmac } from 'node:crypto';
import { decodeText, encodingOfDataCoding, type Receipt } from '../smpp/index.js';
import {
  newMessageId,
  RECEIPT_STAT,
  type MediaRef,
  type MessageState,
  type StoredMessage,
} from '../domain/index.js';
import type { InboundMessage, NewWebhook } from '../store/store.js';
import { kannelDlrWebhook, kannelMoWebhook } from './kannel.js';
import type { KannelReplyOrder } from './kannel-reply.js';
import { telnyxInbound, telnyxWebhook } from './telnyx.js';

/** A state change of an MT message, as the gateway records it. */
export interface StateReport {
  state: MessageState;
  /** ms since the epoch. */
  at: number;
  /** The upstream (SMSC) message id, when known. */
  upstreamId?: string | null;
  /** The receipt that caused it (level 2), absent for the submit outcome (level 1). */
  receipt?: Receipt;
  /** Why it failed (a permanent connector error, retries exhausted). */
  error?: string;
  /** A final state of a long message: its parts and how many were delivered. */
  parts?: { total: number; delivered: number };
}

export const DEFAULT_WEBHOOK_RETENTION_MS = 3 * 86_400_000;

/** Two digits (a module-level function: this runs for every receipt, see receiptDate). */
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** YYMMDDhhmm, as in a receipt's submit date / done date (SMPP 3.4 Appendix B). */
function receiptDate(d: Date | number | string | undefined): string {
  if (d === undefined) return '';
  // A parked receipt comes back from JSON with its dates as strings.
  const t = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(t.getTime())) return '';
  return `${two(t.getUTCFullYear() % 100)}${two(t.getUTCMonth() + 1)}${two(t.getUTCDate())}${two(t.getUTCHours())}${two(t.getUTCMinutes())}`;
}

const pad3 = (n: number | undefined, def: number) => String(n ?? def).padStart(3, '0');

/** REST v1 (Twilio-like) status of a state; undefined = no event (queued is never sent, as Twilio). */
export function restStatus(
  state: MessageState,
): 'sent' | 'delivered' | 'undelivered' | 'failed' | 'canceled' | undefined {
  switch (state) {
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'undelivered':
    case 'expired':
    case 'rejected':
    case 'partially_delivered':
      return 'undelivered';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    default:
      return undefined;
  }
}

/**
 * A Jasmin DLR item of `m`. A plain literal: this runs for every receipt, and spreading a
 * shared base object (`{ ...base, eventId, body }`) cost several µs a time on Node 20.
 */
function jasminDlr(m: StoredMessage, expiresAt: number, body: string): NewWebhook {
  const dlr = m.meta.dlr!;
  return {
    kind: 'jasmin_dlr',
    messageId: m.id,
    owner: m.systemId,
    url: dlr.url,
    method: dlr.method,
    expiresAt,
    eventId: newMessageId(),
    body,
  };
}

/**
 * The webhook items one state change produces for a message, from its MessageMeta:
 * Jasmin DLRs (`meta.dlr`: level 1 for the submit outcome, level 2 for a final receipt or
 * failure, 3 both) and a REST v1 event (`meta.callbackUrl`).
 */
export function webhooksForState(
  m: StoredMessage,
  r: StateReport,
  retentionMs = DEFAULT_WEBHOOK_RETENTION_MS,
): NewWebhook[] {
  const out: NewWebhook[] = [];
  const expiresAt = r.at + retentionMs;
  const dlr = m.meta.dlr;
  if (dlr) {
    const submitOutcome = r.receipt === undefined && (r.state === 'sent' || r.state === 'failed');
    const finalReport =
      r.state !== 'sent' && r.state !== 'unknown' && r.state !== 'queued' && r.state !== 'accepted';
    if (submitOutcome && (dlr.level === 1 || dlr.level === 3)) {
      const status =
        r.state === 'sent' ? 'ESME_ROK' : (/ESME_R\w+/.exec(r.error ?? '')?.[0] ?? 'ESME_RSYSERR');
      out.push(
        jasminDlr(
          m,
          expiresAt,
          JSON.stringify({ id: m.id, message_status: status, level: '1', connector: m.connectorId }),
        ),
      );
    }
    // An intermediate receipt (ENROUTE, ACCEPTD: the part stays `sent`) goes to level 3 only.
    const intermediate = r.receipt !== undefined && r.state === 'sent' && dlr.level === 3;
    if ((finalReport && (dlr.level === 2 || dlr.level === 3)) || intermediate) {
      const rc = r.receipt;
      const delivered = r.state === 'delivered';
      // A long message is reported once, for all its parts: sub/dlvrd count them.
      const multi = !intermediate && r.parts !== undefined && r.parts.total > 1;
      const fields = {
        id: m.id,
        id_smsc: r.upstreamId ?? m.upstreamId ?? '',
        message_status: (multi ? undefined : rc?.stat) ?? RECEIPT_STAT[r.state] ?? 'UNDELIV',
        level: '2',
        connector: m.connectorId,
        subdate: receiptDate(rc?.submitDate ?? m.createdAt),
        donedate: receiptDate(rc?.doneDate ?? r.at),
        sub: pad3(multi ? r.parts!.total : rc?.sub, 1),
        dlvrd: pad3(multi ? r.parts!.delivered : rc?.dlvrd, delivered ? 1 : 0),
        err: delivered ? '000' : (rc?.err ?? '000'),
        text: (rc?.text ?? '').slice(0, 20),
      };
      out.push(jasminDlr(m, expiresAt, JSON.stringify(fields)));
    }
  }
  if (m.meta.telnyx) {
    // Sent through /v2: its callback URL gets Telnyx events instead of REST v1 ones.
    const item = telnyxWebhook(m, r, expiresAt);
    if (item) out.push(item);
    return out;
  }
  if (m.meta.kannel) {
    const item = kannelDlrWebhook(m, r, expiresAt);
    if (item) out.push(item);
  }
  const status = restStatus(r.state);
  if (m.meta.callbackUrl && status && !(r.receipt && r.state === 'sent')) {
    const eventId = newMessageId();
    const data = {
      id: eventId,
      event_type: status === 'sent' ? 'message.sent' : 'message.finalized',
      occurred_at: new Date(r.at).toISOString(),
      payload: {
        id: m.id,
        status,
        from: m.source,
        to: m.destination,
        ...(m.meta.clientRef !== undefined ? { client_ref: m.meta.clientRef } : {}),
        ...(m.meta.tags ? { tags: m.meta.tags } : {}),
        ...(r.receipt?.err && r.receipt.err !== '000' ? { error_code: r.receipt.err } : {}),
        ...(r.error ? { error_detail: r.error } : {}),
      },
    };
    out.push({
      eventId,
      kind: 'rest',
      messageId: m.id,
      owner: m.systemId,
      url: m.meta.callbackUrl,
      method: 'POST',
      body: JSON.stringify(data),
      expiresAt,
    });
  }
  return out;
}

/**
 * The webhook of an MO routed to a URL. `jasmin` (the default): Jasmin's MO fields (id,
 * from, to, origin-connector, priority, coding, validity, content, binary), by GET or POST.
 * `kannel`: Kannel's sms-service, a GET of the URL with its escapes filled (get-url) or a POST
 * of the MO text (post-url), its answer sent back as the reply when the route asks (kannel.ts).
 * `rest`: a REST v1 `message.received` event, POSTed as JSON in the envelope and with the
 * Standard Webhooks signature of the status events. `telnyx`: Telnyx's `message.received`
 * (docs/telnyx-api.md), signed with Ed25519 like the /v2 status events.
 */
export function webhookForMo(
  mo: InboundMessage,
  target: {
    url: string;
    method: 'GET' | 'POST';
    format?: 'jasmin' | 'rest' | 'kannel' | 'telnyx';
    name?: string;
    /** `kannel` only: the answer's body is sent back to the handset (kannel-reply.ts). */
    reply?: KannelReplyOrder;
  },
  retentionMs = DEFAULT_WEBHOOK_RETENTION_MS,
  /** A signed URL of a media item (an inbound MMS's `media[].url`); without it, no URLs. */
  mediaUrl?: (id: string) => string,
): NewWebhook {
  if (target.format === 'kannel')
    return kannelMoWebhook(
      mo,
      {
        url: target.url,
        service: target.name ?? '',
        method: target.method,
        ...(target.reply ? { reply: target.reply } : {}),
      },
      mo.receivedAt + retentionMs,
    );
  const encoding = encodingOfDataCoding(mo.dataCoding);
  const text = encoding === 'binary' ? '' : decodeText(mo.body, mo.dataCoding);
  const eventId = newMessageId();
  const common = {
    eventId,
    messageId: mo.id,
    owner: '',
    url: target.url,
    expiresAt: mo.receivedAt + retentionMs,
  };
  if (target.format === 'telnyx') {
    // Telnyx's message.received, signed like the /v2 status events (kind telnyx).
    const data = telnyxInbound(mo, { eventId, ...(mediaUrl ? { mediaUrl } : {}) });
    return { ...common, kind: 'telnyx', method: 'POST', body: JSON.stringify(data) };
  }
  if (target.format === 'rest') {
    const data = {
      id: eventId,
      event_type: 'message.received',
      occurred_at: new Date(mo.receivedAt).toISOString(),
      payload: {
        id: mo.id,
        direction: 'inbound',
        from: mo.source,
        to: mo.destination,
        ...(encoding === 'binary' ? { binary: mo.body.toString('base64') } : { text }),
        encoding,
        connector: mo.connectorId,
        // An incomplete MO: a part never came within the reassembly timeout.
        complete: mo.complete,
        received_at: new Date(mo.receivedAt).toISOString(),
        // An inbound MMS: its media, each with a signed URL to fetch it from.
        ...(mo.media?.length ? { media: mo.media.map((r) => inboundMediaView(r, mediaUrl)) } : {}),
        ...(mo.subject !== undefined ? { subject: mo.subject } : {}),
      },
    };
    return { ...common, kind: 'rest', method: 'POST', body: JSON.stringify(data) };
  }
  const fields = {
    id: mo.id,
    from: mo.source,
    to: mo.destination,
    'origin-connector': mo.connectorId,
    priority: '0',
    coding: String(mo.dataCoding),
    validity: '',
    content: text,
    binary: mo.body.toString('hex'),
    // A Hermod addition (Jasmin has no MMS): an inbound MMS's media as signed URLs.
    ...jasminMediaFields(mo.media, mediaUrl),
  };
  return { ...common, kind: 'jasmin_mo', method: target.method, body: JSON.stringify(fields) };
}

/**
 * An inbound MMS's media in a Jasmin-format MO (docs/jasmin-http-api.md, a Hermod addition):
 * `media_count` and `media_url_0`… (signed URLs), `media_type_0`…; none for an SMS or
 * without a signing library.
 */
function jasminMediaFields(
  media: readonly MediaRef[] | undefined,
  mediaUrl: ((id: string) => string) | undefined,
): Record<string, string> {
  if (!media?.length || !mediaUrl) return {};
  const out: Record<string, string> = { media_count: String(media.length) };
  media.forEach((r, i) => {
    out[`media_url_${i}`] = mediaUrl(r.id);
    out[`media_type_${i}`] = r.contentType;
  });
  return out;
}

/** An inbound MMS's media item as REST v1 shows it (in `message.received` and /v1/inbound). */
export function inboundMediaView(
  r: MediaRef,
  mediaUrl?: (id: string) => string,
): { id: string; content_type: string; size: number; filename?: string; url?: string } {
  return {
    id: r.id,
    content_type: r.contentType,
    size: r.size,
    ...(r.filename !== undefined ? { filename: r.filename } : {}),
    ...(mediaUrl ? { url: mediaUrl(r.id) } : {}),
  };
}

/** Standard Webhooks signature: v1,base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)). */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  // "whsec_<base64>" secrets are the Standard Webhooks form; anything else is used as bytes.
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice(6), 'base64')
    : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
