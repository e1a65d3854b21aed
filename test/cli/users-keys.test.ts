// `hermod users keys add|list|revoke` against a running Hermod (the admin API over a real
// socket): the key is printed once, listed without itself, works on REST v1, and is refused
// from the request after the revoke. --help of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

test('hermod users keys --help, and add / list / revoke with and without --json', async () => {
  const help = await Promise.all(
    [
      ['users', 'keys', '--help'],
      ['users', 'keys', 'add', '--help'],
      ['users', 'keys', 'list', '--help'],
      ['users', 'keys', 'revoke', '--help'],
    ].map((a) => hermod(a)),
  );
  for (const s of ['add', 'list', 'revoke'])
    assert.match(ok(help[0], 'users keys --help').stdout, new RegExp(`^  ${s}\\b`, 'm'));
  assert.match(
    ok(help[1], 'keys add --help').stdout,
    /Usage: hermod users keys add \[options\] <username>[\s\S]*shown this once[\s\S]*--label <text>/,
  );
  assert.match(
    ok(help[2], 'keys list --help').stdout,
    /Usage: hermod users keys list \[options\] <username>/,
  );
  assert.match(
    ok(help[3], 'keys revoke --help').stdout,
    /Usage: hermod users keys revoke \[options\] <username> <id>/,
  );
  for (const r of help.slice(1))
    for (const opt of ['--url <url>', '--key <key>', '--json', 'HERMOD_ADMIN_KEY'])
      assert.ok(r.stdout.includes(opt), opt);

  const h = await demoHermod();
  const url = `http://127.0.0.1:${h.apiPort}`;
  const api = (...args: string[]) => hermod([...args, '--url', url]);
  const balance = (key: string) =>
    fetch(`${url}/v1/balance`, { headers: { authorization: `Bearer ${key}` } });
  try {
    const added = ok(await api('users', 'keys', 'add', 'demo', '--label', 'ci'), 'keys add');
    const key = added.stdout.trim();
    assert.match(key, /^hk_[A-Za-z0-9_-]{32}$/, 'stdout is the key alone (for scripts)');
    const id = Number(
      /^key (\d+) of demo \(ci\): store it now, it is not shown again$/m.exec(added.stderr)?.[1],
    );
    assert.ok(id > 0, added.stderr);
    const addedJson = json<{ id: number; label: string | null; key: string }>(
      ok(await api('users', 'keys', 'add', 'demo', '--json'), 'keys add --json'),
    );
    assert.equal(addedJson.label, null);
    assert.match(addedJson.key, /^hk_/);
    assert.equal((await balance(key)).status, 200);

    const list = ok(await api('users', 'keys', 'list', 'demo'), 'keys list');
    assert.match(list.stdout, /^ID\s+LABEL\s+CREATEDAT$/m);
    assert.match(list.stdout, new RegExp(`^${id}\\s+ci\\s+\\d{4}-\\d\\d-\\d\\dT`, 'm'));
    assert.match(list.stdout, /^\d+\s+config\s+/m, 'the demo key from the configuration');
    assert.ok(!list.stdout.includes(key) && !list.stdout.includes(addedJson.key), 'never the key');
    const listed = json<{ apiKeys: { id: number; label: string | null }[] }>(
      ok(await api('users', 'keys', 'list', 'demo', '--json'), 'keys list --json'),
    );
    assert.deepEqual(
      listed.apiKeys.map((k) => k.label),
      ['config', 'ci', null],
    );

    assert.match(
      ok(await api('users', 'keys', 'revoke', 'demo', String(id)), 'keys revoke').stdout,
      new RegExp(`^demo: key ${id} revoked$`, 'm'),
    );
    assert.equal((await balance(key)).status, 401, 'refused at once');
    assert.equal((await balance(addedJson.key)).status, 200);
    const again = await api('users', 'keys', 'revoke', 'demo', String(id));
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /^error: user "demo" has no API key \d+ \(or it is revoked already\) \(HERMOD_ERR_UNKNOWN_API_KEY\)$/m,
    );
    assert.deepEqual(
      json(ok(await api('users', 'keys', 'revoke', 'demo', String(addedJson.id), '--json'), 'revoke --json')),
      { username: 'demo', id: addedJson.id, revoked: true },
    );
    const nobody = await api('users', 'keys', 'list', 'nobody');
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /HERMOD_ERR_UNKNOWN_USER/);
    const badId = await api('users', 'keys', 'revoke', 'demo', 'x');
    assert.notEqual(badId.code, 0);
    assert.match(badId.stderr, /must be a positive integer/);
  } finally {
    await h.stop();
  }
});
