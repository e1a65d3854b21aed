/**
 * Final states that commit in one batch (group commit) count in the report counters as they
 * would one at a time: on SQLite the batch's counts are summed per counter row and written
 * once at its end, and a write rolled back (its savepoint) takes its counts with it. Both
 * stores give the same answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FinalNotice, Store } from '../../src/store/index.js';
import type { NewMessage, PartState } from '../../src/domain/index.js';
import { bothStores, newMessage } from './fixtures.js';

const stores = bothStores;

/** Six messages: two countries, one and two parts, a campaign or none. */
const messages = (userId: number, systemId: string): NewMessage[] =>
  Array.from({ length: 6 }, (_, i) =>
    newMessage(userId, {
      systemId,
      source: i % 3 === 0 ? 'Shop' : 'Other',
      destination: i % 2 === 0 ? '447700900123' : '393401234567',
      meta: { segments: i === 1 ? 2 : 1, ...(i < 3 ? { campaign: 'spring' } : {}) },
    }),
  );

const outcomes: PartState[] = ['delivered', 'delivered', 'delivered', 'undelivered', 'rejected', 'delivered'];
const quiet: FinalNotice = () => undefined;
/** The last receipt's write fails (its notice throws): it must count nowhere. */
const failing: FinalNotice = () => {
  throw new Error('notice failed');
};

async function sendAll(s: Store, ms: NewMessage[]): Promise<void> {
  for (const m of ms) assert.deepEqual(await s.accept(m), { ok: true });
  await Promise.all(
    ms.map((m) =>
      s.markPartSent({
        id: m.id,
        seq: 1,
        total: 1,
        connectorId: 'c1',
        upstreamId: m.id,
        keys: [`c1:${m.id}`],
      }),
    ),
  );
}

const receipt = (s: Store, m: NewMessage, i: number) =>
  s.applyPartReceipt({
    id: m.id,
    seq: 1,
    state: outcomes[i],
    detail: outcomes[i],
    notice: i === outcomes.length - 1 ? failing : quiet,
  });

for (const [name, make] of stores)
  test(`${name}: final states of one batch count as they do one at a time; a write rolled back counts nowhere`, async (t) => {
    const made = await make(t);
    if (!made) return;
    const s = made.store;
    try {
      const one = await s.upsertUser({
        username: 'one',
        passwordHash: 'x',
        balanceMicros: 1e9,
        rateMicros: 0,
      });
      const all = await s.upsertUser({
        username: 'all',
        passwordHash: 'x',
        balanceMicros: 1e9,
        rateMicros: 0,
      });
      const a = messages(one.id, 'one');
      const b = messages(all.id, 'all');
      await sendAll(s, a);
      await sendAll(s, b);
      // One at a time…
      for (const [i, m] of a.entries()) {
        if (i === a.length - 1) await assert.rejects(receipt(s, m, i), /notice failed/);
        else await receipt(s, m, i);
      }
      // …and all in one turn (one batch; the failing write makes it run again with savepoints).
      const settled = await Promise.allSettled(b.map((m, i) => receipt(s, m, i)));
      assert.deepEqual(
        settled.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected'],
      );
      assert.equal((await s.getMessage(b[5].id))?.state, 'sent', 'the failed write rolled back');
      const range = { from: 0, to: Date.now() + 3_600_000, limit: 100 };
      for (const groupBy of ['hour', 'day', 'country', 'campaign', 'sender'] as const) {
        const [x, y] = [
          await s.queryReports({ groupBy, userId: one.id, ...range }),
          await s.queryReports({ groupBy, userId: all.id, ...range }),
        ];
        assert.deepEqual(y, x, groupBy);
      }
      const [hour] = await s.queryReports({ groupBy: 'hour', userId: all.id, ...range });
      assert.deepEqual(hour.states, {
        delivered: { messages: 3, parts: 4 },
        undelivered: { messages: 1, parts: 1 },
        rejected: { messages: 1, parts: 1 },
      });
      assert.equal(
        hour.histogram.reduce((n, c) => n + c, 0),
        3,
        'one histogram count per delivered message',
      );
      assert.equal(hour.costMicros, null);
    } finally {
      await made.cleanup();
    }
  });
