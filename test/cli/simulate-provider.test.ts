// `hermod simulate --provider`: the binary in a child process serves Telnyx's /v2/messages
// with its printed public key and exits cleanly on SIGTERM; --help lists the provider
// options; bad scripts and a Twilio simulator without its token are refused precisely.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { hermod } from '../support/cli.js';
import { providerScript } from '../../src/cli/simulate-provider.js';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

test('hermod simulate --help lists the provider simulator’s options', async () => {
  const r = await hermod(['simulate', '--help']);
  assert.equal(r.code, 0);
  for (const opt of [
    '--provider',
    '--api-key',
    '--private-key',
    '--account-sid',
    '--auth-token',
    '--script',
    '--report-delay',
    '--inbound-url',
    '--inbound-every',
    '--inbound-media',
  ])
    assert.ok(r.stdout.includes(opt), `--help mentions ${opt}`);
  assert.match(r.stdout, /"telnyx", "twilio"/);
});

test('provider scripts: outcomes, HTTP statuses and delays; anything else refused by name', () => {
  assert.deepEqual(providerScript('1555666:undelivered'), { prefix: '1555666', outcome: 'undelivered' });
  assert.deepEqual(providerScript('1555429:429'), { prefix: '1555429', status: 429 });
  assert.deepEqual(providerScript('1555:delivered:2000'), {
    prefix: '1555',
    outcome: 'delivered',
    delayMs: 2000,
  });
  assert.throws(() => providerScript('abc:delivered'), /"abc" is not a digit prefix/);
  assert.throws(() => providerScript('1555:lost'), /"lost" is neither an outcome/);
  assert.throws(() => providerScript('1555'), /give an outcome/);
});

test('hermod simulate --provider twilio without --auth-token is refused', () => {
  const r = spawnSync(process.execPath, [BIN, 'simulate', '--provider', 'twilio', '--port', '0'], {
    encoding: 'utf8',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--provider twilio needs --auth-token/);
});

test('hermod simulate --provider telnyx answers /v2/messages and exits cleanly on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'simulate',
      '--provider',
      'telnyx',
      '--port',
      '0',
      '--api-key',
      'KEY_cli',
      '--script',
      '1555400:400',
      '--stats-interval',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [url, key] = await new Promise<[string, string]>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
    child.stdout.on('data', () => {
      const u = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const k = /public key \(the connector's publicKey\): (\S+)/.exec(out);
      if (u && k) {
        clearTimeout(t);
        resolve([u[1], k[1]]);
      }
    });
  });
  assert.equal(Buffer.from(key, 'base64').length, 32, 'an Ed25519 public key');
  const post = (to: string, auth = 'Bearer KEY_cli') =>
    fetch(`${url}/v2/messages`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+15550001000', to, text: 'hi' }),
    });
  const ok = await post('+15550002000');
  assert.equal(ok.status, 200);
  assert.match(((await ok.json()) as { data: { id: string } }).data.id, /^[0-9a-f-]{36}$/);
  assert.equal((await post('+15554000001')).status, 400);
  assert.equal((await post('+15550002000', 'Bearer other')).status, 401);
  await new Promise((r) => setTimeout(r, 1200));
  assert.match(out, /submits=1 refused=2/);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 0);
  assert.match(out, /SIGTERM: shutting down/);
});
