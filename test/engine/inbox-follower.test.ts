// The inbox follower on SQLite and PostgreSQL, with the real gateway (not started: replies
// are accepted and queued, not dispatched): keyword services run once per MO, in order;
// their replies go through the accept door as the account; an opt-out keyword never runs
// a service; after a crash (a hit committed, its reply not yet sent) the reply is sent
// once; a second node does nothing while the first holds the lease.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newMessageId, OptOutRules } from '../../src/domain/index.js';
import { Gateway, UrlGuard, textOf, type RouteDef } from '../../src/gateway/index.js';
import { SimulatorConnector } from '../../src/connectors/index.js';
import type { Store } from '../../src/store/index.js';
import { INBOX_FOLLOWER } from '../../src/store/engine-store/index.js';
import { ContactService, InboxFollower, KeywordServices } from '../../src/engine/index.js';
import { KeywordForwarder } from '../../src/engine/keyword-forward.js';
import { BACKENDS, openBackend, type EngineBackend } from './backends.js';

const route: RouteDef = { name: 'default', type: 'static', connectors: ['sim'], prefixes: [], costs: {} };

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
  return id;
}

async function setup(b: EngineBackend) {
  const gateway = new Gateway(b.store, { routes: [route] });
  await gateway.addConnector(new SimulatorConnector('sim', { latencyMs: { min: 0, max: 0 } }));
  const optOut = new OptOutRules();
  const contacts = new ContactService(b.stores.contacts);
  const forwarder = new KeywordForwarder(new UrlGuard({ allow: ['127.0.0.1'] }), { timeoutMs: 2000 });
  const keywords = new KeywordServices(b.stores.keywords, contacts, forwarder, optOut);
  const follower = (holder: string) =>
    new InboxFollower({
      inbox: b.stores.inbox,
      keywords: b.stores.keywords,
      gateway,
      contacts,
      forwarder,
      optOut,
      holder,
    });
  /** The account's MTs to a number, as text. */
  const sentTo = async (to: string) =>
    (await b.store.listMessages({ limit: 100, userId: b.shop.id }))
      .filter((m) => m.destination === to)
      .map((m) => textOf(m.body, m.dataCoding));
  return { gateway, contacts, keywords, follower, sentTo };
}

