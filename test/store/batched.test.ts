/**
 * Writes asked for in one turn share a batch (group commit). On PostgreSQL the hot ones run
 * as multi-row statements for the whole batch (src/store/postgres/bulk-*.ts), and the
 * cases those leave run one by one: the same answers and rows as one write at a time, on
 * both stores. The contract suite (contract.ts) mostly awaits each write; these ask for
 * many at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore, type FinalNotice, type Store } from '../../src/store/index.js';
import { messageIdKeys } from '../../src/smpp/index.js';
import { bothStores, newMessage } from './fixtures.js';

const stores = bothStores;

const msg = newMessage;

/** On PostgreSQL: at least `n` writes so far went through the bulk statements (not one by one). */
function assertBulk(s: Store, n: number): void {
  if (s instanceof PostgresStore) assert.ok(s.groupStats().bulk >= n, JSON.stringify(s.groupStats()));
}

function both(title: string, fn: (s: Store) => Promise<void>, failedBulks = 0): void {
  for (const [name, make] of stores)
    test(`${name}: ${title}`, async (t) => {
      const made = await make(t);
      if (!made) return;
      try {
        await fn(made.store);
        if (made.store instanceof PostgresStore)
          assert.equal(
            made.store.groupStats().failed,
            failedBulks,
            'bulk statements that failed (their items then ran one by one)',
          );
      } finally {
        await made.cleanup();
      }
    });
}

both('accepts of one turn: each debited in order, its ledger entry with the balance after it', async (s) => {
  const u = await s.upsertUser({ username: 'a', passwordHash: 'x', balanceMicros: 1_000_000, rateMicros: 0 });
  const v = await s.upsertUser({ username: 'b', passwordHash: 'x', balanceMicros: 500_000, rateMicros: 0 });
  const ms = [msg(u.id), msg(v.id, { priceMicros: 7_000 }), msg(u.id, { priceMicros: 20_000 }), msg(u.id)];
  const results = await Promise.all(ms.map((m) => s.accept(m)));
  assert.deepEqual(
    results,
    ms.map(() => ({ ok: true })),
  );
  assert.equal(await s.getBalance(u.id), 1_000_000 - 40_000);
  assert.equal(await s.getBalance(v.id), 500_000 - 7_000);
  const ledger = (await s.listLedger({ userId: u.id, kind: 'charge', limit: 10 })).reverse();
  assert.deepEqual(
    ledger.map((e) => [e.messageId, e.amountMicros, e.balanceMicros]),
    [
      [ms[0].id, -10_000, 990_000],
      [ms[2].id, -20_000, 970_000],
      [ms[3].id, -10_000, 960_000],
    ],
  );
  for (const m of ms) {
    assert.equal((await s.getMessage(m.id))?.state, 'queued');
    assert.deepEqual(
      (await s.history(m.id)).map((h) => [h.state, h.detail]),
      [
        ['accepted', null],
        ['queued', 'c1'],
      ],
    );
  }
  assert.equal(await s.queueDepth('c1'), 4);
  assertBulk(s, 4);
});

both(
  'accepts of one turn the balance cannot all pay: the first ones pass, in order, the rest are refused',
  async (s) => {
    const u = await s.upsertUser({ username: 'a', passwordHash: 'x', balanceMicros: 25_000, rateMicros: 0 });
    const ms = [msg(u.id), msg(u.id), msg(u.id), msg(u.id, { priceMicros: 5_000 })];
    const results = await Promise.all(ms.map((m) => s.accept(m)));
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, false, true],
    );
    assert.equal(await s.getBalance(u.id), 0);
    assert.equal(await s.getMessage(ms[2].id), undefined);
    assert.equal(await s.queueDepth('c1'), 3);
  },
);

both(
  'accepts of one turn that cross the low-balance threshold: the crossing one says so, once',
  async (s) => {
    const u = await s.upsertUser({ username: 'a', passwordHash: 'x', balanceMicros: 100_000, rateMicros: 0 });
    await s.setLowBalance(u.id, { thresholdMicros: 75_000, url: null });
    const ms = [msg(u.id), msg(u.id), msg(u.id), msg(u.id)];
    const results = await Promise.all(ms.map((m) => s.accept(m)));
    assert.deepEqual(
      results.map((r) => (r.ok ? (r.lowBalance?.messageId ?? 'ok') : 'refused')),
      ['ok', 'ok', ms[2].id, 'ok'],
    );
    assert.equal(await s.getBalance(u.id), 60_000);
  },
);

