import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { SmppClient, receiptFromPdu, type Pdu } from '../../src/smpp/index.js';
import { hermod } from '../support/cli.js';

// The binary itself (a new Node process through bin/hermod.js): --help, a usage error's exit
// code, and simulate's SIGTERM. The other commands run in-process, through runCli.

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

test('hermod simulate --help documents every option', async () => {
  const r = await hermod(['simulate', '--help']);
  assert.equal(r.code, 0);
  for (const opt of [
    '--port',
    '--system-id',
    '--tls-cert',
    '--delivered',
    '--undelivered',
    '--expired',
    '--rejected',
    '--latency',
    '--throttle',
    '--error-rate',
    '--fail-prefix',
    '--drop-after',
    '--drop-rate',
    '--refuse-binds',
    '--hang',
    '--id-format',
    '--mo-rate',
    '--seed',
    '--stats-interval',
  ]) {
    assert.ok(r.stdout.includes(opt), `--help mentions ${opt}`);
  }
});

test('hermod simulate rejects a bad option value with a precise message', () => {
  const r = spawnSync(process.execPath, [BIN, 'simulate', '--drop-rate', '7'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--drop-rate.*between 0 and 1/);
});

test('hermod simulate serves a bind, returns a receipt, prints stats and exits cleanly on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [BIN, 'simulate', '--port', '0', '--stats-interval', '1', '--undelivered', '1', '--delivered', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no banner: ${out}`)), 10_000);
    child.stdout.on('data', () => {
      const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
  const c = new SmppClient({ host: '127.0.0.1', port, systemId: 'cli', password: 'x', reconnect: false });
  const receipt = new Promise<Pdu>((r) =>
    c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
      respond();
      r(pdu);
    }),
  );
  await c.connect();
  await c.submitSm({
    destinationAddr: '447700900123',
    registeredDelivery: 1,
    shortMessage: Buffer.from('hi'),
  });
  assert.equal(receiptFromPdu((await receipt) as never)?.state, 'undelivered');
  await c.close();
  await new Promise((r) => setTimeout(r, 1200));
  assert.match(out, /submits=1 receipts=1/);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', (c2) => r(c2)));
  assert.equal(code, 0);
  assert.match(out, /SIGTERM: shutting down/);
});

test('hermod --help lists the commands', () => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /simulate/);
  assert.match(r.stdout, /start/);
});

test('hermod send submits through a running Hermod and reports the receipt', async () => {
  const { demoHermod } = await import('../support/hermod.js');
  const h = await demoHermod();
  try {
    const out = await hermod([
      'send',
      '--port',
      String(h.smppPort),
      '--to',
      '447700900123',
      '--text',
      'Grüße '.repeat(30),
      '--json',
    ]);
    assert.equal(out.code, 0);
    const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      ids: string[];
      parts: number;
      encoding: string;
      states: { state: string }[];
    };
    assert.equal(r.encoding, 'gsm7');
    assert.equal(r.parts, 2);
    assert.deepEqual(
      r.states.map((s) => s.state),
      ['delivered', 'delivered'],
    );
    assert.equal((await h.store.getMessage(r.ids[0]))?.state, 'delivered');
  } finally {
    await h.stop();
  }
  const help = await hermod(['send', '--help']);
  assert.match(help.stdout, /--to <number>/);
});
