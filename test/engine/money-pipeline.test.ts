// Money through the real pipeline (gateway → simulator → receipts), on SQLite and PostgreSQL:
// the ledger sums to the balance after charges, a permanent failure's refund, a cancel's
// refund, top-ups and an adjustment; a rate card prices the charge and the quote; the
// low-balance webhook arrives once per crossing; the report counters match a scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod, type RunningHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { draftOf } from '../../src/gateway/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { startReceiver, type Receiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';
import { BACKENDS, type BackendName } from './backends.js';

const SHOP_SECRET = 'whsec_' + Buffer.from('shop-secret').toString('base64');

async function hermodOn(
  t: { after: (fn: () => Promise<void>) => void },
  name: BackendName,
  rx: Receiver,
): Promise<RunningHermod> {
  const env: Record<string, string> = {
    HERMOD_SMPP_PORT: '0',
    HERMOD_HTTP_PORT: '0',
    HERMOD_API_PORT: '0',
    HERMOD_BIND: '127.0.0.1',
    HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'hermod-money-')),
  };
  const schema = `hermod_money_${randomBytes(5).toString('hex')}`;
  if (name === 'postgres')
    Object.assign(env, { HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema });
  const config = parseConfig(
    {
      users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01, webhookSecret: SHOP_SECRET }],
      connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 }, failPrefixes: ['4478'] }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
      webhooks: { allow: ['127.0.0.1'] },
    },
    env,
    'test',
  );
  const h = await startHermod(config, { logger: pino({ level: 'warn' }) });
  t.after(async () => {
    await h.stop();
    if (name === 'postgres') await PostgresStore.dropSchema(PG_URL, schema);
    await rx.close();
  });
  return h;
}

