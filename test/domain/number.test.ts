import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPossiblePhoneNumber } from 'libphonenumber-js';
import { isPossibleNumber } from '../../src/domain/number.js';
import { normalizeMsisdn, InvalidNumberError } from '../../src/domain/index.js';

/** A small deterministic generator (mulberry32), so a failure names a number that repeats. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Calling codes several countries share, with leading digits that their plans claim (from the
// metadata's leading-digit patterns and national prefixes), so both the shortcut and the full
// search are reached.
const SHARED: Record<string, string[]> = {
  '1': ['', '1', '2', '268', '264', '441', '684', '767', '8001', '809', '658', '876', '204', '416'],
  '7': ['', '3', '4', '7', '8', '9', '70', '77', '95'],
  '39': ['', '0', '06698', '3', '1'],
  '44': [
    '',
    '0',
    '1',
    '180020',
    '1534',
    '1481',
    '1624',
    '7',
    '74576',
    '7624',
    '7524',
    '7700',
    '7700900',
    '7781',
    '7797',
    '7839',
    '7911',
    '2',
    '3',
    '5',
    '8',
    '9',
  ],
  '47': ['', '0', '7', '79', '4', '9'],
  '61': ['', '0', '1831', '4', '5', '8', '9', '89162', '89164'],
  '212': ['', '0', '5', '6', '8', '5288', '5289'],
  '262': ['', '0', '262', '269', '639', '692'],
  '290': ['', '2', '5', '6', '8', '9'],
  '358': ['', '0', '1', '18', '4', '5', '9'],
  '590': ['', '0', '590', '690', '691'],
  '599': ['', '0', '3', '4', '6', '7', '9'],
};

test('isPossibleNumber: the same answer as libphonenumber-js isPossiblePhoneNumber, for shared calling codes at every length', () => {
  const next = rng(20261202);
  let checked = 0;
  for (const [code, prefixes] of Object.entries(SHARED)) {
    for (const prefix of prefixes) {
      for (let length = Math.max(1, prefix.length); length <= 18; length++) {
        for (let k = 0; k < 12; k++) {
          let national = prefix;
          while (national.length < length) national += String(Math.floor(next() * 10));
          const digits = code + national;
          assert.equal(isPossibleNumber(digits), isPossiblePhoneNumber('+' + digits), `+${digits}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 20_000);
});

test('isPossibleNumber: the same answer for random numbers of any calling code', () => {
  const next = rng(7);
  for (let i = 0; i < 20_000; i++) {
    const length = 9 + Math.floor(next() * 8);
    let digits = String(1 + Math.floor(next() * 9));
    while (digits.length < length) digits += String(Math.floor(next() * 10));
    assert.equal(isPossibleNumber(digits), isPossiblePhoneNumber('+' + digits), `+${digits}`);
  }
});

test('normalizeMsisdn: international forms to E.164 digits, short codes kept, impossible numbers refused', () => {
  assert.equal(normalizeMsisdn('+44 7700 900123'), '447700900123');
  assert.equal(normalizeMsisdn('0044 (7700) 900-124'), '447700900124');
  assert.equal(
    normalizeMsisdn('44770091234'),
    '44770091234',
    'a 9-digit UK national number is possible (GB)',
  );
  assert.equal(normalizeMsisdn('12345'), '12345');
  assert.throws(() => normalizeMsisdn('4477009123456789'), InvalidNumberError);
  assert.throws(() => normalizeMsisdn('+44 7700 9001x'), InvalidNumberError);
});
