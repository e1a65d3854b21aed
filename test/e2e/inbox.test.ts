// The inbox and keyword services end to end, over real sockets: a handset texts the
// simulator (the SMSC), Hermod stores the MO, the engine's follower runs the keyword
// service (JOIN NEWS: the sender joins the contact group) and its confirmation reaches the
// handset (the simulator receives the MT); a reply posted in the thread reaches the handset;
// a STOP runs no service, only the gateway's own opt-out confirmation goes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeText } from '../../src/smpp/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { openEngineStores } from '../../src/store/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const KEY = 'hk_inbox_test_0000000000000';
const HANDSET = '447700900123';

test('inbox e2e: JOIN NEWS from a handset joins the group and the confirmation reaches it; a thread reply reaches it; STOP runs no service', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [KEY] }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [{ prefixes: ['12345'], user: 'shop' }],
  });
  try {
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    const shop = (await h.gateway.currentUser('shop'))!;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      h.api.inject({
        method,
        url,
        headers: { authorization: `Bearer ${KEY}` },
        ...(payload !== undefined ? { payload } : {}),
      });
    /** What the handset has received from the SMSC, as text. */
    const handsetGot = () =>
      sim.submitted
        .filter((m) => m.destination === HANDSET)
        .map((m) => ({ from: m.source, text: decodeText(m.shortMessage, m.dataCoding) }));

    const created = await call('POST', '/v1/keywords', {
      number: '12345',
      keyword: 'news',
      kind: 'subscribe',
      group: 'NEWS',
      reply: 'Welcome {{first_name|friend}}! You get NEWS now.',
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().keyword, 'NEWS');

    sim.sendMo('hermod', { from: HANDSET, to: '12345', text: 'Join news' });
    await until('the confirmation at the handset', () => handsetGot().length === 1);
    assert.deepEqual(handsetGot(), [{ from: '12345', text: 'Welcome friend! You get NEWS now.' }]);
    const groups = (await call('GET', '/v1/contact-groups')).json().data;
    assert.deepEqual(
      groups.map((g: { name: string; members: number }) => [g.name, g.members]),
      [['NEWS', 1]],
    );

    // The conversation: the MO unread, the confirmation as its last message.
    const list = (await call('GET', '/v1/conversations')).json();
    assert.equal(list.unread, 1);
    assert.equal(list.data[0].number, `+${HANDSET}`);
    assert.equal(list.data[0].our_number, '12345');
    assert.equal(list.data[0].last_message.direction, 'out');

    // A reply from the thread: from the number the handset wrote to, charged, delivered.
    const balance = await h.store.getBalance(shop.id);
    const sent = await call('POST', `/v1/conversations/%2B${HANDSET}/messages`, {
      text: 'Thanks for joining!',
    });
    assert.equal(sent.statusCode, 201, sent.body);
    assert.equal(sent.json().parts, 1);
    await until('the thread reply at the handset', () => handsetGot().length === 2);
    assert.deepEqual(handsetGot()[1], { from: '12345', text: 'Thanks for joining!' });
    assert.ok((await h.store.getBalance(shop.id)) < balance, 'the reply was charged');
    const thread = (await call('GET', `/v1/conversations/${HANDSET}/messages`)).json().data;
    assert.deepEqual(
      thread.map((m: { direction: string; text: string }) => [m.direction, m.text]),
      [
        ['out', 'Thanks for joining!'],
        ['out', 'Welcome friend! You get NEWS now.'],
        ['in', 'Join news'],
      ],
    );
    const read = (await call('GET', '/v1/conversations')).json();
    assert.equal(read.data[0].unread, 0, 'replying read the conversation');

    // STOP: the gateway opts the number out and confirms; no service runs on it, even one
    // on that very word (saved before the word became an opt-out keyword: straight to the store).
    const stores = await openEngineStores(h.store);
    await stores.keywords.createService({
      userId: shop.id,
      number: '12345',
      keyword: 'STOP',
      aliases: [],
      kind: 'reply',
      settings: { reply: 'a service on STOP must never answer' },
      enabled: true,
    });
    sim.sendMo('hermod', { from: HANDSET, to: '12345', text: 'STOP' });
    await until('the STOP in the thread', async () => {
      const c = (await call('GET', '/v1/conversations')).json().data[0];
      return c.unread === 1;
    });
    await until('the opt-out confirmation', () => handsetGot().length === 3);
    assert.match(handsetGot()[2].text, /unsubscribed/);
    const [stop] = await h.store.listMo(1);
    assert.equal(await stores.keywords.hitOf({ moId: stop.id }), undefined);
    // The thread's reply to an opted-out number is refused, and nothing more reaches the handset.
    const refused = await call('POST', `/v1/conversations/${HANDSET}/messages`, { text: 'Wait!' });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'HERMOD_ERR_OPTED_OUT');
    assert.equal(handsetGot().length, 3);
  } finally {
    await h.stop();
  }
});
