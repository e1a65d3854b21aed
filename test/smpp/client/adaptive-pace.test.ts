import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptivePace, CUT_EVERY_MS, GROWTH_PER_S } from '../../../src/smpp/client/adaptive-pace.js';
import { FakeClock } from '../../../src/lib/clock.js';

/** A window of `n` submits sent at once, unpaced (no limit configured, never throttled yet). */
async function sendWindow(pace: AdaptivePace, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await pace.take();
}

test('adaptive pace: the first cut starts from what the SMSC accepted of a burst, not from what was sent', async () => {
  const clock = new FakeClock(1_000_000);
  const pace = new AdaptivePace(clock, Infinity);
  assert.equal(pace.rate, Infinity);
  // A window of 50 in the first millisecond; an SMSC allowing 300/s (a burst of 30) takes 30.
  await sendWindow(pace, 50);
  for (let i = 0; i < 30; i++) pace.accepted();
  clock.advance(1);
  const cut = pace.throttled(clock.now() - 1);
  // 30 accepted in a spell counted as 100 ms: 300/s, less the cut's 10 %.
  assert.equal(cut, 270);
  assert.equal(pace.rate, 270);
});

test('adaptive pace: the refusals of one window, a millisecond apart, cut once; a new one after CUT_EVERY_MS cuts again', async () => {
  const clock = new FakeClock(1_000_000);
  const pace = new AdaptivePace(clock, 1000);
  const sentAt = clock.now();
  clock.advance(1);
  assert.equal(pace.throttled(sentAt), 900);
  for (let i = 0; i < 20; i++) {
    clock.advance(1);
    assert.equal(pace.throttled(clock.now() - 1), undefined, `refusal ${i} is the same signal`);
  }
  assert.equal(pace.rate, 900, 'one cut, not twenty (0.9^20 would be 12 % of the pace)');
  clock.advance(CUT_EVERY_MS);
  assert.equal(pace.throttled(sentAt), undefined, 'a request sent before the cut is not a new signal');
  assert.equal(pace.throttled(clock.now()), 810);
});

test('adaptive pace: while the SMSC accepts, the pace grows by GROWTH_PER_S of itself per second, at any pace, up to the limit', () => {
  const clock = new FakeClock(1_000_000);
  const pace = new AdaptivePace(clock, 1000);
  for (let i = 0; i < 30; i++) {
    pace.throttled(clock.now());
    clock.advance(CUT_EVERY_MS);
  }
  const low = pace.rate;
  assert.ok(low < 50, `cut deep (${low.toFixed(1)}/s)`);
  // A second's acceptances at that pace.
  for (let i = 0; i < Math.round(low); i++) pace.accepted();
  const ratio = pace.rate / low;
  assert.ok(Math.abs(ratio - (1 + GROWTH_PER_S)) < 0.02, `grew ×${ratio.toFixed(3)} in a second`);
  for (let i = 0; i < 100_000; i++) pace.accepted();
  assert.equal(pace.rate, 1000, 'never above the configured throughput');
});

test('adaptive pace: when the SMSC accepted nothing of the spell, the first cut starts from what was sent', async () => {
  const clock = new FakeClock(1_000_000);
  const pace = new AdaptivePace(clock, Infinity);
  clock.advance(150);
  await sendWindow(pace, 20);
  clock.advance(100);
  await sendWindow(pace, 20);
  // 40 sent over a spell of two 100-ms slots: 200/s, less 10 %.
  assert.equal(pace.throttled(clock.now()), 180);
});