for (const name of BACKENDS) {
  test(`${name}: keyword services run once per MO, replies through the accept door, STOP never runs one`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { contacts, keywords, follower, sentTo } = await setup(b);
    await contacts.save(b.shop.id, [{ msisdn: '+447700900001', firstName: 'Ada' }]);
    await keywords.create(b.shop.id, { keyword: 'news', kind: 'subscribe', group: 'NEWS', number: '12345' });
    await keywords.create(b.shop.id, {
      keyword: 'hours',
      aliases: ['open'],
      kind: 'reply',
      reply: 'Hi {{first_name|there}}, we open at 9.',
    });
    const poll = await keywords.create(b.shop.id, {
      keyword: 'vote',
      kind: 'poll',
      options: ['a', 'b'],
      number: '12345',
    });
    // A service on a word the gateway now answers (its opt-out keywords changed after the
    // service was saved): written straight to the store, as validation refuses it.
    await b.stores.keywords.createService({
      userId: b.shop.id,
      number: '12345',
      keyword: 'STOP',
      aliases: [],
      kind: 'reply',
      settings: { reply: 'must never be sent' },
      enabled: true,
    });

    const join = await mo(b.store, '447700900001', '12345', '  join   News ', 'shop');
    const info = await mo(b.store, '447700900002', '12345', 'Hours?', 'shop');
    await mo(b.store, '447700900002', '12345', 'open', 'shop');
    await mo(b.store, '447700900003', '12345', 'VOTE c', 'shop');
    await mo(b.store, '447700900003', '12345', 'vote B', 'shop');
    const stop = await mo(b.store, '447700900004', '12345', 'stop', 'shop');
    await mo(b.store, '447700900005', '12345', 'HOURS', 'other'); // another account's MO
    await mo(b.store, '447700900006', '12345', 'HOURS', null); // routed to nobody

    const f = follower('n1');
    assert.equal(await f.runOnce(), 8);
    assert.equal(await f.runOnce(), 0, 'nothing twice');

    const news = await contacts.groupNamed(b.shop.id, 'NEWS');
    assert.equal(news.members, 1);
    assert.deepEqual(await sentTo('447700900001'), ['You have joined NEWS. Text LEAVE NEWS to leave.']);
    assert.equal((await b.stores.keywords.hitOf({ moId: join }))?.action, 'join');
    assert.equal(await b.stores.keywords.hitOf({ moId: info }), undefined);
    // "Hours?" is not the word HOURS: only the second MO (an alias) ran the service.
    assert.deepEqual(await sentTo('447700900002'), ['Hi there, we open at 9.']);
    assert.deepEqual((await sentTo('447700900003')).sort(), [
      'Please reply VOTE followed by one of: A, B.',
      'Thank you, your vote for B is counted.',
    ]);
    assert.deepEqual(await keywords.results(b.shop.id, poll.id).then((r) => r.results), [
      { answer: 'A', votes: 0 },
      { answer: 'B', votes: 1 },
    ]);
    assert.equal(await b.stores.keywords.hitOf({ moId: stop }), undefined, 'STOP ran no service');
    assert.deepEqual(await sentTo('447700900004'), []);
    assert.deepEqual(await sentTo('447700900005'), []);

    // LEAVE: out of the group, the leave confirmation; the replies are in the conversation.
    await mo(b.store, '447700900001', '12345', 'leave news', 'shop');
    assert.equal(await f.runOnce(), 1);
    assert.equal((await contacts.groupNamed(b.shop.id, 'NEWS')).members, 0);
    assert.equal((await sentTo('447700900001')).length, 2);
    const [conv] = await b.stores.inbox.listConversations({ userId: b.shop.id, username: 'shop', limit: 1 });
    assert.equal(conv.peer, '447700900001');
    assert.equal(conv.unread, 2);

    // A reply to an opted-out number is refused by the accept door, settled as failed.
    await b.store.setOptOut('447700900002', '12345', true);
    await mo(b.store, '447700900002', '12345', 'hours', 'shop');
    await f.runOnce();
    assert.deepEqual(await sentTo('447700900002'), ['Hi there, we open at 9.']);
    assert.deepEqual(await b.stores.keywords.pendingReplies({ limit: 10 }), []);

    // A service answers MOs received since it exists, not a backlog written before it.
    await mo(b.store, '447700900007', '12345', 'menu', 'shop');
    await new Promise((r) => setTimeout(r, 5));
    await keywords.create(b.shop.id, { keyword: 'menu', kind: 'reply', reply: 'Soup of the day' });
    assert.equal(await f.runOnce(), 1);
    assert.deepEqual(await sentTo('447700900007'), []);
    await f.stop();
  });

  test(`${name}: after a crash the pending reply is sent once; a second node waits for the lease`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { keywords, follower, sentTo } = await setup(b);
    const svc = await keywords.create(b.shop.id, { keyword: 'hours', kind: 'reply', reply: 'Open 9-5' });
    const id = await mo(b.store, '447700900001', '12345', 'hours', 'shop');
    // The crash: the hit (with its reply, its id chosen) committed, the process gone before sending.
    const { inbox } = b.stores;
    await inbox.claimFollower({ follower: INBOX_FOLLOWER, holder: 'dead', leaseMs: 1, now: 0 });
    const [m] = await inbox.nextMos({ after: 0, limit: 1 });
    const messageId = newMessageId();
    await inbox.applyMos({
      follower: INBOX_FOLLOWER,
      holder: 'dead',
      mos: [m],
      position: m.seq,
      hit: {
        moId: id,
        serviceId: svc.id,
        userId: b.shop.id,
        msisdn: m.source,
        action: 'reply',
        reply: { messageId, source: '12345', destination: m.source, text: 'Open 9-5' },
        at: Date.now(),
      },
    });
    // Sent once before it could be settled: the next run sends it again under the same id.
    const user = b.shop;
    const { draftOf } = await import('../../src/gateway/index.js');
    const draft = draftOf({
      systemId: 'shop',
      origin: 'rest',
      from: '12345',
      to: m.source,
      content: { text: 'Open 9-5' },
    });
    draft.messageId = messageId;
    const gw = new Gateway(b.store, { routes: [route] });
    await gw.addConnector(new SimulatorConnector('sim', { latencyMs: { min: 0, max: 0 } }));
    await gw.submitAccepted(user, draft);
    const balance = await b.store.getBalance(b.shop.id);

    const f = follower('n1');
    assert.equal(await f.runOnce(), 0, 'the MO is behind the cursor: its service does not run again');
    assert.deepEqual(await sentTo('447700900001'), ['Open 9-5']);
    assert.equal(await b.store.getBalance(b.shop.id), balance, 'the resend charged nothing');
    assert.deepEqual(await b.stores.keywords.pendingReplies({ limit: 10 }), []);

    // A second node: nothing while n1 holds the lease; n1 stops, n2 takes over.
    const n2 = follower('n2');
    await mo(b.store, '447700900002', '12345', 'hours', 'shop');
    assert.equal(await n2.runOnce(), 0);
    await f.stop();
    assert.equal(await n2.runOnce(), 1);
    assert.deepEqual(await sentTo('447700900002'), ['Open 9-5']);
    await n2.stop();
  });

  test(`${name}: a forward service posts the MO and sends the answer as the reply`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const got: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const mo = JSON.parse(body) as { text: string };
        got.push({ ...mo, key: req.headers['idempotency-key'] });
        if (mo.text.includes('big')) {
          res.setHeader('content-type', 'text/plain');
          return res.end('x'.repeat(10_000));
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ reply: `Order ${mo.text.split(' ')[1]} ships {{today}}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const { keywords, follower, sentTo } = await setup(b);
    await keywords.create(b.shop.id, { keyword: 'order', kind: 'forward', url });
    const id = await mo(b.store, '447700900001', '12345', 'ORDER 42', 'shop');
    await mo(b.store, '447700900002', '12345', 'order big', 'shop');
    const f = follower('n1');
    assert.equal(await f.runOnce(), 2);
    assert.deepEqual(await sentTo('447700900001'), ['Order 42 ships {{today}}']);
    assert.deepEqual(await sentTo('447700900002'), [], 'an answer over the size cap sends nothing');
    assert.equal((got[0] as { key: string }).key, id);
    assert.equal((await b.stores.keywords.hitOf({ moId: id }))?.action, 'forward');
    await f.stop();
  });
}

test('postgres: an MO whose transaction commits late is waited for, not skipped; a gap left by a rollback is passed after the grace', async (t) => {
  const b = await openBackend(t, 'postgres');
  if (!b) return;
  t.after(() => b.close());
  const { keywords, contacts, gateway } = await setup(b);
  await keywords.create(b.shop.id, { keyword: 'hours', kind: 'reply', reply: 'Open 9-5' });
  let clock = 1_000_000;
  const f = new InboxFollower({
    inbox: b.stores.inbox,
    keywords: b.stores.keywords,
    gateway,
    contacts,
    forwarder: new KeywordForwarder(new UrlGuard()),
    optOut: new OptOutRules(),
    holder: 'n1',
    gapGraceMs: 10_000,
    now: () => clock,
  });
  const { pool } = (b.store as unknown as { engineHandle(): { pool: import('pg').Pool } }).engineHandle();
  const insert = (c: { query: import('pg').Pool['query'] }, from: string) =>
    c.query(
      `INSERT INTO mo (id, connector_id, source, destination, data_coding, body, complete, routed_to, received_at)
       VALUES ($1, 'sim', $2, '12345', 0, $3, true, 'shop', $4)`,
      [newMessageId(), from, Buffer.from('hours'), Date.now()],
    );
  // A storing transaction takes its seq, then a later one commits first.
  const slow = await pool.connect();
  await slow.query('BEGIN');
  await insert(slow, '447700900001');
  await insert(pool, '447700900002');
  assert.equal(await f.runOnce(), 0, 'the later MO waits behind the open transaction');
  await slow.query('COMMIT');
  slow.release();
  assert.equal(await f.runOnce(), 2);
  const [first, second] = (await b.store.listMessages({ limit: 10, userId: b.shop.id })).reverse();
  assert.deepEqual([first.destination, second.destination], ['447700900001', '447700900002'], 'in seq order');

  // A rolled-back insert leaves a hole for good: passed once it is older than the grace.
  await pool.query("SELECT nextval(pg_get_serial_sequence('mo', 'seq'))");
  await insert(pool, '447700900003');
  assert.equal(await f.runOnce(), 0);
  clock += 5_000;
  assert.equal(await f.runOnce(), 0);
  clock += 5_000;
  assert.equal(await f.runOnce(), 1);
  await f.stop();
});
