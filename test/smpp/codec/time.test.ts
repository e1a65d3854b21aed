// SMPP 3.4 §7.1.1 time formats: absolute "YYMMDDhhmmsstnnp" and relative "YYMMDDhhmmss000R".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodePdu,
  formatRelativeSmppTime,
  formatSmppTime,
  parseSmppTime,
  SmppTimeError,
} from '../../../src/smpp/codec/index.js';
import { FIXTURES } from '../../fixtures/pdu/fixtures.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0); // 2026-12-01 12:00:00 UTC

test('absolute times: UTC, local ahead of UTC (+), behind (-), tenths', () => {
  assert.deepEqual(parseSmppTime('261201150000000+', NOW), {
    kind: 'absolute',
    at: Date.UTC(2026, 11, 1, 15, 0, 0),
  });
  // 14:30 local at UTC+1 (4 quarter hours ahead) is 13:30 UTC.
  assert.equal(parseSmppTime('261201143000004+', NOW)?.at, Date.UTC(2026, 11, 1, 13, 30, 0));
  // 08:00 local at UTC-5 (20 quarter hours behind) is 13:00 UTC.
  assert.equal(parseSmppTime('261201080000020-', NOW)?.at, Date.UTC(2026, 11, 1, 13, 0, 0));
  assert.equal(
    parseSmppTime('261201120000700+', NOW)?.at,
    Date.UTC(2026, 11, 1, 12, 0, 0, 700),
    't is tenths of a second',
  );
  // India, UTC+5:30 = 22 quarter hours.
  assert.equal(parseSmppTime('270101053000022+', NOW)?.at, Date.UTC(2027, 0, 1, 0, 0, 0));
  assert.equal(parseSmppTime('280229000000000+', NOW)?.at, Date.UTC(2028, 1, 29), 'a leap day');
});

test('relative times add to now', () => {
  const r = parseSmppTime('000001000000000R', NOW);
  assert.equal(r?.kind, 'relative');
  assert.equal(r?.at, NOW + 86_400_000);
  assert.equal(parseSmppTime('000000013005000R', NOW)?.at, NOW + (90 * 60 + 5) * 1000);
  assert.equal(
    parseSmppTime('000100000000000R', NOW)?.at,
    Date.UTC(2027, 0, 1, 12, 0, 0),
    'a month moves the calendar',
  );
  assert.equal(parseSmppTime('010000000000000R', NOW)?.at, Date.UTC(2027, 11, 1, 12, 0, 0));
});

test('an empty field is no time; anything else malformed is a typed error', () => {
  assert.equal(parseSmppTime('', NOW), undefined);
  for (const bad of [
    '26120115000000+',
    '2612011500000000',
    '261301150000000+',
    '261232150000000+',
    '270229000000000+',
    '261201250000000+',
    '261201150000049+',
    'abcdefghijklmnoR',
    '261201150000000Z',
  ]) {
    assert.throws(
      () => parseSmppTime(bad, NOW),
      (e: unknown) => e instanceof SmppTimeError && e.code === 'HERMOD_ERR_SMPP_TIME' && e.value === bad,
      bad,
    );
  }
});

test('the byte vector: validity_period of the submit_sm fixture is one day relative', () => {
  const fx = FIXTURES.find((f) => f.name.startsWith('submit_sm GSM text'))!;
  const pdu = decodePdu(Buffer.from(fx.hex, 'hex'));
  assert.equal(pdu.command, 'submit_sm');
  if (pdu.command !== 'submit_sm') return;
  assert.equal(parseSmppTime(pdu.scheduleDeliveryTime, NOW), undefined, 'immediate');
  assert.equal(parseSmppTime(pdu.validityPeriod, NOW)?.at, NOW + 86_400_000);
});

test('formatting round-trips', () => {
  const at = Date.UTC(2026, 11, 24, 18, 5, 9, 300);
  assert.equal(formatSmppTime(at), '261224180509300+');
  assert.equal(parseSmppTime(formatSmppTime(at), NOW)?.at, at);
  assert.equal(formatRelativeSmppTime(((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000), '000002030405000R');
  assert.equal(parseSmppTime(formatRelativeSmppTime(3_600_000), NOW)?.at, NOW + 3_600_000);
});
