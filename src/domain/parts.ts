/**
 * Long messages: how many segments a body costs, and the SMPP parts it is submitted as
 * for a connector's split method (docs/architecture.md, "Long messages"). Pure functions over the
 * charset library: the text is decoded from the body by its data_coding and split as
 * text, so a GSM escape pair or a UTF-16 surrogate pair is never cut.
 */
import { createHash } from 'node:crypto';
import {
  UnencodableCharacterError,
  decodeText,
  encodeText,
  encodingOfDataCoding,
  splitBinary,
  splitMessage,
  type SmppPart,
} from '../smpp/index.js';

/** A connector's split setting: 8-bit UDH reference IE 0x00, sar_* TLVs, or one message_payload. */
export type SplitSetting = 'udh' | 'sar' | 'payload';
export const SPLIT_SETTINGS: readonly SplitSetting[] = ['udh', 'sar', 'payload'];

/** One submit_sm of a message as the dispatcher sends it. */
export interface OutboundPart {
  /** 1-based. */
  seq: number;
  total: number;
  esmClass: number;
  shortMessage: Buffer;
  messagePayload?: Buffer;
  sar?: { ref: number; total: number; seq: number };
  /** The part's data_coding when the connector's default coding changed the message's (see `withTextCoding`). */
  dataCoding?: number;
}

/**
 * data_coding values a connector may send GSM-alphabet text as: 0 (SMSC default alphabet,
 * read as GSM 03.38), 1 (IA5/ASCII) and 3 (Latin-1, ISO 8859-1) (SMPP 3.4 §5.2.19). SMSCs
 * differ in what 0 means, so some need 1 or 3 for plain text (Jasmin's connector `coding`,
 * Kannel's `alt-charset`).
 */
export const TEXT_DATA_CODINGS = [0, 1, 3] as const;
export type TextDataCoding = (typeof TEXT_DATA_CODINGS)[number];

/** Parts a single short_message can hold; longer bodies go as message_payload. */
const SHORT_MESSAGE_MAX = 254;

/** Concatenation reference derived from our message id: the same on every attempt and node. */
export function concatReference(messageId: string, bits: 8 | 16): number {
  const h = createHash('sha1').update(messageId).digest();
  return bits === 8 ? h[0] : h.readUInt16BE(0);
}

/**
 * True when the body surely fits one SMS, without decoding it (the common case): unpacked
 * GSM-7 is one octet per septet (an escape pair is two), so 160 octets are 160 septets.
 */
function fitsOne(body: Buffer, dataCoding: number): boolean {
  return body.length <= (encodingOfDataCoding(dataCoding) === 'gsm7' ? 160 : 140);
}

/**
 * The text of a body when it survives decode → encode unchanged (so splitting it as text
 * sends exactly the customer's bytes), else undefined (treated as octets).
 */
function textOf(body: Buffer, dataCoding: number): string | undefined {
  const encoding = encodingOfDataCoding(dataCoding);
  if (encoding === 'binary') return undefined;
  const text = decodeText(body, dataCoding);
  try {
    return encodeText(text, encoding).equals(body) ? text : undefined;
  } catch {
    // Bytes that do not encode back (an unencodable character): sent as octets, not as text.
    return undefined;
  }
}

/**
 * Segments the body costs, as the handset receives it: 1 when the customer already
 * split it (UDHI set in esm_class); otherwise the charset library's count for its
 * data_coding (160/153 GSM-7, 70/67 UCS-2, 140/134 octets).
 */
export function countParts(body: Buffer, dataCoding: number, esmClass: number): number {
  if (esmClass & 0x40 || fitsOne(body, dataCoding)) return 1;
  const text = textOf(body, dataCoding);
  if (text !== undefined)
    return splitMessage(text, { method: 'udh8', reference: 0, encoding: encodingOfDataCoding(dataCoding) })
      .parts.length;
  return body.length <= 140 ? 1 : Math.ceil(body.length / 134);
}

/**
 * The body as a connector whose GSM-alphabet text goes out as `textCoding` sends it. Only a
 * GSM-7 body (data_coding 0) that the customer did not split (no UDHI) and that reads back
 * as the same bytes is re-encoded: into IA5 (1) or Latin-1 (3), or into UCS-2 (8) when a
 * character has no place in that alphabet (€, Greek capitals, ...), so nothing is replaced
 * with '?'. A body the customer split keeps data_coding 0: its parts were sized for GSM-7
 * septets and would not fit 140 octets after the UDH. Everything else is returned as is.
 */
