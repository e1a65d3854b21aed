/**
 * Message content as the accept door takes it: text encoded in the alphabet a customer asked
 * for (or the one that fits), hex decoded, and a stored body read back as text. The interfaces
 * come here instead of importing the charset library (`smpp/`) themselves; the parts a body
 * costs are counted by the gateway when it charges them (`partsOf`), not here.
 */
import {
  chooseEncoding,
  dataCodingOf,
  decodeText,
  encodeText,
  encodingOfDataCoding,
  UnencodableCharacterError,
  type Encoding,
} from '../smpp/index.js';

export { UnencodableCharacterError, encodingOfDataCoding, type Encoding };

/** A body ready for a SubmitDraft, and the alphabet it is in. */
export interface EncodedContent {
  body: Buffer;
  dataCoding: number;
  encoding: Encoding;
}

/** What a customer sends: text to encode, or bytes (binary, hex-decoded, or as SMPP carried them). */
export type Content =
  | {
      text: string;
      /**
       * The alphabet: `auto` (the default) is GSM 03.38 when every character fits, else UCS-2.
       * `binary` sends the text's UTF-8 bytes as they are.
       */
      encoding?: Encoding | 'auto';
      /** The data_coding to send; default that of the encoding (SMPP 3.4 §5.2.19). */
      dataCoding?: number;
    }
  | { bytes: Buffer; dataCoding?: number };

/**
 * Content → body and data_coding. Text a chosen alphabet cannot carry throws
 * UnencodableCharacterError naming the character: we never substitute.
 */
export function encodeContent(content: Content): EncodedContent {
  if ('bytes' in content)
    return {
      body: content.bytes,
      dataCoding: content.dataCoding ?? dataCodingOf('binary'),
      encoding: 'binary',
    };
  const wanted = content.encoding ?? 'auto';
  // GSM-7 unpacked (one septet per octet, as SMPP carries it) when it fits, else UCS-2.
  const encoding: Encoding = wanted === 'auto' ? chooseEncoding(content.text) : wanted;
  const body = encoding === 'binary' ? Buffer.from(content.text, 'utf8') : encodeText(content.text, encoding);
  return { body, dataCoding: content.dataCoding ?? dataCodingOf(encoding), encoding };
}

/** The alphabet a Jasmin-style `coding` number names, when it is one of text. */
export function encodingOfCoding(coding: number): Encoding {
  const byCoding: Record<number, Encoding> = { 0: 'gsm7', 1: 'ascii', 3: 'latin1', 8: 'ucs2' };
  return byCoding[coding] ?? 'binary';
}

/** Hex digits → bytes; undefined when they are not an even number of hex digits. */
export function decodeHex(hex: string): Buffer | undefined {
  return /^([0-9a-fA-F]{2})*$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/** A stored body as text, or undefined when its data_coding says it is binary. */
export function textOf(body: Buffer, dataCoding: number): string | undefined {
  return encodingOfDataCoding(dataCoding) === 'binary' ? undefined : decodeText(body, dataCoding);
}
