// Issue 13, webhooks: items 12 (a slow receiver must not hold an attempt past its deadline, nor
// one host every delivery slot) and 13 (SSRF forms that embed a refused IPv4 address; refused
// URLs logged without their query strings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { newMessageId } from '../../src/domain/index.js';
import { UrlGuard, WebhookSender } from '../../src/gateway/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';

const item = (url: string) => ({
  eventId: newMessageId(),
  kind: 'jasmin_dlr' as const,
  messageId: newMessageId(),
  owner: '',
  url,
  method: 'POST' as const,
  body: '{"id":"x"}',
  expiresAt: Date.now() + 60_000,
});

function tempStore(): SqliteStore {
  return new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-sec-')), 'h.db'));
}

/** A receiver that reads the request, then answers one byte every `everyMs` (never idle long). */
async function dripReceiver(everyMs: number): Promise<{ port: number; requests: number[]; close(): void }> {
  const requests: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () => {
      requests.push(Date.now());
      const answer = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      let i = 0;
      const t = setInterval(() => {
        if (s.destroyed || i >= answer.length) return clearInterval(t);
        s.write(answer.subarray(i, ++i));
      }, everyMs);
      s.on('close', () => clearInterval(t));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

test('item 12: an attempt ends at its deadline even when the receiver drips its answer', async () => {
  const rx = await dripReceiver(100); // 50 bytes at 100 ms: 5 s, never 1 s idle
  const store = tempStore();
  const sender = new WebhookSender(store, {
    guard: new UrlGuard({ allow: ['127.0.0.1'] }),
    timeoutMs: 1000,
    pollMs: 20,
    backoff: { initialMs: 60_000, maxMs: 60_000, factor: 2, jitter: 0 },
  });
  try {
    await store.addWebhooks([item(`http://127.0.0.1:${rx.port}/slow`)]);
    const retried = new Promise<number>((r) => sender.once('retry', () => r(Date.now())));
    sender.start();
    await until('the request arrived', () => rx.requests.length === 1, 3000);
    const at = await Promise.race([retried, new Promise<number>((r) => setTimeout(() => r(-1), 3000))]);
    assert.ok(at > 0, 'the attempt was not cut off at its deadline');
    assert.ok(at - rx.requests[0] < 2500, `cut off after ${at - rx.requests[0]} ms`);
  } finally {
    await sender.stop();
    await store.close();
    rx.close();
  }
});

test('item 12: one host that never answers holds at most perHost (10) slots; another host is served', async () => {
  const hung: net.Socket[] = [];
  const tarpit = net.createServer((s) => {
    hung.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => tarpit.listen(0, '127.0.0.1', r));
  const tarpitPort = (tarpit.address() as net.AddressInfo).port;
  const rx = await startReceiver();
  const store = tempStore();
  const sender = new WebhookSender(store, {
    guard: new UrlGuard({ allow: ['127.0.0.1'] }),
    timeoutMs: 2000,
    concurrency: 20,
    pollMs: 20,
  });
  try {
    await store.addWebhooks(
      Array.from({ length: 30 }, (_, i) => item(`http://127.0.0.1:${tarpitPort}/hang${i}`)),
    );
    await store.addWebhooks([item(`${rx.url}/other`)]);
    sender.start();
    await until('the other host is served', () => rx.received.length === 1, 3000);
    assert.ok(hung.length <= 10, `${hung.length} connections to the hung host`);
  } finally {
    for (const s of hung) s.destroy();
    await sender.stop();
    await store.close();
    await rx.close();
    tarpit.close();
  }
});

test('item 13: IPv4-compatible, NAT64, 6to4 and site-local addresses are refused', () => {
  const guard = new UrlGuard();
  for (const host of [
    '[::127.0.0.1]',
    '[64:ff9b::7f00:1]',
    '[2002:7f00:1::]',
    '[fec0::1]',
    '[64:ff9b::a9fe:a9fe]',
  ])
    assert.throws(() => guard.parse(`http://${host}/cb`), /refused/, host);
  // The same forms around a public address are not a way in: NAT64 and 6to4 of 8.8.8.8 pass.
  for (const host of ['[64:ff9b::808:808]', '[2002:808:808::1]', '[2606:4700::1111]'])
    assert.doesNotThrow(() => guard.parse(`http://${host}/cb`), host);
});

test('item 13: a running Hermod refuses a dlr-url of those forms at /send', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  try {
    for (const host of ['[::127.0.0.1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::]', '[fec0::1]']) {
      const r = await fetch(`http://127.0.0.1:${h.httpPort}/send`, {
        method: 'POST',
        body: new URLSearchParams({
          username: 'shop',
          password: 'pw',
          to: '447700900001',
          content: 'hi',
          'dlr-url': `http://${host}/cb`,
          'dlr-level': '3',
        }),
      });
      assert.notEqual(r.status, 200, host);
    }
  } finally {
    await h.stop();
  }
});

test('item 13: a dropped webhook is logged without its query string', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  const store = tempStore();
  const sender = new WebhookSender(store, { guard: new UrlGuard(), log, pollMs: 20 });
  try {
    await store.addWebhooks([item('http://10.0.0.1/cb?token=s3cr3t-value&user=shop')]);
    sender.start();
    await until('dropped', () => sender.stats.dropped === 1, 3000);
    assert.ok(lines.some((l) => l.includes('webhook refused, dropped')));
    assert.ok(!lines.some((l) => l.includes('s3cr3t-value')), lines.join('\n'));
  } finally {
    await sender.stop();
    await store.close();
  }
});
