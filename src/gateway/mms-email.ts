/**
 * MMS to email (docs/mms.md, "MMS to email"): an MO route with an `email` target makes a
 * durable item of the webhook outbox (kind `email`), written in the MO's own transaction like
 * any MO webhook, so the mail is retried with back-off and survives a restart. The item holds
 * what the mail says; the mailer (src/connectors/mms-email.ts) renders and sends it.
 */
import { decodeText, encodingOfDataCoding } from '../smpp/index.js';
import { newMessageId, type MediaRef } from '../domain/index.js';
import type { InboundMessage, NewWebhook } from '../store/store.js';

/** The body of an `email` item: the MO as the mail shows it (JSON). */
export interface EmailItem {
  /** The addresses it goes to. */
  to: string[];
  moId: string;
  /** The handset's number and ours (E.164 digits). */
  from: string;
  number: string;
  text: string;
  subject?: string;
  media: MediaRef[];
  connector: string;
  receivedAt: number;
}

/** The `mailto:` URL an email item names (the webhook log's and the MO view's "where it went"). */
export function mailtoOf(to: readonly string[]): string {
  return `mailto:${to.join(',')}`;
}

/** The outbox item that mails `mo` to `to` (pure: written in the MO's transaction). */
export function emailItemForMo(mo: InboundMessage, to: readonly string[], retentionMs: number): NewWebhook {
  const binary = encodingOfDataCoding(mo.dataCoding) === 'binary';
  const item: EmailItem = {
    to: [...to],
    moId: mo.id,
    from: mo.source,
    number: mo.destination,
    text: binary ? '' : decodeText(mo.body, mo.dataCoding),
    ...(mo.subject !== undefined ? { subject: mo.subject } : {}),
    media: mo.media ?? [],
    connector: mo.connectorId,
    receivedAt: mo.receivedAt,
  };
  return {
    eventId: newMessageId(),
    kind: 'email',
    messageId: mo.id,
    owner: '',
    url: mailtoOf(to),
    method: 'POST',
    body: JSON.stringify(item),
    expiresAt: mo.receivedAt + retentionMs,
  };
}

/** An `email` item's body as written by emailItemForMo. */
export function parseEmailItem(body: string): EmailItem {
  return JSON.parse(body) as EmailItem;
}
