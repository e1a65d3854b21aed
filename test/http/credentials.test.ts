// The password cache of the APIs that carry credentials in every request (Jasmin /send),
// on a real store: a success is reused, a failure never is, and a password change counts
// at once even while the old password is cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/store/index.js';
import { hashPassword } from '../../src/domain/index.js';
import { CredentialCache } from '../../src/http/credentials.js';

async function storeWith(password: string) {
  const store = new SqliteStore(':memory:');
  await store.upsertUser({
    username: 'shop',
    passwordHash: hashPassword(password),
    balanceMicros: 0,
    rateMicros: 0,
  });
  return store;
}

test('the right password gives the user, again from the cache; a wrong one fails even after a success', async (t) => {
  const store = await storeWith('s3cret');
  t.after(() => store.close());
  const creds = new CredentialCache(store);
  assert.equal((await creds.authenticate('shop', 's3cret'))?.username, 'shop');
  assert.equal((await creds.authenticate('shop', 's3cret'))?.username, 'shop');
  assert.equal(await creds.authenticate('shop', 's3cret '), undefined);
  assert.equal(await creds.authenticate('shop', 'wrong'), undefined);
  assert.equal(await creds.authenticate('nobody', 's3cret'), undefined);
});

test('a password change refuses the cached old password at once', async (t) => {
  const store = await storeWith('old-pw');
  t.after(() => store.close());
  const creds = new CredentialCache(store, 60_000);
  assert.ok(await creds.authenticate('shop', 'old-pw'));
  await store.upsertUser({
    username: 'shop',
    passwordHash: hashPassword('new-pw'),
    balanceMicros: 0,
    rateMicros: 0,
  });
  assert.equal(await creds.authenticate('shop', 'old-pw'), undefined);
  assert.equal((await creds.authenticate('shop', 'new-pw'))?.username, 'shop');
});
