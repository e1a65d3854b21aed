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

test('a burst to one receiver starts its waiters in claim order, one per attempt ended; a slot of the account freed on another host starts that account’s waiter there', async () => {
  const slots = new DeliverySlots({ ...limits, perHost: 2, perCustomer: 3, maxWaiting: 100 }, () => true);
  const running = [
    await slots.acquire(item(1, 'http://a.example/1', 'acme')),
    await slots.acquire(item(2, 'http://a.example/2', 'acme')),
  ];
  const started: number[] = [];
  const waiters = Array.from({ length: 50 }, (_, i) =>
    slots.acquire(item(10 + i, `http://a.example/${10 + i}`, 'acme')).then((s) => {
      started.push(10 + i);
      return s;
    }),
  );
  // Another host of the same account: acme's third slot, then a waiter on a third host.
  const onB = await slots.acquire(item(3, 'http://b.example/', 'acme'));
  assert.ok(onB, 'host b has room, and acme its third slot');
  let onC: unknown = 'pending';
  void slots.acquire(item(4, 'http://c.example/', 'acme')).then((s) => (onC = s));
  assert.equal(slots.waitingCount, 51);
  onB.release();
  await Promise.resolve();
  assert.ok(
    onC && onC !== 'pending',
    'acme’s freed slot goes to its waiter on host c, past the 50 held by host a',
  );
  assert.deepEqual(started, [], 'host a is still full');
  running[0]!.release();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [10], 'host a’s freed slot: its first waiter (acme has room: a, c)');
  (onC as { release(): void }).release();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [10], 'acme’s freed slot: its waiters are all on host a, which is full');
  for (let n = 0; n < 10; n++) {
    const s = await waiters[n];
    s!.release();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(
    started,
    Array.from({ length: 11 }, (_, i) => 10 + i),
    'each ended attempt started the next in claim order',
  );
  assert.equal(slots.waitingCount, 39);
});

test('waiters behind ones handed back still start when their host frees up', async () => {
  const slots = new DeliverySlots({ ...limits, perHost: 1, maxWaitMs: 30 }, () => true);
  const running = await slots.acquire(item(1, 'http://a.example/'));
  const late = [slots.acquire(item(2, 'http://a.example/')), slots.acquire(item(3, 'http://a.example/'))];
  await new Promise((r) => setTimeout(r, 50));
  let next: unknown = 'pending';
  void slots.acquire(item(4, 'http://a.example/')).then((s) => (next = s));
  void slots.acquire(item(5, 'http://a.example/'));
  slots.expire();
  assert.deepEqual(await Promise.all(late), [undefined, undefined], 'the two late ones handed back');
  assert.equal(slots.waitingCount, 2);
  running!.release();
  await Promise.resolve();
  assert.ok(next && next !== 'pending', 'the first of those behind them started');
  assert.equal(slots.waitingCount, 1);
});
