/**
 * GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1): text ↔ septets, and the
 * septet packing of §6.1.2.1.1 with fill bits after a UDH (TS 23.040 §9.2.3.24).
 * SMPP usually carries data_coding 0 unpacked (one septet per octet); packed is
 * offered for peers and payloads that need it.
 */
import { ESC, shiftTables, type NationalLanguage, type ShiftTables } from './gsm-tables.js';
import { UnencodableCharacterError } from './errors.js';

interface Reverse {
  /** char → septet in the alphabet in force */
  base: Map<string, number>;
  /** char → septet after ESC */
  ext: Map<string, number>;
}

const reverseCache = new Map<string, Reverse>();

function reverseOf(t: ShiftTables): Reverse {
  const key = `${t.lockingId ?? 0}/${t.singleId ?? 0}`;
  let r = reverseCache.get(key);
  if (r === undefined) {
    const base = new Map<string, number>();
    const ext = new Map<string, number>();
    for (let i = 0; i < 128; i++) if (i !== ESC) base.set(t.locking[i], i);
    for (let i = 0; i < 128; i++) {
      const c = t.single[i];
      if (c !== '\0' && !base.has(c) && !ext.has(c)) ext.set(c, i);
    }
    r = { base, ext };
    reverseCache.set(key, r);
  }
  return r;
}

/** Septets a character costs: 1, 2 (escape pair) or 0 when it is not in the alphabet. */
export function gsmCharCost(ch: string, tables: ShiftTables = shiftTables()): 0 | 1 | 2 {
  const r = reverseOf(tables);
  return r.base.has(ch) ? 1 : r.ext.has(ch) ? 2 : 0;
}

/** True when every character of `text` fits the (optionally national) GSM alphabet. */
export function isGsm7(text: string, language?: NationalLanguage): boolean {
  const r = reverseOf(shiftTables(language));
  for (const ch of text) if (!r.base.has(ch) && !r.ext.has(ch)) return false;
  return true;
}

/** Text → unpacked septets. Throws UnencodableCharacterError, never substitutes. */
export function encodeGsm7(text: string, tables: ShiftTables = shiftTables()): Buffer {
  const r = reverseOf(tables);
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  let index = 0;
  for (const ch of text) {
    const s = r.base.get(ch);
    if (s !== undefined) out[n++] = s;
    else {
      const e = r.ext.get(ch);
      if (e === undefined) throw new UnencodableCharacterError(ch, index, 'GSM 03.38');
      out[n++] = ESC;
      out[n++] = e;
    }
    index += ch.length;
  }
  return out.subarray(0, n);
}

/**
 * Unpacked septets → text. Never throws: an octet above 0x7F becomes U+FFFD; an
 * escape to an empty extension position shows the default character (§6.2.1.1);
 * a trailing lone escape becomes a space.
 */
export function decodeGsm7(septets: Buffer, tables: ShiftTables = shiftTables()): string {
  let s = '';
  for (let i = 0; i < septets.length; i++) {
    const v = septets[i];
    if (v > 0x7f) {
      s += '\ufffd';
    } else if (v === ESC) {
      if (i + 1 >= septets.length) {
        s += ' ';
        break;
      }
      const n = septets[++i] & 0x7f;
      const c = tables.single[n];
      s += c !== '\0' ? c : tables.locking[n] === '\u001b' ? ' ' : tables.locking[n];
    } else {
      s += tables.locking[v];
    }
  }
  return s;
}

/** Packs septets LSB-first into octets, after `fillBits` (0–6) zero bits. */
export function packSeptets(septets: Buffer, fillBits = 0): Buffer {
  const totalBits = fillBits + septets.length * 7;
  const out = Buffer.alloc(Math.ceil(totalBits / 8));
  let bit = fillBits;
  for (let i = 0; i < septets.length; i++) {
    const v = septets[i] & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] |= (v << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= v >> (8 - shift);
    bit += 7;
  }
  return out;
}

/** Unpacks `count` septets (default: as many as fit) from packed octets after `fillBits`. */
export function unpackSeptets(packed: Buffer, fillBits = 0, count?: number): Buffer {
  const n = count ?? Math.floor((packed.length * 8 - fillBits) / 7);
  const out = Buffer.alloc(n);
  let bit = fillBits;
  for (let i = 0; i < n; i++) {
    const byte = bit >> 3;
    const shift = bit & 7;
    let v = packed[byte] >> shift;
    if (shift > 1 && byte + 1 < packed.length) v |= packed[byte + 1] << (8 - shift);
    out[i] = v & 0x7f;
    bit += 7;
  }
  return out;
}
