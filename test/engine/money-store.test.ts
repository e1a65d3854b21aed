// Money and reports in the core store, one contract on SQLite and PostgreSQL: the ledger's
// entries and filters, balance = sum of the ledger, the low-balance flag (set by a crossing
// debit once, cleared by a credit back above), rate cards replaced whole, report counters
// added once per final message and grouped by period, dimension and account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMessageId, type User } from '../../src/domain/index.js';
import type { LowBalanceCrossing, NewWebhook, Store } from '../../src/store/index.js';
import { BACKENDS, openBackend } from './backends.js';

const message = (user: User, over: { destination?: string; price?: number; campaign?: string } = {}) => ({
  id: newMessageId(),
  userId: user.id,
  systemId: user.username,
  source: 'Shop',
  destination: over.destination ?? '447700900001',
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hello'),
  registeredDelivery: 0,
  priority: 0,
  connectorId: 'c1',
  priceMicros: over.price ?? 10_000,
  meta: { segments: 1, ...(over.campaign ? { campaign: over.campaign } : {}) },
});

const sum = async (store: Store, userId: number) =>
  (await store.listLedger({ userId, limit: 1000 })).reduce((a, e) => a + e.amountMicros, 0);

for (const name of BACKENDS) {
  test(`${name}: ledger entries for every balance change, filters, balance = sum`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { store, shop, other } = b;
    const opening = await store.listLedger({ userId: shop.id, limit: 10 });
    assert.deepEqual(
      opening.map((e) => [e.kind, e.amountMicros, e.balanceMicros, e.note]),
      [['adjustment', 10_000_000, 10_000_000, 'opening balance']],
    );
    const m1 = message(shop, { campaign: 'c-9' });
    const m2 = message(shop);
    assert.deepEqual(await store.accept(m1), { ok: true });
    assert.deepEqual(await store.accept(m2), { ok: true });
    await store.fail({ id: m2.id, state: 'expired', detail: 'validity ended', refund: true });
    await store.topUp(shop.id, { balanceMicros: 2_000_000, note: 'invoice 1', actor: 'ops' });
    await store.topUp(shop.id, { balanceMicros: -500_000, kind: 'adjustment', note: 'correction' });
    const entries = await store.listLedger({ userId: shop.id, limit: 100 });
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amountMicros, e.messageId, e.campaign, e.reason, e.note, e.actor]),
      [
        ['adjustment', -500_000, null, null, null, 'correction', null],
        ['topup', 2_000_000, null, null, null, 'invoice 1', 'ops'],
        ['refund', 10_000, m2.id, null, 'expired', 'validity ended', null],
        ['charge', -10_000, m2.id, null, null, null, null],
        ['charge', -10_000, m1.id, 'c-9', null, null, null],
        ['adjustment', 10_000_000, null, null, null, 'opening balance', null],
      ],
    );
    assert.equal(await sum(store, shop.id), await store.getBalance(shop.id));
    assert.equal(entries[0].balanceMicros, await store.getBalance(shop.id));
    assert.equal((await store.listLedger({ userId: shop.id, kind: 'charge', limit: 10 })).length, 2);
    assert.deepEqual(
      (await store.listLedger({ userId: shop.id, before: entries[1].id, limit: 2 })).map((e) => e.id),
      [entries[2].id, entries[3].id],
    );
    assert.equal(
      (await store.listLedger({ userId: shop.id, since: Date.now() + 60_000, limit: 10 })).length,
      0,
    );
    assert.equal(
      (await store.listLedger({ userId: other.id, limit: 10 })).length,
      1,
      'the other account’s own',
    );
    assert.equal((await store.listLedger({ limit: 100 })).length, entries.length + 1, 'every account');
  });

  test(`${name}: the low-balance flag is set by the crossing debit once, cleared by a credit above the threshold`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { store, shop } = b;
    await store.setLowBalance(shop.id, { thresholdMicros: 9_975_000, url: 'https://example.com/low' });
    const seen: LowBalanceCrossing[] = [];
    const notice = (c: LowBalanceCrossing): NewWebhook[] => {
      seen.push(c);
      return [
        {
          eventId: newMessageId(),
          kind: 'rest',
          messageId: `balance:${c.username}`,
          owner: c.username,
          url: c.url!,
          method: 'POST',
          body: '{}',
          expiresAt: Date.now() + 60_000,
        },
      ];
    };
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await store.accept(message(shop), { lowBalance: notice }));
    // 10.00 → 9.99 → 9.98 → 9.97 (below 9.975: crossed) → 9.96 → 9.95.
    assert.deepEqual(
      results.map((r) => r.ok && r.lowBalance !== undefined),
      [false, false, true, false, false],
    );
    assert.equal(seen.length, 1);
    assert.deepEqual(
      [seen[0].balanceMicros, seen[0].thresholdMicros, seen[0].username],
      [9_970_000, 9_975_000, 'shop'],
    );
    assert.equal(await store.webhookDepth(), 1, 'the webhook written with the crossing');
    assert.ok((await store.getMoneyState(shop.id))!.lowSince !== null);
    await store.topUp(shop.id, { balanceMicros: 10_000 });
    assert.ok((await store.getMoneyState(shop.id))!.lowSince !== null, 'still below');
    await store.topUp(shop.id, { balanceMicros: 100_000 });
    assert.equal((await store.getMoneyState(shop.id))!.lowSince, null, 'above again');
    await store.setLowBalance(shop.id, { thresholdMicros: 50_000_000, url: null });
    const s = (await store.getMoneyState(shop.id))!;
    assert.deepEqual([s.thresholdMicros, s.url, s.lowSince !== null], [50_000_000, null, true]);
    await store.setLowBalance(shop.id, { thresholdMicros: null, url: null });
    assert.equal((await store.getMoneyState(shop.id))!.lowSince, null);
    assert.equal(await store.setLowBalance(999_999, { thresholdMicros: 1, url: null }), undefined);
  });

  test(`${name}: rate cards are replaced whole, per account`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { store, shop, other } = b;
    await store.putRateCard(shop.id, [
      { country: 'IT', smsMicros: 35_000, mmsMicros: null, inboundMicros: null },
      { country: 'GB', smsMicros: 20_000, mmsMicros: 100_000, inboundMicros: 0 },
    ]);
    assert.deepEqual(await store.getRateCard(shop.id), [
      { country: 'GB', smsMicros: 20_000, mmsMicros: 100_000, inboundMicros: 0 },
      { country: 'IT', smsMicros: 35_000, mmsMicros: null, inboundMicros: null },
    ]);
    assert.deepEqual(await store.getRateCard(other.id), []);
    await store.putRateCard(shop.id, [
      { country: 'FR', smsMicros: 40_000, mmsMicros: null, inboundMicros: null },
    ]);
    assert.deepEqual(
      (await store.getRateCard(shop.id)).map((e) => e.country),
      ['FR'],
    );
    await store.putRateCard(shop.id, []);
    assert.deepEqual(await store.getRateCard(shop.id), []);
  });

  test(`${name}: report counters: once per final message, grouped by period, dimension and account`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { store, shop, other } = b;
    const a = message(shop, { destination: '393331234567', campaign: 'c-1' });
    const c = message(shop);
    const d = message(other, { price: 20_000 });
    for (const m of [a, c, d]) assert.deepEqual(await store.accept(m), { ok: true });
    await store.fail({ id: a.id, state: 'rejected', detail: 'no', refund: false });
    await store.fail({ id: a.id, state: 'failed', detail: 'again', refund: false }); // already final: not counted again
    await store.fail({ id: c.id, state: 'expired', detail: 'late', refund: true });
    assert.equal(
      (await store.cancel({ id: d.id, userId: other.id, detail: 'x', notice: () => undefined })).outcome,
      'canceled',
    );
    const range = { from: 0, to: Date.now() + 3_600_000, limit: 100 };
    const byCountry = await store.queryReports({ groupBy: 'country', userId: shop.id, ...range });
    assert.deepEqual(
      byCountry.map((g) => [g.key, g.states, g.revenueMicros, g.costMicros]),
      [
        ['GB', { expired: { messages: 1, parts: 1 } }, 0, null],
        ['IT', { rejected: { messages: 1, parts: 1 } }, 10_000, null],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    const byAccount = await store.queryReports({ groupBy: 'account', ...range });
    assert.deepEqual(
      byAccount.map((g) => [g.key, Object.values(g.states).reduce((n, s) => n + s.messages, 0)]),
      [
        ['shop', 2],
        ['other', 1],
      ],
    );
    const byCampaign = await store.queryReports({ groupBy: 'campaign', userId: shop.id, ...range });
    assert.deepEqual(byCampaign.map((g) => g.key).sort(), ['', 'c-1']);
    const month = new Date().toISOString().slice(0, 7);
    assert.deepEqual(
      (await store.queryReports({ groupBy: 'month', ...range })).map((g) => g.key),
      [month],
    );
    const day = await store.queryReports({ groupBy: 'day', ...range });
    assert.equal(day.length, 1);
    assert.match(day[0].key, /T00:00:00\.000Z$/);
    const hour = await store.queryReports({ groupBy: 'hour', userId: other.id, ...range });
    assert.deepEqual(hour[0].states, { canceled: { messages: 1, parts: 1 } });
    assert.equal(hour[0].revenueMicros, 0, 'a canceled message is refunded');
    assert.deepEqual(await store.queryReports({ groupBy: 'day', from: 0, to: 3_600_000, limit: 10 }), []);
  });
}