both(
  'parts sent and their receipts, many in one turn: states, history, customer receipts, then acks',
  async (s) => {
    const u = await s.upsertUser({
      username: 'a',
      passwordHash: 'x',
      balanceMicros: 1_000_000,
      rateMicros: 0,
    });
    const ms = Array.from({ length: 6 }, () => msg(u.id));
    for (const m of ms) await s.accept(m);
    assert.equal((await s.claim('c1', 10, 60_000)).length, 6);
    const up = (i: number) => `${1000 + i}`;
    await Promise.all(
      ms.map((m, i) =>
        s.markPartSent({
          id: m.id,
          seq: 1,
          total: 1,
          connectorId: 'c1',
          upstreamId: up(i),
          keys: messageIdKeys(up(i)),
        }),
      ),
    );
    assert.equal(await s.queueDepth('c1'), 0);
    const notice: FinalNotice = ({ state, message }) => ({
      systemId: 'shop',
      payload: `${message.id}:${state}`,
    });
    const receipt = (i: number, state: 'delivered' | 'undelivered' | 'sent', stat: string) =>
      s.applyReceiptByKeys({
        keys: messageIdKeys(up(i)),
        receiptId: up(i),
        state,
        detail: `${stat} err:000`,
        notice,
        park: { payload: `{"r":${i}}` },
      });
    // Message 0 gets an intermediate receipt and its final one in the same turn; 5 is undelivered.
    const outcomes = await Promise.all([
      receipt(0, 'sent', 'ENROUTE'),
      ...ms.map((_, i) => receipt(i, i === 5 ? 'undelivered' : 'delivered', i === 5 ? 'UNDELIV' : 'DELIVRD')),
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.parked ? 'parked' : o.state)),
      ['sent', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'undelivered'],
    );
    assert.deepEqual(outcomes[1].parked === false && outcomes[1].notified, {
      systemId: 'shop',
      payload: `${ms[0].id}:delivered`,
    });
    assert.deepEqual(
      (await s.history(ms[0].id)).map((h) => [h.state, h.detail]),
      [
        ['accepted', null],
        ['queued', 'c1'],
        ['sent', up(0)],
        ['sent', 'ENROUTE err:000'],
        ['delivered', 'DELIVRD err:000'],
      ],
    );
    const last = await s.getMessage(ms[5].id);
    assert.equal(last?.state, 'undelivered');
    assert.equal(last?.upstreamId, up(5));
    assert.deepEqual(
      (await s.getParts(ms[5].id)).map((p) => [p.state, p.upstreamId, p.error]),
      [['undelivered', up(5), 'UNDELIV err:000']],
    );
    const items = await s.claimOutbox('shop', 20, 60_000);
    assert.deepEqual(
      items.map((o) => o.payload).sort(),
      ms.map((m, i) => `${m.id}:${i === 5 ? 'undelivered' : 'delivered'}`).sort(),
    );
    await Promise.all(items.map((o) => s.ackOutbox(o.id)));
    assert.deepEqual(await s.claimOutbox('shop', 20, 0), [], 'every item acknowledged');
    assertBulk(s, 6 + 6 + 6 + 6); // accepts, sents, receipts (message 0 has a second: alone), acks
    const [row] = await s.queryReports({
      groupBy: 'account',
      from: 0,
      to: Date.now() + 3_600_000,
      limit: 10,
    });
    assert.deepEqual(row?.states, {
      delivered: { messages: 5, parts: 5 },
      undelivered: { messages: 1, parts: 1 },
    });
  },
);

both(
  'a part sent and its receipt in the same turn: matched, not parked; a receipt nobody sent is parked',
  async (s) => {
    const u = await s.upsertUser({
      username: 'a',
      passwordHash: 'x',
      balanceMicros: 1_000_000,
      rateMicros: 0,
    });
    const m = msg(u.id);
    await s.accept(m);
    await s.claim('c1', 1, 60_000);
    const notice: FinalNotice = () => undefined;
    const [, got, stray] = await Promise.all([
      s.markPartSent({
        id: m.id,
        seq: 1,
        total: 1,
        connectorId: 'c1',
        upstreamId: 'AB12',
        keys: messageIdKeys('AB12'),
      }),
      s.applyReceiptByKeys({
        keys: messageIdKeys('AB12'),
        receiptId: 'AB12',
        state: 'delivered',
        detail: 'DELIVRD err:000',
        notice,
        park: { payload: '{}' },
      }),
      s.applyReceiptByKeys({
        keys: messageIdKeys('FFFF'),
        receiptId: 'FFFF',
        state: 'delivered',
        detail: 'DELIVRD err:000',
        notice,
        park: { payload: '{"stray":1}' },
      }),
    ]);
    assert.equal(got.parked ? 'parked' : got.state, 'delivered');
    assert.deepEqual(stray, { parked: true });
    assert.deepEqual(await s.parkedReceipts(messageIdKeys('FFFF')), ['{"stray":1}']);
  },
);

both(
  'parts of a multipart message sent in one turn: all recorded, the message sent once the last is',
  async (s) => {
    const u = await s.upsertUser({
      username: 'a',
      passwordHash: 'x',
      balanceMicros: 1_000_000,
      rateMicros: 0,
    });
    const m = msg(u.id);
    await s.accept(m);
    await s.claim('c1', 1, 60_000);
    await Promise.all(
      [1, 2, 3].map((seq) =>
        s.markPartSent({
          id: m.id,
          seq,
          total: 3,
          connectorId: 'c1',
          upstreamId: `P${seq}`,
          keys: messageIdKeys(`P${seq}`),
        }),
      ),
    );
    assert.deepEqual(
      (await s.getParts(m.id)).map((p) => [p.seq, p.state, p.upstreamId]),
      [
        [1, 'sent', 'P1'],
        [2, 'sent', 'P2'],
        [3, 'sent', 'P3'],
      ],
    );
    assert.equal((await s.getMessage(m.id))?.state, 'sent');
    assert.equal(await s.queueDepth('c1'), 0);
  },
);

both(
  'an accept of one turn that cannot be stored (its id twice): refused alone, the others of the turn stored',
  async (s) => {
    const u = await s.upsertUser({
      username: 'a',
      passwordHash: 'x',
      balanceMicros: 1_000_000,
      rateMicros: 0,
    });
    const [a, b] = [msg(u.id), msg(u.id)];
    const results = await Promise.allSettled([
      s.accept(a),
      s.accept({ ...a, body: Buffer.from('again') }),
      s.accept(b),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((await s.getMessage(a.id))?.body.toString(), 'hello');
    assert.equal((await s.getMessage(b.id))?.state, 'queued');
    assert.equal(await s.getBalance(u.id), 1_000_000 - 20_000, 'the refused one is not charged');
    assert.equal((await s.listLedger({ userId: u.id, kind: 'charge', limit: 10 })).length, 2);
  },
  1, // on PostgreSQL the batch's statement failed, and its accepts ran one by one
);
