/**
 * Kannel-style callbacks. Delivery reports: which `dlr-mask` bit a state change is, and the `dlr-url`
 * with Kannel's escapes filled in (Kannel 1.4.5 user guide, "Delivery reports" and the
 * sms-service escape table; gw/urltrans.c `urltrans_fill_escape_codes`). The callback is a GET
 * of the filled URL, as Kannel's smsbox makes it. Pure: the webhook outbox stores the item.
 *
 * Values were checked against a real Kannel 1.4.5 (smsbox + bearerbox, Debian bookworm)
 * sending to Hermod's simulator: docs/kannel-http-api.md lists them escape by escape.
 */
import { newMessageId, type StoredMessage } from '../domain/index.js';
import { formatReceiptText, type Receipt } from '../smpp/index.js';
import type { InboundMessage, NewWebhook } from '../store/store.js';
import { decodeText, encodingOfDataCoding } from '../smpp/index.js';
import type { StateReport } from './webhook-items.js';
import { kannelPost, type KannelMoBody, type KannelReplyOrder } from './kannel-reply.js';

/** dlr-mask bits (Kannel gw/dlr.h). */
export const DLR_MASK = {
  /** Delivered to the phone. */
  delivered: 1,
  /** Not delivered to the phone (undelivered, expired, rejected, deleted, unknown). */
  undelivered: 2,
  /** Buffered by the SMSC: an intermediate receipt (ENROUTE, ACCEPTD). */
  buffered: 4,
  /** Accepted by the SMSC (submit_sm_resp OK). */
  smscSubmit: 8,
  /** Refused by the SMSC (a submit error), or the message failed before it was sent. */
  smscReject: 16,
} as const;

/** What a Kannel-interface message asked for (MessageMeta.kannel). */
export interface KannelMeta {
  dlrUrl?: string;
  dlrMask?: number;
  /** `account` of sendsms (%o). */
  account?: string;
  /** `binfo` of sendsms (%B). */
  binfo?: string;
  /** `meta-data` of sendsms (%D). */
  metaData?: string;
}

/** What one Kannel DLR says: its type (the mask bit, %d) and its text (%A, the words of %a %k %s %r). */
export interface KannelDlr {
  type: number;
  text: string;
  foreignId: string;
}

/** Two digits. */
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** A receipt's text as received, else written as SMPP 3.4 Appendix B (dates may come back from JSON as strings). */
function receiptText(rc: Receipt): string {
  if (rc.raw) return rc.raw;
  const date = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d));
  return formatReceiptText({ ...rc, submitDate: date(rc.submitDate), doneDate: date(rc.doneDate) });
}

/** The text of a receipt Hermod writes itself (a final state no SMSC reported: expired in the queue, canceled). */
function ownReceiptText(m: StoredMessage, r: StateReport, stat: string): string {
  return formatReceiptText({
    id: r.upstreamId ?? m.upstreamId ?? m.id,
    stat: stat as Receipt['stat'],
    sub: r.parts?.total ?? 1,
    dlvrd: r.parts?.delivered ?? 0,
    submitDate: new Date(m.createdAt),
    doneDate: new Date(r.at),
    err: '000',
    text: '',
  });
}

const STAT_OF: Partial<Record<StateReport['state'], string>> = {
  delivered: 'DELIVRD',
  undelivered: 'UNDELIV',
  expired: 'EXPIRED',
  rejected: 'REJECTD',
  canceled: 'DELETED',
  partially_delivered: 'UNDELIV',
  unknown: 'UNKNOWN',
};

/**
 * The Kannel DLR a state change is, before the mask: the SMSC's acceptance (8, "ACK/"), a
 * submit refused or failed (16, "NACK/<status>/<reason>"), an intermediate receipt (4), a
 * final receipt (1 delivered, 2 otherwise). Undefined for states Kannel reports nothing of.
 */
