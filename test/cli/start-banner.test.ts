// `npm start` / `hermod start` with no configuration: the demo, on 127.0.0.1 only, saying so,
// and printing where to click and curl. The commands it prints are then run as printed
// (the REST curl and the Jasmin-compatible curl, by fetch with the same URL, key and form):
// a banner whose instructions do not work would fail here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

test('hermod start without a config: demo mode on 127.0.0.1, and the printed first-message commands work as printed', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-banner-'));
  const { HERMOD_CONFIG: _c, HERMOD_DATABASE_URL: _d, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: dataDir, // no ./hermod.yaml here
    // At info, so that request logs are written: they must not carry keys or whole numbers.
    env: {
      ...env,
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no banner: ${out}`)), 60_000); // a loaded machine starts slowly
      const check = () =>
        /Operate it with the CLI/.test(out) ? (clearTimeout(t), resolve()) : setTimeout(check, 20);
      check();
    });
    assert.match(out, /demo mode: listening on 127\.0\.0\.1 only/);
    assert.match(out, /SMPP:\s+127\.0\.0\.1:\d+\s+system_id "demo", password "demo"/);
    assert.match(out, /store:\s+SQLite at /);
    // The console the banner points at answers, and its demo sign-in works.
    const consoleAt = /Console:\s+(http:\S+)\s+\(sign in as demo \/ demo/.exec(out);
    assert.ok(consoleAt, `a Console line in:\n${out}`);
    assert.match(await (await fetch(consoleAt[1])).text(), /<div id="root">/);
    const signIn = await fetch(new URL('/v1/session', consoleAt[1]), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo', password: 'demo' }),
    });
    assert.equal(signIn.status, 201, await signIn.clone().text());
    assert.equal(((await signIn.json()) as { account: { username: string } }).account.username, 'demo');

    // The REST curl, as printed: URL, bearer key and body.
    const rest = out.match(
      /curl -s (http:\/\/127\.0\.0\.1:\d+\/v1\/messages) -H 'Authorization: Bearer (\S+)' -H 'Content-Type: application\/json' -d '(.+)'/,
    );
    assert.ok(rest, `a REST curl line in:\n${out}`);
    const sent = await fetch(rest[1], {
      method: 'POST',
      headers: { authorization: `Bearer ${rest[2]}`, 'content-type': 'application/json' },
      body: rest[3],
    });
    assert.equal(sent.status, 202, await sent.clone().text());
    assert.equal(((await sent.json()) as { status: string }).status, 'queued');

    // The Jasmin-compatible curl: a form POST answered with {"data":{"messageid":…}}.
    const jasmin = out.match(
      /curl -s (http:\/\/127\.0\.0\.1:\d+\/send) -d username=(\S+) -d password=(\S+) -d to=(\d+) -d "content=([^"]+)"/,
    );
    assert.ok(jasmin, `a Jasmin curl line in:\n${out}`);
    const form = new URLSearchParams({
      username: jasmin[2],
      password: jasmin[3],
      to: jasmin[4],
      content: jasmin[5],
    });
    const answer = await fetch(jasmin[1], { method: 'POST', body: form });
    assert.equal(answer.status, 200);
    assert.ok(((await answer.json()) as { data: { messageid: string } }).data.messageid);

    // A listing by number and a provider hook with its token, logged at info: masked and redacted.
    const api = rest[1].replace(/\/v1\/messages$/, '');
    assert.equal(
      (
        await fetch(`${api}/v1/messages?to=%2B447700900123`, {
          headers: { authorization: `Bearer ${rest[2]}` },
        })
      ).status,
      200,
    );
    await fetch(`${api}/v1/hooks/connectors/none/dlr?token=hook-secret-123`);
    await new Promise((r) => setTimeout(r, 200));
    const logged = out.split('\n').filter((l) => l.startsWith('{') && l.includes('"url"'));
    assert.ok(
      logged.some((l) => l.includes('/v1/messages?to=')),
      `request logs at info:\n${logged.join('\n')}`,
    );
    assert.ok(
      !logged.some((l) => l.includes('447700900123') || l.includes('hook-secret-123') || l.includes(rest[2])),
      `no number, token or key in:\n${logged.join('\n')}`,
    );
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});
