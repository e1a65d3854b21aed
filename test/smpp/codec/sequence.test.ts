import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SEQUENCE,
  SequenceNumbers,
  statusName,
  statusDescription,
  CommandStatus,
  ALL_STATUSES,
} from '../../../src/smpp/codec/index.js';

test('sequence numbers wrap from 0x7FFFFFFF to 1, never 0 or negative (row 18)', () => {
  const seq = new SequenceNumbers(MAX_SEQUENCE - 2);
  assert.deepEqual(
    [seq.next(), seq.next(), seq.next(), seq.next(), seq.next()],
    [MAX_SEQUENCE - 2, MAX_SEQUENCE - 1, MAX_SEQUENCE, 1, 2],
  );
  assert.equal(new SequenceNumbers().next(), 1);
  assert.equal(new SequenceNumbers(0).next(), 1, 'an out-of-range start begins at 1');
  assert.equal(new SequenceNumbers(2 ** 32).next(), 1);
});

test('status table: names and descriptions, vendor range, unknown codes', () => {
  assert.equal(statusName(0x58), 'ESME_RTHROTTLED');
  assert.equal(CommandStatus.ESME_RMSGQFUL, 0x14);
  assert.equal(CommandStatus.ESME_RINVBCASTCHANIND, 0x112);
  assert.equal(statusName(0x401), '0x00000401');
  assert.match(statusDescription(0x401), /vendor-specific/);
  assert.match(statusDescription(0x9999), /Reserved or unknown/);
  const codes = ALL_STATUSES.map((s) => s.code);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  assert.ok(ALL_STATUSES.length >= 65);
  for (const s of ALL_STATUSES) assert.ok(s.description.length > 5 && s.name.startsWith('ESME_R'));
});
