import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliverySlots } from '../../src/gateway/webhook-slots.js';
import type { WebhookItem } from '../../src/store/store.js';

const item = (id: number, url: string, owner = ''): WebhookItem =>
  ({ id, url, owner }) as unknown as WebhookItem;
const limits = { perHost: 2, perCustomer: 3, maxWaiting: 10, maxWaitMs: 60_000 };

test('per host: the third attempt to one receiver waits and starts when one ends; another host is not held up', async () => {
  const slots = new DeliverySlots(limits, () => true);
  const a = await slots.acquire(item(1, 'http://a.example/x'));
  const b = await slots.acquire(item(2, 'http://a.example/y'));
  assert.ok(a && b);
  let third: unknown = 'pending';
  void slots.acquire(item(3, 'http://a.example/z')).then((s) => (third = s));
  assert.ok(await slots.acquire(item(4, 'http://b.example/')), 'another host has its own slots');
  await Promise.resolve();
  assert.equal(third, 'pending');
  assert.equal(slots.waitingCount, 1);
  a.release();
  await Promise.resolve();
  assert.ok(third && third !== 'pending', 'started once a slot of its host came free');
  assert.equal(slots.waitingCount, 0);
});

test('per account: one customer’s receivers share its limit', async () => {
  const slots = new DeliverySlots({ ...limits, perCustomer: 2 }, () => true);
  assert.ok(await slots.acquire(item(1, 'http://a.example/', 'acme')));
  assert.ok(await slots.acquire(item(2, 'http://b.example/', 'acme')));
  let waited: unknown = 'pending';
  void slots.acquire(item(3, 'http://c.example/', 'acme')).then((s) => (waited = s));
  assert.ok(await slots.acquire(item(4, 'http://c.example/', 'other')));
  await Promise.resolve();
  assert.equal(waited, 'pending');
});

test('handed back: a waiter past maxWaitMs, everyone over maxWaiting, and all when the sender stops', async () => {
  let open = true;
  const slots = new DeliverySlots({ ...limits, perHost: 1, maxWaiting: 2, maxWaitMs: 0 }, () => open);
  assert.ok(await slots.acquire(item(1, 'http://a.example/')));
  const late = slots.acquire(item(2, 'http://a.example/'));
  const second = slots.acquire(item(3, 'http://a.example/'));
  assert.equal(await slots.acquire(item(4, 'http://a.example/')), undefined, 'over maxWaiting');
  await new Promise((r) => setTimeout(r, 5));
  slots.expire();
  assert.equal(await late, undefined);
  assert.equal(await second, undefined);
  const stopped = new DeliverySlots({ ...limits, perHost: 1 }, () => open);
  assert.ok(await stopped.acquire(item(5, 'http://a.example/')));
  const waiting = stopped.acquire(item(6, 'http://a.example/'));
  open = false;
  stopped.drain();
  assert.equal(await waiting, undefined);
  assert.equal(stopped.waitingCount, 0);
});
