// Webhook delivery in worker threads (`webhooks.workers`): the same callbacks as the core
// thread sends, over real sockets from a real SQLite outbox; retries, the SSRF guard at
// connection time and a worker that dies, all still end with every item delivered or refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { newMessageId } from '../../src/domain/index.js';
import { WebhookSender, UrlGuard } from '../../src/gateway/index.js';
import { WebhookWorkers } from '../../src/gateway/webhook-workers.js';
import type { AttemptSpec } from '../../src/gateway/webhook-attempt.js';
import { SqliteStore } from '../../src/store/index.js';
import { parseConfig } from '../../src/config/index.js';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver, until } from '../support/http-receiver.js';

const doc = {
  users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 2 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  webhooks: { allow: ['127.0.0.1'], backoff: { initialMs: 20, maxMs: 100 }, workers: 2 },
};

const item = (url: string, method: 'GET' | 'POST' = 'GET') => ({
  eventId: newMessageId(),
  kind: 'jasmin_dlr' as const,
  messageId: newMessageId(),
  owner: '',
  url,
  method,
  body: JSON.stringify({ id: 'x', message_status: 'DELIVRD' }),
  expiresAt: Date.now() + 60_000,
});

test('config: webhooks.workers defaults to 0 and is bounded', () => {
  const env = { HERMOD_DATA_DIR: tmpdir() };
  assert.equal(parseConfig({}, env, 't').webhooks.workers, 0);
  assert.equal(parseConfig({ webhooks: { workers: 0 } }, env, 't').webhooks.workers, 0);
  assert.equal(parseConfig({ webhooks: { workers: 2 } }, env, 't').webhooks.workers, 2);
  assert.throws(() => parseConfig({ webhooks: { workers: 9 } }, env, 't'), /webhooks\.workers/);
  assert.throws(() => parseConfig({ webhooks: { workers: 1.5 } }, env, 't'), /webhooks\.workers/);
});

test('workers: 2: Jasmin DLR callbacks by GET and POST arrive in order, logged, outbox empty; a down receiver is retried', async () => {
  const rx = await startReceiver();
  rx.mode = 'reset';
  const h = await configuredHermod(doc);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`http://127.0.0.1:${h.httpPort}/send`, {
        method: 'POST',
        body: new URLSearchParams({
          username: 'shop',
          password: 'pw',
          content: 'hi',
          to: `44770090020${i}`,
          'dlr-url': `${rx.url}/dlr?n=${i}`,
          'dlr-level': '3',
          'dlr-method': i % 2 === 0 ? 'GET' : 'POST',
        }),
      });
      assert.equal(r.status, 200);
      ids.push(((await r.json()) as { data: { messageid: string } }).data.messageid);
    }
    await until('attempts failed while the receiver is down', () => h.webhooks.stats.failedAttempts >= 12);
    assert.equal(rx.received.length, 0);
    rx.mode = 'ok';
    await until('every callback delivered', () => rx.received.length === 12);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(rx.received.length, 12, 'each callback once');
    for (const [i, id] of ids.entries()) {
      const mine = rx.received.filter((r) => (r.method === 'GET' ? r.query.id : r.form.id) === id);
      assert.deepEqual(
        mine.map((r) => (r.method === 'GET' ? r.query.level : r.form.level)),
        ['1', '2'],
        `order kept for message ${i}`,
      );
      assert.ok(mine.every((r) => r.method === (i % 2 === 0 ? 'GET' : 'POST')));
      assert.ok(
        mine.every((r) => r.headers['user-agent'] === 'Hermod-Webhooks/1' && r.headers['webhook-id']),
      );
    }
    assert.equal(await h.store.webhookDepth(), 0);
    const log = await h.store.listWebhookLog({ messageId: ids[0], limit: 50 });
    assert.ok(log.some((e) => e.status === 200) && log.some((e) => e.status === null && e.error));
  } finally {
    await h.stop();
    await rx.close();
  }
});

