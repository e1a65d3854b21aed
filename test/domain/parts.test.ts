import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatReference, countParts, splitForSubmit, withTextCoding } from '../../src/domain/index.js';
import { encodeGsm7 } from '../../src/smpp/index.js';

const ucs2 = (s: string) => Buffer.from(s, 'utf16le').swap16();

test('countParts: segments by data_coding; a body the customer split with a UDH counts as one', () => {
  assert.equal(countParts(Buffer.from('a'.repeat(160)), 0, 0), 1);
  assert.equal(countParts(Buffer.from('a'.repeat(161)), 0, 0), 2);
  assert.equal(countParts(Buffer.from('a'.repeat(459)), 0, 0), 3);
  assert.equal(countParts(Buffer.from('a'.repeat(460)), 0, 0), 4);
  assert.equal(countParts(ucs2('я'.repeat(70)), 8, 0), 1);
  assert.equal(countParts(ucs2('я'.repeat(71)), 8, 0), 2);
  assert.equal(
    countParts(Buffer.concat([Buffer.from([5, 0, 3, 1, 2, 1]), Buffer.from('a'.repeat(153))]), 0, 0x40),
    1,
  );
  assert.equal(countParts(Buffer.alloc(140, 0xff), 4, 0), 1, 'binary: 140 octets');
  assert.equal(countParts(Buffer.alloc(141, 0xff), 4, 0), 2);
  assert.throws(
    () => countParts(Buffer.from('a'.repeat(153 * 256)), 0, 0),
    RangeError,
    'more than 255 parts',
  );
});

test('splitForSubmit: short bodies and customer UDH go as they came; the reference is stable per message', () => {
  const short = splitForSubmit({ id: 'm1', body: Buffer.from('hi'), dataCoding: 0, esmClass: 0 }, 'udh');
  assert.deepEqual(
    short.map((p) => [p.seq, p.total, p.shortMessage.toString()]),
    [[1, 1, 'hi']],
  );
  const own = Buffer.concat([Buffer.from([5, 0, 3, 9, 2, 1]), Buffer.from('x'.repeat(150))]);
  assert.equal(
    splitForSubmit({ id: 'm2', body: own, dataCoding: 0, esmClass: 0x40 }, 'udh')[0].shortMessage,
    own,
  );
  const a = splitForSubmit(
    { id: 'm3', body: Buffer.from('z'.repeat(300)), dataCoding: 0, esmClass: 0 },
    'udh',
  );
  const b = splitForSubmit(
    { id: 'm3', body: Buffer.from('z'.repeat(300)), dataCoding: 0, esmClass: 0 },
    'udh',
  );
  assert.deepEqual(a, b, 'the same parts on every attempt');
  assert.equal(a[0].shortMessage[3], concatReference('m3', 8));
  const bin = splitForSubmit({ id: 'm4', body: Buffer.alloc(300, 0xab), dataCoding: 4, esmClass: 0 }, 'udh');
  assert.deepEqual(
    bin.map((p) => p.shortMessage.length),
    [140, 140, 38],
  );
  const pay = splitForSubmit(
    { id: 'm5', body: Buffer.from('p'.repeat(300)), dataCoding: 0, esmClass: 0 },
    'payload',
  );
  assert.equal(pay.length, 1);
  assert.equal(pay[0].messagePayload?.length, 300);
});

test('withTextCoding: GSM-7 text re-encoded as IA5 or Latin-1, UCS-2 when a character is missing there; other bodies untouched', () => {
  const gsm = (s: string) => encodeGsm7(s);
  const m = (body: Buffer, dataCoding = 0, esmClass = 0) => ({ id: 'm', body, dataCoding, esmClass });
  assert.deepEqual(
    withTextCoding(m(gsm('Hello @home')), 1),
    m(Buffer.from('Hello @home', 'latin1'), 1),
    'IA5: @ is 0x40 (0x00 in GSM 03.38)',
  );
  assert.deepEqual(withTextCoding(m(gsm('café')), 1), m(ucs2('café'), 8), 'é is not IA5');
  assert.deepEqual(withTextCoding(m(gsm('café')), 3), m(Buffer.from('café', 'latin1'), 3));
  assert.deepEqual(withTextCoding(m(gsm('5€ [x]')), 3), m(ucs2('5€ [x]'), 8), '€ is not Latin-1');
  const own = m(Buffer.concat([Buffer.from([5, 0, 3, 9, 2, 1]), gsm('x'.repeat(153))]), 0, 0x40);
  assert.equal(withTextCoding(own, 3), own, 'a body the customer split keeps its coding');
  const u = m(ucs2('я'), 8);
  assert.equal(withTextCoding(u, 3), u);
  const plain = m(gsm('hi'));
  assert.equal(withTextCoding(plain, 0), plain, 'coding 0: as it came');
});

test("splitForSubmit with a text coding: split by that coding's lengths, every part carries its data_coding", () => {
  const body = encodeGsm7('é'.repeat(150));
  assert.equal(
    splitForSubmit({ id: 'm', body, dataCoding: 0, esmClass: 0 }, 'udh').length,
    1,
    'one GSM-7 SMS',
  );
  const parts = splitForSubmit({ id: 'm', body, dataCoding: 0, esmClass: 0 }, 'udh', 3);
  assert.deepEqual(
    parts.map((p) => [p.seq, p.total, p.dataCoding, p.shortMessage.length]),
    [
      [1, 2, 3, 140],
      [2, 2, 3, 22],
    ],
  );
  assert.equal(parts[0].shortMessage.subarray(6).toString('latin1'), 'é'.repeat(134));
  const sar = splitForSubmit({ id: 'm', body, dataCoding: 0, esmClass: 0 }, 'sar', 3);
  assert.deepEqual(
    sar.map((p) => p.shortMessage.length),
    [134, 16],
  );
  assert.equal(
    splitForSubmit({ id: 'm', body: encodeGsm7('hi'), dataCoding: 0, esmClass: 0 }, 'udh')[0].dataCoding,
    undefined,
    'unchanged coding: no dataCoding on the part',
  );
});
