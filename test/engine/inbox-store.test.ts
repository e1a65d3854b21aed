// InboxStore and KeywordStore contract, on SQLite and PostgreSQL: the follower's lease and
// cursor, conversations over the core's mo and messages tables (unread, last message,
// contact name, keyset pages, scoping), hits recorded once with their votes and replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { newMessageId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { INBOX_FOLLOWER, type KeywordHit } from '../../src/store/engine-store/index.js';
import { BACKENDS, openBackend } from './backends.js';

/** An MO from `from` to `to`, routed to `user` (stored as the gateway stores one). */
async function mo(
  store: Store,
  from: string,
  to: string,
  text: string,
  user: string | null,
): Promise<string> {
  const id = newMessageId();
  await store.addMoPart(
    {
      groupKey: `single|${id}`,
      seq: 1,
      total: 1,
      connectorId: 'sim',
      source: from,
      destination: to,
      dataCoding: 0,
      body: Buffer.from(text),
    },
    { id, route: () => ({ routedTo: user, webhooks: [] }) },
  );
  await sleep(3); // distinct received_at, so the expected order is the only one
  return id;
}

/** An MT the account sent (stored as accept stores one). */
async function mt(store: Store, userId: number, from: string, to: string, text: string): Promise<string> {
  const id = newMessageId();
  await store.accept({
    id,
    userId,
    systemId: 'shop',
    source: from,
    destination: to,
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from(text),
    registeredDelivery: 0,
    priority: 0,
    connectorId: 'sim',
    priceMicros: 0,
    meta: { segments: 1 },
  });
  await sleep(3);
  return id;
}

