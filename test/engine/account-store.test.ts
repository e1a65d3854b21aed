// AccountSettingsStore contract (an account's webhook, web users' TOTP), on SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, openBackend } from './backends.js';

for (const name of BACKENDS) {
  test(`${name}: account webhook and TOTP rows: set what is given, keep the rest, per account and user`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const s = b.stores.accountSettings;
    assert.equal(await s.getWebhook({ accountId: b.shop.id }), undefined);
    const a = await s.putWebhook({ accountId: b.shop.id, url: 'https://hooks.example/a' });
    assert.deepEqual([a.url, a.secret], ['https://hooks.example/a', null]);
    // A secret alone keeps the URL; a null URL clears it and keeps the secret.
    await s.putWebhook({ accountId: b.shop.id, secret: 'whsec_one' });
    assert.deepEqual(
      [
        (await s.getWebhook({ accountId: b.shop.id }))?.url,
        (await s.getWebhook({ accountId: b.shop.id }))?.secret,
      ],
      ['https://hooks.example/a', 'whsec_one'],
    );
    const cleared = await s.putWebhook({ accountId: b.shop.id, url: null });
    assert.deepEqual([cleared.url, cleared.secret], [null, 'whsec_one']);
    assert.equal(await s.getWebhook({ accountId: b.other.id }), undefined);
    assert.deepEqual(await s.webhookSecrets(), [{ accountId: b.shop.id, secret: 'whsec_one' }]);

    assert.equal(await s.getTotp({ webUserId: 7 }), undefined);
    await s.putTotp({ webUserId: 7, secret: 'JBSWY3DPEHPK3PXP', enabled: false });
    const on = await s.putTotp({ webUserId: 7, secret: 'JBSWY3DPEHPK3PXP', enabled: true });
    assert.deepEqual([on.secret, on.enabled], ['JBSWY3DPEHPK3PXP', true]);
    assert.equal((await s.getTotp({ webUserId: 7 }))?.enabled, true);
    assert.equal(await s.getTotp({ webUserId: 8 }), undefined);
    assert.equal(await s.deleteTotp({ webUserId: 7 }), true);
    assert.equal(await s.deleteTotp({ webUserId: 7 }), false);
    assert.equal(await s.getTotp({ webUserId: 7 }), undefined);
  });
}

for (const name of BACKENDS) {
  test(`${name}: signing keys: the first candidate is stored, later ones (other nodes, restarts) get it back`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const s = b.stores.accountSettings;
    const first = await s.signingKey({
      name: 'telnyx-webhooks',
      candidate: { privateKey: 'pem-one', publicKey: 'pub-one' },
    });
    assert.deepEqual(
      [first.name, first.privateKey, first.publicKey],
      ['telnyx-webhooks', 'pem-one', 'pub-one'],
    );
    // Two nodes starting at once: both offer a key, both get the stored one.
    const [a, c] = await Promise.all([
      s.signingKey({ name: 'telnyx-webhooks', candidate: { privateKey: 'pem-two', publicKey: 'pub-two' } }),
      s.signingKey({
        name: 'telnyx-webhooks',
        candidate: { privateKey: 'pem-three', publicKey: 'pub-three' },
      }),
    ]);
    assert.deepEqual([a.publicKey, c.publicKey], ['pub-one', 'pub-one']);
    assert.equal(a.createdAt, first.createdAt);
    const other = await s.signingKey({
      name: 'other',
      candidate: { privateKey: 'pem-x', publicKey: 'pub-x' },
    });
    assert.equal(other.publicKey, 'pub-x');
  });
}
