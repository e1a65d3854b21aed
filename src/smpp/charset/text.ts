/**
 * Text ↔ bytes by SMPP data_coding (SMPP 3.4 §5.2.19, 3GPP TS 23.038 §4).
 */
import { decodeGsm7, encodeGsm7, isGsm7 } from './gsm7.js';
import { shiftTables, type NationalLanguage, type ShiftTables } from './gsm-tables.js';
import { UnencodableCharacterError } from './errors.js';

export type Encoding = 'gsm7' | 'ucs2' | 'latin1' | 'ascii' | 'binary';

/** GSM-7 when every character fits (default alphabet + extension, or the national tables given), else UCS-2. */
export function chooseEncoding(text: string, opts: { language?: NationalLanguage } = {}): 'gsm7' | 'ucs2' {
  return isGsm7(text, opts.language) ? 'gsm7' : 'ucs2';
}

/** data_coding for an encoding (SMPP 3.4 §5.2.19). */
export function dataCodingOf(encoding: Encoding): number {
  switch (encoding) {
    case 'gsm7':
      return 0x00;
    case 'ascii':
      return 0x01;
    case 'latin1':
      return 0x03;
    case 'binary':
      return 0x04;
    case 'ucs2':
      return 0x08;
  }
}

/**
 * The encoding a data_coding value means. 0 is "SMSC default", which in practice is
 * GSM 03.38; 0xF0–0xFF and 0x00–0x3F general data coding use bits 2–3 as the alphabet
 * (TS 23.038 §4); anything else we cannot read as text is binary.
 */
export function encodingOfDataCoding(dataCoding: number): Encoding {
  switch (dataCoding) {
    case 0x00:
      return 'gsm7';
    case 0x01:
      return 'ascii';
    case 0x03:
      return 'latin1';
    case 0x08:
      return 'ucs2';
    case 0x02:
    case 0x04:
      return 'binary';
  }
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? 'binary' : 'gsm7';
  if ((dataCoding & 0xc0) === 0x00) {
    const alphabet = (dataCoding >> 2) & 0x03;
    return alphabet === 0 ? 'gsm7' : alphabet === 1 ? 'binary' : alphabet === 2 ? 'ucs2' : 'binary';
  }
  return 'binary';
}

/** Text → bytes. Throws UnencodableCharacterError; never replaces a character. */
export function encodeText(text: string, encoding: Encoding, tables?: ShiftTables): Buffer {
  switch (encoding) {
    case 'gsm7':
      return encodeGsm7(text, tables ?? shiftTables());
    case 'ucs2':
      // UTF-16BE: characters outside the BMP become surrogate pairs (two UCS-2 units).
      return Buffer.from(text, 'utf16le').swap16();
    case 'latin1':
    case 'ascii':
    case 'binary': {
      const max = encoding === 'ascii' ? 0x7f : 0xff;
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) > max) {
          const ch = String.fromCodePoint(text.codePointAt(i)!);
          throw new UnencodableCharacterError(ch, i, encoding === 'ascii' ? 'IA5/ASCII' : 'Latin-1');
        }
      }
      return Buffer.from(text, 'latin1');
    }
  }
}

/** Bytes → text by data_coding. Never throws; binary is returned as Latin-1 code points. */
export function decodeText(buf: Buffer, dataCoding: number, tables?: ShiftTables): string {
  switch (encodingOfDataCoding(dataCoding)) {
    case 'gsm7':
      return decodeGsm7(buf, tables ?? shiftTables());
    case 'ucs2': {
      const even = buf.length & ~1;
      const copy = Buffer.from(buf.subarray(0, even));
      return copy.swap16().toString('utf16le') + (even < buf.length ? '\ufffd' : '');
    }
    case 'ascii':
      return buf.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd');
    case 'latin1':
    case 'binary':
      return buf.toString('latin1');
  }
}
