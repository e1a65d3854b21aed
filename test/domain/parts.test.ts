import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatReference, countParts, splitForSubmit } from '../../src/domain/index.js';

const ucs2 = (s: string) => Buffer.from(s, 'utf16le').swap16();

test('countParts: segments by data_coding; a body the customer split with a UDH counts as one', () => {
  assert.equal(countParts(Buffer.from('a'.repeat(160)), 0, 0), 1);
  assert.equal(countParts(Buffer.from('a'.repeat(161)), 0, 0), 2);
  assert.equal(countParts(Buffer.from('a'.repeat(459)), 0, 0), 3);
  assert.equal(countParts(Buffer.from('a'.repeat(460)), 0, 0), 4);
  assert.equal(countParts(ucs2('я'.repeat(70)), 8, 0), 1);
  assert.equal(countParts(ucs2('я'.repeat(71)), 8, 0), 2);
  assert.equal(countParts(Buffer.concat([Buffer.from([5, 0, 3, 1, 2, 1]), Buffer.from('a'.repeat(153))]), 0, 0x40), 1);
  assert.equal(countParts(Buffer.alloc(140, 0xff), 4, 0), 1, 'binary: 140 octets');
  assert.equal(countParts(Buffer.alloc(141, 0xff), 4, 0), 2);
  assert.throws(() => countParts(Buffer.from('a'.repeat(153 * 256)), 0, 0), RangeError, 'more than 255 parts');
});

test('splitForSubmit: short bodies and customer UDH go as they came; the reference is stable per message', () => {
  const short = splitForSubmit({ id: 'm1', body: Buffer.from('hi'), dataCoding: 0, esmClass: 0 }, 'udh');
  assert.deepEqual(short.map((p) => [p.seq, p.total, p.shortMessage.toString()]), [[1, 1, 'hi']]);
  const own = Buffer.concat([Buffer.from([5, 0, 3, 9, 2, 1]), Buffer.from('x'.repeat(150))]);
  assert.equal(splitForSubmit({ id: 'm2', body: own, dataCoding: 0, esmClass: 0x40 }, 'udh')[0].shortMessage, own);
  const a = splitForSubmit({ id: 'm3', body: Buffer.from('z'.repeat(300)), dataCoding: 0, esmClass: 0 }, 'udh');
  const b = splitForSubmit({ id: 'm3', body: Buffer.from('z'.repeat(300)), dataCoding: 0, esmClass: 0 }, 'udh');
  assert.deepEqual(a, b, 'the same parts on every attempt');
  assert.equal(a[0].shortMessage[3], concatReference('m3', 8));
  const bin = splitForSubmit({ id: 'm4', body: Buffer.alloc(300, 0xab), dataCoding: 4, esmClass: 0 }, 'udh');
  assert.deepEqual(bin.map((p) => p.shortMessage.length), [140, 140, 38]);
  const pay = splitForSubmit({ id: 'm5', body: Buffer.from('p'.repeat(300)), dataCoding: 0, esmClass: 0 }, 'payload');
  assert.equal(pay.length, 1);
  assert.equal(pay[0].messagePayload?.length, 300);
});
