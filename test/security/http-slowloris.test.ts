// Issue 13 item 8 (slowloris): connections that drip their headers or body a byte at a time
// are closed by the request/headers deadlines, and each HTTP listener caps its connections,
// on both listeners (REST/admin and Jasmin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { configuredHermod } from '../support/hermod.js';
import { getFrom } from './attack.js';

const limits = { security: { http: { requestTimeoutS: 1, headersTimeoutS: 1, maxConnections: 5 } } };

/** Connects, writes `head`, then one byte of `drip` every 200 ms; resolves with ms until the server closed it. */
function drip(port: number, head: string, dripByte: string, giveUpMs = 6000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(head));
    const timer = setInterval(() => s.writable && s.write(dripByte), 200);
    const done = (): void => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve(performance.now() - t0);
    };
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      s.destroy();
      reject(new Error(`still open after ${giveUpMs} ms`));
    }, giveUpMs);
    s.on('data', () => {});
    s.on('close', done);
    s.on('error', () => {});
  });
}

test('item 8: a body or headers dripped a byte at a time are cut off by the deadlines, on both listeners', async () => {
  const h = await configuredHermod(limits);
  try {
    for (const port of [h.apiPort, h.httpPort]) {
      const body = await drip(port, 'POST /send HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n', 'a');
      assert.ok(body < 4000, `body drip closed after ${body.toFixed(0)} ms`);
      const headers = await drip(port, 'GET /ping HTTP/1.1\r\n', 'x');
      assert.ok(headers < 4000, `header drip closed after ${headers.toFixed(0)} ms`);
    }
  } finally {
    await h.stop();
  }
});

test('item 8: each HTTP listener caps its connections; freed slots serve again', async () => {
  const h = await configuredHermod(limits);
  const held: net.Socket[] = [];
  try {
    for (const [port, path] of [
      [h.apiPort, '/healthz'],
      [h.httpPort, '/ping'],
    ] as const) {
      for (let i = 0; i < 5; i++)
        held.push(
          await new Promise<net.Socket>((resolve) => {
            const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
            s.on('error', () => {});
          }),
        );
      // The sixth connection is closed by the server without an answer.
      const refused = await getFrom(port, path).then(
        () => false,
        () => true,
      );
      assert.ok(refused, 'a sixth connection is refused');
      for (const s of held.splice(0)) s.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const ok = await getFrom(port, path);
      assert.equal(ok.status, 200);
    }
  } finally {
    for (const s of held) s.destroy();
    await h.stop();
  }
});
