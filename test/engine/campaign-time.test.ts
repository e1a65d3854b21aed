// Campaign time: local times in a zone as instants (DST included), quiet hours (spanning
// midnight or not) in a zone, and the zone of a number's country.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTimeZone, localToInstant, quietUntil, zoneOfNumber } from '../../src/engine/campaign-time.js';

test('a local time in a zone is the instant it names, on either side of DST', () => {
  assert.equal(localToInstant('2026-12-08T09:00', 'Europe/London'), Date.UTC(2026, 11, 8, 9, 0));
  assert.equal(localToInstant('2026-07-08T09:00', 'Europe/London'), Date.UTC(2026, 6, 8, 8, 0));
  assert.equal(localToInstant('2026-07-08 09:00:30', 'America/New_York'), Date.UTC(2026, 6, 8, 13, 0, 30));
  assert.equal(localToInstant('2026-12-08T09:00', 'Asia/Kolkata'), Date.UTC(2026, 11, 8, 3, 30));
  // 02:30 on the last Sunday of March does not exist in Paris: an hour later.
  assert.equal(localToInstant('2026-03-29T02:30', 'Europe/Paris'), Date.UTC(2026, 2, 29, 1, 30));
  assert.equal(localToInstant('tomorrow', 'Europe/Paris'), undefined);
  assert.equal(isTimeZone('Europe/Paris'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
});

test('quiet hours hold inside their span (across midnight too) and end at their minute', () => {
  const quiet = { from: '21:00', to: '08:00' };
  const at = (h: number, m = 0) => Date.UTC(2026, 11, 8, h, m);
  assert.equal(quietUntil(at(20, 59), quiet, 'UTC'), undefined);
  assert.equal(quietUntil(at(21, 0), quiet, 'UTC'), Date.UTC(2026, 11, 9, 8, 0));
  assert.equal(quietUntil(at(3, 15), quiet, 'UTC'), at(8, 0));
  assert.equal(quietUntil(at(8, 0), quiet, 'UTC'), undefined);
  const lunch = { from: '12:00', to: '13:30' };
  assert.equal(quietUntil(at(12, 10), lunch, 'UTC'), at(13, 30));
  assert.equal(quietUntil(at(13, 30), lunch, 'UTC'), undefined);
  // In New York (UTC-5 in December) 02:00 UTC is 21:00: quiet until 08:00 there, 13:00 UTC.
  assert.equal(quietUntil(at(2, 0), quiet, 'America/New_York'), at(13, 0));
});

test('a number’s zone is its country’s, else the campaign’s, else UTC', () => {
  assert.equal(zoneOfNumber('447700900123', null), 'Europe/London');
  assert.equal(zoneOfNumber('33612345678', null), 'Europe/Paris');
  assert.equal(zoneOfNumber('12125550123', 'Europe/Paris'), 'America/New_York');
  // +882 (international networks) has no country.
  assert.equal(zoneOfNumber('882161234567', 'Asia/Tokyo'), 'Asia/Tokyo');
  assert.equal(zoneOfNumber('882161234567', null), 'UTC');
});