export function withTextCoding<M extends { body: Buffer; dataCoding: number; esmClass: number }>(
  m: M,
  textCoding: number,
): M {
  if (textCoding === 0 || m.dataCoding !== 0 || m.esmClass & 0x40) return m;
  const text = textOf(m.body, 0);
  if (text === undefined) return m;
  try {
    return { ...m, body: encodeText(text, encodingOfDataCoding(textCoding)), dataCoding: textCoding };
  } catch (err) {
    if (!(err instanceof UnencodableCharacterError)) throw err;
    return { ...m, body: encodeText(text, 'ucs2'), dataCoding: 0x08 };
  }
}

/**
 * Segments a message is charged for on a connector whose GSM-alphabet text goes out as
 * `textCoding`: counted as that connector sends it (`withTextCoding`, then `countParts`), so
 * 150 GSM characters are one SMS on a data_coding 0 connector and two on a Latin-1 one. The
 * one rule behind the charge, quotes (HTTP /rate, REST /v1/rates) and the part count /send
 * answers. Throws past 255 parts (the caller refuses the message as too long).
 */
export function chargedParts(
  m: { body: Buffer; dataCoding: number; esmClass: number },
  textCoding: number,
): number {
  const sent = withTextCoding(m, textCoding);
  return countParts(sent.body, sent.dataCoding, sent.esmClass);
}

/**
 * The submits for a message on a connector with split method `method` whose GSM-alphabet
 * text goes out as data_coding `textCoding` (default 0): the body is re-encoded first
 * (`withTextCoding`), then split by the lengths of the coding it went into (160/153 GSM-7
 * septets, 140/134 IA5 or Latin-1 octets, 70/67 UCS-2 characters); such parts carry their
 * `dataCoding`. A body that fits one SMS, or that the customer split itself (UDHI), is sent
 * as it came (message_payload above 254 octets). `payload` sends the whole body as one
 * message_payload.
 */
export function splitForSubmit(
  m: { id: string; body: Buffer; dataCoding: number; esmClass: number },
  method: SplitSetting,
  textCoding = 0,
): OutboundPart[] {
  const out = withTextCoding(m, textCoding);
  const parts = splitAs(out, method);
  return out === m ? parts : parts.map((p) => ({ ...p, dataCoding: out.dataCoding }));
}

function splitAs(
  m: { id: string; body: Buffer; dataCoding: number; esmClass: number },
  method: SplitSetting,
): OutboundPart[] {
  const whole = (): OutboundPart[] => {
    const long = m.body.length > SHORT_MESSAGE_MAX;
    return [
      {
        seq: 1,
        total: 1,
        esmClass: m.esmClass & 0x40,
        shortMessage: long ? Buffer.alloc(0) : m.body,
        ...(long ? { messagePayload: m.body } : {}),
      },
    ];
  };
  if (m.esmClass & 0x40 || method === 'payload' || fitsOne(m.body, m.dataCoding)) return whole();
  const text = textOf(m.body, m.dataCoding);
  const opts = {
    method: method === 'sar' ? ('sar' as const) : ('udh8' as const),
    reference: concatReference(m.id, method === 'sar' ? 16 : 8),
  };
  let parts: SmppPart[];
  let esmClass: number;
  if (text !== undefined) {
    let r;
    try {
      r = splitMessage(text, { ...opts, encoding: encodingOfDataCoding(m.dataCoding) });
    } catch {
      return whole(); // over 255 parts (refused at accept since parts exist): as it came
    }
    if (r.parts.length === 1) return whole();
    parts = r.parts;
    esmClass = r.esmClass;
  } else {
    if (m.body.length <= 140 || m.body.length > 255 * 134) return whole();
    const r = splitBinary(m.body, opts);
    parts = r.parts;
    esmClass = r.esmClass;
  }
  return parts.map((p, i) => ({
    seq: i + 1,
    total: parts.length,
    esmClass,
    shortMessage: p.shortMessage,
    ...(p.sar ? { sar: p.sar } : {}),
  }));
}
