// Kannel's sms-service, the rest of it: the get-url's answer sent back to the handset as the
// reply (an MO route's `reply`), and post-url (format kannel, method POST). Hermod runs with
// the simulator as SMSC; the service is a real local HTTP server answering a body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configuredHermod } from '../../support/hermod.js';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { until } from '../../support/until.js';
import type { SimulatorConnector } from '../../../src/connectors/index.js';
import { kannelReplyId, type InboundPdu } from '../../../src/gateway/index.js';
import { decodeText } from '../../../src/smpp/index.js';

type Route = Record<string, unknown>;

const doc = (moRoutes: Route[], extra: Record<string, unknown> = {}) => ({
  webhooks: { allowPrivateNetworks: true },
  users: [
    { username: 'svc', password: 'secret', balance: 10, rate: 0.01 },
    { username: 'keywords', password: 'secret', balance: 10, rate: 0.02 },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  moRoutes,
  ...extra,
});

/** An MO as the SMSC delivers it, handed to the connector's handler as its SMPP session does. */
async function mo(
  h: Awaited<ReturnType<typeof configuredHermod>>,
  text: string,
  source = '447700900001',
  ucs2 = false,
) {
  const sim = h.connectors.get('sim') as SimulatorConnector;
  const onMo = (sim as unknown as { moHandler: (p: InboundPdu) => Promise<void> }).moHandler;
  await onMo({
    source,
    destination: '12345',
    esmClass: 0,
    dataCoding: ucs2 ? 8 : 0,
    shortMessage: ucs2 ? Buffer.from(text, 'utf16le').swap16() : Buffer.from(text),
  });
  const [stored] = await h.store.listMo(1);
  return stored;
}

const textAnswer = (rcv: Receiver, body: string, status = 200, type = 'text/plain; charset=utf-8') => {
  rcv.answer = () => ({ status, headers: { 'content-type': type }, body });
};

/** The replies the simulator was handed: messages to `to`, sent. */
const repliesTo = async (h: Awaited<ReturnType<typeof configuredHermod>>, to: string) =>
  h.store.listMessages({ limit: 10, destination: to });

test('reply: the get-url answers a text/plain body; it reaches the SMSC as an MT from the number texted to the handset, charged to reply.account', async () => {
  const rcv = await startReceiver();
  textAnswer(rcv, '  Thanks, you are in the club.\n');
  const h = await configuredHermod(
    doc([
      {
        name: 'club',
        prefixes: ['12345'],
        url: `${rcv.url}/get?from=%p&text=%a`,
        format: 'kannel',
        reply: { account: 'svc' },
      },
    ]),
  );
  try {
    const m = await mo(h, 'JOIN club');
    const id = kannelReplyId(m.id);
    await until(
      'the reply sent to the SMSC',
      async () => (await h.store.getMessage(id))?.state === 'delivered',
    );
    const reply = (await h.store.getMessage(id))!;
    assert.equal(reply.source, '12345');
    assert.equal(reply.destination, '447700900001');
    assert.equal(reply.connectorId, 'sim');
    assert.equal(decodeText(reply.body, reply.dataCoding), 'Thanks, you are in the club.', 'trimmed');
    const svc = (await h.store.getUserByName('svc'))!;
    assert.equal(reply.userId, svc.id);
    assert.equal(reply.priceMicros, 10_000, 'one part at svc’s rate');
    assert.deepEqual(reply.meta.tags, ['kannel-reply']);
    assert.equal(rcv.received.length, 1);
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test('reply without reply.account: charged to optOut.account; a long answer is cut to maxMessages parts', async () => {
  const rcv = await startReceiver();
  textAnswer(rcv, 'word '.repeat(100)); // 500 characters: 4 parts
  const h = await configuredHermod(
    doc([{ prefixes: ['12345'], url: `${rcv.url}/get?t=%a`, format: 'kannel', reply: { maxMessages: 2 } }], {
      optOut: { account: 'keywords' },
    }),
  );
  try {
    const m = await mo(h, 'INFO');
    const id = kannelReplyId(m.id);
    await until('the reply', async () => (await h.store.getMessage(id)) !== undefined);
    const reply = (await h.store.getMessage(id))!;
    assert.equal(reply.userId, (await h.store.getUserByName('keywords'))!.id);
    const text = decodeText(reply.body, reply.dataCoding);
    assert.ok(
      text.length <= 306 && text.length > 153,
      `two GSM parts at most, got ${text.length} characters`,
    );
    assert.ok('word '.repeat(100).startsWith(text));
    assert.equal(reply.meta.segments, 2);
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test('no reply: an empty (blank) body, a non-2xx answer, a body not text/plain, or a route without reply', async () => {
  const rcv = await startReceiver();
  const answers: Record<string, { status: number; body: string; type: string }> = {
    blank: { status: 200, body: ' \r\n', type: 'text/plain' },
    error: { status: 500, body: 'Internal error', type: 'text/plain' },
    html: { status: 200, body: '<p>hi</p>', type: 'text/html' },
    plain: { status: 200, body: 'not asked for', type: 'text/plain' },
  };
  rcv.answer = (r) => {
    const a = answers[r.query.k];
    // The failing service answers 500 once, then an empty 200 to the retry.
    if (r.query.k === 'error' && rcv.received.filter((x) => x.query.k === 'error').length > 1)
      return { status: 200, body: '' };
    return { status: a.status, headers: { 'content-type': a.type }, body: a.body };
  };
  const handset: Record<string, string> = {
    blank: '447700900011',
    error: '447700900012',
    html: '447700900013',
    plain: '447700900014',
  };
  const route = (k: string, reply = true): Route => ({
    prefixes: ['12345'],
    sources: [handset[k]],
    url: `${rcv.url}/get?k=${k}`,
    format: 'kannel',
    ...(reply ? { reply: { account: 'svc' } } : {}),
  });
  const keys = ['blank', 'error', 'html'];
  const h = await configuredHermod({
    ...doc([...keys.map((k) => route(k)), route('plain', false)]),
    webhooks: { allowPrivateNetworks: true, backoff: { initialMs: 50, maxMs: 100 } },
  });
  try {
    const handsets = Object.values(handset);
    for (const n of handsets) await mo(h, 'hello', n);
    await until(
      'every callback answered, the failing one retried',
      () =>
        ['blank', 'html', 'plain'].every((k) => rcv.received.some((r) => r.query.k === k)) &&
        rcv.received.filter((r) => r.query.k === 'error').length >= 2,
    );
    await until('the outbox empty', async () => (await h.store.listPendingWebhooks(10)).length === 0);
    for (const n of handsets) assert.deepEqual(await repliesTo(h, n), [], `no reply to ${n}`);
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test('redelivery: the same MO webhook answered again (a crash before its acknowledgement) sends no second reply', async () => {
  const rcv = await startReceiver();
  textAnswer(rcv, 'Your code is 4711');
  const h = await configuredHermod(
    doc([{ prefixes: ['12345'], url: `${rcv.url}/get?p=%p`, format: 'kannel', reply: { account: 'svc' } }]),
  );
  try {
    const m = await mo(h, 'CODE');
    const id = kannelReplyId(m.id);
    await until('the reply', async () => (await h.store.getMessage(id)) !== undefined);
    await until('the webhook acknowledged', async () => (await h.store.listPendingWebhooks(10)).length === 0);
    // The item as the MO stored it, back in the outbox: what a node finds after a crash
    // between sending the reply and acknowledging the webhook.
    await h.store.addWebhooks([
      {
        kind: 'kannel_mo',
        messageId: m.id,
        owner: '',
        url: `${rcv.url}/get?p=${m.source}`,
        method: 'GET',
        expiresAt: Date.now() + 60_000,
        eventId: 'redelivered',
        body: JSON.stringify({
          reply: { moId: m.id, account: 'svc', from: m.destination, to: m.source, maxMessages: 1 },
        }),
      },
    ]);
    h.webhooks.wake();
    await until('the service called again', () => rcv.received.length === 2);
    await until('the outbox empty', async () => (await h.store.listPendingWebhooks(10)).length === 0);
    const replies = await repliesTo(h, m.source);
    assert.equal(replies.length, 1, 'one reply');
    assert.equal(replies[0].id, id);
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test("post-url: format kannel with method POST sends the MO text as a text/plain body with Kannel's X-Kannel headers", async () => {
  const rcv = await startReceiver();
  textAnswer(rcv, 'Merci');
  const h = await configuredHermod(
    doc([
      {
        name: 'post-svc',
        prefixes: ['12345'],
        url: `${rcv.url}/post?id=%I&from=%p`,
        method: 'POST',
        format: 'kannel',
        reply: { account: 'svc' },
      },
    ]),
  );
  try {
    const m = await mo(h, 'Bonjour à tous', '447700900001', true); // UCS-2
    await until('the post', () => rcv.received.length === 1);
    const r = rcv.received[0];
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/post');
    assert.equal(r.query.id, m.id, 'the escapes of the URL filled as for get-url');
    assert.equal(r.query.from, '447700900001');
    assert.equal(r.raw, 'Bonjour à tous', 'decoded, sent as UTF-8');
    assert.equal(r.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(r.headers['x-kannel-from'], '447700900001');
    assert.equal(r.headers['x-kannel-to'], '12345');
    assert.equal(r.headers['x-kannel-smsc'], 'sim');
    assert.equal(r.headers['x-kannel-service'], 'post-svc');
    assert.equal(r.headers['x-kannel-coding'], '2');
    assert.match(String(r.headers['x-kannel-time']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const id = kannelReplyId(m.id);
    await until('the reply to the post', async () => (await h.store.getMessage(id)) !== undefined);
    const reply = (await h.store.getMessage(id))!;
    assert.equal(decodeText(reply.body, reply.dataCoding), 'Merci');
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test('a reply the account may not send (no balance) is dropped as Kannel drops it: the webhook is acknowledged, nothing is sent', async () => {
  const rcv = await startReceiver();
  textAnswer(rcv, 'You win');
  const h = await configuredHermod({
    ...doc([{ prefixes: ['12345'], url: `${rcv.url}/get`, format: 'kannel', reply: { account: 'broke' } }]),
    users: [{ username: 'broke', password: 'secret', balance: 0, rate: 0.01 }],
  });
  try {
    const m = await mo(h, 'PLAY');
    await until('the service called', () => rcv.received.length === 1);
    await until('the outbox empty', async () => (await h.store.listPendingWebhooks(10)).length === 0);
    assert.equal(await h.store.getMessage(kannelReplyId(m.id)), undefined);
    assert.deepEqual(await repliesTo(h, m.source), []);
    assert.equal(rcv.received.length, 1, 'not retried');
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test('MO routes from the admin API: a reply nobody pays for is refused by key path; with reply.account it runs', async () => {
  const rcv = await startReceiver();
  textAnswer(rcv, 'Set by the admin API');
  const h = await configuredHermod(doc([]));
  try {
    const route = { prefixes: ['12345'], url: `${rcv.url}/get`, format: 'kannel' };
    await assert.rejects(
      h.definitions.setMoRoutes([{ ...route, reply: {} }]),
      (err: Error & { issues?: unknown }) =>
        JSON.stringify(err.issues ?? err.message).includes('moRoutes[0].reply.account'),
    );
    await h.definitions.setMoRoutes([{ ...route, reply: { account: 'svc' } }]);
    const m = await mo(h, 'HI');
    await until('the reply', async () => (await h.store.getMessage(kannelReplyId(m.id))) !== undefined);
  } finally {
    await h.stop();
    await rcv.close();
  }
});
