// Failover URL of REST callbacks (issue 5) and the webhook delivery log, over real sockets:
// the primary receiver answers 500, so after `webhooks.failoverAfter` attempts the same
// event (same id, same signature scheme) goes to the failover receiver; the guard still
// applies to the failover URL; every attempt is in the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver, until } from '../support/http-receiver.js';

const secret = Buffer.from('shop-secret');
const doc = {
  users: [
    {
      username: 'shop',
      password: 'pw',
      balance: 10,
      rate: 0.01,
      webhookSecret: 'whsec_' + secret.toString('base64'),
    },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 2 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  webhooks: { allow: ['127.0.0.1'], backoff: { initialMs: 20, maxMs: 50 }, failoverAfter: 2 },
};

const submit = async (
  h: Awaited<ReturnType<typeof configuredHermod>>,
  to: string,
  meta: Record<string, string>,
) =>
  h.gateway.submit((await h.store.getUserByName('shop'))!, {
    systemId: 'shop',
    source: 'Shop',
    destination: to,
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from('failover'),
    registeredDelivery: 0,
    meta: { origin: 'rest', ...meta },
  });

test('a REST event whose callback_url answers 500 goes, after failoverAfter attempts, to callback_failover_url with the same event id and a valid signature; every attempt is logged', async () => {
  const primary = await startReceiver();
  primary.answer = () => ({ status: 500 });
  const failover = await startReceiver();
  const h = await configuredHermod(doc);
  try {
    const id = await submit(h, '447700900123', {
      callbackUrl: `${primary.url}/cb`,
      callbackFailoverUrl: `${failover.url}/backup`,
    });
    await until('sent and delivered events at the failover receiver', () => failover.received.length === 2);
    const sentId = failover.received[0].headers['webhook-id'];
    const atPrimary = primary.received.filter((r) => r.headers['webhook-id'] === sentId);
    assert.equal(atPrimary.length, 2, 'failoverAfter: 2 attempts at the primary, then the failover');
    for (const r of failover.received) {
      const sig = createHmac('sha256', secret)
        .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.raw}`)
        .digest('base64');
      assert.equal(r.headers['webhook-signature'], `v1,${sig}`);
      assert.equal(r.path, '/backup');
    }
    const first = failover.received[0].json as {
      data: { id: string };
      meta: { attempt: number; delivered_to: string };
    };
    assert.equal(first.data.id, sentId, 'the same event');
    assert.deepEqual(first.meta, { attempt: 3, delivered_to: `${failover.url}/backup` });

    // The receiver has the request before Hermod has its answer: the acks (and, in the same
    // commit, the log entries of the last attempts) follow.
    await until('both events acknowledged', async () => (await h.store.webhookDepth()) === 0);
    const log = await h.store.listWebhookLog({ messageId: id, limit: 100 });
    const sent = log.filter((e) => e.eventId === sentId).reverse();
    assert.deepEqual(
      sent.map((e) => [e.attempt, e.url, e.status, e.error]),
      [
        [1, `${primary.url}/cb`, 500, 'HTTP 500'],
        [2, `${primary.url}/cb`, 500, 'HTTP 500'],
        [3, `${failover.url}/backup`, 200, null],
      ],
    );
    assert.ok(sent.every((e) => e.durationMs >= 0 && e.at > 0));
  } finally {
    await h.stop();
    await primary.close();
    await failover.close();
  }
});

test('the SSRF guard applies to the failover URL: a private address is refused there and the event dropped (logged)', async () => {
  const primary = await startReceiver();
  primary.answer = () => ({ status: 500 });
  const h = await configuredHermod(doc);
  try {
    const id = await submit(h, '447700900124', {
      callbackUrl: `${primary.url}/cb`,
      callbackFailoverUrl: 'http://10.255.255.1/backup',
    });
    await until(
      'both events given up',
      async () =>
        (await h.store.listWebhookLog({ messageId: id, limit: 100 })).filter((e) =>
          e.url.startsWith('http://10.'),
        ).length === 2,
    );
    const refused = (await h.store.listWebhookLog({ messageId: id, limit: 100 })).filter((e) =>
      e.url.startsWith('http://10.'),
    );
    for (const e of refused) {
      assert.equal(e.attempt, 3);
      assert.equal(e.status, null);
      assert.match(e.error ?? '', /10\.255\.255\.1|private|not allowed|refused/i);
    }
    await until('outbox empty', async () => (await h.store.webhookDepth()) === 0);
  } finally {
    await h.stop();
    await primary.close();
  }
});