export function kannelDlrOf(m: StoredMessage, r: StateReport): KannelDlr | undefined {
  const rc = r.receipt;
  const foreignId = r.upstreamId ?? m.upstreamId ?? '';
  if (!rc && r.state === 'sent') return { type: DLR_MASK.smscSubmit, text: 'ACK/', foreignId };
  if (!rc && r.state === 'failed') {
    // Kannel writes "NACK/0x<command_status, 8 hex digits>/<its text>"; the reason is Hermod's.
    const status = /0x[0-9a-f]{8}/i.exec(r.error ?? '')?.[0] ?? '';
    return { type: DLR_MASK.smscReject, text: `NACK/${status}/${r.error ?? 'failed'}`, foreignId: '' };
  }
  if (rc && (r.state === 'sent' || rc.state === 'accepted' || rc.state === 'enroute'))
    return { type: DLR_MASK.buffered, text: receiptText(rc), foreignId };
  if (r.state === 'sent' || r.state === 'queued' || r.state === 'accepted') return undefined;
  const type = r.state === 'delivered' ? DLR_MASK.delivered : DLR_MASK.undelivered;
  // A long message is reported once, for all its parts: the text counts them (sub/dlvrd).
  const multi = r.parts !== undefined && r.parts.total > 1;
  const text =
    rc && !multi ? receiptText(rc) : ownReceiptText(m, r, rc?.stat ?? STAT_OF[r.state] ?? 'UNDELIV');
  return { type, text, foreignId };
}

/** Whether `mask` asks for `type`. A submit failure is sent for mask 2 too, as Kannel does (bb_smscconn.c). */
export function maskWants(mask: number, type: number): boolean {
  if (type === DLR_MASK.smscReject) return (mask & (DLR_MASK.smscReject | DLR_MASK.undelivered)) !== 0;
  return (mask & type) !== 0;
}

/**
 * Kannel's octstr_url_encode: letters, digits and `-_.!~*'()` stay, a space becomes `+`,
 * every other byte of the UTF-8 text becomes %XX (capitals).
 */
export function kannelUrlEncode(s: string): string {
  return encodeBytes(Buffer.from(s, 'utf8'));
}

function encodeBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.!~*'()]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** What the escapes of one callback are filled from. */
export interface EscapeValues {
  /** %d: the DLR type (its mask bit); -1 for an MO */ type: number;
  /** %A %b and the words of %a %k %s %S %r */ text: string;
  /** %p (%q): the handset (an MT's receiver, an MO's sender) */ phone: string;
  /** %P (%Q): our side (an MT's sender, an MO's receiver) */ own: string;
  /** %t %T, ms since the epoch */ at: number;
  /** %F */ foreignId: string;
  /** %I */ messageId: string;
  /** %n: the sendsms user */ service: string;
  /** %i: the connector */ smscId: string;
  /** %o */ account?: string;
  /** %B */ binfo?: string;
  /** %D */ metaData?: string;
  /** %R */ dlrUrl: string;
  /** %c (0 7-bit, 1 8-bit, 2 UCS-2), %C and %u of an MO; a DLR has none (-1, UTF-8, empty). */
  coding?: number;
  charset?: string;
  udh?: Buffer;
  /** %b of an MO: its bytes as received (a DLR's is its text). */
  binary?: Buffer;
}

/** %q / %Q: a leading `00` written as `+` (encoded, as Kannel writes it: `%2B`). */
const plusForm = (n: string): string =>
  n.startsWith('00') ? `%2B${kannelUrlEncode(n.slice(2))}` : kannelUrlEncode(n);

/**
 * `pattern` with Kannel's escapes filled (urltrans_fill_escape_codes). Escapes a DLR has no
 * value for are filled as Kannel 1.4.5 fills them in a DLR (%c %m %M -1, %C UTF-8, %O 00, %u
 * %f %v %V empty); an escape Kannel does not know is left as written.
 */
export function fillEscapes(pattern: string, v: EscapeValues): string {
  const words = v.text.split(/\s+/).filter((w) => w !== '');
  let next = 1; // %s and %S take the words after the first, one each
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch !== '%' || i + 1 >= pattern.length) {
      out += ch;
      continue;
    }
    const code = pattern[++i];
    out += escape(code);
  }
  return out;

  function escape(code: string): string {
    const t = new Date(v.at);
    switch (code) {
      case 'a':
        return words.map(kannelUrlEncode).join('+');
      case 'A':
        return kannelUrlEncode(v.text);
      case 'b':
        return v.binary ? encodeBytes(v.binary) : kannelUrlEncode(v.text);
      case 'B':
        return kannelUrlEncode(v.binfo ?? '');
      case 'c':
        return String(v.coding ?? -1);
      case 'm':
      case 'M':
        return '-1';
      case 'C':
        return v.charset ?? 'UTF-8';
      case 'd':
        return String(v.type);
      case 'D':
        return kannelUrlEncode(v.metaData ?? '');
      case 'u':
        return v.udh ? encodeBytes(v.udh) : '';
      case 'f':
      case 'v':
      case 'V':
        return '';
      case 'F':
        return kannelUrlEncode(v.foreignId);
      case 'i':
        return kannelUrlEncode(v.smscId);
      case 'I':
        return v.messageId;
      case 'k':
        return words.length > 0 ? kannelUrlEncode(words[0]) : '';
      case 'n':
        return kannelUrlEncode(v.service);
      case 'o':
        return kannelUrlEncode(v.account ?? '');
      case 'O':
        return '00';
      case 'p':
        return kannelUrlEncode(v.phone);
      case 'P':
        return kannelUrlEncode(v.own);
      case 'q':
        return plusForm(v.phone);
      case 'Q':
        return plusForm(v.own);
      case 'r':
        return words.slice(next).map(kannelUrlEncode).join('+');
      case 'R':
        return kannelUrlEncode(v.dlrUrl);
      case 's':
        return next < words.length ? kannelUrlEncode(words[next++]) : '';
      case 'S':
        // Not encoded, `*` written as `~` (Kannel's WAP-friendly form).
        return next < words.length ? words[next++].replaceAll('*', '~') : '';
      case 't':
        return (
          `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}` +
          `+${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`
        );
      case 'T':
        return String(Math.floor(v.at / 1000));
      case '%':
        return '%';
      default:
        return `%${code}`;
    }
  }
}

