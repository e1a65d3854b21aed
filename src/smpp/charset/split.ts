/**
 * Long messages → SMPP parts: by UDH (8-bit IE 0x00 or 16-bit IE 0x08, esm_class
 * UDHI 0x40), by the sar_* TLVs (SMPP 3.4 §5.3.2.22–24), or as one message_payload
 * (§5.3.2.32). GSM-7 parts are carried unpacked, one septet per octet, as SMPP
 * data_coding 0 expects.
 */
import { encodeText, dataCodingOf, type Encoding } from './text.js';
import { segmentText, type ConcatMethod } from './segments.js';
import { buildUdh, concatElement, type UdhElement } from './udh.js';
import type { NationalLanguage } from './gsm-tables.js';

export type SplitMethod = ConcatMethod | 'sar' | 'payload';

export interface SmppPart {
  shortMessage: Buffer;
  /** sar_msg_ref_num / sar_total_segments / sar_segment_seqnum for the 'sar' method. */
  sar?: { ref: number; total: number; seq: number };
  /** The whole message for the 'payload' method (short_message is then empty). */
  messagePayload?: Buffer;
}

export interface SplitResult {
  encoding: Encoding;
  dataCoding: number;
  /** 0x40 (UDHI) when the parts carry a UDH, else 0. */
  esmClass: number;
  parts: SmppPart[];
  language?: NationalLanguage;
}

export interface SplitOptions {
  method: SplitMethod;
  /** Concatenation reference: 0–255 for udh8, 0–65535 for udh16 and sar. */
  reference: number;
  encoding?: Encoding;
  language?: NationalLanguage;
}

const EMPTY = Buffer.alloc(0);

export function splitMessage(text: string, opts: SplitOptions): SplitResult {
  const concat: ConcatMethod = opts.method === 'udh16' ? 'udh16' : 'udh8';
  const seg = segmentText(text, { encoding: opts.encoding, language: opts.language, concat });
  const dataCoding = dataCodingOf(seg.encoding);
  const shiftIes: UdhElement[] = [];
  if (seg.tables.lockingId) shiftIes.push({ id: 0x25, data: Buffer.from([seg.tables.lockingId]) });
  if (seg.tables.singleId) shiftIes.push({ id: 0x24, data: Buffer.from([seg.tables.singleId]) });
  const head = { encoding: seg.encoding, dataCoding, ...(seg.language ? { language: seg.language } : {}) };
  const encode = (t: string) => encodeText(t, seg.encoding, seg.tables);

  if (opts.method === 'payload') {
    const udh = shiftIes.length ? buildUdh(shiftIes) : EMPTY;
    return {
      ...head,
      esmClass: udh.length ? 0x40 : 0,
      parts: [{ shortMessage: EMPTY, messagePayload: Buffer.concat([udh, encode(text)]) }],
    };
  }
  const total = seg.parts.length;
  if (total === 1) {
    const udh = shiftIes.length ? buildUdh(shiftIes) : EMPTY;
    return {
      ...head,
      esmClass: udh.length ? 0x40 : 0,
      parts: [{ shortMessage: Buffer.concat([udh, encode(text)]) }],
    };
  }
  if (total > 255) throw new RangeError(`message needs ${total} parts; at most 255 are possible`);
  if (opts.method === 'sar') {
    const ref = opts.reference & 0xffff;
    const udh = shiftIes.length ? buildUdh(shiftIes) : EMPTY;
    return {
      ...head,
      esmClass: udh.length ? 0x40 : 0,
      parts: seg.parts.map((t, i) => ({
        shortMessage: Buffer.concat([udh, encode(t)]),
        sar: { ref, total, seq: i + 1 },
      })),
    };
  }
  const refBits = opts.method === 'udh16' ? 16 : 8;
  return {
    ...head,
    esmClass: 0x40,
    parts: seg.parts.map((t, i) => ({
      shortMessage: Buffer.concat([
        buildUdh([concatElement(refBits, opts.reference, total, i + 1), ...shiftIes]),
        encode(t),
      ]),
    })),
  };
}

/** Binary data → parts of 140 octets less the UDH. */
export function splitBinary(data: Buffer, opts: { method: SplitMethod; reference: number }): SplitResult {
  const head = { encoding: 'binary' as const, dataCoding: 0x04 };
  if (opts.method === 'payload')
    return { ...head, esmClass: 0, parts: [{ shortMessage: EMPTY, messagePayload: data }] };
  if (data.length <= 140) return { ...head, esmClass: 0, parts: [{ shortMessage: data }] };
  const per = opts.method === 'udh16' ? 133 : 134;
  const total = Math.ceil(data.length / per);
  if (total > 255) throw new RangeError(`data needs ${total} parts; at most 255 are possible`);
  const slices = Array.from({ length: total }, (_, i) => data.subarray(i * per, (i + 1) * per));
  if (opts.method === 'sar') {
    const ref = opts.reference & 0xffff;
    return {
      ...head,
      esmClass: 0,
      parts: slices.map((s, i) => ({ shortMessage: s, sar: { ref, total, seq: i + 1 } })),
    };
  }
  const refBits = opts.method === 'udh16' ? 16 : 8;
  return {
    ...head,
    esmClass: 0x40,
    parts: slices.map((s, i) => ({
      shortMessage: Buffer.concat([buildUdh([concatElement(refBits, opts.reference, total, i + 1)]), s]),
    })),
  };
}
