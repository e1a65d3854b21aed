// Kannel (Debian `kannel`), a gateway we did not write, as an ESME: its bearerbox binds
// to our simulator over SMPP; a message sent through Kannel's sendsms HTTP interface
// arrives at the simulator, and the simulator's receipt comes back to Kannel's dlr-url.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmscSimulator } from '../../src/simulator/index.js';
import { requireTool } from '../support/services.js';
import { freePort } from '../support/ports.js';

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(
  'Kannel sendsms → SMPP → simulator, and the receipt back to Kannel’s dlr-url',
  { timeout: 90_000 },
  async (t) => {
    if (
      !requireTool(t, 'Kannel bearerbox', () =>
        execFileSync('sh', ['-c', 'command -v bearerbox && command -v smsbox']),
      )
    )
      return;
    const dir = mkdtempSync(join(tmpdir(), 'hermod-kannel-'));
    const [admin, boxPort, smppPort, sendsms, dlrPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);

    const sim = new SmscSimulator({
      port: smppPort,
      latencyMs: { min: 20, max: 20 },
      credentials: [{ systemId: 'kannel', password: 'pw' }],
    });
    await sim.listen();
    const dlrs: URLSearchParams[] = [];
    const dlrServer = createServer((req, res) => {
      dlrs.push(new URL(req.url ?? '/', 'http://x').searchParams);
      res.end('ok');
    });
    await new Promise<void>((r) => dlrServer.listen(dlrPort, '127.0.0.1', r));

    const conf = join(dir, 'kannel.conf');
    writeFileSync(
      conf,
      `group = core
admin-port = ${admin}
admin-password = secret
smsbox-port = ${boxPort}
log-file = "${dir}/bearerbox.log"
log-level = 0
box-allow-ip = "127.0.0.1"
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = hermod-sim
host = 127.0.0.1
port = ${smppPort}
transceiver-mode = true
smsc-username = kannel
smsc-password = pw
system-type = ""
reconnect-delay = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${boxPort}
sendsms-port = ${sendsms}
log-file = "${dir}/smsbox.log"
log-level = 0

group = sendsms-user
username = tester
password = foobar
`,
    );
    const procs: ChildProcess[] = [];
    t.after(async () => {
      for (const p of procs) p.kill('SIGKILL');
      dlrServer.close();
      await sim.close();
    });
    try {
      procs.push(spawn('bearerbox', [conf], { stdio: 'ignore' }));
      await until('Kannel to bind to the simulator', () =>
        sim.sessions.some((s) => s.systemId === 'kannel') ? true : undefined,
      );
      procs.push(spawn('smsbox', [conf], { stdio: 'ignore' }));
      const dlrUrl = `http://127.0.0.1:${dlrPort}/dlr?type=%d&smscid=%F&to=%p`;
      const url =
        `http://127.0.0.1:${sendsms}/cgi-bin/sendsms?` +
        new URLSearchParams({
          username: 'tester',
          password: 'foobar',
          to: '447700900123',
          from: 'Kannel',
          text: 'Hello from Kannel',
          'dlr-mask': '11',
          'dlr-url': dlrUrl,
        });
      const body = await until('sendsms to answer', async () => {
        try {
          const r = await fetch(url);
          return await r.text();
        } catch {
          return undefined;
        }
      });
      assert.match(body, /Accepted for delivery/);
      const m = await until('the submit at the simulator', () => sim.submitted[0]);
      assert.equal(m.destination, '447700900123');
      assert.equal(m.source, 'Kannel');
      assert.equal(m.shortMessage.toString('latin1'), 'Hello from Kannel');
      const delivered = await until('Kannel’s delivered DLR callback', () =>
        dlrs.find((d) => d.get('type') === '1'),
      );
      assert.equal(delivered.get('smscid'), m.id, 'Kannel matched the receipt to our submit_sm_resp id');
      assert.equal(delivered.get('to'), '447700900123');
      assert.ok(
        dlrs.some((d) => d.get('type') === '8'),
        'and the SMSC acknowledgement (type 8) before it',
      );
      assert.equal(sim.stats.receipts, 1);
    } catch (err) {
      const log = join(dir, 'bearerbox.log');
      if (existsSync(log)) console.error(readFileSync(log, 'utf8').split('\n').slice(-40).join('\n'));
      throw err;
    }
  },
);
