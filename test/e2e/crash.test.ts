// Crash safety (checklist row 1, SQLite): under a steady load, kill -9 Hermod, restart it
// on the same data directory, and count: every message acknowledged to the customer must
// reach the SMSC; duplicates are bounded by what was in flight upstream at the crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient } from '../../src/smpp/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { randomBytes } from 'node:crypto';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

function startHermod(dataDir: string, upstreamPort: number, extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { ...process.env, HERMOD_DATA_DIR: dataDir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0', HERMOD_UPSTREAM_SMPP: `127.0.0.1:${upstreamPort}`, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Listen for the exit from the start: after a kill -9 the event may come before anyone awaits it.
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started gateway behind
      reject(new Error(`Hermod did not start: ${out}`));
    }, 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/SMPP:\s+127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(t);
        resolve({ child, port: Number(m[1]), exited });
      }
    });
  });
}

async function crashRun(extraEnv: Record<string, string>): Promise<void> {
  // A slow SMSC (throttling above 100/s) so that a backlog is queued in the store at the kill.
  const sim = new SmscSimulator({ port: 0, throttle: 100 });
  const simPort = await sim.listen();
  const received: string[] = [];
  sim.on('submit', (m: { shortMessage: Buffer }) => received.push(m.shortMessage.toString()));
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-crash-'));
  let h = await startHermod(dataDir, simPort, extraEnv);
  try {
    const c = new SmppClient({ host: '127.0.0.1', port: h.port, systemId: 'demo', password: 'demo', reconnect: false, windowSize: 20 });
    await c.connect();
    const acked = new Set<string>();
    let sent = 0;
    let killed = false;
    const refusals: string[] = [];
    const started = Date.now();
    const workers = Array.from({ length: 20 }, async () => {
      while (!killed) {
        const token = `crash-${sent++}`;
        try {
          await c.submitSm({ destinationAddr: '447700900123', shortMessage: Buffer.from(token) });
          acked.add(token);
          // Kill after 400 acknowledgements, or after 15 s on a slow machine (whatever was acked by then).
          if ((acked.size >= 400 || Date.now() - started > 15_000) && !killed) {
            killed = true;
            h.child.kill('SIGKILL');
          }
        } catch (err) {
          // After the kill: the connection died with Hermod, this one was never acknowledged.
          // Before it: a refusal (say, under load) is not an acknowledgement; go on while bound.
          if (killed || !c.bound) return;
          refusals.push(err instanceof Error ? err.message : String(err));
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    });
    await Promise.all(workers);
    // Every worker may have stopped without a kill (the bind died): kill anyway, never wait forever.
    if (!killed) {
      killed = true;
      h.child.kill('SIGKILL');
    }
    await h.exited;
    const beforeRestart = received.length;
    assert.ok(acked.size > 0, `some messages were acknowledged before the kill (refusals: ${refusals.slice(0, 3).join('; ')})`);

    h = await startHermod(dataDir, simPort, extraEnv);
    const deadline = Date.now() + 30_000;
    const missing = () => [...acked].filter((t) => !received.includes(t));
    while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(beforeRestart < acked.size, `a backlog existed at the kill (${beforeRestart} of ${acked.size} sent)`);
    assert.deepEqual(missing(), [], 'every acknowledged message reached the SMSC after the restart');
    const duplicates = received.length - new Set(received).size;
    console.log(`crash test: acked ${acked.size}, at the SMSC before restart ${beforeRestart}, after ${received.length}, duplicates ${duplicates}`);
    // The dispatcher keeps at most 2 × window (2 × 50) submits in flight upstream.
    assert.ok(duplicates <= 100, `duplicates ${duplicates} exceed what can be in flight`);
    await c.close().catch(() => undefined);
  } finally {
    if (h.child.exitCode === null && h.child.signalCode === null) {
      h.child.kill('SIGTERM');
      const t = setTimeout(() => h.child.kill('SIGKILL'), 10_000);
      await h.exited;
      clearTimeout(t);
    }
    await sim.close();
  }
}

test('kill -9 during submits on SQLite: nothing acknowledged is lost', { timeout: 120_000 }, () => crashRun({}));

test('kill -9 during submits on PostgreSQL: nothing acknowledged is lost', { timeout: 120_000 }, async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_crash_${randomBytes(5).toString('hex')}`;
  try {
    await crashRun({ HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema, HERMOD_NODE_ID: 'crash-node' });
  } finally {
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});