for (const name of BACKENDS) {
  test(`${name}: the ledger sums to the balance after charges, refunds, top-ups and an adjustment through the pipeline`, async (t) => {
    if (name === 'postgres' && !(await requirePostgres(t))) return;
    const rx = await startReceiver();
    const h = await hermodOn(t, name, rx);
    const shop = (await h.store.getUserByName('shop'))!;
    await until('bound', () => h.connectors.get('sim')!.ready);
    const money = h.gateway.money;
    // A card: Italy at 0.03 a part; the UK stays at the account's 0.01.
    await money.putRateCard(shop.id, [
      { country: 'IT', smsMicros: 30_000, mmsMicros: null, inboundMicros: null },
    ]);
    const quote = await h.gateway.quote({ user: shop, destination: '393331234567', text: 'hi' });
    assert.deepEqual([quote.pricePerPartMicros, quote.priceFrom], [30_000, 'card']);
    // Low balance at 0.90: not reached before the top-ups (at least 0.93 left).
    await money.setLowBalance(shop.id, { thresholdMicros: 900_000, url: `${rx.url}/low` });

    const send = (to: string, extra: { campaign?: string; scheduleAt?: number } = {}) => {
      const d = draftOf({
        systemId: 'shop',
        origin: 'rest',
        from: 'Shop',
        to,
        content: { text: 'hello' },
        ...(extra.scheduleAt ? { scheduleAt: extra.scheduleAt } : {}),
      });
      if (extra.campaign) d.meta = { ...d.meta, campaign: extra.campaign };
      return h.gateway.submitAccepted(shop, d);
    };
    const delivered = [
      await send('447700900001'),
      await send('447700900002', { campaign: 'cmp-1' }),
      await send('393331234567'),
    ];
    assert.equal(delivered[2].priceMicros, 30_000, 'the card priced the Italian message');
    const failed = await send('447800900123'); // the simulator refuses it: permanent, refunded
    const scheduled = await send('447700900003', { scheduleAt: Date.now() + 3_600_000 });
    assert.equal(await h.gateway.cancel(shop, scheduled.id, 'test'), 'canceled');
    for (const a of delivered)
      await until('delivered', async () => (await h.store.getMessage(a.id))?.state === 'delivered');
    await until('failed', async () => (await h.store.getMessage(failed.id))?.state === 'failed');
    await h.gateway.services.accounts.topUp({
      userId: shop.id,
      balanceMicros: 500_000,
      note: 'invoice 42',
      actor: 'ops',
    });
    await h.gateway.services.accounts.topUp({
      userId: shop.id,
      balanceMicros: -20_000,
      note: 'goodwill reversed',
    });
    // 1.44 → 0.84: one crossing, one event, however many messages are sent below it; a top-up
    // lifts the balance above the threshold (the flag clears), and the next crossing notifies again.
    const more = [];
    for (let i = 0; i < 60; i++) more.push(await send('447700900010'));
    await until('first balance.low', () => rx.received.some((r) => r.path === '/low'));
    await h.gateway.services.accounts.topUp({ userId: shop.id, balanceMicros: 500_000, note: 'invoice 43' });
    assert.equal((await money.state(shop.id))!.lowSince, null, 'above the threshold again');
    for (let i = 0; i < 50; i++) more.push(await send('447700900010'));
    for (const a of more)
      await until('delivered', async () => (await h.store.getMessage(a.id))?.state === 'delivered');

    const ledger = await money.ledger({ userId: shop.id, limit: 1000 });
    const sum = ledger.reduce((a, e) => a + e.amountMicros, 0);
    const balance = await h.store.getBalance(shop.id);
    assert.equal(sum, balance, 'balance = sum of the ledger');
    assert.equal(ledger[0].balanceMicros, balance, 'the newest entry carries the balance');
    const kinds = (k: string) => ledger.filter((e) => e.kind === k);
    assert.equal(kinds('charge').length, 3 + 1 + 1 + 110);
    assert.deepEqual(
      kinds('refund')
        .map((e) => [e.reason, e.messageId, e.amountMicros])
        .sort(),
      [
        ['canceled', scheduled.id, 10_000],
        ['failed', failed.id, 10_000],
      ].sort(),
    );
    assert.deepEqual(
      kinds('topup').map((e) => [e.amountMicros, e.note, e.actor]),
      [
        [500_000, 'invoice 43', null],
        [500_000, 'invoice 42', 'ops'],
      ],
    );
    assert.deepEqual(
      kinds('adjustment').map((e) => [e.amountMicros, e.note]),
      [
        [-20_000, 'goodwill reversed'],
        [1_000_000, 'opening balance'],
      ],
    );
    assert.equal(kinds('charge').find((e) => e.messageId === delivered[1].id)?.campaign, 'cmp-1');

    await until('two balance.low events', () => rx.received.filter((r) => r.path === '/low').length >= 2);
    const events = rx.received.filter((r) => r.path === '/low');
    assert.equal(events.length, 2, 'once per crossing, not per message');
    const body = events[0].json as {
      data: { event_type: string; payload: { account: string; threshold: string } };
    };
    assert.equal(body.data.event_type, 'balance.low');
    const sig = createHmac('sha256', Buffer.from('shop-secret'))
      .update(`${events[0].headers['webhook-id']}.${events[0].headers['webhook-timestamp']}.${events[0].raw}`)
      .digest('base64');
    assert.equal(events[0].headers['webhook-signature'], `v1,${sig}`, "signed with the account's secret");
    assert.deepEqual([body.data.payload.account, body.data.payload.threshold], ['shop', '0.90']);
    const state = (await money.state(shop.id))!;
    assert.ok(state.lowSince !== null, 'the flag the console reads');

    // The counters match a scan of the final messages.
    const report = await money.reports({
      groupBy: 'country',
      userId: shop.id,
      from: 0,
      to: Date.now() + 3_600_000,
      limit: 100,
    });
    const gb = report.find((g) => g.key === 'GB')!;
    assert.deepEqual(gb.states.delivered, { messages: 112, parts: 112 });
    assert.deepEqual(gb.states.failed, { messages: 1, parts: 1 });
    assert.deepEqual(gb.states.canceled, { messages: 1, parts: 1 });
    assert.equal(gb.revenueMicros, 112 * 10_000, 'refunded messages bring no revenue');
    const it = report.find((g) => g.key === 'IT')!;
    assert.deepEqual([it.states.delivered.messages, it.revenueMicros], [1, 30_000]);
    assert.equal(
      it.histogram.reduce((a, b) => a + b, 0),
      1,
    );
    const byCampaign = await money.reports({
      groupBy: 'campaign',
      userId: shop.id,
      from: 0,
      to: Date.now() + 3_600_000,
      limit: 10,
    });
    assert.equal(byCampaign.find((g) => g.key === 'cmp-1')?.states.delivered.messages, 1);
  });
}
