// The account rules both stores apply: top-ups, the SMS-count quota, partial refunds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  afterTopUp,
  InvalidAccountError,
  smsOf,
  topUpAmounts,
  unsentRefund,
} from '../../src/domain/index.js';

test('smsOf: a message takes its charged segments from the quota, one when not said', () => {
  assert.equal(smsOf({ meta: { segments: 3 } }), 3);
  assert.equal(smsOf({ meta: {} }), 1);
  assert.equal(smsOf({}), 1);
});

test('topUpAmounts: integers only, each amount defaulting to 0', () => {
  assert.deepEqual(topUpAmounts({}), { balanceMicros: 0, smsCount: 0 });
  assert.deepEqual(topUpAmounts({ balanceMicros: -5, smsCount: 2 }), { balanceMicros: -5, smsCount: 2 });
  assert.throws(() => topUpAmounts({ balanceMicros: 1.5 }), InvalidAccountError);
  assert.throws(() => topUpAmounts({ smsCount: Number.NaN }), InvalidAccountError);
});

test('afterTopUp: credit taken back never below zero; an unlimited quota stays unlimited', () => {
  assert.deepEqual(afterTopUp({ balanceMicros: 100, smsCount: 5 }, { balanceMicros: -100, smsCount: -5 }), {
    balanceMicros: 0,
    smsCount: 0,
  });
  assert.deepEqual(afterTopUp({ balanceMicros: 0, smsCount: null }, { balanceMicros: 10, smsCount: -99 }), {
    balanceMicros: 10,
    smsCount: null,
  });
  assert.throws(
    () => afterTopUp({ balanceMicros: 100, smsCount: null }, { balanceMicros: -101, smsCount: 0 }),
    /balance would go below zero \(100 \+ -101\)/,
  );
  assert.throws(
    () => afterTopUp({ balanceMicros: 100, smsCount: 1 }, { balanceMicros: 0, smsCount: -2 }),
    /SMS count would go below zero \(1 \+ -2\)/,
  );
});

test('unsentRefund: the unsent parts give back their share of the price and the SMS count, rounded', () => {
  assert.deepEqual(unsentRefund({ priceMicros: 30_000, sms: 3 }, { unsent: 2, total: 3 }), {
    priceMicros: 20_000,
    sms: 2,
  });
  assert.deepEqual(unsentRefund({ priceMicros: 10_000, sms: 1 }, { unsent: 1, total: 3 }), {
    priceMicros: 3333,
    sms: 0,
  });
  assert.deepEqual(unsentRefund({ priceMicros: 10_000, sms: 1 }, { unsent: 1, total: 1 }), {
    priceMicros: 10_000,
    sms: 1,
  });
});
