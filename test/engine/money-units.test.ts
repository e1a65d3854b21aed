// The pure parts of money and reports: the price precedence (card, route, account), the
// country cache agreeing with libphonenumber-js, delivery-time buckets and quantiles, the
// rate card's CSV format and its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countryOf } from '../../src/domain/index.js';
import { countryOfCached } from '../../src/domain/country-cache.js';
import { smsPrice } from '../../src/gateway/index.js';
import { bucketUpperMs, deliveryBucket, quantileMs } from '../../src/store/index.js';
import { parseRateCsv, rateCsv } from '../../src/http/engine/money-common.js';

test('price per part: the card for the country, else the route rate, else the account rate', () => {
  const card = new Map([['IT', { country: 'IT', smsMicros: 35_000, mmsMicros: null, inboundMicros: null }]]);
  const user = { rateMicros: 10_000 };
  assert.deepEqual(smsPrice(card, '393331234567', 0.02, user), { micros: 35_000, from: 'card' });
  assert.deepEqual(smsPrice(card, '447700900123', 0.02, user), { micros: 20_000, from: 'route' });
  assert.deepEqual(smsPrice(card, '447700900123', undefined, user), { micros: 10_000, from: 'user' });
  assert.deepEqual(smsPrice(undefined, '393331234567', undefined, user), { micros: 10_000, from: 'user' });
});

test('countryOfCached answers as countryOf, shared calling codes included (+1, +44, +39, +7)', () => {
  const numbers = [
    '447700900123',
    '447797123456',
    '447781123456',
    '447624123456',
    '447911123456', // GB, JE, GG, IM, GG
    '12025550123',
    '14165550123',
    '18765550123',
    '12845550123', // US, CA, JM, VG
    '393331234567',
    '390669812345', // IT, VA
    '79161234567',
    '77011234567', // RU, KZ
    '4915123456789',
    '33612345678',
    '12345',
  ];
  for (let round = 0; round < 2; round++)
    for (const n of numbers) assert.equal(countryOfCached(n), countryOf(n), n);
});

test('delivery-time buckets are powers of two seconds; quantiles interpolate inside a bucket', () => {
  assert.deepEqual(
    [0, 999, 1000, 1999, 2000, 3999, 4000, 86_400_000].map(deliveryBucket),
    [0, 0, 1, 1, 2, 2, 3, 15],
  );
  assert.equal(bucketUpperMs(0), 1000);
  assert.equal(bucketUpperMs(3), 8000);
  const h = new Array<number>(16).fill(0);
  assert.equal(quantileMs(h, 0.5), null);
  h[0] = 50; // under 1 s
  h[3] = 50; // 4-8 s
  assert.equal(quantileMs(h, 0.5), 1000);
  assert.equal(quantileMs(h, 0.95), 7600); // rank 95: 45 of the 50 in 4-8 s
});

test('rate card CSV: header in any order, optional columns, errors name the line; round trip', () => {
  const card = parseRateCsv('sms,country\r\n0.03,it\n\n0.015,GB\n');
  assert.deepEqual(card, [
    { country: 'IT', smsMicros: 30_000, mmsMicros: null, inboundMicros: null },
    { country: 'GB', smsMicros: 15_000, mmsMicros: null, inboundMicros: null },
  ]);
  assert.deepEqual(parseRateCsv(rateCsv(card)), card);
  const problem = (text: string) => {
    try {
      parseRateCsv(text);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  assert.match(problem(''), /^line 1: the header/);
  assert.match(problem('country,price\nIT,1'), /^line 1: unknown column "price"/);
  assert.match(problem('country,mms\nIT,1'), /^line 1: the column sms is required/);
  assert.match(problem('country,sms\nIT,0.01,3'), /^line 2: 3 fields/);
  assert.match(problem('country,sms\nIT,-1'), /^line 2\.sms: /);
  assert.match(problem('country,sms\nIT,0.1\nGB,\n'), /^line 3\.sms: is required/);
  assert.match(problem('country,sms\nIT,0.1\nit,0.2'), /^line 3\.country: IT is already at line 2/);
});