/** The Kannel DLR callback a state change owes `m` (its dlr-url and dlr-mask), or undefined. */
export function kannelDlrWebhook(
  m: StoredMessage,
  r: StateReport,
  expiresAt: number,
): NewWebhook | undefined {
  const k = m.meta.kannel;
  if (!k?.dlrUrl || !k.dlrMask) return undefined;
  const dlr = kannelDlrOf(m, r);
  if (!dlr || !maskWants(k.dlrMask, dlr.type)) return undefined;
  const url = fillEscapes(k.dlrUrl, {
    type: dlr.type,
    text: dlr.text,
    phone: m.destination,
    own: m.source,
    at: r.at,
    foreignId: dlr.foreignId,
    messageId: m.id,
    service: m.systemId,
    smscId: m.connectorId,
    ...(k.account !== undefined ? { account: k.account } : {}),
    ...(k.binfo !== undefined ? { binfo: k.binfo } : {}),
    ...(k.metaData !== undefined ? { metaData: k.metaData } : {}),
    dlrUrl: k.dlrUrl,
  });
  return {
    kind: 'kannel_dlr',
    messageId: m.id,
    owner: m.systemId,
    url,
    method: 'GET',
    expiresAt,
    eventId: newMessageId(),
    body: '',
  };
}

/** Kannel's %c of a data_coding: 0 7-bit, 1 8-bit, 2 UCS-2. */
function codingOf(dataCoding: number): number {
  const e = encodingOfDataCoding(dataCoding);
  return e === 'ucs2' ? 2 : e === 'binary' ? 1 : 0;
}

/**
 * An MO as Kannel's sms-service `get-url` calls it: the route's URL with the escapes filled
 * from the MO (%p the handset, %P our number, %a the text, %k its first word, %i the
 * connector, %n the route's name...). The text is given decoded, in UTF-8 (%C says so).
 * `method: 'POST'` is Kannel's `post-url` (the same URL, the text as the body, kannel-reply.ts);
 * `reply` asks the sender to send the answer's body back to the handset.
 */
export function kannelMoWebhook(
  mo: InboundMessage,
  target: { url: string; service: string; method?: 'GET' | 'POST'; reply?: KannelReplyOrder },
  expiresAt: number,
): NewWebhook {
  const binary = encodingOfDataCoding(mo.dataCoding) === 'binary';
  const url = fillEscapes(target.url, {
    type: -1,
    text: binary ? '' : decodeText(mo.body, mo.dataCoding),
    phone: mo.source,
    own: mo.destination,
    at: mo.receivedAt,
    foreignId: '',
    messageId: mo.id,
    service: target.service,
    smscId: mo.connectorId,
    dlrUrl: '',
    coding: codingOf(mo.dataCoding),
    charset: binary ? '8-BIT' : 'UTF-8',
    binary: mo.body,
  });
  const post = target.method === 'POST';
  const body: KannelMoBody = {
    ...(post ? { post: kannelPost(mo, target.service) } : {}),
    ...(target.reply ? { reply: target.reply } : {}),
  };
  return {
    kind: 'kannel_mo',
    messageId: mo.id,
    owner: '',
    url,
    method: post ? 'POST' : 'GET',
    expiresAt,
    eventId: newMessageId(),
    body: post || target.reply ? JSON.stringify(body) : '',
  };
}
