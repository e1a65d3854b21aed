// PeopleService on SQLite with a fake clock: a session slides while used and ends when idle
// or at its cap; password rules; sign-in through a real LoginGuard; the env overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeopleService, isSessionToken } from '../../src/engine/index.js';
import { checkPassword, hashPasswordAsync } from '../../src/engine/people.js';
import { Accounts } from '../../src/gateway/index.js';
import { LoginGuard, verifyPasswordAsync } from '../../src/gateway/login-guard.js';
import { verifyPassword } from '../../src/domain/index.js';
import { peopleOptionsFromEnv } from '../../src/compose/people.js';
import { openBackend } from './backends.js';

test('sessions through the service: sliding while used, ended when idle, never past the cap', async (t) => {
  const b = await openBackend(t, 'sqlite');
  if (!b) return;
  t.after(() => b.close());
  let now = Date.now();
  const hour = 3_600_000;
  const people = new PeopleService(b.stores.people, new Accounts(b.store), {
    sessionIdleMs: hour,
    sessionMaxMs: 3 * hour,
    now: () => now,
  });
  const guard = new LoginGuard({ delayMs: 0 });
  await people.createMember(b.shop.id, 'sender', {
    email: 'ada@shop',
    password: 'ada-password-1',
    chosen: true,
  });
  const s = await people.signIn(
    { email: 'ADA@shop', password: 'ada-password-1', address: '192.0.2.1' },
    guard,
  );
  assert.ok(isSessionToken(s.token));
  assert.equal(s.account?.username, 'shop');
  assert.equal((await people.resolve(s.token))?.user.email, 'ada@shop');
  // Used every 50 minutes: still signed in after 2.5 h.
  for (let i = 0; i < 3; i++) {
    now += 50 * 60_000;
    assert.ok(await people.resolve(s.token), `use ${i}`);
  }
  // ...but not past the cap of 3 h.
  now += 35 * 60_000;
  assert.equal(await people.resolve(s.token), undefined);

  // Idle for longer than the idle lifetime: ended.
  const s2 = await people.signIn(
    { email: 'ada@shop', password: 'ada-password-1', address: '192.0.2.1' },
    guard,
  );
  now += hour + 1;
  assert.equal(await people.resolve(s2.token), undefined);
  assert.equal(await people.resolve('hk_not_a_session'), undefined);
});

test('password rules: length, not the email or its local part, not the account username; hashes are the accounts’ format', async () => {
  assert.throws(() => checkPassword('short', 'password', 'ada@shop.example'), /at least 10 characters/);
  assert.throws(() => checkPassword('x'.repeat(201), 'password', 'ada@shop.example'), /at most 200/);
  assert.throws(() => checkPassword('ADA@shop.example', 'password', 'ada@shop.example'), /email/);
  assert.throws(() => checkPassword('adalovelace', 'password', 'AdaLovelace@shop.example'), /email/);
  assert.throws(() => checkPassword('ShopAccount', 'password', 'x@y.z', 'shopaccount'), /username/);
  checkPassword('correct horse battery', 'password', 'ada@shop.example', 'shop');
  const hash = await hashPasswordAsync('correct horse battery');
  assert.ok(verifyPassword('correct horse battery', hash), 'domain/password.ts verifies it');
  assert.ok(await verifyPasswordAsync('correct horse battery', hash), 'the login guard verifies it');
  assert.equal(await verifyPasswordAsync('wrong horse battery', hash), false);
});

test('session lifetimes: defaults, env overrides, a bad value named', () => {
  assert.deepEqual(peopleOptionsFromEnv({}), {
    sessionIdleMs: 12 * 3_600_000,
    sessionMaxMs: 168 * 3_600_000,
    setupTokenMs: 72 * 3_600_000,
  });
  assert.deepEqual(
    peopleOptionsFromEnv({
      HERMOD_SESSION_IDLE_MINUTES: '30',
      HERMOD_SESSION_MAX_HOURS: '8',
      HERMOD_INVITE_HOURS: '24',
    }),
    { sessionIdleMs: 30 * 60_000, sessionMaxMs: 8 * 3_600_000, setupTokenMs: 24 * 3_600_000 },
  );
  assert.throws(() => peopleOptionsFromEnv({ HERMOD_SESSION_IDLE_MINUTES: 'soon' }), {
    code: 'HERMOD_ERR_CONFIG',
    message: /HERMOD_SESSION_IDLE_MINUTES: expected a number > 0, got "soon"/,
  });
});
