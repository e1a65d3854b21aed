// How a provider's answer to a submit is taken, the same for Telnyx and Twilio: a hang or a
// refused connection is transient (retried), a 2xx without an id or without JSON is
// permanent (resending could send twice), a 403 is permanent with its status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelnyxConnector, TwilioConnector } from '../../src/connectors/index.js';
import type { StoredMessage } from '../../src/domain/index.js';
import { telnyxKeyPair } from '../../src/lib/provider-signatures.js';
import { freePort } from '../support/ports.js';

const SMS = {
  id: 'm1',
  source: 'Shop',
  destination: '447700900123',
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hello'),
  meta: {},
} as unknown as StoredMessage;

async function provider(answer: (res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const connectors = (baseUrl: string) => {
  const common = { baseUrl, window: 1, timeoutMs: 300, mediaUrlTtlS: 600 };
  return [
    new TelnyxConnector('tx', { ...common, apiKey: 'k', publicKey: telnyxKeyPair().publicKey }),
    new TwilioConnector('tw', {
      ...common,
      hookBaseUrl: 'http://h',
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: 't',
    }),
  ];
};

const fails = async (c: TelnyxConnector | TwilioConnector, transient: boolean, message: RegExp) => {
  await c.start();
  await assert.rejects(c.submit(SMS), (e: Error & { transient?: boolean }) => {
    assert.equal(e.transient, transient, `${c.type}: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
  assert.equal(c.status().counters.errors, 1);
  assert.match(c.status().lastError ?? '', message);
};

test('no answer within timeoutS, or no one listening: transient', async () => {
  const hang = await provider(() => undefined);
  try {
    for (const c of connectors(hang.url)) await fails(c, true, /no answer within 300 ms/);
  } finally {
    await hang.close();
  }
  const nobody = `http://127.0.0.1:${await freePort()}`;
  for (const c of connectors(nobody)) await fails(c, true, /ECONNREFUSED/);
});

test('2xx without an id or without JSON: permanent; 403: permanent', async () => {
  const noId = await provider((res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}'),
  );
  const html = await provider((res) =>
    res.writeHead(201, { 'content-type': 'text/html' }).end('<html>ok</html>'),
  );
  const denied = await provider((res) => res.writeHead(403).end('{"errors":[{"code":"10010"}]}'));
  try {
    for (const c of connectors(noId.url)) await fails(c, false, /without (data\.id|a sid)/);
    for (const c of connectors(html.url)) await fails(c, false, /with no JSON/);
    for (const c of connectors(denied.url)) await fails(c, false, /answered 403/);
  } finally {
    await Promise.all([noId.close(), html.close(), denied.close()]);
  }
});

test('a stopped connector refuses transiently (the message waits)', async () => {
  for (const c of connectors('http://127.0.0.1:9'))
    await assert.rejects(c.submit(SMS), (e: Error & { transient?: boolean }) => e.transient === true);
});
