// The admin webhook views and the operator gauges over a real gateway: a receiver answering
// 500 with a long back-off leaves its event in the outbox (GET /v1/admin/webhooks/pending,
// hermod_webhook_pending) after one logged attempt (GET /v1/admin/webhooks/log); a stopped
// connector's queue head ages (hermod_queue_oldest_age_seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAdminApp } from '../../src/http/admin/index.js';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver, until } from '../support/http-receiver.js';

const KEY = 'test-admin-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

test('admin webhooks: the log shows each attempt with its status, pending shows the outbox with attempts and next try; hermod_webhook_deliveries_total, hermod_webhook_pending and hermod_queue_oldest_age_seconds follow', async () => {
  const rx = await startReceiver();
  rx.answer = () => ({ status: 500 });
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 2 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    webhooks: { allow: ['127.0.0.1'], backoff: { initialMs: 600_000, maxMs: 600_000 } },
  });
  const app = await buildAdminApp({ gateway: h.gateway, keys: [KEY] });
  const submit = async (to: string) =>
    h.gateway.submit((await h.store.getUserByName('shop'))!, {
      systemId: 'shop',
      source: 'Shop',
      destination: to,
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('x'),
      registeredDelivery: 0,
      meta: { origin: 'rest', callbackUrl: `${rx.url}/cb` },
    });
  try {
    await until('bound', () => h.gateway.getConnector('sim')!.ready);
    const id = await submit('447700900123');
    await until('first attempt answered', () => rx.received.length === 1);
    await until('logged', async () => (await h.store.listWebhookLog({ limit: 10 })).length === 1);

    const log = await app.inject({
      method: 'GET',
      url: `/v1/admin/webhooks/log?messageId=${id}&limit=10`,
      headers: auth,
    });
    assert.equal(log.statusCode, 200);
    const [a] = log.json().attempts;
    assert.deepEqual(
      [a.messageId, a.url, a.attempt, a.status, a.error, a.eventId],
      [id, `${rx.url}/cb`, 1, 500, 'HTTP 500', rx.received[0].headers['webhook-id']],
    );
    assert.ok(a.durationMs >= 0 && !Number.isNaN(Date.parse(a.at)));
    assert.deepEqual(
      (
        await app.inject({ method: 'GET', url: '/v1/admin/webhooks/log?messageId=other', headers: auth })
      ).json().attempts,
      [],
    );

    const pending = await app.inject({ method: 'GET', url: '/v1/admin/webhooks/pending', headers: auth });
    assert.equal(pending.statusCode, 200);
    const p = pending.json();
    assert.ok(p.total >= 1);
    const mine = p.pending.find((w: { eventId: string }) => w.eventId === a.eventId);
    assert.equal(mine.attempts, 1);
    assert.equal(mine.lastError, 'HTTP 500');
    assert.equal(mine.kind, 'rest');
    assert.ok(Date.parse(mine.nextAttemptAt) > Date.now() + 60_000, 'the next try is after the back-off');
    assert.equal(
      (await app.inject({ method: 'GET', url: '/v1/admin/webhooks/pending?limit=0', headers: auth }))
        .statusCode,
      400,
    );
    assert.equal((await app.inject({ method: 'GET', url: '/v1/admin/webhooks/pending' })).statusCode, 401);

    let metrics = (await h.api.inject({ method: 'GET', url: '/metrics' })).body;
    assert.equal(
      sample(metrics, 'hermod_webhook_deliveries_total', { result: 'failed' }),
      1,
      'the failed attempt is counted (webhook failures)',
    );
    assert.equal(sample(metrics, 'hermod_webhook_deliveries_total', { result: 'ok' }) ?? 0, 0);
    assert.equal(sample(metrics, 'hermod_webhook_pending'), await h.store.webhookDepth());
    assert.ok((sample(metrics, 'hermod_webhook_pending') ?? 0) >= 1);
    assert.equal(sample(metrics, 'hermod_queue_oldest_age_seconds', { connector: 'sim' }), 0, 'nothing due');

    await h.gateway.stopConnector('sim');
    await submit('447700900124');
    await new Promise((r) => setTimeout(r, 1100));
    metrics = (await h.api.inject({ method: 'GET', url: '/metrics' })).body;
    assert.ok(
      (sample(metrics, 'hermod_queue_oldest_age_seconds', { connector: 'sim' }) ?? 0) >= 1,
      'the held message has waited over a second',
    );
  } finally {
    await app.close();
    await h.stop();
    await rx.close();
  }
});
