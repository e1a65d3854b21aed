// normalizeMsisdn with a default country: national numbers read in it, international ones
// as before, short codes kept, and the fast path for a plain trunk 0 held to
// libphonenumber-js's own parse for every country.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCountries, parsePhoneNumberFromString } from 'libphonenumber-js';
import { normalizeMsisdn } from '../../src/domain/index.js';

test('national numbers are read in the default country; international forms and short codes are kept', () => {
  const cases: [string, string | null, string][] = [
    ['07700 900123', 'GB', '447700900123'],
    ['(020) 7946-0958', 'GB', '442079460958'],
    ['447700900123', 'GB', '447700900123'],
    ['+33 6 12 34 56 78', 'GB', '33612345678'],
    ['0612345678', 'FR', '33612345678'],
    ['015112345678', 'DE', '4915112345678'],
    ['4915112345678', 'DE', '4915112345678'],
    ['4155550123', 'US', '14155550123'],
    ['1 415 555 0123', 'US', '14155550123'],
    ['06 1234 5678', 'IT', '390612345678'],
    ['20123456', 'DK', '4520123456'],
    ['12345', 'GB', '12345'],
    ['447700900123', null, '447700900123'],
  ];
  for (const [input, country, want] of cases)
    assert.equal(normalizeMsisdn(input, { defaultCountry: country }), want, `${input} in ${country}`);
  assert.throws(() => normalizeMsisdn('07700 900123'), /not a possible international number/);
  assert.throws(
    () => normalizeMsisdn('0770090012345678', { defaultCountry: 'GB' }),
    /neither a national number of GB nor a possible international number/,
  );
  assert.throws(() => normalizeMsisdn('07700 900123', { defaultCountry: 'XX' }), /unknown country "XX"/);
});

test('a plain trunk 0 read without the parse gives what libphonenumber-js gives, in every country', () => {
  const samples = [
    '0612345678',
    '07700900123',
    '0201234567',
    '015112345678',
    '01712345678',
    '0911234567',
    '021234567',
  ];
  for (const country of getCountries())
    for (const national of samples) {
      const p = parsePhoneNumberFromString(national, country);
      const theirs = p && p.isPossible() ? p.number.slice(1) : undefined;
      let ours: string | undefined;
      try {
        ours = normalizeMsisdn(national, { defaultCountry: country });
      } catch {
        ours = undefined;
      }
      // Where libphonenumber has no national reading, ours may still be the digits read as international.
      if (theirs !== undefined || ours !== national) assert.equal(ours, theirs, `${national} in ${country}`);
    }
});
