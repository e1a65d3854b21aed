// What a final state owes the customer, as values: the SMPP receipt per registered_delivery,
// and the typed event map (a wrong name or argument does not compile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customerReceipt, Notifier } from '../../src/gateway/notify.js';
import { TypedEmitter, type GatewayEvents } from '../../src/gateway/events.js';
import type { StoredMessage } from '../../src/domain/index.js';
import { testContext } from './context.js';

const message = (registeredDelivery: number, meta: StoredMessage['meta'] = {}) =>
  ({
    id: 'm1',
    source: 'Shop',
    destination: '447700900001',
    registeredDelivery,
    systemId: 'shop',
    createdAt: 1000,
    meta,
  }) as StoredMessage;

test('customerReceipt follows registered_delivery: 0 none, 1 every final state, 2 failures only', () => {
  const one = { total: 1, delivered: 1 };
  assert.equal(customerReceipt('delivered', message(0), one, { err: '000', doneDate: 2000 }), undefined);
  assert.equal(customerReceipt('delivered', message(2), one, { err: '000', doneDate: 2000 }), undefined);
  assert.deepEqual(
    customerReceipt('undelivered', message(2), { total: 1, delivered: 0 }, { err: '034', doneDate: 2000 }),
    {
      messageId: 'm1',
      source: 'Shop',
      destination: '447700900001',
      state: 'undelivered',
      stat: 'UNDELIV',
      err: '034',
      submitDate: 1000,
      doneDate: 2000,
    },
  );
  const multi = customerReceipt(
    'delivered',
    message(1, { smppMessageId: 'multi-1' }),
    { total: 3, delivered: 3 },
    {
      err: '034',
      doneDate: 2000,
    },
  );
  assert.equal(multi?.messageId, 'multi-1', 'a submit_multi id');
  assert.equal(multi?.err, '000', 'delivered: no error');
  assert.deepEqual(multi?.parts, { total: 3, delivered: 3 });
});

test('forFinal is a pure notice; what the store returns is announced after the commit (accounts with outbox items, webhooks)', async () => {
  const t = await testContext();
  try {
    const notifier = new Notifier(t.ctx);
    const notice = notifier.forFinal('000', { error: 'x' });
    assert.equal(
      notice({ state: 'delivered', message: message(0), parts: { total: 1, delivered: 1 } }),
      undefined,
    );
    const notified = notice({
      state: 'failed',
      message: message(1, { callbackUrl: 'https://example.com/cb' }),
      parts: { total: 1, delivered: 0 },
    });
    assert.equal(notified?.systemId, 'shop');
    assert.equal(notified?.webhooks?.length, 1);
    assert.equal(t.events.length, 0, 'nothing raised while the store would still be in its transaction');
    notifier.announce([
      { id: 'm1', notified },
      { id: 'm2', notified: undefined },
    ]);
    assert.deepEqual(
      t.events.map((e) => e[0]),
      ['outbox', 'webhooks'],
    );
  } finally {
    await t.close();
  }
});

test('the event map types listeners and emits', () => {
  const events = new TypedEmitter<GatewayEvents>();
  const seen: string[] = [];
  events.on('outbox', (systemId) => seen.push(systemId));
  events.emit('outbox', 'shop');
  // Compile-time checks only (never called): a wrong name or argument is a type error.
  const wrong = () => {
    // @ts-expect-error not an event of the gateway
    events.on('no_such_event', () => undefined);
    // @ts-expect-error `outbox` carries the account's system_id, a string
    events.emit('outbox', 42);
  };
  assert.equal(typeof wrong, 'function');
  assert.deepEqual(seen, ['shop']);
});
