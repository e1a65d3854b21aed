// The forward service's call over a real socket: the answer as text or JSON, and every way
// it fails without a reply (status, deadline, size cap, bad JSON, a redirect not followed,
// the SSRF guard at the call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UrlGuard } from '../../src/gateway/index.js';
import { KeywordForwarder } from '../../src/engine/keyword-forward.js';

const MO = {
  id: 'mo1',
  from: '+447700900001',
  to: '12345',
  text: 'ORDER 42',
  keyword: 'ORDER',
  receivedAt: '2026-12-07T09:00:00.000Z',
};

test('forward: text and JSON answers; status, deadline, size, JSON, redirect and guard failures send nothing', async (t) => {
  const seen: unknown[] = [];
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/text': (res) => res.setHeader('content-type', 'text/plain').end('  Order 42 ships today \n'),
    '/json': (res) => res.setHeader('content-type', 'application/json').end('{"reply":"Shipped"}'),
    '/none': (res) => res.setHeader('content-type', 'application/json').end('{"reply":null}'),
    '/number': (res) => res.setHeader('content-type', 'application/json').end('{"reply":42}'),
    '/bad-json': (res) => res.setHeader('content-type', 'application/json').end('{reply'),
    '/500': (res) => res.writeHead(500).end('oops'),
    '/redirect': (res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end(),
    '/big': (res) => res.end('x'.repeat(5000)),
    '/slow': () => undefined,
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url, key: req.headers['idempotency-key'], mo: JSON.parse(body) });
      routes[req.url!](res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const f = new KeywordForwarder(new UrlGuard({ allow: ['127.0.0.1'] }), { timeoutMs: 300, maxBytes: 4096 });

  assert.deepEqual(await f.forward(`${base}/text`, MO), { ok: true, reply: 'Order 42 ships today' });
  assert.deepEqual(seen[0], { path: '/text', key: 'mo1', mo: MO });
  assert.deepEqual(await f.forward(`${base}/json`, MO), { ok: true, reply: 'Shipped' });
  assert.deepEqual(await f.forward(`${base}/none`, MO), { ok: true, reply: '' });
  assert.deepEqual(await f.forward(`${base}/number`, MO), {
    ok: false,
    error: 'the JSON answer\'s "reply" is not a string',
  });
  assert.deepEqual(await f.forward(`${base}/bad-json`, MO), {
    ok: false,
    error: 'the answer is not valid JSON',
  });
  assert.deepEqual(await f.forward(`${base}/500`, MO), { ok: false, error: 'HTTP 500' });
  assert.deepEqual(await f.forward(`${base}/redirect`, MO), { ok: false, error: 'HTTP 302' });
  assert.deepEqual(await f.forward(`${base}/big`, MO), {
    ok: false,
    error: 'the answer is larger than 4096 bytes',
  });
  assert.deepEqual(await f.forward(`${base}/slow`, MO), { ok: false, error: 'no answer within 300 ms' });

  // Without the operator's allowance, loopback is refused before any connection.
  const before = seen.length;
  const guarded = await new KeywordForwarder(new UrlGuard()).forward(`${base}/text`, MO);
  assert.equal(guarded.ok, false);
  assert.match((guarded as { error: string }).error, /loopback/);
  assert.equal(seen.length, before);
});
