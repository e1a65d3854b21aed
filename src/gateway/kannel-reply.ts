/**
 * Kannel sms-service semantics for an MO route of `format: kannel`: its `post-url` form (the MO
 * text as the body, X-Kannel-* headers, as Kannel 1.4.5's smsbox POSTs it) and the answer's
 * body sent back to the handset as the reply (Kannel's `max-messages`, here `reply.maxMessages`).
 *
 * The webhook item carries what its attempt needs (KannelMoBody, JSON in the item's body), so
 * the sender stays a sender: it reads the answer of an item that asks for a reply and hands
 * the text to `sendKannelReply`, which the composition root wires to the gateway.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { countParts, type User } from '../domain/index.js';
import type { InboundMessage } from '../store/store.js';
import { decodeText, encodingOfDataCoding } from '../smpp/index.js';
import { draftOf, type SubmitDraft } from './draft.js';
import { reject } from './errors.js';
import { textMessage } from './accept.js';

/** The reply an MO's webhook may bring back: who sends it to whom, charged to whom. */
export interface KannelReplyOrder {
  /** The MO the reply answers (its id derives the reply's: one reply per MO, ever). */
  moId: string;
  /** The account the reply is sent (routed, charged) as. */
  account: string;
  /** The reply's sender: the number the handset texted. */
  from: string;
  /** The reply's receiver: the handset. */
  to: string;
  /** At most this many SMS parts; a longer answer is cut (Kannel's max-messages). */
  maxMessages: number;
}

/** What a `kannel_mo` webhook item stores in its body (empty for a GET without reply, as before). */
export interface KannelMoBody {
  /** A post-url: the request's body (base64) and headers. */
  post?: { body: string; headers: Record<string, string> };
  reply?: KannelReplyOrder;
}

/** An answer body read at most this far (10 UCS-2 parts are 670 characters; 8 KiB is ample). */
export const KANNEL_REPLY_MAX_BYTES = 8192;

/** The body of a `kannel_mo` item: '' for a plain GET (the items made before this existed). */
export function kannelMoBody(raw: string): KannelMoBody {
  if (raw === '') return {};
  try {
    return JSON.parse(raw) as KannelMoBody;
  } catch {
    return {};
  }
}

/** Kannel's X-Kannel-Time: `YYYY-MM-DD HH:MM:SS` (UTC). */
function kannelTime(at: number): string {
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The post-url request of an MO (smsbox.c, TRANSTYPE_POST_URL): the MO's content as the body
 * (text as UTF-8 `text/plain`; an 8-bit MO's bytes as `application/octet-stream`) and the
 * X-Kannel-From/To/Time/SMSC/Service/Coding headers. X-Kannel-From is sent always (Kannel
 * needs `send-sender = true` for it; every post-url service we know sets it).
 */
export function kannelPost(mo: InboundMessage, service: string): NonNullable<KannelMoBody['post']> {
  const binary = encodingOfDataCoding(mo.dataCoding) === 'binary';
  const body = binary ? mo.body : Buffer.from(decodeText(mo.body, mo.dataCoding), 'utf8');
  const enc = encodingOfDataCoding(mo.dataCoding);
  const headers: Record<string, string> = {
    'content-type': binary ? 'application/octet-stream' : 'text/plain; charset=UTF-8',
    'x-kannel-from': mo.source,
    'x-kannel-to': mo.destination,
    'x-kannel-time': kannelTime(mo.receivedAt),
    'x-kannel-smsc': mo.connectorId,
    'x-kannel-service': service,
    'x-kannel-coding': String(enc === 'ucs2' ? 2 : binary ? 1 : 0),
  };
  return { body: body.toString('base64'), headers };
}

/**
 * The id of the reply to MO `moId`: the MO's time prefix and a hash of its id, so a webhook
 * delivered again after a crash submits the same id, which the gateway accepts once.
 */
export function kannelReplyId(moId: string): string {
  const B32 = '0123456789abcdefghjkmnpqrstvwxyz';
  const h = createHash('sha256').update(`kannel-reply\0${moId}`).digest();
  let rand = '';
  for (let i = 0; i < 16; i++) rand += B32[h[i] & 31];
  return moId.slice(0, 10) + rand;
}

/**
 * The reply text of an answer: `text/plain` only (Kannel's smsbox also takes text/html and
 * binary; Hermod sends no markup and no bytes as a reply), in its charset, trimmed, cut to
 * `maxMessages` parts at a character. Undefined when nothing is to be sent.
 */
export function replyText(
  contentType: string | undefined,
  body: Buffer,
  maxMessages: number,
): string | undefined {
  const [type, ...params] = (contentType ?? '').split(';').map((s) => s.trim());
  if (type.toLowerCase() !== 'text/plain') return undefined;
  const charset =
    params
      .find((p) => /^charset=/i.test(p))
      ?.slice(8)
      .replace(/"/g, '') || 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(charset).decode(body).trim();
  } catch {
    return undefined; // a charset Node does not know
  }
  if (text === '' || maxMessages < 1) return undefined;
  return cutToParts(text, maxMessages);
}

/** The longest prefix of `text` (whole characters) that is at most `max` parts. */
function cutToParts(text: string, max: number): string {
  const parts = (t: string) => {
    const m = textMessage(t);
    return countParts(m.body, m.dataCoding, 0);
  };
  if (parts(text) <= max) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (parts(chars.slice(0, mid).join('')) <= max) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('').trimEnd();
}

/** What sending a reply needs of the gateway (Gateway has both). */
export interface KannelReplyGateway {
  currentUser(username: string): Promise<User | undefined>;
  submitAccepted(user: User, req: SubmitDraft): Promise<{ id: string; duplicate?: boolean }>;
}

/**
 * Sends the reply through the one door (draftOf, then the gateway's submit) with the id
 * derived from the MO's: a second call for the same MO is answered `duplicate` and charges
 * nothing. Throws RejectedError when the account is gone or the gateway refuses the reply.
 */
export async function sendKannelReply(
  gw: KannelReplyGateway,
  order: KannelReplyOrder,
  text: string,
): Promise<{ id: string; duplicate: boolean }> {
  const user = await gw.currentUser(order.account);
  if (!user) throw reject.noReplyAccount(`reply account ${order.account} does not exist`);
  const draft = draftOf({
    systemId: user.username,
    origin: 'http',
    from: order.from,
    to: order.to,
    content: textMessage(text),
    tags: ['kannel-reply'],
  });
  draft.messageId = kannelReplyId(order.moId);
  const a = await gw.submitAccepted(user, draft);
  return { id: a.id, duplicate: a.duplicate === true };
}

/**
 * An answer's body, its first `max` bytes (the rest is read and dropped, so the socket can be
 * reused). Rejects when the answer breaks off (the deadline destroys the request).
 */
export function readBounded(res: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (d: Buffer) => {
      if (size < max) chunks.push(d.subarray(0, max - size));
      size += d.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('the answer broke off')));
  });
}
