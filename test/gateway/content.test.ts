// Content at the accept door (src/gateway/content.ts): text encoded in the alphabet asked
// for or the one that fits, hex decoded, stored bodies read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeHex,
  encodeContent,
  encodingOfCoding,
  textOf,
  UnencodableCharacterError,
} from '../../src/gateway/index.js';

test('auto: GSM 03.38 unpacked (data_coding 0) when every character fits', () => {
  const c = encodeContent({ text: 'Hi @ 5€' });
  assert.equal(c.encoding, 'gsm7');
  assert.equal(c.dataCoding, 0);
  // '@' is septet 0x00, '€' the extension escape 0x1B 0x65.
  assert.deepEqual([...c.body], [0x48, 0x69, 0x20, 0x00, 0x20, 0x35, 0x1b, 0x65]);
});

test('auto: UCS-2 (data_coding 8) when one character does not fit', () => {
  const c = encodeContent({ text: 'Привет' });
  assert.equal(c.encoding, 'ucs2');
  assert.equal(c.dataCoding, 8);
  assert.equal(c.body.length, 12);
});

test('a chosen alphabet that cannot carry a character is an error naming it, never a substitute', () => {
  assert.throws(() => encodeContent({ text: 'naïve ✓', encoding: 'gsm7' }), UnencodableCharacterError);
});

test('a coding that is not text sends the UTF-8 bytes with that data_coding', () => {
  const c = encodeContent({ text: 'ab', encoding: encodingOfCoding(4), dataCoding: 4 });
  assert.equal(c.encoding, 'binary');
  assert.equal(c.dataCoding, 4);
  assert.deepEqual(c.body, Buffer.from('ab'));
});

test('Jasmin codings name their alphabets', () => {
  assert.deepEqual([0, 1, 3, 8, 2].map(encodingOfCoding), ['gsm7', 'ascii', 'latin1', 'ucs2', 'binary']);
});

test('bytes go as given: binary data_coding unless one is given', () => {
  const bytes = Buffer.from([1, 2, 3]);
  assert.deepEqual(encodeContent({ bytes }), { body: bytes, dataCoding: 4, encoding: 'binary' });
  assert.equal(encodeContent({ bytes, dataCoding: 0 }).dataCoding, 0);
});

test('hex: an even number of hex digits, else undefined', () => {
  assert.deepEqual(decodeHex('00fF'), Buffer.from([0, 255]));
  assert.deepEqual(decodeHex(''), Buffer.alloc(0));
  assert.equal(decodeHex('abc'), undefined);
  assert.equal(decodeHex('zz'), undefined);
});

test('textOf reads a stored body back, undefined for binary', () => {
  assert.equal(textOf(encodeContent({ text: 'Привет' }).body, 8), 'Привет');
  assert.equal(textOf(Buffer.from('Hi'), 0), 'Hi');
  assert.equal(textOf(Buffer.from([1, 2]), 4), undefined);
});
