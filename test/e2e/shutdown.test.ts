// Graceful shutdown (issue 5, "Operations"): `hermod start` under a steady load of submits
// gets SIGTERM. It stops accepting, lets the submits in flight upstream finish, unbinds
// from the SMSC with unbind (not a dropped connection), flushes the store and exits 0.
// Afterwards the store holds every message the customer was acknowledged, and every
// message the SMSC received is recorded as sent (its submit_sm_resp was not lost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient, type Session } from '../../src/smpp/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { SqliteStore } from '../../src/store/index.js';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

test('SIGTERM under load: stops accepting, drains, unbinds upstream, exits 0; every acknowledged message is stored and every one the SMSC got is recorded sent', async () => {
  // Throttled above 200/s and slow to answer, so that a queue and a full window exist at the signal.
  const sim = new SmscSimulator({ port: 0, throttle: 200, latencyMs: { min: 20, max: 40 } });
  const simPort = await sim.listen();
  const received = new Set<string>();
  sim.on('submit', (m: { shortMessage: Buffer }) => received.add(m.shortMessage.toString()));
  const unbinds: string[] = [];
  sim.on('bind', () => {
    for (const s of sim.sessions as Session[])
      if (!s.listenerCount('unbind')) s.on('unbind', () => unbinds.push(s.systemId ?? '?'));
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-shutdown-'));
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: {
      ...process.env,
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_UPSTREAM_SMPP: `127.0.0.1:${simPort}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`Hermod did not start: ${out}`)), 60_000);
      const check = () => {
        const m = out.match(/SMPP:\s+127\.0\.0\.1:(\d+)/);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        } else setTimeout(check, 20);
      };
      check();
    });
    const c = new SmppClient({
      host: '127.0.0.1',
      port,
      systemId: 'demo',
      password: 'demo',
      reconnect: false,
      windowSize: 20,
    });
    await c.connect();
    const acked = new Map<string, string>(); // token → message id
    let signalled = false;
    let refusedAfter = 0;
    let n = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (;;) {
          const token = `bye-${n++}`;
          try {
            const r = await c.submitSm({ destinationAddr: '447700900123', shortMessage: Buffer.from(token) });
            acked.set(token, r.messageId);
            if (acked.size >= 300 && !signalled) {
              signalled = true;
              child.kill('SIGTERM');
            }
          } catch {
            if (signalled) refusedAfter++;
            return; // the bind is going away with Hermod
          }
          if (signalled && !c.bound) return;
        }
      }),
    );
    const code = await exited;
    assert.equal(code, 0, 'exits 0');
    assert.match(out, /SIGTERM: draining and shutting down/);
    assert.ok(refusedAfter > 0 || !c.bound, 'stopped accepting: the customer’s bind ended');
    assert.ok(
      received.size < acked.size,
      `a backlog existed at the signal (${received.size} of ${acked.size} at the SMSC)`,
    );
    assert.ok(
      unbinds.includes('hermod'),
      `the connector unbound from the SMSC (unbinds: ${unbinds.join(', ') || 'none'})`,
    );

    const store = new SqliteStore(join(dataDir, 'hermod.db'));
    try {
      const lost: string[] = [];
      const unrecorded: string[] = [];
      for (const [token, id] of acked) {
        const m = await store.getMessage(id);
        if (!m) lost.push(token);
        else if (received.has(token) && (m.state === 'queued' || m.state === 'accepted'))
          unrecorded.push(`${token}:${m.state}`);
      }
      assert.deepEqual(lost, [], 'every acknowledged message is in the store');
      assert.deepEqual(unrecorded, [], 'every message the SMSC received has its submit_sm_resp recorded');
      assert.ok((await store.queueDepth()) > 0, 'the rest waits in the queue for the next start');
    } finally {
      await store.close();
    }
    await c.close().catch(() => undefined);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sim.close();
  }
});
