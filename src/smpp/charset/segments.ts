/**
 * Segment arithmetic (3GPP TS 23.040 §9.2.3.24): 140 octets of user data per SMS,
 * less the UDH. GSM-7: 160 septets alone, 153 with an 8-bit concatenation IE, 152
 * with a 16-bit one; an escape pair (extension character) costs 2 and never straddles
 * two parts. UCS-2: 70 units alone, 67 / 66 in parts; a surrogate pair never straddles.
 * National shift IEs (3 octets each) reduce the room further: e.g. a single shift
 * alone leaves 155 septets, with an 8-bit concatenation IE 149.
 */
import { chooseEncoding, type Encoding } from './text.js';
import { gsmCharCost } from './gsm7.js';
import { shiftTables, type NationalLanguage, type ShiftTables } from './gsm-tables.js';
import { isGsm7 } from './gsm7.js';
import { UnencodableCharacterError } from './errors.js';

export type ConcatMethod = 'udh8' | 'udh16';

export interface SegmentCount {
  encoding: Encoding;
  /** Number of SMS parts. */
  segments: number;
  /** Septets (GSM-7), UTF-16 units (UCS-2) or octets (others) the whole text costs. */
  units: number;
  /** Room of one part in the same units (160/153, 70/67, 140/134...). */
  perSegment: number;
  /** Units left in the last part before another part is needed. */
  remaining: number;
  /** The national language tables used, when the text needed them. */
  language?: NationalLanguage;
}

export interface SegmentOptions {
  encoding?: Encoding;
  language?: NationalLanguage;
  concat?: ConcatMethod;
}

/** Units of user data that fit in `octets` octets. */
function capacity(encoding: Encoding, udhOctets: number): number {
  const room = 140 - udhOctets;
  if (encoding === 'gsm7') return Math.floor((room * 8) / 7);
  if (encoding === 'ucs2') return Math.floor(room / 2);
  return room;
}

interface Plan {
  encoding: Encoding;
  tables: ShiftTables;
  language?: NationalLanguage;
  shiftOctets: number;
  costs: number[];
  chars: string[];
}

function plan(text: string, opts: SegmentOptions): Plan {
  // The national tables are used only when the default alphabet does not suffice.
  const language = opts.language && !isGsm7(text) && isGsm7(text, opts.language) ? opts.language : undefined;
  const encoding = opts.encoding ?? chooseEncoding(text, { language });
  const tables = shiftTables(encoding === 'gsm7' ? language : undefined);
  const chars = Array.from(text);
  const costs = chars.map((ch, i) => {
    if (encoding === 'gsm7') {
      const c = gsmCharCost(ch, tables);
      if (c === 0) throw new UnencodableCharacterError(ch, i, 'GSM 03.38');
      return c;
    }
    if (encoding === 'ucs2') return ch.length; // 2 for a surrogate pair
    return 1;
  });
  const shiftOctets = encoding === 'gsm7' ? (tables.lockingId ? 3 : 0) + (tables.singleId ? 3 : 0) : 0;
  return {
    encoding,
    tables,
    language: encoding === 'gsm7' ? language : undefined,
    shiftOctets,
    costs,
    chars,
  };
}

function concatOctets(method: ConcatMethod): number {
  return method === 'udh16' ? 7 : 6;
}

/** Splits a plan into chunks of characters that fit `per` units without cutting a pair. */
function chunks(p: Plan, per: number): { text: string; units: number }[] {
  const out: { text: string; units: number }[] = [];
  let cur = '';
  let used = 0;
  for (let i = 0; i < p.chars.length; i++) {
    const c = p.costs[i];
    if (used + c > per) {
      out.push({ text: cur, units: used });
      cur = '';
      used = 0;
    }
    cur += p.chars[i];
    used += c;
  }
  out.push({ text: cur, units: used });
  return out;
}

/** How many parts `text` needs and how much room is left. Throws on an unencodable character. */
export function countSegments(text: string, opts: SegmentOptions = {}): SegmentCount {
  const p = plan(text, opts);
  const units = p.costs.reduce((a, b) => a + b, 0);
  const single = capacity(p.encoding, p.shiftOctets ? p.shiftOctets + 1 : 0);
  const base = { encoding: p.encoding, units, ...(p.language ? { language: p.language } : {}) };
  if (units <= single) return { ...base, segments: 1, perSegment: single, remaining: single - units };
  const per = capacity(p.encoding, p.shiftOctets + concatOctets(opts.concat ?? 'udh8'));
  const parts = chunks(p, per);
  return { ...base, segments: parts.length, perSegment: per, remaining: per - parts[parts.length - 1].units };
}

export interface TextSegments {
  encoding: Encoding;
  tables: ShiftTables;
  language?: NationalLanguage;
  /** The text of each part (one element when no concatenation is needed). */
  parts: string[];
}

/** The text of each part, as `countSegments` counts them. */
export function segmentText(text: string, opts: SegmentOptions = {}): TextSegments {
  const p = plan(text, opts);
  const units = p.costs.reduce((a, b) => a + b, 0);
  const single = capacity(p.encoding, p.shiftOctets ? p.shiftOctets + 1 : 0);
  const head = { encoding: p.encoding, tables: p.tables, ...(p.language ? { language: p.language } : {}) };
  if (units <= single) return { ...head, parts: [text] };
  const per = capacity(p.encoding, p.shiftOctets + concatOctets(opts.concat ?? 'udh8'));
  return { ...head, parts: chunks(p, per).map((c) => c.text) };
}
