/**
 * Kannel's sendsms arguments → what the gateway needs. Pure. The rules and their order are
 * smsbox's (gw/smsbox.c smsbox_req_sendsms, smsbox_req_handle, charset_processing): the
 * first problem is answered with Kannel's text. Arguments arrive as raw bytes (`CgiArgs`),
 * since `text` is in the request's `charset`, not necessarily UTF-8.
 */
import { countParts } from '../../domain/index.js';
import { UnencodableCharacterError, encodeContent } from '../../gateway/index.js';
import { kannelError } from './errors.js';

/** Argument name → its bytes, percent-decoded; the first of repeated names (Kannel's http_cgi_variable). */
export type CgiArgs = Map<string, Buffer>;

/** `a=b&c=d` with `+` for space and %XX bytes → CgiArgs. Never throws: a stray `%` stays as written. */
export function parseCgi(qs: string): CgiArgs {
  const out: CgiArgs = new Map();
  for (const pair of qs.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeBytes(eq < 0 ? pair : pair.slice(0, eq)).toString('utf8');
    if (!out.has(name)) out.set(name, decodeBytes(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return out;
}

function decodeBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** POST with a text/plain body: the arguments are X-Kannel-* headers (get_x_kannel_from_headers). */
export function argsFromHeaders(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  charset: string | undefined,
): CgiArgs {
  const out: CgiArgs = new Map();
  for (const [name, value] of Object.entries(headers)) {
    const m = /^x-kannel-(.+)$/.exec(name);
    if (!m || value === undefined) continue;
    const v = (Array.isArray(value) ? value[0] : value).trim();
    const arg = m[1];
    let bytes: Buffer = Buffer.from(v, 'latin1');
    // X-Kannel-UDH is hex, else URL-encoded.
    if (arg === 'udh') bytes = /^([0-9a-fA-F]{2})+$/.test(v) ? Buffer.from(v, 'hex') : decodeBytes(v);
    if (arg === 'dlr-url' || arg === 'meta-data') bytes = Buffer.from(v, 'utf8');
    out.set(arg, bytes);
  }
  out.set('text', body);
  if (charset) out.set('charset', Buffer.from(charset, 'latin1'));
  return out;
}

/** sscanf("%d"): the leading integer, else undefined (Kannel then keeps the argument undefined). */
export function intOf(b: Buffer | undefined): number | undefined {
  if (b === undefined) return undefined;
  const m = /^\s*([+-]?\d+)/.exec(b.toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

export interface SendRequest {
  username: string | undefined;
  password: string | undefined;
  /** The receivers, split on white space, in order. */
  receivers: string[];
  /** Receivers with characters a number cannot have (sendsms-chars "0123456789 +-"). */
  illegal: string[];
  from: string;
  body: Buffer;
  dataCoding: number;
  esmClass: number;
  priority?: number;
  /** Minutes. */
  validity?: number;
  deferred?: number;
  smsc?: string;
  dlrUrl?: string;
  dlrMask?: number;
  account?: string;
  binfo?: string;
  metaData?: string;
  /** Parts the content takes (for the account's max-messages). */
  parts: number;
}

const str = (args: CgiArgs, name: string): string | undefined => args.get(name)?.toString('utf8');

/** In Kannel's range [-1, max] (-1 is "not given"), else its `<field> field misformed`. */
function ranged(args: CgiArgs, name: string, field: string, max: number, min = -1): number | undefined {
  const v = intOf(args.get(name));
  if (v === undefined) return undefined;
  if (v < min || v > max) throw kannelError.misformed(field);
  return v === -1 ? undefined : v;
}

/** The receivers: `to` split on white space (octstr_split_words), each once (gwlist_append_unique), in order. */
export function receiversOf(args: CgiArgs, post: boolean): string[] {
  const to = str(args, 'to');
  if (to === undefined) throw kannelError.missingReceiver(post);
  if (to === '') throw kannelError.emptyReceiver();
  return [...new Set(to.split(/\s+/).filter((r) => r !== ''))];
}

/** `meta-data` (`?group?key=value&...`): groups and their pairs; throws on a misformed one. */
export function parseMetaData(v: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const re = /\?([^?]+)\?([^?]*)/g;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    if (m.index !== consumed) throw kannelError.misformed('Meta-data');
    consumed = m.index + m[0].length;
    const pairs = new Map<string, string>();
    for (const kv of m[2].split('&').filter((p) => p !== '')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw kannelError.misformed('Meta-data');
      pairs.set(decodeURIComponent(kv.slice(0, eq)), decodeURIComponent(kv.slice(eq + 1)));
    }
    out.set(m[1], pairs);
  }
  if (consumed !== v.length) throw kannelError.misformed('Meta-data');
  return out;
}

/** The text decoded from `charset` (UTF-8 when none); a charset unknown or bytes invalid in it is Kannel's charset error. */
function decodeText(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw kannelError.charset();
  }
}

/**
 * The body and data_coding for `text`, `coding`, `charset` and `mclass` (SMPP data_coding,
 * 3GPP TS 23.038 §4):
 * - no coding: GSM 03.38 when every character fits, else UCS-2 (Kannel would send 7-bit and
 *   lose what GSM cannot carry); with a UDH, 8-bit as Kannel;
 * - coding 0: GSM 03.38, a character it cannot carry is Kannel's charset error;
 * - coding 1: the bytes as given (8-bit);
 * - coding 2: UCS-2: the text converted from `charset`, or without one the bytes as given
 *   (already UTF-16BE, as Kannel takes them).
 * `mclass` gives the general data coding group (0x10 | alphabet << 2 | class), or with
 * `alt-dcs` 1 the 0xF0 group (GSM and 8-bit only).
 */
function contentOf(args: CgiArgs, hasUdh: boolean): { body: Buffer; dataCoding: number } {
  const coding = ranged(args, 'coding', 'Coding', 2);
  const mclass = ranged(args, 'mclass', 'MClass', 3);
  const altDcs = ranged(args, 'alt-dcs', 'Alt-DCS', 1);
  const charset = str(args, 'charset') || undefined;
  const raw = args.get('text') ?? Buffer.alloc(0);
  let body: Buffer;
  let alphabet: 0 | 1 | 2;
  try {
    if (coding === 1 || (coding === undefined && hasUdh)) {
      body = raw;
      alphabet = 1;
    } else if (coding === 2) {
      if (!charset && raw.length % 2 !== 0) throw kannelError.charset();
      body = charset ? encodeContent({ text: decodeText(raw, charset), encoding: 'ucs2' }).body : raw;
      alphabet = 2;
    } else {
      const text = decodeText(raw, charset);
      const enc = encodeContent({ text, ...(coding === 0 ? { encoding: 'gsm7' as const } : {}) });
      body = enc.body;
      alphabet = enc.encoding === 'ucs2' ? 2 : 0;
    }
  } catch (err) {
    if (err instanceof UnencodableCharacterError) throw kannelError.charset();
    throw err;
  }
  const plain = [0x00, 0x04, 0x08][alphabet];
  if (mclass === undefined) return { body, dataCoding: plain };
  if (altDcs === 1 && alphabet !== 2) return { body, dataCoding: 0xf0 | (alphabet << 2) | mclass };
  return { body, dataCoding: 0x10 | (alphabet << 2) | mclass };
}

/** Arguments Kannel has that Hermod does not carry: refused when given a value that would matter. */
function refuseUnsupported(args: CgiArgs): void {
  if (ranged(args, 'mwi', 'MWI', 7) !== undefined)
    throw kannelError.unsupported('MWI', 'message waiting indication is not sent');
  if (ranged(args, 'pid', 'PID', 255) ?? 0) throw kannelError.unsupported('PID', 'protocol_id is always 0');
  if (ranged(args, 'rpi', 'RPI', 2) ?? 0) throw kannelError.unsupported('RPI', 'reply path is not requested');
  if (ranged(args, 'compress', 'Compress', 1) ?? 0)
    throw kannelError.unsupported('Compress', 'compressed SMS are not sent');
}

/**
 * Checks Kannel's meta-data: the `smpp` group carries TLVs Hermod would have to add to the
 * submit_sm, and Hermod sends none it did not choose: any is refused, naming it. An empty
 * group (or none) is accepted.
 */
function checkMetaData(v: string | undefined): void {
  if (!v) return;
  for (const [group, pairs] of parseMetaData(v)) {
    const first = pairs.keys().next();
    if (!first.done)
      throw kannelError.unsupported(
        'Meta-data',
        `${group} TLV ${first.value}: Hermod does not add TLVs to the submit_sm`,
      );
  }
}

/** Everything sendsms needs but the account, validated in smsbox's order (after the credentials). */
export function parseSendRequest(args: CgiArgs, post: boolean): SendRequest {
  const receivers = receiversOf(args, post);
  const udh = args.get('udh');
  if (udh !== undefined && udh.length > 0 && udh.length !== udh[0] + 1) throw kannelError.udhMisformed();
  if (udh !== undefined && udh.length > 140) throw kannelError.udhTooLong();
  const illegal = receivers.filter((r) => !/^[0-9 +-]+$/.test(r));
  const account = str(args, 'account');
  if (account !== undefined && (account.length > 64 || /[[\]\n\r]/.test(account)))
    throw kannelError.account();
  const dlrUrl = str(args, 'dlr-url') ?? str(args, 'dlrurl');
  if (dlrUrl && !/^https?:\/\/./i.test(dlrUrl)) throw kannelError.misformed('DLR-URL');
  const dlrMask = intOf(args.get('dlr-mask') ?? args.get('dlrmask'));
  const hasUdh = udh !== undefined && udh.length > 0;
  const content = contentOf(args, hasUdh);
  refuseUnsupported(args);
  const validity = intOf(args.get('validity'));
  if (validity !== undefined && validity < -1) throw kannelError.misformed('Validity');
  const deferred = intOf(args.get('deferred'));
  if (deferred !== undefined && deferred < -1) throw kannelError.misformed('Deferred');
  const priority = intOf(args.get('priority'));
  if (priority !== undefined && (priority < 0 || priority > 3)) throw kannelError.misformed('Priority');
  const metaData = str(args, 'meta-data');
  checkMetaData(metaData);
  const body = hasUdh ? Buffer.concat([udh, content.body]) : content.body;
  const esmClass = hasUdh ? 0x40 : 0;
  const req: SendRequest = {
    username: str(args, 'username') ?? str(args, 'user'),
    password: str(args, 'password') ?? str(args, 'pass'),
    receivers,
    illegal,
    from: str(args, 'from') ?? '',
    body,
    dataCoding: content.dataCoding,
    esmClass,
    parts: countParts(body, content.dataCoding, esmClass),
  };
  if (priority !== undefined) req.priority = priority;
  if (validity !== undefined && validity >= 0) req.validity = validity;
  if (deferred !== undefined && deferred >= 0) req.deferred = deferred;
  const smsc = str(args, 'smsc');
  if (smsc) req.smsc = smsc;
  if (dlrUrl && dlrMask !== undefined && dlrMask > 0) {
    req.dlrUrl = dlrUrl;
    req.dlrMask = dlrMask;
  }
  if (account) req.account = account;
  const binfo = str(args, 'binfo');
  if (binfo) req.binfo = binfo;
  if (metaData) req.metaData = metaData;
  return req;
}
