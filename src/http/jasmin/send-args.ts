/**
 * Jasmin's /send and /rate arguments → what the gateway core needs. Pure: validation rules
 * as Jasmin's (jasmin/protocols/http/endpoints/send.py), content encoding with our charset
 * library (gateway/content). Jasmin's documented defaults hold: dlr becomes "yes" when dlr-url or dlr-level
 * is given; dlr-level defaults to 1 and dlr-method to POST.
 */
import {
  decodeHex,
  encodeContent as encode,
  encodingOfCoding,
  UnencodableCharacterError,
  type DraftInput,
  type EncodedContent,
  type GivenArguments,
} from '../../gateway/index.js';
import { countParts } from '../../domain/index.js';
import { jasminError } from './errors.js';

export type Args = Record<string, string | undefined>;

export interface SendArgs {
  username: string;
  password: string;
  /** The draft's input but the account (known once the credentials are checked). */
  draft: Omit<DraftInput, 'systemId'>;
  /** The alphabet the content went in (the JSON answer names it). */
  encoding: EncodedContent['encoding'];
}

const CODINGS = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14]);

export function required(args: Args, name: string, max?: number): string {
  const v = args[name];
  if (v === undefined || v === '') throw jasminError.missing(name);
  if (max !== undefined && v.length > max) throw jasminError.invalid(name, v, `At most ${max} characters.`);
  return v;
}

function optional(args: Args, name: string, pattern: RegExp): string | undefined {
  const v = args[name];
  if (v === undefined || v === '') return undefined;
  if (!pattern.test(v)) throw jasminError.invalid(name, v);
  return v;
}

/**
 * The message body for `content` or `hex-content` and `coding`:
 * - no coding: GSM 03.38 (unpacked septets, data_coding 0) when every character fits,
 *   else UCS-2 (data_coding 8). Jasmin would replace what GSM cannot carry; we never do;
 * - coding 0 / 1 / 3 / 8: that alphabet; a character it cannot carry is a 400 naming it;
 * - other codings, and hex-content with any coding: the bytes as given (binary).
 */
export function encodeContent(args: Args): EncodedContent {
  const coding = optional(args, 'coding', /^(0|1|2|3|4|5|6|7|8|9|10|13|14)$/);
  const dc = coding === undefined ? undefined : Number(coding);
  const text = args.content;
  const hex = args['hex-content'];
  if (text === undefined && hex === undefined)
    throw jasminError.content('content or hex-content not present.');
  if (text !== undefined && hex !== undefined)
    throw jasminError.content('content and hex-content cannot be used both in same request.');
  if (hex !== undefined) {
    const bytes = decodeHex(hex);
    if (!bytes)
      throw jasminError.invalid('hex-content', hex.slice(0, 40), 'Expected an even number of hex digits.');
    // The bytes as given, with the coding given (0 by default, as Jasmin); that they came as
    // hex is carried apart (SendArgs.draft.given) for the hexContent authorization.
    return encode({ bytes, dataCoding: dc ?? 0 });
  }
  if (dc !== undefined && !CODINGS.has(dc)) throw jasminError.invalid('coding', String(dc));
  try {
    return encode({
      text: text!,
      ...(dc === undefined ? {} : { encoding: encodingOfCoding(dc), dataCoding: dc }),
    });
  } catch (err) {
    if (err instanceof UnencodableCharacterError) {
      throw jasminError.content(
        `content cannot be sent with coding ${dc}: ${err.message}. Omit coding to let Hermod choose GSM 03.38 or UCS-2.`,
      );
    }
    throw err;
  }
}

/**
 * SMPP time (SMPP 3.4 §7.1.1) "YYMMDDhhmmsstnnp" → ms since the epoch. p is + or - (absolute,
 * nn quarter hours from UTC) or R (relative to `now`).
 */
export function parseSmppTime(v: string, now: number): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/.exec(v);
  if (!m) return undefined;
  const [yy, mo, dd, hh, mi, ss, t, nn] = m.slice(1, 9).map(Number);
  if (m[9] === 'R') {
    const d = new Date(now);
    d.setUTCFullYear(d.getUTCFullYear() + yy, d.getUTCMonth() + mo, d.getUTCDate() + dd);
    return d.getTime() + ((hh * 60 + mi) * 60 + ss) * 1000 + t * 100;
  }
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) return undefined;
  const utc = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, t * 100);
  const offset = nn * 15 * 60_000;
  return m[9] === '+' ? utc - offset : utc + offset;
}

/** Everything /send needs, validated. Throws JasminApiError (400) on the first problem. */
export function parseSendArgs(args: Args, now = Date.now()): SendArgs {
  const username = required(args, 'username', 30);
  const password = required(args, 'password', 30);
  const to = required(args, 'to');
  if (!/^\+?[\d\s().-]+$/.test(to)) throw jasminError.invalid('to', to);
  const from = args.from ?? '';
  const priority = Number(optional(args, 'priority', /^[0-3]$/) ?? 0);
  const sdt = optional(args, 'sdt', /^\d{12}\d\d{2}[+\-R]$/);
  const validity = optional(args, 'validity-period', /^\d+$/);
  const level = optional(args, 'dlr-level', /^[1-3]$/);
  const method = optional(args, 'dlr-method', /^(get|post)$/i)?.toUpperCase() as 'GET' | 'POST' | undefined;
  const dlrUrl = optional(args, 'dlr-url', /^https?:\/\/.+$/i);
  const dlrArg = optional(args, 'dlr', /^(yes|no)$/);
  const dlr = dlrUrl !== undefined || level !== undefined ? 'yes' : (dlrArg ?? 'no');
  const tags = optional(args, 'tags', /^[-a-zA-Z0-9,]*$/);
  const draft: Omit<DraftInput, 'systemId' | 'content'> = { origin: 'http', from, to, priority };
  if (dlr === 'yes') {
    if (!dlrUrl) throw jasminError.missing('dlr-url');
    draft.dlr = { url: dlrUrl, level: Number(level ?? 1) as 1 | 2 | 3, method: method ?? 'POST' };
  }
  if (sdt !== undefined) {
    const at = parseSmppTime(sdt, now);
    if (at === undefined) throw jasminError.invalid('sdt', sdt);
    draft.scheduleAt = at;
  }
  if (validity !== undefined) draft.validUntil = now + Number(validity) * 60_000;
  if (tags) draft.tags = tags.split(',').filter((t) => t !== '');
  const given: GivenArguments = {};
  if (level !== undefined) given.dlrLevel = true;
  if (method !== undefined) given.dlrMethod = true;
  if (args['hex-content'] !== undefined) given.hexContent = true;
  draft.given = given;
  // Jasmin's custom_tlvs would be added to the submit_sm: Hermod adds no TLV it did not choose.
  if (args.custom_tlvs !== undefined && args.custom_tlvs !== '' && args.custom_tlvs !== '[]')
    throw jasminError.unsupported('custom_tlvs', 'Hermod does not add custom TLVs to the submit_sm.');
  const maxParts = optional(args, 'long_content_max_parts', /^[1-9]\d{0,2}$/);
  const { body, dataCoding, encoding } = encodeContent(args);
  if (maxParts !== undefined) {
    const parts = countParts(body, dataCoding, 0);
    if (parts > Number(maxParts)) throw jasminError.tooManyParts(parts, Number(maxParts));
  }
  return { username, password, draft: { ...draft, content: { body, dataCoding } }, encoding };
}
