// `hermod operators add` on a fresh install (straight into the store, before any start; the
// one-time password it prints signs in, and must be changed), with --password-stdin, and a
// duplicate refused; `hermod members add` through the admin API of a running Hermod (an
// invitation's set-password token, or a temporary password from stdin). --help of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok, type Run } from '../support/cli.js';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

/** The CLI with `input` on its stdin (the helper in support/ closes stdin). */
function withStdin(args: string[], input: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const { HERMOD_ADMIN_KEY: _k, HERMOD_URL: _u, ...rest } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...rest, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('hermod operators add / members add: --help, a first operator on a fresh install, members through the admin API', async (t) => {
  const [opsHelp, membersHelp] = await Promise.all([
    hermod(['operators', 'add', '--help']),
    hermod(['members', 'add', '--help']),
  ]);
  assert.match(
    ok(opsHelp, 'operators add --help').stdout,
    /Usage: hermod operators add \[options\] <email>[\s\S]*fresh install[\s\S]*--password-stdin/,
  );
  assert.match(
    ok(membersHelp, 'members add --help').stdout,
    /Usage: hermod members add \[options\] <email>[\s\S]*--account <username>[\s\S]*--role <role>[\s\S]*"sender"[\s\S]*--password-stdin/,
  );
  for (const opt of ['--url <url>', '--key <key>', 'HERMOD_ADMIN_KEY'])
    assert.ok(membersHelp.stdout.includes(opt), opt);

  // A fresh install: no store yet, nothing running.
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-people-cli-'));
  const env = { HERMOD_DATA_DIR: dataDir };
  const first = ok(
    await hermod(['operators', 'add', 'ops@hermod.example', '--name', 'Ops'], env),
    'operators add',
  );
  const oneTime = first.stdout.trim();
  assert.match(oneTime, /^[A-Za-z0-9_-]{16}$/, 'stdout is the password alone (for scripts)');
  assert.match(first.stderr, /^operator 1 \(ops@hermod\.example\): one-time password below/m);
  const chosen = ok(
    await withStdin(
      ['operators', 'add', 'second@hermod.example', '--password-stdin', '--json'],
      'a-chosen-password\n',
      env,
    ),
    'operators add --password-stdin',
  );
  assert.deepEqual(json(chosen), { id: 2, email: 'second@hermod.example' });
  const again = await hermod(['operators', 'add', 'OPS@hermod.example'], env);
  assert.equal(again.code, 1);
  assert.match(
    again.stderr,
    /^error: a web user with the email "OPS@hermod\.example" exists \(HERMOD_ERR_WEB_USER_EXISTS\)$/m,
  );
  const weak = await withStdin(
    ['operators', 'add', 'third@hermod.example', '--password-stdin'],
    'short\n',
    env,
  );
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, /password: must have at least 10 characters \(HERMOD_ERR_VALIDATION\)/);

  // The gateway starts on that store: both sign in; the one-time password must be changed.
  const h = await demoHermod(dataDir);
  t.after(() => h.stop());
  const url = `http://127.0.0.1:${h.apiPort}`;
  const signIn = (email: string, password: string) =>
    fetch(`${url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  const s1 = await signIn('ops@hermod.example', oneTime);
  assert.equal(s1.status, 201);
  const b1 = (await s1.json()) as {
    user: { kind: string; display_name: string; must_change_password: boolean };
  };
  assert.deepEqual(
    [b1.user.kind, b1.user.display_name, b1.user.must_change_password],
    ['operator', 'Ops', true],
  );
  const s2 = await signIn('second@hermod.example', 'a-chosen-password');
  assert.equal(s2.status, 201);
  const b2 = (await s2.json()) as { token: string; user: { must_change_password: boolean } };
  assert.equal(b2.user.must_change_password, false);
  // Its session opens the admin API.
  const users = await fetch(`${url}/v1/admin/users`, { headers: { authorization: `Bearer ${b2.token}` } });
  assert.equal(users.status, 200);

  // Members through the admin API: an invitation (the token on stdout), or a temporary password.
  const api = (...args: string[]) => hermod([...args, '--url', url]);
  const invited = ok(
    await api('members', 'add', '--account', 'demo', 'clerk@shop.example', '--role', 'sender'),
    'members add',
  );
  const token = invited.stdout.trim();
  assert.match(token, /^hsp_[A-Za-z0-9_-]{43}$/);
  assert.match(
    invited.stderr,
    /^member \d+ \(clerk@shop\.example, sender of demo\): set-password token below, valid until \d{4}-/m,
  );
  const set = await fetch(`${url}/v1/session/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password: 'clerk-password-1' }),
  });
  assert.equal(set.status, 200);
  const clerk = (await (await signIn('clerk@shop.example', 'clerk-password-1')).json()) as {
    user: { role: string };
    account: { username: string };
  };
  assert.deepEqual([clerk.user.role, clerk.account.username], ['sender', 'demo']);
  const withPassword = ok(
    await withStdin(
      [
        'members',
        'add',
        '--account',
        'demo',
        'boss@shop.example',
        '--role',
        'admin',
        '--password-stdin',
        '--url',
        url,
      ],
      'boss-temporary-1\n',
      {},
    ),
    'members add --password-stdin',
  );
  assert.match(withPassword.stdout, /^member \d+ \(boss@shop\.example, admin of demo\) created$/m);
  assert.equal((await signIn('boss@shop.example', 'boss-temporary-1')).status, 201);
  const unknown = await api('members', 'add', '--account', 'nobody', 'x@shop.example', '--role', 'viewer');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /\(HERMOD_ERR_UNKNOWN_USER\)$/m);
  const badRole = await api('members', 'add', '--account', 'demo', 'x@shop.example', '--role', 'boss');
  assert.notEqual(badRole.code, 0);
  assert.match(badRole.stderr, /Allowed choices are owner, admin, sender, viewer/);
});
