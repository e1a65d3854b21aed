import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatReceiptText,
  isFinalState,
  messageIdKeys,
  messageStateOf,
  normalizeMessageId,
  parseReceiptText,
  receiptFromPdu,
  sameMessageId,
  statOfMessageState,
  type ReceiptStat,
} from '../../../src/smpp/receipt/index.js';
import { RECEIPT_CORPUS } from '../../fixtures/receipts/corpus.js';

describe('receipt variants corpus (row 8)', () => {
  for (const c of RECEIPT_CORPUS) {
    test(c.name, () => {
      const text = c.text === undefined ? undefined : Buffer.from(c.text, 'latin1');
      const r = receiptFromPdu({
        esmClass: c.esmClass ?? 0x04,
        shortMessage: c.viaPayload ? Buffer.alloc(0) : text,
        tlvs: { ...c.tlvs, ...(c.viaPayload ? { messagePayload: text } : {}) },
      });
      if (c.expect === undefined) {
        assert.equal(c.text === undefined ? r : parseReceiptText(c.text), undefined);
        return;
      }
      assert.ok(r, 'a receipt');
      assert.equal(r.id, c.expect.id);
      assert.equal(r.stat, c.expect.stat);
      assert.equal(r.state, c.expect.state);
      if (c.expect.err !== undefined) assert.equal(r.err, c.expect.err);
      if (c.expect.submitDate) assert.equal(r.submitDate?.toISOString(), c.expect.submitDate);
      if (c.expect.doneDate) assert.equal(r.doneDate?.toISOString(), c.expect.doneDate);
      if (c.expect.sub !== undefined) assert.equal(r.sub, c.expect.sub);
      if (c.expect.dlvrd !== undefined) assert.equal(r.dlvrd, c.expect.dlvrd);
      if (c.expect.text !== undefined) assert.equal(r.text, c.expect.text);
      if (c.name === 'invalid date is dropped, not misread') assert.equal(r.submitDate, undefined);
    });
  }

  test('network_error_code and esm_class kind are reported', () => {
    const r = receiptFromPdu({
      esmClass: 0x04,
      tlvs: { receiptedMessageId: 'a', messageState: 5, networkErrorCode: { networkType: 3, errorCode: 34 } },
    });
    assert.deepEqual(r?.networkError, { networkType: 3, errorCode: 34 });
    assert.equal(r?.kind, 'smsc');
    assert.equal(
      receiptFromPdu({ esmClass: 0x20, shortMessage: Buffer.from('id:1 stat:ENROUTE') })?.kind,
      'intermediate',
    );
    assert.equal(receiptFromPdu({ esmClass: 0, shortMessage: Buffer.from('hello') }), undefined, 'an MO');
  });
});

test('format then parse round trip (property)', () => {
  const stats: ReceiptStat[] = [
    'DELIVRD',
    'EXPIRED',
    'DELETED',
    'UNDELIV',
    'ACCEPTD',
    'UNKNOWN',
    'REJECTD',
    'ENROUTE',
  ];
  const minute = fc
    .integer({ min: Date.UTC(2000, 0, 1) / 60000, max: Date.UTC(2099, 11, 31) / 60000 })
    .map((m) => new Date(m * 60000));
  fc.assert(
    fc.property(
      fc.stringMatching(/^[0-9a-zA-Z-]{1,40}$/),
      fc.constantFrom(...stats),
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: 0, max: 999 }),
      minute,
      minute,
      fc.stringMatching(/^[ -~]{0,20}$/),
      (id, stat, sub, dlvrd, submitDate, doneDate, text) => {
        const s = formatReceiptText({ id, stat, sub, dlvrd, submitDate, doneDate, err: '000', text });
        const r = parseReceiptText(s)!;
        assert.equal(r.id, id);
        assert.equal(r.stat, stat);
        assert.equal(r.sub, sub);
        assert.equal(r.dlvrd, dlvrd);
        assert.equal(r.submitDate?.getTime(), submitDate.getTime());
        assert.equal(r.doneDate?.getTime(), doneDate.getTime());
        assert.equal(r.text, text.trim());
      },
    ),
    { numRuns: 500, seed: 8 },
  );
});

test('canonical format', () => {
  assert.equal(
    formatReceiptText({
      id: 'abc',
      stat: 'DELIVRD',
      sub: 1,
      dlvrd: 1,
      submitDate: new Date('2026-11-24T12:00:00Z'),
      doneDate: new Date('2026-11-24T12:01:00Z'),
      err: '0',
      text: 'a long text longer than twenty characters',
    }),
    'id:abc sub:001 dlvrd:001 submit date:2611241200 done date:2611241201 stat:DELIVRD err:000 text:a long text longer t',
  );
});

test('message_state ↔ stat, final states', () => {
  for (let s = 1; s <= 9; s++) assert.equal(messageStateOf(statOfMessageState(s)), s);
  assert.equal(statOfMessageState(0), 'UNKNOWN');
  assert.ok(isFinalState('delivered') && isFinalState('undelivered') && isFinalState('expired'));
  assert.ok(!isFinalState('enroute') && !isFinalState('accepted'));
});

describe('upstream message id matching (Jasmin hex/dec bug)', () => {
  test('hex vs decimal, leading zeros, case', () => {
    assert.ok(sameMessageId('1A2B', '6699'));
    assert.ok(sameMessageId('0001a2b', '1A2B'));
    assert.ok(sameMessageId('00006699', '1a2b'));
    assert.ok(sameMessageId('ABCDEF', 'abcdef'));
    assert.ok(!sameMessageId('1a2b', '1a2c'));
    assert.equal(normalizeMessageId('  00FF '), 'ff');
    assert.equal(normalizeMessageId('0000'), '0');
  });
  test('64-bit decimal ids convert exactly', () => {
    assert.ok(messageIdKeys('18446744073709551615').includes('ffffffffffffffff'));
    assert.ok(sameMessageId('FFFFFFFFFFFFFFFF', '18446744073709551615'));
  });
  test('UUIDs only lowercase', () => {
    assert.deepEqual(messageIdKeys('6A1B8F0E-3C2D-4E5F-9A8B-7C6D5E4F3A2B'), [
      '6a1b8f0e-3c2d-4e5f-9a8b-7c6d5e4f3a2b',
    ]);
  });
});
