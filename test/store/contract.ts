/**
 * One contract for every Store implementation (SQLite and PostgreSQL run the same tests).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { messageIdKeys } from '../../src/smpp/index.js';
import { InvalidAccountError, newMediaId, newMessageId, type NewMessage } from '../../src/domain/index.js';
import {
  RESTART_REQUEUE_DETAIL,
  type FinalNotice,
  type MoDelivery,
  type MoRecord,
  type NewWebhook,
  type Store,
} from '../../src/store/index.js';
import { mmsResendContract } from './mms-resend-contract.js';
import { newMessage } from './fixtures.js';

/**
 * An MO record as the gateway builds one: its route fixed, or decided by `to` on the joined
 * message; the outbox payload for a customer by `payload`, webhooks by `webhooks`.
 */
function moRecord(
  to: string | null | ((m: { body: Buffer; complete: boolean }) => string | null),
  payload: (m: { id: string; routedTo: string | null }) => string = () => '{}',
  webhooks?: (m: { id: string }) => NewWebhook[],
): MoRecord {
  return {
    id: newMessageId(),
    route: (base): MoDelivery => {
      const routedTo = typeof to === 'function' ? to(base) : to;
      const m = { ...base, routedTo };
      return {
        routedTo,
        ...(routedTo !== null ? { payload: payload(m) } : {}),
        webhooks: webhooks?.(m) ?? [],
      };
    },
  };
}

export interface StoreFactory {
  /** A fresh, empty store; `reopen` opens the same data again. Returns undefined to skip. */
  create(
    t: TestContext,
  ): Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> } | undefined>;
}

const msg = newMessage;

