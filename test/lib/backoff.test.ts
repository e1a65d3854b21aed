import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/lib/backoff.js';
import { FakeClock } from '../../src/lib/clock.js';

test('backoff grows exponentially and is capped', () => {
  const p = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((a) => backoffDelay(p, a)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('backoff jitter stays inside [d*(1-j), d]', () => {
  for (const r of [0, 0.5, 0.999]) {
    const d = backoffDelay(DEFAULT_BACKOFF, 3, () => r);
    assert.ok(d >= 4000 * 0.5 && d <= 4000, `delay ${d}`);
  }
  assert.notEqual(
    backoffDelay(DEFAULT_BACKOFF, 3, () => 0),
    backoffDelay(DEFAULT_BACKOFF, 3, () => 0.9),
  );
});

test('fake clock fires timers in order and repeats intervals', () => {
  const c = new FakeClock();
  const fired: string[] = [];
  c.setTimeout(() => fired.push('t50'), 50);
  const iv = c.setInterval(() => fired.push(`i@${c.now()}`), 30);
  const gone = c.setTimeout(() => fired.push('cancelled'), 10);
  gone.cancel();
  c.advance(100);
  iv.cancel();
  c.advance(100);
  assert.deepEqual(fired, ['i@30', 't50', 'i@60', 'i@90']);
});