for (const name of BACKENDS) {
  test(`${name}: the follower's lease: one holder at a time, a write after losing it keeps nothing`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { inbox } = b.stores;
    const f = INBOX_FOLLOWER;
    assert.deepEqual(await inbox.claimFollower({ follower: f, holder: 'a', leaseMs: 1000, now: 1000 }), {
      position: 0,
    });
    assert.equal(
      await inbox.claimFollower({ follower: f, holder: 'b', leaseMs: 1000, now: 1500 }),
      undefined,
    );
    await mo(b.store, '447700900001', '12345', 'hello', 'shop');
    const [m] = await inbox.nextMos({ after: 0, limit: 10 });
    assert.equal(m.userId, b.shop.id);
    await assert.rejects(inbox.applyMos({ follower: f, holder: 'b', mos: [m], position: m.seq }), {
      code: 'HERMOD_ERR_LEASE_LOST',
    });
    assert.equal(
      (await inbox.listConversations({ userId: b.shop.id, username: 'shop', limit: 10 })).length,
      0,
    );
    // The lease ran out: b takes over where a left the cursor.
    assert.deepEqual(await inbox.claimFollower({ follower: f, holder: 'b', leaseMs: 1000, now: 2500 }), {
      position: 0,
    });
    await inbox.applyMos({ follower: f, holder: 'b', mos: [m], position: m.seq });
    await assert.rejects(inbox.applyMos({ follower: f, holder: 'a', mos: [], position: m.seq }), {
      code: 'HERMOD_ERR_LEASE_LOST',
    });
    await inbox.releaseFollower({ follower: f, holder: 'b' });
    assert.deepEqual(await inbox.claimFollower({ follower: f, holder: 'a', leaseMs: 1000, now: 2600 }), {
      position: m.seq,
    });
  });

  test(`${name}: conversations: MT and MO threaded per peer, unread, last message, contact name, pages`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { inbox, contacts } = b.stores;
    const shop = { userId: b.shop.id, username: 'shop' };
    await contacts.upsertContacts({
      userId: b.shop.id,
      contacts: [{ msisdn: '447700900001', firstName: 'Ada' }],
    });
    const sent = await mt(b.store, b.shop.id, '12345', '447700900001', 'Your order shipped');
    const q1 = await mo(b.store, '447700900001', '12345', 'When does it arrive?', 'shop');
    await mo(b.store, '447700900002', '12345', 'hi', 'shop');
    await mo(b.store, '447700900003', '12345', 'not for you', 'other');
    await mo(b.store, '447700900004', '12345', 'nobody', null);
    const q2 = await mo(b.store, '447700900001', '67890', 'Hello?', 'shop');
    await mt(b.store, b.other.id, '12345', '447700900001', 'other account MT');

    await inbox.claimFollower({ follower: INBOX_FOLLOWER, holder: 'n1', leaseMs: 60_000, now: Date.now() });
    const mos = await inbox.nextMos({ after: 0, limit: 100 });
    assert.equal(mos.length, 5);
    assert.deepEqual(
      mos.map((m) => m.userId),
      [b.shop.id, b.shop.id, b.other.id, null, b.shop.id],
    );
    // One batch: Ada's two MOs add up in one conversation.
    await inbox.applyMos({ follower: INBOX_FOLLOWER, holder: 'n1', mos, position: mos[4].seq });

    const list = await inbox.listConversations({ ...shop, limit: 10 });
    assert.deepEqual(
      list.map((c) => [c.peer, c.unread, c.ourNumber]),
      [
        ['447700900001', 2, '67890'],
        ['447700900002', 1, '12345'],
      ],
    );
    assert.equal(list[0].last?.id, q2);
    assert.equal(list[0].last?.direction, 'in');
    assert.equal(list[0].contact?.firstName, 'Ada');
    assert.equal(list[1].contact, null);
    assert.equal(await inbox.unreadTotal({ userId: b.shop.id }), 3);

    // Keyset pages: one at a time, in the same order.
    const first = await inbox.listConversations({ ...shop, limit: 1 });
    const second = await inbox.listConversations({
      ...shop,
      limit: 1,
      before: { at: first[0].lastAt, key: first[0].peer },
    });
    assert.deepEqual(
      [...first, ...second].map((c) => c.peer),
      ['447700900001', '447700900002'],
    );

    // The thread: both ways, newest first, the other account's MT not in it.
    const thread = await inbox.thread({ ...shop, peer: '447700900001', limit: 10 });
    assert.deepEqual(
      thread.map((m) => [m.id, m.direction]),
      [
        [q2, 'in'],
        [q1, 'in'],
        [sent, 'out'],
      ],
    );
    assert.equal(thread[2].state, 'queued');
    const older = await inbox.thread({
      ...shop,
      peer: '447700900001',
      limit: 2,
      before: { at: thread[1].at, key: q1 },
    });
    assert.deepEqual(
      older.map((m) => m.id),
      [sent],
    );

    // Another account sees none of it.
    assert.deepEqual(
      (await inbox.listConversations({ userId: b.other.id, username: 'other', limit: 10 })).map(
        (c) => c.peer,
      ),
      ['447700900003'],
    );
    assert.equal(
      await inbox.getConversation({ userId: b.other.id, username: 'other', peer: '447700900001' }),
      undefined,
    );

    // Read up to the first MO: one unread left; never backwards.
    const read = await inbox.markRead({ ...shop, peer: '447700900001', until: thread[1].at });
    assert.equal(read?.unread, 1);
    assert.equal((await inbox.markRead({ ...shop, peer: '447700900001', until: 0 }))?.unread, 1);
    assert.equal((await inbox.listConversations({ ...shop, limit: 10, unreadOnly: true })).length, 2);
    // A reply from the thread moves it up and reads it.
    await inbox.noteReply({
      userId: b.shop.id,
      peer: '447700900002',
      ourNumber: '12345',
      at: Date.now() + 1000,
    });
    const after = await inbox.listConversations({ ...shop, limit: 10 });
    assert.deepEqual(
      after.map((c) => [c.peer, c.unread]),
      [
        ['447700900002', 0],
        ['447700900001', 1],
      ],
    );
    assert.equal(await inbox.markRead({ ...shop, peer: '447700900009', until: 1 }), undefined);
  });

  test(`${name}: keyword services: words unique per number, a hit recorded once with its vote and reply`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { keywords, inbox } = b.stores;
    const poll = await keywords.createService({
      userId: b.shop.id,
      number: '12345',
      keyword: 'VOTE',
      aliases: ['POLL'],
      kind: 'poll',
      settings: { options: ['A', 'B'], reply: 'Thanks' },
      enabled: true,
    });
    await assert.rejects(
      keywords.createService({
        userId: b.shop.id,
        number: '12345',
        keyword: 'POLL',
        aliases: [],
        kind: 'reply',
        settings: { reply: 'x' },
        enabled: true,
      }),
      { code: 'HERMOD_ERR_KEYWORD_EXISTS' },
    );
    // The same word on any number, or for another account: allowed.
    const any = await keywords.createService({
      userId: b.shop.id,
      number: '',
      keyword: 'VOTE',
      aliases: [],
      kind: 'reply',
      settings: { reply: 'generic' },
      enabled: true,
    });
    await keywords.createService({
      userId: b.other.id,
      number: '12345',
      keyword: 'VOTE',
      aliases: [],
      kind: 'reply',
      settings: { reply: 'theirs' },
      enabled: true,
    });
    assert.deepEqual(
      (await keywords.servicesFor({ userId: b.shop.id, number: '12345' })).map((s) => s.id),
      [poll.id, any.id],
    );
    assert.deepEqual(
      (await keywords.servicesFor({ userId: b.shop.id, number: '999' })).map((s) => s.id),
      [any.id],
    );
    assert.equal(await keywords.getService({ userId: b.other.id, id: poll.id }), undefined);
    assert.equal(
      await keywords.updateService({ userId: b.other.id, id: poll.id, patch: { enabled: false } }),
      undefined,
    );
    const off = await keywords.updateService({ userId: b.shop.id, id: any.id, patch: { enabled: false } });
    assert.equal(off?.enabled, false);
    assert.equal((await keywords.servicesFor({ userId: b.shop.id, number: '999' })).length, 0);

    const m1 = await mo(b.store, '447700900001', '12345', 'VOTE A', 'shop');
    const m2 = await mo(b.store, '447700900002', '12345', 'VOTE B', 'shop');
    const m3 = await mo(b.store, '447700900001', '12345', 'VOTE B', 'shop');
    await inbox.claimFollower({ follower: INBOX_FOLLOWER, holder: 'n1', leaseMs: 60_000, now: Date.now() });
    const mos = await inbox.nextMos({ after: 0, limit: 10 });
    const hit = (m: (typeof mos)[number], answer: string): KeywordHit => ({
      moId: m.id,
      serviceId: poll.id,
      userId: b.shop.id,
      msisdn: m.source,
      action: 'vote',
      answer,
      reply: { messageId: newMessageId(), source: '12345', destination: m.source, text: 'Thanks' },
      at: Date.now(),
    });
    const apply = (i: number, answer: string) =>
      inbox.applyMos({
        follower: INBOX_FOLLOWER,
        holder: 'n1',
        mos: [mos[i]],
        position: mos[i].seq,
        hit: hit(mos[i], answer),
      });
    assert.deepEqual(await apply(0, 'A'), { hitRecorded: true });
    // The same MO again (a second follower, a replay): its hit, vote and reply are not written twice.
    assert.deepEqual(await apply(0, 'A'), { hitRecorded: false });
    await apply(1, 'B');
    await apply(2, 'B'); // Ada changes her vote: one vote per number
    assert.deepEqual(await keywords.pollResults({ userId: b.shop.id, id: poll.id }), [
      { answer: 'A', votes: 0 },
      { answer: 'B', votes: 2 },
    ]);
    assert.equal(await keywords.pollResults({ userId: b.other.id, id: poll.id }), undefined);
    assert.equal((await keywords.hitOf({ moId: m1 }))?.answer, 'A');
    assert.equal((await keywords.hitOf({ moId: m3 }))?.reply?.destination, '447700900001');
    const pending = await keywords.pendingReplies({ limit: 10 });
    assert.deepEqual(
      pending.map((p) => [p.moId, p.username]),
      [
        [m1, 'shop'],
        [m2, 'shop'],
        [m3, 'shop'],
      ],
    );
    await keywords.settleReply({ moId: m1, state: 'sent' });
    await keywords.settleReply({ moId: m2, state: 'failed', error: 'opted out' });
    assert.deepEqual(
      (await keywords.pendingReplies({ limit: 10 })).map((p) => p.moId),
      [m3],
    );
    // The conversation counted each MO once.
    const [ada] = await inbox.listConversations({ userId: b.shop.id, username: 'shop', limit: 1 });
    assert.equal(ada.peer, '447700900001');
    assert.equal(ada.unread, 2);
    assert.equal(await keywords.deleteService({ userId: b.other.id, id: poll.id }), false);
    assert.equal(await keywords.deleteService({ userId: b.shop.id, id: poll.id }), true);
    assert.equal(await keywords.pollResults({ userId: b.shop.id, id: poll.id }), undefined);
  });
}
