// REST v1 /v1/keywords and /v1/conversations: validation naming the field, problem+json,
// the account's own rows only (another's look missing), keyset pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMessageId } from '../../src/domain/index.js';
import { configuredHermod } from '../support/hermod.js';

const SHOP = 'hk_inbox_api_shop_0000000000';
const OTHER = 'hk_inbox_api_other_000000000';

test('REST v1 keywords and conversations: precise problems, scoped by account, paged', async (t) => {
  const h = await configuredHermod({
    users: [
      { username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [SHOP] },
      { username: 'other', password: 'pw', balance: 10, rate: 0.01, apiKeys: [OTHER] },
    ],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  t.after(() => h.stop());
  const as = (key: string) => (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.api.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload } : {}),
    });
  const shop = as(SHOP);
  const other = as(OTHER);
  const problem = async (p: ReturnType<typeof shop>, status: number, code: string, detail?: RegExp) => {
    const r = await p;
    assert.equal(r.statusCode, status, r.body);
    assert.match(r.headers['content-type'] as string, /problem\+json/);
    assert.equal(r.json().code, code);
    if (detail) assert.match(r.json().detail, detail);
  };

  // Validation: each refusal names its field.
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'stop', kind: 'reply', reply: 'x' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^keyword: STOP is an opt-out keyword/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'join', kind: 'reply', reply: 'x' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^keyword: JOIN is reserved/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'two words', kind: 'reply', reply: 'x' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^keyword: one word/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'hours', kind: 'reply', reply: 'Hi {{coupon}}' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^reply: unknown placeholder \{\{coupon\}\}/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'hours', kind: 'reply' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^reply:/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'hours', aliases: ['open', 'OPEN'], kind: 'reply', reply: 'x' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^aliases\[1\]: OPEN is given twice/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'vote', kind: 'poll', options: ['a', 'A'] }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^options\[1\]/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'news', kind: 'subscribe' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^group:/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'news', kind: 'subscribe', group_id: 999 }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^group_id:/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'order', kind: 'forward', url: 'http://169.254.169.254/latest' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^url: .*link-local/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'hours', kind: 'reply', reply: 'x', number: 'call me' }),
    400,
    'HERMOD_ERR_VALIDATION',
    /^number:/,
  );
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'hours', kind: 'bogus' }),
    400,
    'HERMOD_ERR_VALIDATION',
  );

  const created = await shop('POST', '/v1/keywords', {
    keyword: 'Hours',
    aliases: ['open'],
    kind: 'reply',
    reply: 'Open 9-5',
    number: '12345',
  });
  assert.equal(created.statusCode, 201, created.body);
  const hours = created.json();
  assert.deepEqual([hours.keyword, hours.aliases, hours.number], ['HOURS', ['OPEN'], '12345']);
  await problem(
    shop('POST', '/v1/keywords', { keyword: 'open', kind: 'reply', reply: 'x', number: '12345' }),
    409,
    'HERMOD_ERR_KEYWORD_EXISTS',
  );
  const poll = (
    await shop('POST', '/v1/keywords', { keyword: 'vote', kind: 'poll', options: ['a', 'b'] })
  ).json();
  assert.deepEqual((await shop('GET', `/v1/keywords/${poll.id}/results`)).json(), {
    id: poll.id,
    keyword: 'VOTE',
    total: 0,
    results: [
      { answer: 'A', votes: 0 },
      { answer: 'B', votes: 0 },
    ],
  });
  await problem(shop('GET', `/v1/keywords/${hours.id}/results`), 409, 'HERMOD_ERR_NOT_A_POLL');
  const patched = await shop('PATCH', `/v1/keywords/${hours.id}`, { enabled: false, reply: 'Closed today' });
  assert.deepEqual([patched.json().enabled, patched.json().reply], [false, 'Closed today']);
  await problem(shop('PATCH', `/v1/keywords/${hours.id}`, {}), 400, 'HERMOD_ERR_VALIDATION');

  // Another account: the shop's services look missing.
  assert.deepEqual((await other('GET', '/v1/keywords')).json().data, []);
  await problem(other('GET', `/v1/keywords/${hours.id}`), 404, 'HERMOD_ERR_NOT_FOUND');
  await problem(other('PATCH', `/v1/keywords/${hours.id}`, { enabled: true }), 404, 'HERMOD_ERR_NOT_FOUND');
  await problem(other('DELETE', `/v1/keywords/${hours.id}`), 404, 'HERMOD_ERR_NOT_FOUND');
  await problem(other('GET', `/v1/keywords/${poll.id}/results`), 404, 'HERMOD_ERR_NOT_FOUND');
  assert.equal((await shop('DELETE', `/v1/keywords/${poll.id}`)).statusCode, 204);
  await problem(shop('GET', `/v1/keywords/${poll.id}`), 404, 'HERMOD_ERR_NOT_FOUND');

  // Conversations: three peers write to the shop; the follower takes them in.
  for (const peer of ['447700900001', '447700900002', '447700900003']) {
    const id = newMessageId();
    await h.store.addMoPart(
      {
        groupKey: `single|${id}`,
        seq: 1,
        total: 1,
        connectorId: 'sim',
        source: peer,
        destination: '12345',
        dataCoding: 0,
        body: Buffer.from(`hello from ${peer}`),
      },
      { id, route: () => ({ routedTo: 'shop', webhooks: [] }) },
    );
    await new Promise((r) => setTimeout(r, 3));
  }
  await h.engine.inboxFollower.runOnce();
  const page1 = (await shop('GET', '/v1/conversations?limit=2')).json();
  assert.deepEqual(
    page1.data.map((c: { number: string }) => c.number),
    ['+447700900003', '+447700900002'],
  );
  assert.equal(page1.unread, 3);
  const page2 = (await shop('GET', `/v1/conversations?limit=2&cursor=${page1.next_cursor}`)).json();
  assert.deepEqual(
    page2.data.map((c: { number: string }) => c.number),
    ['+447700900001'],
  );
  assert.equal(page2.next_cursor, null);
  assert.equal(page2.data[0].last_message.text, 'hello from 447700900001');
  await problem(shop('GET', '/v1/conversations?cursor=bogus'), 400, 'HERMOD_ERR_INVALID_CURSOR');
  await problem(shop('GET', '/v1/conversations?limit=1000'), 400, 'HERMOD_ERR_VALIDATION');
  await problem(shop('GET', '/v1/conversations/call-me/messages'), 400, 'HERMOD_ERR_VALIDATION', /^number:/);

  // The other account sees none of it, and cannot read or reply in the shop's thread.
  assert.deepEqual((await other('GET', '/v1/conversations')).json().data, []);
  assert.deepEqual((await other('GET', '/v1/conversations/+447700900001/messages')).json().data, []);
  await problem(other('POST', '/v1/conversations/+447700900001/read'), 404, 'HERMOD_ERR_NOT_FOUND');
  await problem(
    other('POST', '/v1/conversations/+447700900001/messages', { text: 'hi' }),
    404,
    'HERMOD_ERR_NOT_FOUND',
    /give "from"/,
  );
  await problem(
    shop('POST', '/v1/conversations/+447700900001/messages', { text: '' }),
    400,
    'HERMOD_ERR_VALIDATION',
  );

  const read = await shop('POST', '/v1/conversations/+447700900001/read');
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(read.json().unread, 0);
  assert.equal((await shop('GET', '/v1/conversations')).json().unread, 2);
  // A thread started by the account: `from` given.
  const started = await shop('POST', '/v1/conversations/+447700900009/messages', {
    text: 'Your table is ready',
    from: 'Bistro',
  });
  assert.equal(started.statusCode, 201, started.body);
  const [first] = (await shop('GET', '/v1/conversations?limit=1')).json().data;
  assert.deepEqual(
    [first.number, first.our_number, first.unread, first.last_message.text],
    ['+447700900009', 'Bistro', 0, 'Your table is ready'],
  );
});