test('workers: 1: the worker checks the address it connects to (a name resolving to loopback is refused); a redirect is dropped', async () => {
  const rx = await startReceiver();
  rx.answer = (r) =>
    r.path === '/redirect' ? { status: 302, headers: { location: 'http://10.0.0.1/' } } : undefined;
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-whw-')), 'h.db'));
  const dropped: string[] = [];
  // No allowance: `localhost` passes the form check (a name), then resolves to loopback in
  // the worker, which refuses to connect.
  const strict = new WebhookSender(store, { guard: new UrlGuard(), workers: 1, pollMs: 20 });
  strict.on('dropped', (_w, why: string) => dropped.push(why));
  try {
    await store.addWebhooks([item(`http://localhost:${rx.port}/rebind`)]);
    strict.start();
    await until('the rebind dropped', () => strict.stats.dropped === 1);
    assert.match(dropped[0], /localhost resolves to .*loopback/);
    assert.equal(rx.received.length, 0, 'not connected to');
  } finally {
    await strict.stop();
  }
  const loop = new WebhookSender(store, {
    guard: new UrlGuard({ allow: ['127.0.0.1'] }),
    workers: 1,
    pollMs: 20,
  });
  loop.on('dropped', (_w, why: string) => dropped.push(why));
  try {
    await store.addWebhooks([item(`${rx.url}/redirect`), item(`${rx.url}/fine`, 'POST')]);
    loop.start();
    await until('one dropped, one delivered', () => loop.stats.dropped === 1 && loop.stats.delivered === 1);
    assert.deepEqual(rx.received.map((r) => r.path).sort(), ['/fine', '/redirect']);
    assert.match(dropped[1], /redirects are not followed/);
    // The ack and the drop are group-committed just after the counters move.
    await until('both items gone from the store', async () => (await store.webhookDepth()) === 0);
  } finally {
    await loop.stop();
    await store.close();
    await rx.close();
  }
});

/** A receiver that answers at once, except `/hang`, which it holds; `spec` makes an attempt at it. */
async function holdingReceiver() {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/hang') held.push(res);
    else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    held,
    spec: (path: string, timeoutMs = 5000): [string, AttemptSpec] => [
      `http://127.0.0.1:${port}${path}`,
      { method: 'GET', headers: ['host', `127.0.0.1:${port}`], timeoutMs },
    ],
    close: async () => {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

test('a worker that dies fails its attempts in flight as retryable, and a new worker takes the next ones', async () => {
  const { held, spec, close } = await holdingReceiver();
  const workers = new WebhookWorkers(1, { allow: ['127.0.0.1'] });
  try {
    assert.deepEqual(await workers.send(...spec('/a')), { ok: true, status: 200 });
    const hanging = workers.send(...spec('/hang'));
    await until('the request reached the server', () => held.length === 1);
    // The worker ends under it (a crash): reach the thread the pool runs.
    const lane = (workers as unknown as { lanes: { worker: { terminate(): Promise<number> } }[] }).lanes[0];
    await lane.worker.terminate();
    const outcome = await hanging;
    assert.equal(outcome.ok, false);
    assert.ok(
      !outcome.ok && outcome.retry && /webhook worker ended/.test(outcome.error),
      JSON.stringify(outcome),
    );
    assert.deepEqual(await workers.send(...spec('/b')), { ok: true, status: 200 }, 'a new worker');
  } finally {
    await workers.close();
    await close();
  }
});

test('a worker that does not answer within the attempt’s deadline and the margin is ended: the attempt retried, a new worker takes the next', async () => {
  const { spec, close } = await holdingReceiver();
  // A margin of -4,800 ms on a 5 s deadline: the worker, still waiting for the receiver, has
  // not answered 200 ms in, as a wedged one would not have.
  const workers = new WebhookWorkers(1, { allow: ['127.0.0.1'] }, -4800);
  try {
    const lanes = (workers as unknown as { lanes: unknown[] }).lanes;
    const outcome = await workers.send(...spec('/hang', 5000));
    assert.ok(
      !outcome.ok && outcome.retry && /did not answer in time/.test(outcome.error),
      JSON.stringify(outcome),
    );
    assert.equal(lanes[0], undefined, 'the worker was given up');
    assert.deepEqual(await workers.send(...spec('/b', 60_000)), { ok: true, status: 200 }, 'a new worker');
  } finally {
    await workers.close();
    await close();
  }
});
