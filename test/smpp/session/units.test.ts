import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Window, TokenBucket } from '../../../src/smpp/session/index.js';
import { FakeClock } from '../../../src/lib/clock.js';

test('window: callers beyond the size wait in FIFO order and never overrun', async () => {
  const w = new Window(2);
  await w.acquire();
  await w.acquire();
  const order: number[] = [];
  const a = w.acquire().then(() => order.push(1));
  const b = w.acquire().then(() => order.push(2));
  assert.equal(w.inUse, 2);
  assert.equal(w.waiting, 2);
  w.release();
  await a;
  assert.deepEqual(order, [1]);
  assert.equal(w.inUse, 2, 'the slot passed to the waiter');
  w.release();
  await b;
  w.release();
  w.release();
  assert.equal(w.inUse, 0);
  assert.throws(() => new Window(0), RangeError);
});

test('window: waiters are rejected when the session closes', async () => {
  const w = new Window(1);
  await w.acquire();
  const p = w.acquire();
  w.rejectWaiters(new Error('closing'));
  await assert.rejects(p, /closing/);
});

test('token bucket: rate and burst with a fake clock', () => {
  const clock = new FakeClock();
  const b = new TokenBucket(10, 2, clock);
  assert.ok(b.tryTake());
  assert.ok(b.tryTake());
  assert.ok(!b.tryTake(), 'burst of 2 spent');
  assert.equal(b.delayMs(), 100);
  clock.advance(100);
  assert.ok(b.tryTake());
  assert.ok(!b.tryTake());
  clock.advance(10_000);
  assert.ok(b.tryTake() && b.tryTake() && !b.tryTake(), 'never more than the burst');
  b.setRate(1);
  clock.advance(500);
  assert.ok(!b.tryTake());
  clock.advance(500);
  assert.ok(b.tryTake());
});