export function storeContract(name: string, factory: StoreFactory): void {
  const withStore = (title: string, fn: (s: Store, reopen: () => Promise<Store>) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const made = await factory.create(t);
      if (!made) return;
      try {
        await fn(made.store, made.reopen);
      } finally {
        await made.cleanup();
      }
    });

  withStore('accept persists the message, its history and its queue entry, and debits', async (s) => {
    const u = await s.upsertUser({
      username: 'shop',
      passwordHash: 'x',
      balanceMicros: 100_000,
      rateMicros: 10_000,
    });
    const m = msg(u.id, { meta: { origin: 'rest' } });
    assert.deepEqual(await s.accept(m), { ok: true });
    const got = (await s.getMessage(m.id))!;
    assert.equal(got.state, 'queued');
    assert.deepEqual(got.meta, { origin: 'rest' });
    assert.equal(got.body.toString(), 'hello');
    assert.deepEqual(
      (await s.history(m.id)).map((e) => e.state),
      ['accepted', 'queued'],
    );
    assert.equal(await s.queueDepth('c1'), 1);
    assert.equal(await s.getBalance(u.id), 90_000);
  });

  withStore(
    'cancel: a waiting message ends canceled, refunded and told, once; not another account’s, not one leased, sent or final',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 10_000,
      });
      const other = await s.upsertUser({
        username: 'other',
        passwordHash: 'x',
        balanceMicros: 0,
        rateMicros: 0,
      });
      const told: string[] = [];
      const notice: FinalNotice = ({ state, message: m }) => (
        told.push(`${m.id}:${state}:${m.state}`),
        { systemId: 'shop', payload: `{"state":"${state}"}` }
      );
      const waiting = msg(u.id, {
        meta: { scheduleAt: Date.now() + 3_600_000, segments: 2 },
        priceMicros: 20_000,
      });
      await s.accept(waiting);
      assert.equal(await s.getBalance(u.id), 80_000);
      assert.equal(
        (
          await s.cancel({
            id: waiting.id,
            userId: other.id,
            detail: 'canceled by the customer (test)',
            notice,
          })
        ).outcome,
        'not_found',
        'not another account’s',
      );
      assert.equal(
        (await s.cancel({ id: 'no-such-id', userId: u.id, detail: 'x', notice })).outcome,
        'not_found',
      );
      assert.equal(
        (await s.cancel({ id: waiting.id, userId: u.id, detail: 'canceled by the customer (test)', notice }))
          .outcome,
        'canceled',
      );
      const got = (await s.getMessage(waiting.id))!;
      assert.equal(got.state, 'canceled');
      assert.equal(got.error, 'canceled by the customer (test)');
      assert.deepEqual(
        (await s.history(waiting.id)).map((e) => e.state),
        ['accepted', 'queued', 'canceled'],
      );
      assert.equal(await s.getBalance(u.id), 100_000, 'the price went back');
      assert.equal(await s.queueDepth(), 0, 'out of the queue');
      assert.deepEqual(told, [`${waiting.id}:canceled:canceled`]);
      assert.deepEqual(
        (await s.claimOutbox('shop', 10, 30_000)).map((i) => i.payload),
        ['{"state":"canceled"}'],
        'the customer’s receipt is held',
      );
      assert.equal(
        (await s.cancel({ id: waiting.id, userId: u.id, detail: 'again', notice })).outcome,
        'too_late',
        'final already: once',
      );
      assert.equal(told.length, 1);

      // Leased by a dispatcher, then sent: too late both times, and nothing changes.
      const due = msg(u.id);
      await s.accept(due);
      assert.equal((await s.claim('c1', 10, 60_000)).length, 1);
      assert.equal(
        (await s.cancel({ id: due.id, userId: u.id, detail: 'x', notice })).outcome,
        'too_late',
        'in flight',
      );
      await s.markPartSent({
        id: due.id,
        seq: 1,
        total: 1,
        connectorId: 'c1',
        upstreamId: 'up-1',
        keys: messageIdKeys('up-1'),
      });
      assert.equal(
        (await s.cancel({ id: due.id, userId: u.id, detail: 'x', notice })).outcome,
        'too_late',
        'sent',
      );
      assert.equal((await s.getMessage(due.id))!.state, 'sent');
      assert.equal(await s.getBalance(u.id), 90_000);
      assert.equal(told.length, 1);
    },
  );

  withStore(
    'a lease that runs out without a release returns the message to the claim (a crashed or stuck dispatcher), counting the attempt',
    async (s) => {
      const u = await s.upsertUser({
        username: 'lease',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 0,
      });
      const m = msg(u.id);
      await s.accept(m);
      const first = await s.claim('c1', 10, 50);
      assert.deepEqual(
        first.map((c) => [c.message.id, c.attempts]),
        [[m.id, 1]],
      );
      assert.deepEqual(await s.claim('c1', 10, 50), [], 'leased: not claimable');
      await new Promise((r) => setTimeout(r, 80));
      const again = await s.claim('c1', 10, 60_000);
      assert.deepEqual(
        again.map((c) => [c.message.id, c.attempts]),
        [[m.id, 2]],
        'claimable again once the lease ran out',
      );
    },
  );

  withStore('row 24: 100 parallel sends with a balance for 50 → exactly 50, never negative', async (s) => {
    const u = await s.upsertUser({
      username: 'race',
      passwordHash: 'x',
      balanceMicros: 500_000,
      rateMicros: 10_000,
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => s.accept(msg(u.id))));
    assert.equal(results.filter((r) => r.ok).length, 50);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'insufficient_balance').length, 50);
    assert.equal(await s.getBalance(u.id), 0);
    assert.equal(await s.queueDepth(), 50);
  });

  withStore(
    'row 24 with an SMS-count quota: balance and count debited together, exactly the count, never negative',
    async (s) => {
      const u = await s.upsertUser({
        username: 'quota',
        passwordHash: 'x',
        balanceMicros: 800_000,
        rateMicros: 10_000,
        smsCount: 30,
      });
      assert.equal(u.smsCount, 30);
      const results = await Promise.all(Array.from({ length: 100 }, () => s.accept(msg(u.id))));
      assert.equal(results.filter((r) => r.ok).length, 30);
      assert.equal(results.filter((r) => !r.ok && r.reason === 'sms_quota_exhausted').length, 70);
      assert.equal((await s.getUser(u.id))!.smsCount, 0);
      assert.equal(await s.getBalance(u.id), 800_000 - 30 * 10_000, 'a refused message costs nothing');
      // A two-part message takes two from the count, and is refused whole when one is left.
      await s.setSmsQuota(u.id, 3);
      assert.deepEqual(await s.accept(msg(u.id, { meta: { segments: 2 } })), { ok: true });
      assert.deepEqual(await s.accept(msg(u.id, { meta: { segments: 2 } })), {
        ok: false,
        reason: 'sms_quota_exhausted',
      });
      assert.equal((await s.getUser(u.id))!.smsCount, 1);
      // The balance runs out before the count: the reason says which.
      const poor = await s.upsertUser({
        username: 'poor',
        passwordHash: 'x',
        balanceMicros: 5_000,
        rateMicros: 10_000,
        smsCount: 10,
      });
      assert.deepEqual(await s.accept(msg(poor.id)), { ok: false, reason: 'insufficient_balance' });
      assert.equal((await s.getUser(poor.id))!.smsCount, 10);
    },
  );

  withStore(
    'users and groups: settings stored and defaulted, balance and count kept on update, disabled group or user refused',
    async (s) => {
      const g = await s.upsertGroup({ id: 'resellers', description: 'wholesale' });
      assert.deepEqual([g.id, g.description, g.enabled], ['resellers', 'wholesale', true]);
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 10_000,
        group: 'resellers',
        smsCount: 5,
        settings: {
          authorizations: { longContent: false },
          valueFilters: { sourceAddr: '^Shop$' },
          defaults: { sourceAddr: 'Shop' },
          throughput: { smpp: 10 },
        },
      });
      assert.equal(u.group, 'resellers');
      assert.equal(u.settings.authorizations.longContent, false);
      assert.equal(u.settings.authorizations.priority, true, 'unset authorizations default to allowed');
      assert.equal(u.settings.valueFilters.sourceAddr, '^Shop$');
      assert.equal(u.settings.valueFilters.priority, '^[0-3]$');
      assert.deepEqual(u.settings.defaults, { sourceAddr: 'Shop', country: null });
      assert.deepEqual(u.settings.throughput, { http: null, smpp: 10 });
      // An update changes settings and group but never the balance or the count.
      const again = await s.upsertUser({
        username: 'shop',
        passwordHash: 'y',
        balanceMicros: 0,
        rateMicros: 20_000,
        smsCount: 0,
        settings: { authorizations: { longContent: true } },
      });
      assert.equal(again.id, u.id);
      assert.deepEqual(
        [again.balanceMicros, again.smsCount, again.rateMicros, again.group],
        [1_000_000, 5, 20_000, null],
      );
      assert.equal(again.settings.valueFilters.sourceAddr, '.*');
      assert.deepEqual((await s.getUser(u.id))?.username, 'shop');
      await s.upsertUser({
        username: 'alpha',
        passwordHash: 'x',
        balanceMicros: 0,
        rateMicros: 0,
        group: 'resellers',
      });
      assert.deepEqual(
        (await s.listUsers()).map((x) => x.username),
        ['alpha', 'shop'],
      );
      await assert.rejects(
        s.upsertUser({
          username: 'bad',
          passwordHash: 'x',
          balanceMicros: 0,
          rateMicros: 0,
          settings: { valueFilters: { content: '(' } },
        }),
        /valueFilters.content/,
      );
      await assert.rejects(
        s.upsertUser({ username: 'bad', passwordHash: 'x', balanceMicros: 0, rateMicros: 0, smsCount: -1 }),
        /smsCount/,
      );
      assert.equal(await s.getUserByName('bad'), undefined);

      await s.upsertUser({
        username: 'shop',
        passwordHash: 'y',
        balanceMicros: 0,
        rateMicros: 10_000,
        group: 'resellers',
      });
      assert.deepEqual(await s.accept(msg(u.id)), { ok: true });
      await s.upsertGroup({ id: 'resellers', enabled: false });
      assert.equal((await s.getGroup('resellers'))!.enabled, false);
      assert.equal(
        (await s.getGroup('resellers'))!.description,
        null,
        'an upsert sets the description it is given',
      );
      assert.deepEqual(await s.accept(msg(u.id)), { ok: false, reason: 'group_disabled' });
      await s.upsertGroup({ id: 'resellers', enabled: true });
      await s.upsertGroup({ id: 'other' });
      assert.deepEqual(
        (await s.listGroups()).map((x) => x.id),
        ['other', 'resellers'],
      );
      await s.upsertUser({
        username: 'shop',
        passwordHash: 'y',
        balanceMicros: 0,
        rateMicros: 10_000,
        group: 'resellers',
        enabled: false,
      });
      assert.deepEqual(await s.accept(msg(u.id)), { ok: false, reason: 'user_disabled' });
      assert.deepEqual(await s.accept(msg(999_999)), { ok: false, reason: 'no_user' });
      assert.equal((await s.getUser(u.id))!.smsCount, 4, 'only the accepted message was counted');
    },
  );

  withStore('top-up: balance and SMS count added, unlimited stays unlimited, never below zero', async (s) => {
    const u = await s.upsertUser({
      username: 'shop',
      passwordHash: 'x',
      balanceMicros: 10_000,
      rateMicros: 10_000,
      smsCount: 1,
    });
    const up = (await s.topUp(u.id, { balanceMicros: 90_000, smsCount: 9 }))!;
    assert.deepEqual([up.balanceMicros, up.smsCount], [100_000, 10]);
    await assert.rejects(s.topUp(u.id, { balanceMicros: -100_001 }), /below zero/);
    await assert.rejects(s.topUp(u.id, { balanceMicros: 5, smsCount: -11 }), /below zero/);
    assert.deepEqual(
      [(await s.getUser(u.id))!.balanceMicros, (await s.getUser(u.id))!.smsCount],
      [100_000, 10],
      'a refused top-up changes nothing',
    );
    assert.equal((await s.topUp(u.id, { balanceMicros: -50_000 }))!.balanceMicros, 50_000);
    assert.equal((await s.setSmsQuota(u.id, null))!.smsCount, null);
    assert.equal((await s.topUp(u.id, { smsCount: 5 }))!.smsCount, null, 'unlimited stays unlimited');
    assert.equal(await s.topUp(999_999, { balanceMicros: 1 }), undefined);
    await assert.rejects(s.setSmsQuota(u.id, -1), /smsCount/);
  });

  withStore(
    'scheduled messages are not due before scheduleAt; an expiry refunds the price and the SMS count',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 0,
        smsCount: 10,
      });
      const later = msg(u.id, { meta: { scheduleAt: Date.now() + 60_000 } });
      const now = msg(u.id, { meta: { scheduleAt: Date.now() - 1000, segments: 3 } });
      await s.accept(later);
      await s.accept(now);
      assert.deepEqual(
        (await s.claim('c1', 10, 60_000)).map((c) => c.message.id),
        [now.id],
        'the future one is not due',
      );
      assert.equal(await s.queueDepth('c1'), 2);
      assert.equal((await s.getUser(u.id))!.smsCount, 6);
      await s.fail({ id: now.id, state: 'expired', detail: 'validity period passed', refund: true });
      assert.equal((await s.getMessage(now.id))!.state, 'expired');
      assert.deepEqual([(await s.getUser(u.id))!.smsCount, await s.getBalance(u.id)], [9, 90_000]);
    },
  );

  withStore(
    'a back-off or a schedule keeps an entry from the claims until it is due, then it is claimed; a failover makes it due at once',
    async (s) => {
      const u = await s.upsertUser({
        username: 'q',
        passwordHash: 'x',
        balanceMicros: 10_000_000,
        rateMicros: 0,
      });
      const [long, short, now] = [msg(u.id), msg(u.id), msg(u.id)];
      for (const m of [long, short, now]) await s.accept(m);
      assert.equal((await s.claim('c1', 10, 60_000)).length, 3);
      await s.release(long.id, 600_000, 'throttled');
      await s.release(short.id, 1000, 'throttled'); // a second: the next claim comes well before it, even on a loaded machine
      await s.release(now.id, 0, 'queue full');
      assert.deepEqual(
        (await s.claim('c1', 10, 60_000)).map((c) => c.message.id),
        [now.id],
      );
      await new Promise((r) => setTimeout(r, 1100));
      assert.deepEqual(
        (await s.claim('c1', 10, 60_000)).map((c) => c.message.id),
        [short.id],
        'due again after its back-off',
      );
      assert.deepEqual(await s.claim('c1', 10, 60_000), [], 'the ten-minute back-off still waits');
      await s.reassign(long.id, 'c2', 'failover');
      assert.deepEqual(
        (await s.claim('c2', 10, 60_000)).map((c) => c.message.id),
        [long.id],
        'reassigned: due at once on the next connector',
      );
      const later = msg(u.id, { meta: { scheduleAt: Date.now() + 1000 } });
      await s.accept(later);
      assert.deepEqual(await s.claim('c1', 10, 60_000), [], 'scheduled: not yet');
      await new Promise((r) => setTimeout(r, 1100));
      assert.deepEqual(
        (await s.claim('c1', 10, 60_000)).map((c) => c.message.id),
        [later.id],
      );
    },
  );

  withStore(
    'moveQueued: a down connector’s waiting messages move along their routes in one batch; leased, part-sent, scheduled and unrouted ones stay',
    async (s) => {
      const u = await s.upsertUser({
        username: 'q',
        passwordHash: 'x',
        balanceMicros: 10_000_000,
        rateMicros: 0,
      });
      const on = (route: string | undefined, extra: Partial<NewMessage> = {}) =>
        msg(u.id, { meta: route === undefined ? {} : { route }, ...extra });
      // Each claimed alone, in turn: b stays leased, f backs off, d has its first part upstream.
      const b = on('r1');
      await s.accept(b);
      assert.deepEqual(
        (await s.claim('c1', 1, 60_000)).map((c) => c.message.id),
        [b.id],
      );
      const f = on('r1');
      await s.accept(f);
      await s.claim('c1', 1, 60_000);
      await s.release(f.id, 600_000, 'throttled');
      const d = on('r1');
      await s.accept(d);
      await s.claim('c1', 1, 60_000);
      await s.markPartSent({
        id: d.id,
        seq: 1,
        total: 2,
        connectorId: 'c1',
        upstreamId: 'up-d1',
        keys: ['up-d1'],
      });
      await s.release(d.id, 0, 'connection lost');
      const a = on('r1', { priority: 1 });
      const c = on('r2');
      const e = on('r1', { meta: { route: 'r1', scheduleAt: Date.now() + 3_600_000 } });
      const g = on(undefined);
      const h = on('r1', { connectorId: 'c2' });
      for (const m of [a, c, e, g, h]) await s.accept(m);
      const targets = [{ route: 'r1', to: 'c2', detail: 'failover from c1 (down): moved to c2' }];

      assert.deepEqual(
        await s.moveQueued({ from: 'c1', targets, limit: 1 }),
        [{ id: a.id, to: 'c2' }],
        'one batch of one: the priority message first',
      );
      assert.deepEqual(
        await s.moveQueued({ from: 'c1', targets, limit: 100 }),
        [{ id: f.id, to: 'c2' }],
        'the back-off one too; not leased b, part-sent d, scheduled e, r2’s c, unrouted g',
      );
      assert.deepEqual(await s.moveQueued({ from: 'c1', targets, limit: 100 }), [], 'nothing left to move');
      assert.equal((await s.getMessage(a.id))?.connectorId, 'c2');
      assert.equal((await s.getMessage(f.id))?.connectorId, 'c2');
      assert.equal((await s.getMessage(d.id))?.connectorId, 'c1');
      const last = (await s.history(f.id)).at(-1)!;
      assert.equal(last.state, 'queued');
      assert.equal(last.detail, 'failover from c1 (down): moved to c2');
      const claimed = await s.claim('c2', 10, 60_000);
      assert.deepEqual(
        claimed.map((x) => x.message.id).sort(),
        [a.id, f.id, h.id].sort(),
        'due at once on c2',
      );
      assert.equal(claimed.find((x) => x.message.id === f.id)?.attempts, 1, 'attempts counted afresh');
      assert.equal(await s.queueDepth('c1'), 5, 'b, c, d, e, g stay');
      assert.deepEqual(
        await s.moveQueued({ from: 'c1', targets: [{ route: 'r2', to: 'c3', detail: 'x' }], limit: 100 }),
        [{ id: c.id, to: 'c3' }],
        'per route',
      );
    },
  );

  withStore(
    'claims are leased: concurrent claimers never share a row; released rows return; priority first',
    async (s) => {
      const u = await s.upsertUser({
        username: 'q',
        passwordHash: 'x',
        balanceMicros: 10_000_000,
        rateMicros: 0,
      });
      const low = Array.from({ length: 9 }, () => msg(u.id));
      const high = msg(u.id, { priority: 3 });
      for (const m of low) await s.accept(m);
      await s.accept(high);
      const [a, b] = await Promise.all([s.claim('c1', 6, 60_000), s.claim('c1', 6, 60_000)]);
      const ids = [...a, ...b].map((c) => c.message.id);
      assert.equal(ids.length, 10);
      assert.equal(new Set(ids).size, 10, 'no row claimed twice');
      assert.ok([a[0]?.message.id, b[0]?.message.id].includes(high.id), 'the priority-3 message comes first');
      assert.deepEqual(await s.claim('c1', 10, 60_000), [], 'all leased');
      await s.release(low[0].id, 0, 'throttled');
      const again = await s.claim('c1', 10, 60_000);
      assert.deepEqual(
        again.map((c) => c.message.id),
        [low[0].id],
      );
      assert.equal(again[0].attempts, 2);
      assert.deepEqual(await s.claim('other', 10, 60_000), [], 'per connector');
      await s.reassign(low[1].id, 'other', 'failover');
      assert.deepEqual(
        (await s.claim('other', 10, 60_000)).map((c) => c.message.id),
        [low[1].id],
      );
    },
  );

  withStore(
    'sent: upstream ids match across hex/decimal renderings; parked receipts are taken once',
    async (s) => {
      const u = await s.upsertUser({
        username: 'u',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 0,
      });
      const m = msg(u.id);
      await s.accept(m);
      await s.claim('c1', 1, 60_000);
      const notice: FinalNotice = () => undefined;
      const early = await s.applyReceiptByKeys({
        keys: messageIdKeys('6699'),
        receiptId: '6699',
        state: 'delivered',
        detail: 'DELIVRD err:000',
        notice,
        park: { payload: '{"early":true}' },
      });
      assert.deepEqual(early, { parked: true }, 'no part is keyed yet: parked');
      await s.markPartSent({
        id: m.id,
        seq: 1,
        total: 1,
        connectorId: 'c1',
        upstreamId: '1A2B',
        keys: messageIdKeys('1A2B'),
      });
      assert.equal(
        (await s.findPartByUpstreamKeys(messageIdKeys('6699')))?.message.id,
        m.id,
        'decimal receipt id finds the hex resp id',
      );
      assert.equal((await s.findPartByUpstreamKeys(messageIdKeys('0001a2b')))?.message.id, m.id);
      assert.equal(await s.findPartByUpstreamKeys(messageIdKeys('ffff')), undefined);
      assert.deepEqual(await s.parkedReceipts(messageIdKeys('1A2B')), ['{"early":true}']);
      assert.equal((await s.getMessage(m.id))?.state, 'sent');
      assert.equal(await s.queueDepth(), 0);
    },
  );

  withStore('receipts: state, outbox lease, retry and ack; failure refunds', async (s) => {
    const u = await s.upsertUser({
      username: 'shop',
      passwordHash: 'x',
      balanceMicros: 100_000,
      rateMicros: 0,
    });
    const m = msg(u.id);
    await s.accept(m);
    await s.applyReceipt({
      id: m.id,
      state: 'delivered',
      detail: 'DELIVRD err:000',
      item: { systemId: 'shop', payload: '{"r":1}' },
    });
    assert.equal((await s.getMessage(m.id))?.state, 'delivered');
    const [item] = await s.claimOutbox('shop', 10, 60_000);
    assert.equal(item.payload, '{"r":1}');
    assert.deepEqual(await s.claimOutbox('shop', 10, 60_000), [], 'leased');
    await s.retryOutbox(item.id, 0);
    const [again] = await s.claimOutbox('shop', 10, 60_000);
    assert.equal(again.attempts, 2);
    await s.ackOutbox(again.id);
    await s.retryOutbox(again.id, 0);
    assert.deepEqual(await s.claimOutbox('shop', 10, 60_000), [], 'acked items are gone');
    const f = msg(u.id);
    await s.accept(f);
    assert.equal(await s.getBalance(u.id), 80_000);
    await s.fail({ id: f.id, state: 'failed', detail: 'ESME_RINVDSTADR', refund: true });
    assert.equal(await s.getBalance(u.id), 90_000);
    assert.equal((await s.getMessage(f.id))?.error, 'ESME_RINVDSTADR');
  });

  withStore(
    'message parts: keys lead to the part; aggregate state; one notify when final; unsent parts failed and refunded',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 0,
      });
      const m = msg(u.id, { priceMicros: 30_000 });
      await s.accept(m);
      await s.claim('c1', 1, 60_000);
      assert.deepEqual(await s.getParts(m.id), [], 'no parts before the first submit');
      await s.markPartSent({
        id: m.id,
        seq: 1,
        total: 3,
        connectorId: 'c1',
        upstreamId: 'A1',
        keys: messageIdKeys('A1'),
      });
      assert.deepEqual(
        (await s.getParts(m.id)).map((p) => [p.seq, p.total, p.state, p.upstreamId]),
        [
          [1, 3, 'sent', 'A1'],
          [2, 3, 'queued', null],
          [3, 3, 'queued', null],
        ],
      );
      assert.equal(await s.queueDepth('c1'), 1, 'queued until every part is submitted');
      assert.equal((await s.getMessage(m.id))?.state, 'queued');
      await s.markPartSent({
        id: m.id,
        seq: 3,
        total: 3,
        connectorId: 'c1',
        upstreamId: 'A3',
        keys: messageIdKeys('A3'),
      });
      const found = await s.findPartByUpstreamKeys(messageIdKeys('00a3'));
      assert.deepEqual(
        found && [found.message.id, found.seq],
        [m.id, 3],
        'an upstream key leads to its part',
      );
      const calls: [string, number, number][] = [];
      const notice: FinalNotice = ({ state, parts }) => {
        calls.push([state, parts.total, parts.delivered]);
        return { systemId: 'shop', payload: state };
      };
      assert.equal(
        (await s.failUnsent({ id: m.id, total: 3, detail: 'ESME_RSUBMITFAIL', refund: true, notice })).state,
        'sent',
        'parts 1 and 3 are still in flight',
      );
      assert.equal(await s.getBalance(u.id), 80_000, 'the unsent part is refunded');
      assert.equal(await s.queueDepth(), 0);
      assert.deepEqual(
        (await s.getParts(m.id)).map((p) => [p.state, p.error]),
        [
          ['sent', null],
          ['failed', 'ESME_RSUBMITFAIL'],
          ['sent', null],
        ],
      );
      assert.equal(
        (
          await s.applyPartReceipt({
            id: m.id,
            seq: 1,
            state: 'delivered',
            detail: 'DELIVRD err:000',
            notice,
          })
        ).state,
        'sent',
      );
      assert.deepEqual(calls, []);
      assert.equal(
        (
          await s.applyPartReceipt({
            id: m.id,
            seq: 3,
            state: 'delivered',
            detail: 'DELIVRD err:000',
            notice,
          })
        ).state,
        'partially_delivered',
      );
      assert.equal(
        (
          await s.applyPartReceipt({
            id: m.id,
            seq: 3,
            state: 'undelivered',
            detail: 'UNDELIV err:001',
            notice,
          })
        ).state,
        'partially_delivered',
        'a final part is left alone',
      );
      assert.deepEqual(calls, [['partially_delivered', 3, 2]], 'notified once');
      assert.deepEqual(
        (await s.claimOutbox('shop', 10, 60_000)).map((i) => i.payload),
        ['partially_delivered'],
      );
      assert.equal((await s.getMessage(m.id))?.state, 'partially_delivered');
      const h = await s.history(m.id);
      assert.deepEqual(
        h.filter((e) => e.seq === 3).map((e) => e.state),
        ['sent', 'delivered'],
      );
      assert.deepEqual(
        h.filter((e) => e.seq === 2).map((e) => e.state),
        ['failed'],
      );
      assert.deepEqual(
        h.filter((e) => e.seq === null).map((e) => e.state),
        ['accepted', 'queued', 'sent', 'partially_delivered'],
      );

      const one = msg(u.id);
      await s.accept(one);
      await s.markPartSent({
        id: one.id,
        seq: 1,
        total: 1,
        connectorId: 'c1',
        upstreamId: 'B1',
        keys: messageIdKeys('B1'),
      });
      assert.equal((await s.getMessage(one.id))?.state, 'sent');
      assert.equal((await s.getMessage(one.id))?.upstreamId, 'B1');
      assert.equal(
        (
          await s.applyPartReceipt({
            id: one.id,
            seq: 1,
            state: 'delivered',
            detail: 'DELIVRD err:000',
            notice,
          })
        ).state,
        'delivered',
      );
      assert.deepEqual(
        (await s.history(one.id)).map((e) => [e.state, e.seq]),
        [
          ['accepted', null],
          ['queued', null],
          ['sent', null],
          ['delivered', null],
        ],
        'a single part is the message',
      );
      const all = msg(u.id, { priceMicros: 20_000 });
      await s.accept(all);
      assert.equal(
        (await s.failUnsent({ id: all.id, total: 2, detail: 'ESME_RINVDSTADR', refund: true, notice })).state,
        'failed',
      );
      assert.equal(await s.getBalance(u.id), 70_000, 'nothing sent: all refunded');
    },
  );

  withStore(
    'upstream ids whose other renderings collide (hex 0b = decimal 11, hex 11) each keep their own key, in either commit order',
    async (s) => {
      const u = await s.upsertUser({
        username: 'ids',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 0,
      });
      for (const order of [
        ['00000011', '0000000b'],
        ['0000000b', '00000011'],
      ]) {
        const byId = new Map<string, string>();
        for (const up of order) {
          const m = msg(u.id);
          await s.accept(m);
          await s.markPartSent({
            id: m.id,
            seq: 1,
            total: 1,
            connectorId: 'c1',
            upstreamId: up,
            keys: messageIdKeys(up),
          });
          byId.set(up, m.id);
        }
        for (const up of order)
          assert.equal(
            (await s.findPartByUpstreamKeys(messageIdKeys(up)))?.message.id,
            byId.get(up),
            `${order.join(' then ')}: ${up}`,
          );
      }
    },
  );

  withStore(
    'a receipt is looked up and applied in one write, or parked there when its part is unknown or not its own',
    async (s) => {
      const u = await s.upsertUser({
        username: 'rcpt',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 0,
      });
      const notice: FinalNotice = ({ state }) => ({ systemId: 'shop', payload: state });
      const early = await s.applyReceiptByKeys({
        keys: messageIdKeys('C0FFEE'),
        receiptId: 'C0FFEE',
        state: 'delivered',
        detail: 'DELIVRD err:000',
        notice,
        park: { payload: '{"early":1}' },
      });
      assert.equal(early.parked, true, 'no part is keyed under C0FFEE yet');
      const m = msg(u.id);
      await s.accept(m);
      await s.markPartSent({
        id: m.id,
        seq: 1,
        total: 1,
        connectorId: 'c1',
        upstreamId: 'C0FFEE',
        keys: messageIdKeys('C0FFEE'),
      });
      assert.deepEqual(
        await s.parkedReceipts(messageIdKeys('C0FFEE')),
        ['{"early":1}'],
        'the parked receipt waits for its part',
      );
      assert.deepEqual(
        await s.parkedReceipts(messageIdKeys('C0FFEE')),
        ['{"early":1}'],
        'looking does not take it: it stays parked until applied',
      );
      const parked = { keys: messageIdKeys('C0FFEE'), payload: '{"early":1}' };
      const enroute = { id: m.id, seq: 1, state: 'sent' as const, detail: 'ENROUTE err:000', notice, parked };
      assert.equal((await s.applyPartReceipt(enroute)).state, 'sent', 'applied, and unparked');
      assert.deepEqual(await s.parkedReceipts(messageIdKeys('C0FFEE')), []);
      // A retry (its first answer lost with the connection) or a second taker: applied once only.
      assert.equal((await s.applyPartReceipt(enroute)).state, undefined, 'not parked any more: not applied');
      assert.equal(
        (await s.history(m.id)).filter((e) => e.detail === 'ENROUTE err:000').length,
        1,
        'one history entry',
      );
      assert.equal((await s.getMessage(m.id))?.state, 'sent');
      const applied = await s.applyReceiptByKeys({
        keys: messageIdKeys('c0ffee'),
        receiptId: 'c0ffee',
        state: 'delivered',
        detail: 'DELIVRD err:000',
        notice,
        park: { payload: '{}' },
      });
      assert.equal(applied.parked, false);
      assert.equal(!applied.parked && applied.match.message.id, m.id);
      assert.equal(!applied.parked && applied.state, 'delivered');
      assert.equal((await s.getMessage(m.id))?.state, 'delivered');
      assert.deepEqual(
        (await s.claimOutbox('shop', 10, 60_000)).map((i) => i.payload),
        ['delivered'],
        'the customer is told once',
      );
      const again = await s.applyReceiptByKeys({
        keys: messageIdKeys('C0FFEE'),
        receiptId: 'C0FFEE',
        state: 'undelivered',
        detail: 'UNDELIV err:001',
        notice,
        park: { payload: '{}' },
      });
      assert.equal(
        !again.parked && again.state,
        'delivered',
        'a final part is not changed by a second receipt',
      );
      // Another rendering of the id (decimal 12648430 is hex C0FFEE) finds the part, which is
      // final: not its own (domain isOwnPart), so it is parked, never applied there.
      const notOwn = await s.applyReceiptByKeys({
        keys: messageIdKeys('12648430'),
        receiptId: '12648430',
        state: 'undelivered',
        detail: 'UNDELIV err:001',
        notice,
        park: { payload: '{"not-own":1}' },
      });
      assert.equal(notOwn.parked, true, 'a part that is not its own is left alone');
      assert.equal((await s.getMessage(m.id))?.state, 'delivered');
      assert.deepEqual(await s.parkedReceipts(messageIdKeys('C0FFEE')), ['{"not-own":1}']);
    },
  );

  withStore(
    'customer outbox items past their hold time are dropped, oldest first; held ones stay and are still claimed',
    async (s) => {
      const u = await s.upsertUser({ username: 'away', passwordHash: 'x', balanceMicros: 0, rateMicros: 0 });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = newMessageId();
        ids.push(id);
        assert.ok(
          (
            await s.accept({
              id,
              userId: u.id,
              systemId: 'away',
              source: 'S',
              destination: '447700900123',
              esmClass: 0,
              dataCoding: 0,
              body: Buffer.from('x'),
              registeredDelivery: 1,
              priority: 0,
              connectorId: 'c',
              priceMicros: 0,
            })
          ).ok,
        );
        await s.applyReceipt({
          id,
          state: 'delivered',
          detail: 'DELIVRD',
          item: { systemId: 'away', payload: `{"n":${i}}` },
        });
      }
      assert.equal(await s.expireOutbox(), 0, 'within the hold time: kept');
      assert.equal(
        await s.expireOutbox(Date.now() + 4 * 86_400_000),
        3,
        'four days on: all three held items went',
      );
      assert.deepEqual(await s.claimOutbox('away', 10, 30_000), []);
      assert.equal(await s.expireOutbox(Date.now() + 4 * 86_400_000), 0, 'nothing left');
      await s.applyReceipt({
        id: ids[0],
        state: 'delivered',
        detail: 'DELIVRD',
        item: { systemId: 'away', payload: '{"late":1}' },
      });
      assert.deepEqual(
        (await s.claimOutbox('away', 10, 30_000)).map((i) => i.payload),
        ['{"late":1}'],
        'a new item is held and claimed',
      );
    },
  );

  withStore(
    'parked receipts older than the retention are dropped; younger ones stay and are still taken',
    async (s) => {
      const park = (id: string, payload: string) =>
        s.applyReceiptByKeys({
          keys: messageIdKeys(id),
          receiptId: id,
          state: 'delivered',
          detail: 'DELIVRD err:000',
          notice: () => undefined,
          park: { payload: payload },
        });
      assert.deepEqual(await park('DEAD01', '{"old":1}'), { parked: true });
      assert.equal(await s.expireParkedReceipts(60_000), 0, 'younger than a minute: kept');
      await new Promise((r) => setTimeout(r, 5));
      assert.ok((await s.expireParkedReceipts(1)) >= 1, 'older than 1 ms: dropped');
      assert.deepEqual(await s.parkedReceipts(messageIdKeys('DEAD01')), [], 'nothing left parked');
      await park('BEEF02', '{"young":1}');
      assert.equal(await s.expireParkedReceipts(60_000), 0);
      assert.deepEqual(await s.parkedReceipts(messageIdKeys('BEEF02')), ['{"young":1}']);
    },
  );

  withStore(
    'receipts that never came: waiting parts of one connector expire oldest first, once; a receipt or a newer word from the SMSC keeps a part out',
    async (s) => {
      const u = await s.upsertUser({
        username: 'dlrx',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 0,
      });
      const told: string[] = [];
      const notice: FinalNotice = ({ state, message: m }) => (
        told.push(`${m.id}:${state}`),
        { systemId: 'shop', payload: state }
      );
      const sent = async (upstreamId: string, extra: Partial<NewMessage> = {}, total = 1) => {
        const m = msg(u.id, extra);
        await s.accept(m);
        for (let seq = 1; seq <= total; seq++)
          await s.markPartSent({
            id: m.id,
            seq,
            total,
            connectorId: m.connectorId,
            upstreamId: `${upstreamId}-${seq}`,
            keys: messageIdKeys(`${upstreamId}-${seq}`),
          });
        return m;
      };
      const old = await sent('A1');
      const delivered = await sent('A2');
      await s.applyPartReceipt({
        id: delivered.id,
        seq: 1,
        state: 'delivered',
        detail: 'DELIVRD err:000',
        notice,
      });
      const otherConnector = await sent('A3', { connectorId: 'c2' });
      const multi = await sent('A4', {}, 2);
      const unknown = await sent('A5');
      await s.applyPartReceipt({
        id: unknown.id,
        seq: 1,
        state: 'unknown',
        detail: 'UNKNOWN err:000',
        notice,
      });
      await new Promise((r) => setTimeout(r, 5));
      const cutoff = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      const young = await sent('A6');
      // An intermediate receipt after the cutoff is word from the SMSC: the part waits on.
      await s.applyPartReceipt({ id: multi.id, seq: 2, state: 'sent', detail: 'ENROUTE err:000', notice });
      told.length = 0;
      const detail = 'no delivery receipt within 60 s';

      const first = await s.expireAwaitingReceipts({
        connectorId: 'c1',
        before: cutoff,
        limit: 2,
        detail,
        notice,
      });
      assert.deepEqual(
        first.map((p) => [p.id, p.seq, p.state]),
        [
          [old.id, 1, 'expired'],
          [multi.id, 1, 'sent'],
        ],
        'oldest first, at most the limit; part 2 still waits',
      );
      const rest = await s.expireAwaitingReceipts({
        connectorId: 'c1',
        before: cutoff,
        limit: 10,
        detail,
        notice,
      });
      assert.deepEqual(
        rest.map((p) => [p.id, p.seq, p.state]),
        [[unknown.id, 1, 'expired']],
        'an unknown part waits too; nothing is expired twice',
      );
      assert.deepEqual(
        await s.expireAwaitingReceipts({ connectorId: 'c1', before: cutoff, limit: 10, detail, notice }),
        [],
      );
      assert.deepEqual(
        told,
        [`${old.id}:expired`, `${unknown.id}:expired`],
        'the customer is told once per message, when it is final',
      );
      assert.equal((await s.getMessage(old.id))?.state, 'expired');
      assert.equal((await s.getMessage(old.id))?.error, detail);
      assert.deepEqual((await s.history(old.id)).map((e) => [e.state, e.detail]).at(-1), ['expired', detail]);
      assert.equal((await s.getMessage(delivered.id))?.state, 'delivered');
      assert.equal(
        (await s.getMessage(otherConnector.id))?.state,
        'sent',
        'another connector: not this sweep',
      );
      assert.equal((await s.getMessage(young.id))?.state, 'sent', 'sent after the cutoff');
      assert.deepEqual(
        (await s.getParts(multi.id)).map((p) => p.state),
        ['expired', 'sent'],
      );
      assert.equal(await s.getBalance(u.id), 1_000_000 - 6 * 10_000, 'not refunded: the SMSC accepted them');
      const c2 = await s.expireAwaitingReceipts({
        connectorId: 'c2',
        before: Date.now(),
        limit: 10,
        detail,
        notice,
      });
      assert.deepEqual(
        c2.map((p) => p.id),
        [otherConnector.id],
      );
      // A late receipt for an expired part is matched and changes nothing.
      const late = await s.applyReceiptByKeys({
        keys: messageIdKeys('A1-1'),
        receiptId: 'A1-1',
        state: 'delivered',
        detail: 'DELIVRD err:000',
        notice,
        park: { payload: '{}' },
      });
      assert.equal(!late.parked && late.state, 'expired');
    },
  );

  withStore('opt-outs are seen at once when set and when lifted', async (s) => {
    assert.equal(await s.isOptedOut('447700900123', 'Shop'), false);
    await s.setOptOut('447700900123', 'Shop', true);
    assert.equal(await s.isOptedOut('447700900123', 'Shop'), true);
    assert.equal(await s.isOptedOut('447700900123', 'Other'), false);
    await s.setOptOut('447700900123', 'Shop', false);
    assert.equal(await s.isOptedOut('447700900123', 'Shop'), false);
  });

  withStore(
    'MO parts: duplicates ignored, joined in order when complete, stale groups released incomplete',
    async (s) => {
      const rec = (routedTo: string | null) => moRecord(routedTo, (m) => JSON.stringify({ mo: m.id }));
      const part = (seq: number, key = 'g1') => ({
        groupKey: key,
        seq,
        total: 3,
        connectorId: 'c1',
        source: '4477',
        destination: '12345',
        dataCoding: 0,
        body: Buffer.from(`p${seq}`),
      });
      assert.equal(await s.addMoPart(part(3), rec('shop')), undefined);
      assert.equal(await s.addMoPart(part(1), rec('shop')), undefined);
      assert.equal(await s.addMoPart(part(1), rec('shop')), undefined, 'duplicate');
      const mo = (await s.addMoPart(part(2), rec('shop')))!.mo;
      assert.equal(mo.body.toString(), 'p1p2p3');
      assert.equal(mo.complete, true);
      assert.equal((await s.claimOutbox('shop', 10, 1000)).length, 1);
      await s.addMoPart(part(2, 'g2'), rec(null));
      const released = (await s.releaseStaleMoParts(0, () => rec(null))).map((r) => r.mo);
      assert.equal(released.length, 1);
      assert.equal(released[0].complete, false);
      assert.deepEqual((await s.listMo(10)).map((m) => m.body.toString()).sort(), ['p1p2p3', 'p2']);
    },
  );

  withStore(
    'listMo: routed (to a customer or a URL) or not, by source, destination and connector, newest first with a cursor',
    async (s) => {
      const hook =
        (url: string) =>
        (m: { id: string }): NewWebhook[] => [
          {
            eventId: newMessageId(),
            kind: 'jasmin_mo',
            messageId: m.id,
            owner: '',
            url,
            method: 'POST',
            body: '{}',
            expiresAt: Date.now() + 60_000,
          },
        ];
      const add = (
        n: number,
        routedTo: string | null,
        url?: string,
        over: { source?: string; connectorId?: string } = {},
      ) =>
        s
          .addMoPart(
            {
              groupKey: `single|${n}`,
              seq: 1,
              total: 1,
              connectorId: over.connectorId ?? 'c1',
              source: over.source ?? '447700900001',
              destination: '12345',
              dataCoding: 0,
              body: Buffer.from(`mo${n}`),
            },
            moRecord(routedTo, () => '{}', url ? hook(url) : undefined),
          )
          .then((r) => r?.mo);
      // Ids order by their millisecond only: each MO in a millisecond of its own, so that
      // "newest first" has one right answer.
      const nextMs = async () => {
        const t = Date.now();
        while (Date.now() === t) await new Promise((r) => setImmediate(r));
      };
      const user = (await add(1, 'shop'))!;
      await nextMs();
      const url = (await add(2, null, 'https://example.com/mo'))!;
      await nextMs();
      const none = (await add(3, null, undefined, { source: '447700900002' }))!;
      await nextMs();
      const none2 = (await add(4, null, undefined, { connectorId: 'c2' }))!;
      assert.equal(user.routedUrl, null);
      assert.equal(url.routedUrl, 'https://example.com/mo');
      assert.equal(none.routedUrl, null);
      const ids = async (q: Parameters<Store['listMo']>[1], limit = 10) =>
        (await s.listMo(limit, q)).map((m) => m.id);
      assert.deepEqual(await ids({}), [none2.id, none.id, url.id, user.id], 'newest first');
      assert.deepEqual(
        await ids({ routed: false }),
        [none2.id, none.id],
        'no route took them (a URL target is routed)',
      );
      assert.deepEqual(await ids({ routed: true }), [url.id, user.id]);
      assert.deepEqual(
        (await s.listMo(10, { routed: true })).map((m) => [m.routedTo, m.routedUrl]),
        [
          [null, 'https://example.com/mo'],
          ['shop', null],
        ],
      );
      assert.deepEqual(await ids({ source: '447700900002' }), [none.id]);
      assert.deepEqual(await ids({ destination: '12345', connectorId: 'c2' }), [none2.id]);
      assert.deepEqual(await ids({ destination: '99999' }), []);
      assert.deepEqual(await ids({ routed: false }, 1), [none2.id]);
      assert.deepEqual(await ids({ routed: false, before: none2.id }, 1), [none.id], 'the next page');
      assert.equal(
        (await s.claimWebhooks(10, 1000)).filter((w) => w.url === 'https://example.com/mo').length,
        1,
        'the webhook still queued with the MO',
      );
    },
  );

  withStore(
    'MO routed on the joined message: routedTo decided by a function of the whole text, outbox for that user only',
    async (s) => {
      const seen: string[] = [];
      const rec = () =>
        moRecord(
          (m) => {
            seen.push(m.body.toString());
            return m.body.toString().includes('JOIN') ? 'club' : null;
          },
          (m) => JSON.stringify({ mo: m.id, to: m.routedTo }),
        );
      const part = (seq: number, text: string, key: string) => ({
        groupKey: key,
        seq,
        total: 2,
        connectorId: 'c1',
        source: '4477',
        destination: '12345',
        dataCoding: 0,
        body: Buffer.from(text),
      });
      await s.addMoPart(part(1, 'please J', 'j1'), rec());
      const joined = (await s.addMoPart(part(2, 'OIN now', 'j1'), rec()))!.mo;
      assert.deepEqual(
        seen,
        ['please JOIN now'],
        'decided once, on the joined text (neither part alone matches)',
      );
      assert.equal(joined.routedTo, 'club');
      const [item] = await s.claimOutbox('club', 10, 1000);
      assert.equal(JSON.parse(item.payload).to, 'club');
      await s.addMoPart(part(1, 'hello', 'j2'), rec());
      const other = (await s.addMoPart(part(2, ' there', 'j2'), rec()))!.mo;
      assert.equal(other.routedTo, null);
      assert.equal(
        (await s.listMo(10)).find((m) => m.id === other.id)?.routedTo,
        null,
        'stored without a route',
      );
      await s.addMoPart(part(1, 'JOIN', 'j3'), rec());
      const [released] = (await s.releaseStaleMoParts(0, () => rec())).map((r) => r.mo);
      assert.equal(released.routedTo, 'club', 'a released incomplete MO is routed on what arrived');
      assert.equal(released.complete, false);
    },
  );

  withStore('opt-outs per number and sender; data and schema survive a reopen', async (s, reopen) => {
    await s.setOptOut('447700900123', '12345', true);
    assert.equal(await s.isOptedOut('447700900123', '12345'), true);
    assert.equal(await s.isOptedOut('447700900123', 'Other'), false);
    const u = await s.upsertUser({ username: 'keep', passwordHash: 'x', balanceMicros: 5, rateMicros: 0 });
    await s.close();
    const s2 = await reopen();
    try {
      assert.equal(await s2.isOptedOut('447700900123', '12345'), true);
      assert.equal(await s2.getBalance(u.id), 5);
      await s2.setOptOut('447700900123', '12345', false);
      assert.equal(await s2.isOptedOut('447700900123', '12345'), false);
    } finally {
      await s2.close();
    }
  });

  const hook = (messageId: string, extra: Partial<NewWebhook> = {}): NewWebhook => ({
    eventId: newMessageId(),
    kind: 'jasmin_dlr',
    messageId,
    owner: 'shop',
    url: 'http://example.com/dlr',
    method: 'POST',
    body: JSON.stringify({ id: messageId }),
    expiresAt: Date.now() + 60_000,
    ...extra,
  });

  withStore(
    'webhooks: leased, in order per message, retried with the same event id, acked, expired; survive a reopen',
    async (s, reopen) => {
      const a1 = hook('m-a');
      const a2 = hook('m-a', { body: '{"second":true}' });
      const b1 = hook('m-b', { kind: 'rest', method: 'POST' });
      await s.addWebhooks([a1, a2, b1]);
      await s.addWebhooks([a1]); // the same event again is ignored
      assert.equal(await s.webhookDepth(), 3);
      const first = await s.claimWebhooks(10, 60_000);
      assert.deepEqual(
        first.map((w) => w.eventId),
        [a1.eventId, b1.eventId],
        "a message's second event waits for its first",
      );
      assert.equal(first[0].attempts, 1);
      assert.equal(first[0].url, 'http://example.com/dlr');
      assert.equal(first[1].kind, 'rest');
      assert.deepEqual(await s.claimWebhooks(10, 60_000), [], 'leased, and a2 still waits for a1');
      await s.retryWebhook(first[0].id, 0, 'HTTP 503');
      const again = await s.claimWebhooks(10, 60_000);
      assert.deepEqual(
        again.map((w) => [w.eventId, w.attempts]),
        [[a1.eventId, 2]],
        'same event id on the retry',
      );
      await s.ackWebhook(again[0].id);
      const next = await s.claimWebhooks(10, 60_000);
      assert.deepEqual(
        next.map((w) => w.body),
        ['{"second":true}'],
      );
      await s.dropWebhook(next[0].id);
      await s.addWebhooks([hook('m-c', { expiresAt: Date.now() - 1 })]);
      assert.deepEqual(await s.claimWebhooks(10, 60_000), [], 'expired items are never claimed');
      assert.deepEqual(
        (await s.expireWebhooks()).map((w) => w.messageId),
        ['m-c'],
      );
      await s.retryWebhook(first[1].id, 60_000, 'timeout');
      await s.close();
      const s2 = await reopen();
      try {
        assert.equal(await s2.webhookDepth(), 1, 'b1 is still pending after a reopen');
        assert.deepEqual(await s2.claimWebhooks(10, 60_000), [], 'not due yet');
      } finally {
        await s2.close();
      }
    },
  );

  withStore(
    'row 1: a lease held when the store closed is freed at reopen, counted, and each such message says in its history that a resend can duplicate it',
    async (s, reopen) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 10_000,
      });
      const [held, released, sent, waiting] = [msg(u.id), msg(u.id), msg(u.id), msg(u.id)];
      for (const m of [held, released, sent]) await s.accept(m);
      assert.equal((await s.claim('c1', 10, 60_000)).length, 3);
      await s.accept(waiting);
      await s.release(released.id, 0, 'throttled');
      await s.markPartSent({
        id: sent.id,
        seq: 1,
        total: 1,
        connectorId: 'c1',
        upstreamId: 'up-1',
        keys: messageIdKeys('up-1'),
      });
      assert.equal(s.restartRequeued, 0, 'a fresh store freed nothing');
      await s.close(); // as after a crash: `held` is still claimed
      const s2 = await reopen();
      try {
        assert.equal(s2.restartRequeued, 1, 'only the message still claimed');
        const last = (await s2.history(held.id)).at(-1)!;
        assert.equal(last.state, 'queued');
        assert.equal(last.detail, RESTART_REQUEUE_DETAIL);
        for (const m of [released, sent, waiting])
          assert.ok(
            !(await s2.history(m.id)).some((e) => e.detail === RESTART_REQUEUE_DETAIL),
            'only the one that was claimed',
          );
        assert.deepEqual(
          (await s2.claim('c1', 10, 60_000)).map((c) => c.message.id).sort(),
          [held.id, released.id, waiting.id].sort(),
          'it is due again at once',
        );
        await s2.release(held.id, 0, 'x');
        await s2.release(released.id, 0, 'x');
        await s2.release(waiting.id, 0, 'x');
      } finally {
        await s2.close();
      }
      const s3 = await reopen();
      try {
        assert.equal(s3.restartRequeued, 0, 'a stop with nothing claimed reports nothing');
      } finally {
        await s3.close();
      }
    },
  );

  withStore(
    "webhooks: a retry's back-off holds the message's later items too; claims take the earliest due first",
    async (s) => {
      const a1 = hook('m-a');
      const a2 = hook('m-a', { body: '{"second":true}' });
      const b1 = hook('m-b');
      await s.addWebhooks([a1, a2]);
      const [first] = await s.claimWebhooks(10, 60_000);
      assert.equal(first.eventId, a1.eventId);
      await s.retryWebhook(first.id, 60_000, 'HTTP 503');
      const held = (await s.listPendingWebhooks(10)).find((w) => w.eventId === a2.eventId)!;
      assert.ok(
        held.nextAt >= Date.now() + 50_000,
        `the later item waits out the back-off too (next at +${held.nextAt - Date.now()} ms)`,
      );
      await s.addWebhooks([b1]);
      assert.deepEqual(
        (await s.claimWebhooks(10, 60_000)).map((w) => w.eventId),
        [b1.eventId],
        'only what is due',
      );
      await s.retryWebhook(first.id, 0, 'HTTP 503'); // due again now: a shorter back-off does not pull later items forward
      assert.deepEqual(
        (await s.claimWebhooks(10, 60_000)).map((w) => w.eventId),
        [a1.eventId],
      );
    },
  );

  withStore(
    'webhooks: an MO webhook commits with the MO; one requested with a state change in the same turn commits with it',
    async (s) => {
      const rec = moRecord(
        null,
        () => '{}',
        (m) => [hook(m.id, { kind: 'jasmin_mo' })],
      );
      const mo = (await s.addMoPart(
        {
          groupKey: 'single',
          seq: 1,
          total: 1,
          connectorId: 'c1',
          source: '4477',
          destination: '12345',
          dataCoding: 0,
          body: Buffer.from('hi'),
        },
        rec,
      ))!.mo;
      const u = await s.upsertUser({
        username: 'w',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 0,
      });
      const m = msg(u.id);
      await s.accept(m);
      await Promise.all([
        s.applyReceipt({ id: m.id, state: 'delivered', detail: 'DELIVRD err:000' }),
        s.addWebhooks([hook(m.id)]),
      ]);
      const items = await s.claimWebhooks(10, 60_000);
      assert.deepEqual(
        items.map((w) => [w.kind, w.messageId]).sort(),
        [
          ['jasmin_dlr', m.id],
          ['jasmin_mo', mo.id],
        ].sort(),
      );
    },
  );

  withStore(
    'listMessages: newest first, per user, filters, and a cursor that stays stable across inserts',
    async (s) => {
      const u = await s.upsertUser({
        username: 'lister',
        passwordHash: 'x',
        balanceMicros: 10_000_000,
        rateMicros: 0,
      });
      const other = await s.upsertUser({
        username: 'other',
        passwordHash: 'x',
        balanceMicros: 10_000_000,
        rateMicros: 0,
      });
      const t0 = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const m = msg(u.id, {
          id: newMessageId(t0 + i),
          destination: i % 2 ? '447700900001' : '447700900002',
          meta: { clientRef: `ref${i}`, tags: i < 2 ? ['promo', 'x'] : ['otp'] },
        });
        await s.accept(m);
        ids.push(m.id);
      }
      await s.accept(msg(other.id));
      const page1 = await s.listMessages({ userId: u.id, limit: 2 });
      assert.deepEqual(
        page1.map((m) => m.id),
        [ids[4], ids[3]],
      );
      // A newer message arrives between pages: the next page is unaffected.
      await s.accept(msg(u.id, { id: newMessageId(t0 + 10) }));
      const page2 = await s.listMessages({ userId: u.id, limit: 2, before: page1[1].id });
      assert.deepEqual(
        page2.map((m) => m.id),
        [ids[2], ids[1]],
      );
      const page3 = await s.listMessages({ userId: u.id, limit: 2, before: page2[1].id });
      assert.deepEqual(
        page3.map((m) => m.id),
        [ids[0]],
      );
      assert.deepEqual(
        (await s.listMessages({ userId: u.id, limit: 10, destination: '447700900001' })).map((m) => m.id),
        [ids[3], ids[1]],
      );
      assert.deepEqual(
        (await s.listMessages({ userId: u.id, limit: 10, clientRef: 'ref2' })).map((m) => m.id),
        [ids[2]],
      );
      assert.deepEqual(
        (await s.listMessages({ userId: u.id, limit: 10, tag: 'promo' })).map((m) => m.id),
        [ids[1], ids[0]],
      );
      assert.equal((await s.listMessages({ userId: u.id, limit: 10, state: 'queued' })).length, 6);
      assert.equal((await s.listMessages({ userId: u.id, limit: 10, state: 'delivered' })).length, 0);
      assert.equal((await s.listMessages({ userId: other.id, limit: 10 })).length, 1);
      const created = (await s.getMessage(ids[0]))!.createdAt;
      assert.equal(
        (await s.listMessages({ userId: u.id, limit: 10, since: created + 86_400_000 })).length,
        0,
      );
      assert.equal((await s.listMessages({ userId: u.id, limit: 10, until: created })).length, 0);
      assert.equal(
        (await s.listMessages({ userId: u.id, limit: 10, since: created, until: created + 86_400_000 }))
          .length,
        6,
      );
      assert.deepEqual(
        (await s.listMessages({ userId: u.id, limit: 2, after: ids[1] })).map((m) => m.id),
        [ids[2], ids[3]],
        'after: oldest first',
      );
      assert.equal((await s.listMessages({ limit: 100 })).length, 7, 'every user');
      assert.equal((await s.listMessages({ limit: 100, connectorId: 'c1' })).length, 7);
      assert.equal((await s.listMessages({ limit: 100, connectorId: 'other' })).length, 0);
    },
  );

  withStore('API keys: stored by hash, belong to a user; adding twice is harmless', async (s) => {
    const u = await s.upsertUser({ username: 'keyed', passwordHash: 'x', balanceMicros: 0, rateMicros: 0 });
    await s.addApiKey(u.id, 'hash-1', 'first');
    await s.addApiKey(u.id, 'hash-1', 'again');
    assert.equal((await s.getUserByApiKey('hash-1'))?.username, 'keyed');
    assert.equal(await s.getUserByApiKey('hash-2'), undefined);
  });

  withStore(
    'API keys: listed by id with label and creation time (never the hash); revoked at once, for good, only by their owner',
    async (s, reopen) => {
      const u = await s.upsertUser({ username: 'keyed', passwordHash: 'x', balanceMicros: 0, rateMicros: 0 });
      const other = await s.upsertUser({
        username: 'other',
        passwordHash: 'x',
        balanceMicros: 0,
        rateMicros: 0,
      });
      const before = Date.now();
      const a = await s.addApiKey(u.id, 'hash-a', 'ci');
      const b = await s.addApiKey(u.id, 'hash-b');
      await s.addApiKey(other.id, 'hash-o', 'theirs');
      assert.equal(a.userId, u.id);
      assert.equal(a.label, 'ci');
      assert.equal(b.label, null);
      assert.ok(a.createdAt >= before && a.createdAt <= Date.now());
      assert.equal(a.revokedAt, null);
      assert.ok(b.id > a.id, 'ids follow creation');
      assert.deepEqual(await s.addApiKey(u.id, 'hash-a', 'again'), a, 'the same hash again: the stored key');
      assert.deepEqual(await s.listApiKeys(u.id), [a, b]);
      assert.ok(!JSON.stringify(await s.listApiKeys(u.id)).includes('hash-'), 'the hash is never listed');

      assert.equal(await s.revokeApiKey(other.id, a.id), undefined, "not another user's key");
      assert.equal((await s.getUserByApiKey('hash-a'))?.username, 'keyed');
      const revoked = (await s.revokeApiKey(u.id, a.id))!;
      assert.equal(revoked.id, a.id);
      assert.ok(revoked.revokedAt !== null && revoked.revokedAt >= a.createdAt);
      assert.equal(await s.getUserByApiKey('hash-a'), undefined, 'refused at once');
      assert.equal(await s.revokeApiKey(u.id, a.id), undefined, 'revoked already');
      assert.deepEqual(
        (await s.listApiKeys(u.id)).map((k) => k.id),
        [b.id],
      );
      assert.equal((await s.getUserByApiKey('hash-b'))?.username, 'keyed');
      // Added again (the configuration at the next start): it stays revoked.
      assert.equal((await s.addApiKey(u.id, 'hash-a', 'config')).revokedAt, revoked.revokedAt);
      assert.equal(await s.getUserByApiKey('hash-a'), undefined);
      const s2 = await reopen();
      assert.equal(await s2.getUserByApiKey('hash-a'), undefined, 'revocation is durable');
      assert.deepEqual(
        (await s2.listApiKeys(u.id)).map((k) => k.id),
        [b.id],
      );
      assert.equal(await s2.revokeApiKey(u.id, 999_999), undefined);
    },
  );

  withStore(
    'idempotency records: new, in flight, mismatch, replay, abandon, expiry; concurrent begins → one new',
    async (s) => {
      const begins = await Promise.all(
        Array.from({ length: 5 }, () =>
          s.beginIdempotent({ userId: 1, key: 'k1', bodyHash: 'h1', ttlMs: 60_000, staleMs: 60_000 }),
        ),
      );
      assert.equal(begins.filter((b) => b.kind === 'new').length, 1);
      assert.equal(begins.filter((b) => b.kind === 'in_flight').length, 4);
      assert.deepEqual(
        await s.beginIdempotent({ userId: 1, key: 'k1', bodyHash: 'h2', ttlMs: 60_000, staleMs: 60_000 }),
        { kind: 'mismatch' },
      );
      await s.finishIdempotent({ userId: 1, key: 'k1', status: 202, response: '{"id":"x"}' });
      assert.deepEqual(
        await s.beginIdempotent({ userId: 1, key: 'k1', bodyHash: 'h1', ttlMs: 60_000, staleMs: 60_000 }),
        {
          kind: 'replay',
          status: 202,
          response: '{"id":"x"}',
        },
      );
      assert.deepEqual(
        await s.beginIdempotent({ userId: 2, key: 'k1', bodyHash: 'h1', ttlMs: 60_000, staleMs: 60_000 }),
        { kind: 'new' },
        'keys are per user',
      );
      await s.abandonIdempotent(2, 'k1');
      assert.deepEqual(
        await s.beginIdempotent({ userId: 2, key: 'k1', bodyHash: 'h9', ttlMs: 60_000, staleMs: 60_000 }),
        { kind: 'new' },
        'abandoned: free again',
      );
      assert.deepEqual(
        await s.beginIdempotent({ userId: 3, key: 'k', bodyHash: 'h', ttlMs: 0, staleMs: 60_000 }),
        { kind: 'new' },
      );
      assert.deepEqual(
        await s.beginIdempotent({ userId: 3, key: 'k', bodyHash: 'other', ttlMs: 60_000, staleMs: 60_000 }),
        { kind: 'new' },
        'an expired record is taken over',
      );
      assert.deepEqual(
        await s.beginIdempotent({ userId: 4, key: 'k', bodyHash: 'h', ttlMs: 60_000, staleMs: 60_000 }),
        { kind: 'new' },
      );
      assert.deepEqual(
        await s.beginIdempotent({ userId: 4, key: 'k', bodyHash: 'h', ttlMs: 60_000, staleMs: -1 }),
        { kind: 'new' },
        'a stale unfinished record is taken over',
      );
    },
  );

  withStore('listMo filters by customer and pages by id; ping commits a write', async (s) => {
    const rec = (routedTo: string | null) => moRecord(routedTo);
    const one = (n: number) => ({
      groupKey: `single|${n}`,
      seq: 1,
      total: 1,
      connectorId: 'c1',
      source: '4477',
      destination: '12345',
      dataCoding: 0,
      body: Buffer.from(`m${n}`),
    });
    const a = (await s.addMoPart(one(1), rec('shop')))!.mo;
    await new Promise((r) => setTimeout(r, 2));
    const b = (await s.addMoPart(one(2), rec('shop')))!.mo;
    await s.addMoPart(one(3), rec('elsewhere'));
    assert.deepEqual(
      (await s.listMo(10, { routedTo: 'shop' })).map((m) => m.id),
      [b.id, a.id],
    );
    assert.deepEqual(
      (await s.listMo(10, { routedTo: 'shop', before: b.id })).map((m) => m.id),
      [a.id],
    );
    assert.equal((await s.listMo(10)).length, 3);
    await s.ping();
  });

  withStore(
    'admin: listUsers by name; a top-up adds, takes away, never below zero, unknown user',
    async (s) => {
      const b = await s.upsertUser({
        username: 'bravo',
        passwordHash: 'x',
        balanceMicros: 1_000,
        rateMicros: 10,
      });
      await s.upsertUser({
        username: 'alpha',
        passwordHash: 'y',
        balanceMicros: 0,
        rateMicros: 20,
        enabled: false,
      });
      assert.deepEqual(
        (await s.listUsers()).map((u) => [u.username, u.enabled]),
        [
          ['alpha', false],
          ['bravo', true],
        ],
      );
      assert.equal((await s.topUp(b.id, { balanceMicros: 5_000 }))?.balanceMicros, 6_000);
      assert.equal((await s.topUp(b.id, { balanceMicros: -2_000 }))?.balanceMicros, 4_000);
      await assert.rejects(s.topUp(b.id, { balanceMicros: -4_001 }), InvalidAccountError);
      assert.equal(await s.getBalance(b.id), 4_000);
      assert.equal(await s.topUp(999_999, { balanceMicros: 1 }), undefined);
    },
  );

  withStore(
    'admin: listMessages filters and pages newest first by id cursor; after follows oldest first; counts',
    async (s) => {
      const u = await s.upsertUser({
        username: 'lister',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 0,
      });
      const v = await s.upsertUser({
        username: 'other',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 0,
      });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const m = msg(i === 4 ? v.id : u.id, {
          id: newMessageId(Date.now() + i),
          connectorId: i % 2 ? 'c2' : 'c1',
          destination: `4477009001${i}0`,
        });
        ids.push(m.id);
        assert.deepEqual(await s.accept(m), { ok: true });
      }
      const page1 = await s.listMessages({ limit: 2 });
      assert.deepEqual(
        page1.map((m) => m.id),
        [ids[4], ids[3]],
      );
      const page2 = await s.listMessages({ limit: 2, before: page1[1].id });
      assert.deepEqual(
        page2.map((m) => m.id),
        [ids[2], ids[1]],
      );
      assert.deepEqual(
        (await s.listMessages({ limit: 10, connectorId: 'c2' })).map((m) => m.id),
        [ids[3], ids[1]],
      );
      assert.deepEqual(
        (await s.listMessages({ limit: 10, userId: v.id })).map((m) => m.id),
        [ids[4]],
      );
      assert.deepEqual(
        (await s.listMessages({ limit: 10, destination: '447700900120' })).map((m) => m.id),
        [ids[2]],
      );
      assert.deepEqual(
        (await s.listMessages({ limit: 10, after: ids[2] })).map((m) => m.id),
        [ids[3], ids[4]],
      );
      await s.fail({ id: ids[0], state: 'failed', detail: 'test', refund: false });
      assert.deepEqual(
        (await s.listMessages({ limit: 10, state: 'failed' })).map((m) => m.id),
        [ids[0]],
      );
      assert.deepEqual(await s.countMessages(), [
        { connectorId: 'c1', state: 'failed', count: 1 },
        { connectorId: 'c1', state: 'queued', count: 2 },
        { connectorId: 'c2', state: 'queued', count: 2 },
      ]);
    },
  );

  withStore('admin: listOptOuts by number and sender; countMo', async (s) => {
    await s.setOptOut('447700900222', 'Shop', true);
    await s.setOptOut('447700900111', 'Shop', true);
    await s.setOptOut('447700900111', 'Bank', true);
    assert.deepEqual(
      (await s.listOptOuts({ limit: 10 })).map((o) => [o.msisdn, o.sender]),
      [
        ['447700900111', 'Bank'],
        ['447700900111', 'Shop'],
        ['447700900222', 'Shop'],
      ],
    );
    assert.deepEqual(
      (await s.listOptOuts({ limit: 10, msisdn: '447700900222' })).map((o) => o.sender),
      ['Shop'],
    );
    assert.equal((await s.listOptOuts({ limit: 1 })).length, 1);
    assert.equal(typeof (await s.listOptOuts({ limit: 1 }))[0].at, 'number');
    assert.equal(await s.countMo(), 0);
    await s.addMoPart(
      {
        groupKey: 'single|x',
        seq: 1,
        total: 1,
        connectorId: 'c1',
        source: '4477',
        destination: '12345',
        dataCoding: 0,
        body: Buffer.from('hi'),
      },
      moRecord(null),
    );
    assert.equal(await s.countMo(), 1);
  });

  withStore(
    'operator views: oldest due queue entry per connector (scheduled ones not yet due are left out)',
    async (s) => {
      const u = await s.upsertUser({
        username: 'ops',
        passwordHash: 'x',
        balanceMicros: 1_000_000,
        rateMicros: 10_000,
      });
      assert.deepEqual(await s.queueOldestDue(), []);
      const before = Date.now();
      await s.accept(msg(u.id));
      const firstAccepted = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      await s.accept(msg(u.id));
      await s.accept(msg(u.id, { connectorId: 'c2', meta: { scheduleAt: before + 60_000 } }));
      const due = await s.queueOldestDue();
      assert.deepEqual(
        due.map((d) => d.connectorId),
        ['c1'],
        'c2 holds only a message scheduled for later',
      );
      assert.ok(
        due[0].dueAt >= before && due[0].dueAt <= firstAccepted,
        'the first (older) entry, not the second',
      );
    },
  );

  withStore(
    'operator views: oldest due entry per connector, exact across connectors; an entry pushed back (retry, schedule) or sent leaves its place to the next',
    async (s) => {
      const u = await s.upsertUser({
        username: 'ops',
        passwordHash: 'x',
        balanceMicros: 10_000_000,
        rateMicros: 10_000,
      });
      const pause = () => new Promise((r) => setTimeout(r, 15));
      const accepted = new Map<string, { from: number; to: number }>(); // message id → when its accept ran
      const accept = async (connectorId: string, extra: Partial<NewMessage> = {}) => {
        const m = msg(u.id, { connectorId, ...extra });
        const from = Date.now();
        assert.deepEqual(await s.accept(m), { ok: true });
        accepted.set(m.id, { from, to: Date.now() });
        await pause();
        return m.id;
      };
      const within = (dueAt: number, id: string, what: string) => {
        const t = accepted.get(id)!;
        assert.ok(
          dueAt >= t.from && dueAt <= t.to,
          `${what}: ${dueAt} is the accept time of ${id} (${t.from}..${t.to})`,
        );
      };
      // Interleaved connectors; ids chosen so that their order is not their accept order.
      const b1 = await accept('b');
      const a1 = await accept('a', { priority: 3 });
      await accept('b', { priority: 1 });
      const a2 = await accept('a');
      const z1 = await accept('z');
      await accept('m', { meta: { scheduleAt: Date.now() + 60_000 } });
      let due = await s.queueOldestDue();
      assert.deepEqual(
        due.map((d) => d.connectorId),
        ['a', 'b', 'z'],
        'sorted by connector; m holds only a message scheduled for later',
      );
      within(due[0].dueAt, a1, 'a');
      within(due[1].dueAt, b1, 'b');
      within(due[2].dueAt, z1, 'z');

      await s.release(a1, 60_000, 'throttled'); // a's oldest now waits a minute: a2 is the oldest due
      await s.markPartSent({
        id: z1,
        seq: 1,
        total: 1,
        connectorId: 'z',
        upstreamId: 'up-z1',
        keys: messageIdKeys('up-z1'),
      }); // z's only entry left the queue
      due = await s.queueOldestDue();
      assert.deepEqual(
        due.map((d) => d.connectorId),
        ['a', 'b'],
      );
      within(due[0].dueAt, a2, 'a after its oldest was pushed back');
      within(due[1].dueAt, b1, 'b unchanged');
      await s.release(a2, 60_000, 'throttled');
      assert.deepEqual(
        (await s.queueOldestDue()).map((d) => d.connectorId),
        ['b'],
        'nothing of a is due any more',
      );
    },
  );

  withStore(
    'operator views: pending webhooks with attempts and next try; the delivery log newest first, by message, pruned by count and age',
    async (s) => {
      const hook = (messageId: string, eventId: string): NewWebhook => ({
        eventId,
        kind: 'rest',
        messageId,
        owner: 'shop',
        url: 'http://127.0.0.1:9/cb',
        method: 'POST',
        body: '{}',
        expiresAt: Date.now() + 60_000,
      });
      await s.addWebhooks([hook('m1', 'e1'), hook('m2', 'e2')]);
      const [claimed] = await s.claimWebhooks(1, 10_000);
      await s.retryWebhook(claimed.id, 30_000, 'HTTP 500');
      const pending = await s.listPendingWebhooks(10);
      assert.deepEqual(
        pending.map((p) => [p.eventId, p.attempts, p.lastError]),
        [
          ['e1', 1, 'HTTP 500'],
          ['e2', 0, null],
        ],
      );
      assert.ok(pending[0].nextAt >= Date.now() + 20_000, 'the retry is due later');
      assert.equal((await s.listPendingWebhooks(1)).length, 1);

      const at = Date.now();
      await s.logWebhookAttempts([
        {
          eventId: 'e1',
          messageId: 'm1',
          url: 'http://a/',
          attempt: 1,
          status: 500,
          error: null,
          durationMs: 12.4,
          at: at - 100_000,
        },
        {
          eventId: 'e1',
          messageId: 'm1',
          url: 'http://a/',
          attempt: 2,
          status: null,
          error: 'ECONNREFUSED',
          durationMs: 3,
          at: at - 50_000,
        },
        {
          eventId: 'e2',
          messageId: 'm2',
          url: 'http://b/',
          attempt: 1,
          status: 204,
          error: null,
          durationMs: 7,
          at,
        },
      ]);
      const all = await s.listWebhookLog({ limit: 10 });
      assert.deepEqual(
        all.map((e) => [e.eventId, e.attempt, e.status, e.error]),
        [
          ['e2', 1, 204, null],
          ['e1', 2, null, 'ECONNREFUSED'],
          ['e1', 1, 500, null],
        ],
      );
      assert.equal(all[2].durationMs, 12);
      assert.equal(all[2].at, at - 100_000);
      assert.deepEqual(
        (await s.listWebhookLog({ messageId: 'm1', limit: 1 })).map((e) => e.attempt),
        [2],
      );
      assert.equal(await s.pruneWebhookLog({ olderThan: at - 60_000 }), 1);
      assert.equal(await s.pruneWebhookLog({ keep: 1 }), 1);
      assert.deepEqual(
        (await s.listWebhookLog({ limit: 10 })).map((e) => e.eventId),
        ['e2'],
      );
      assert.equal(await s.pruneWebhookLog({ keep: 5, olderThan: 0 }), 0);
    },
  );

  withStore(
    'connector definitions and the route list: stored in order, replaced in place, tombstoned, forgotten; kept across a reopen',
    async (s, reopen) => {
      assert.deepEqual(await s.listConnectorDefinitions(), []);
      assert.equal(await s.getRouteDefinitions(), undefined);
      const before = Date.now();
      await s.putConnectorDefinition('b', { type: 'simulator', latencyMs: { min: 0, max: 0 } }, 'config');
      await s.putConnectorDefinition(
        'a',
        { type: 'smpp', host: 'smsc.example', port: 2775, systemId: 'hermod', password: 'pw' },
        'config',
      );
      await s.putConnectorDefinition('c', { type: 'simulator' }, 'api');
      // A replacement keeps its place; the definition comes back with its keys in the written order.
      await s.putConnectorDefinition(
        'b',
        { type: 'simulator', throttle: 5, latencyMs: { min: 1, max: 2 } },
        'api',
      );
      await s.putConnectorDefinition('a', null, 'api');
      const rows = await s.listConnectorDefinitions();
      assert.deepEqual(
        rows.map((r) => [r.id, r.source]),
        [
          ['b', 'api'],
          ['a', 'api'],
          ['c', 'api'],
        ],
      );
      assert.deepEqual(rows[0].definition, { type: 'simulator', throttle: 5, latencyMs: { min: 1, max: 2 } });
      assert.deepEqual(Object.keys(rows[0].definition!), ['type', 'throttle', 'latencyMs']);
      assert.equal(rows[1].definition, null, 'a tombstone');
      assert.ok(rows.every((r) => r.updatedAt >= before && r.updatedAt <= Date.now()));
      assert.equal(await s.deleteConnectorDefinition('c'), true);
      assert.equal(await s.deleteConnectorDefinition('c'), false);

      const routes = [
        { name: 'it', prefixes: ['39'], type: 'failover', connectors: ['b', 'a'], costs: {} },
        {
          name: 'default',
          prefixes: [],
          type: 'static',
          connectors: ['b'],
          costs: {},
          timeWindow: { hours: '08:00-20:00' },
        },
      ];
      await s.putRouteDefinitions(routes, 'config');
      assert.deepEqual(await s.getRouteDefinitions().then((r) => [r?.routes, r?.source]), [routes, 'config']);
      await s.putRouteDefinitions(routes.slice(1), 'api');
      const again = await reopen();
      try {
        assert.deepEqual(
          (await again.listConnectorDefinitions()).map((r) => [r.id, r.source, r.definition === null]),
          [
            ['b', 'api', false],
            ['a', 'api', true],
          ],
        );
        const stored = await again.getRouteDefinitions();
        assert.deepEqual([stored?.routes, stored?.source], [routes.slice(1), 'api']);
      } finally {
        await again.close();
      }
      await s.putRouteDefinitions([], 'api');
      assert.deepEqual(
        (await s.getRouteDefinitions())?.routes,
        [],
        'an empty list is a list, not "none stored"',
      );

      // The MO route list is a list of its own.
      assert.equal(
        await s.getRouteDefinitions('mo'),
        undefined,
        'no MO list stored yet, although an MT list is',
      );
      const mo = [
        {
          name: 'replies',
          prefixes: ['3600'],
          originConnectors: ['b'],
          url: 'https://example.com/mo',
          method: 'POST',
        },
      ];
      await s.putRouteDefinitions(mo, 'api', 'mo');
      assert.deepEqual(await s.getRouteDefinitions('mo').then((r) => [r?.routes, r?.source]), [mo, 'api']);
      assert.deepEqual((await s.getRouteDefinitions('mt'))?.routes, [], 'the MT list is untouched');
    },
  );

  withStore(
    'an MMS sent as an SMS with links says so in its accepted history entry; an SMS says nothing',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 10_000,
      });
      const linked = [{ id: newMediaId(), contentType: 'image/png', size: 68 }];
      const m = msg(u.id, { meta: { origin: 'rest', fallback: 'sms_link', linkedMedia: linked } });
      assert.deepEqual(await s.accept(m), { ok: true });
      const [accepted] = await s.history(m.id);
      assert.equal(accepted.state, 'accepted');
      assert.match(accepted.detail ?? '', /^MMS sent as an SMS with 1 media link/);
      assert.deepEqual((await s.getMessage(m.id))!.meta.linkedMedia, linked);
      const sms = msg(u.id);
      await s.accept(sms);
      assert.equal((await s.history(sms.id))[0].detail, null);
    },
  );

  withStore(
    'purgeMedia: old items not named by a queued message go; the bytes no item references are answered',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 0,
      });
      const item = (sha: string, createdAt: number) => ({
        id: newMediaId(),
        userId: u.id,
        sha256: sha.repeat(64),
        contentType: 'image/png',
        size: 68,
        createdAt,
      });
      const shared = item('a', 1_000);
      const unique = item('b', 1_000);
      const named = item('c', 1_000);
      const fresh = item('a', 9_000);
      for (const m of [shared, unique, named, fresh]) await s.addMedia(m);
      const ref = { id: named.id, contentType: 'image/png', size: 68 };
      await s.accept(msg(u.id, { meta: { origin: 'rest', media: [ref] } }));
      const r = await s.purgeMedia({ before: 5_000, limit: 100 });
      assert.equal(r.deleted, 2);
      assert.deepEqual(r.unreferenced, ['b'.repeat(64)], "a's bytes are still the fresh item's");
      assert.equal(await s.getMedia(shared.id), undefined);
      assert.equal(await s.getMedia(unique.id), undefined);
      assert.ok(await s.getMedia(named.id), 'named by a queued message: kept');
      assert.ok(await s.getMedia(fresh.id));
      assert.deepEqual(await s.purgeMedia({ before: 5_000, limit: 100 }), { deleted: 0, unreferenced: [] });
    },
  );

  withStore(
    'media: an item is recorded and read back; an MO part keeps its media through the join',
    async (s) => {
      const item = {
        id: newMediaId(),
        userId: null,
        sha256: 'a'.repeat(64),
        contentType: 'image/png',
        size: 68,
        filename: 'dot.png',
        createdAt: 1_700_000_000_000,
      };
      await s.addMedia(item);
      assert.deepEqual(await s.getMedia(item.id), item);
      assert.equal(await s.getMedia(newMediaId()), undefined);
      await assert.rejects(s.addMedia(item), 'an id is recorded once');
      const media = [{ id: item.id, contentType: 'image/png', size: 68, filename: 'dot.png' }];
      const stored = await s.addMoPart(
        {
          groupKey: 'mms-1',
          seq: 1,
          total: 1,
          connectorId: 'mmsc',
          source: '4477',
          destination: '12345',
          dataCoding: 8,
          body: Buffer.from('\u0000h\u0000i'),
          media,
        },
        moRecord(null),
      );
      assert.deepEqual(stored?.mo.media, media);
      const [listed] = await s.listMo(1);
      assert.deepEqual(listed.media, media);
      await s.addMoPart(
        {
          groupKey: 'sms-1',
          seq: 1,
          total: 1,
          connectorId: 'c1',
          source: '1',
          destination: '2',
          dataCoding: 0,
          body: Buffer.from('x'),
        },
        moRecord(null),
      );
      const [sms] = await s.listMo(1);
      assert.equal(sms.media, undefined, 'an SMS has no media field');
      assert.equal(sms.subject, undefined, 'nor a subject');
    },
  );

  mmsResendContract(withStore);

  withStore('an inbound MMS keeps its subject through the join (mo_parts → mo)', async (s) => {
    const stored = await s.addMoPart(
      {
        groupKey: 'mms-subject',
        seq: 1,
        total: 1,
        connectorId: 'mmsc',
        source: '4477',
        destination: '12345',
        dataCoding: 8,
        body: Buffer.from('\u0000h\u0000i'),
        media: [{ id: newMediaId(), contentType: 'image/gif', size: 43 }],
        subject: 'Holiday — Ferien',
      },
      moRecord(null),
    );
    assert.equal(stored?.mo.subject, 'Holiday — Ferien');
    const [listed] = await s.listMo(1);
    assert.equal(listed.subject, 'Holiday — Ferien');
  });
}
