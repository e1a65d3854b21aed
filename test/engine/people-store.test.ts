// PeopleStore contract (web users and sessions), on SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, openBackend } from './backends.js';

for (const name of BACKENDS) {
  test(`${name}: web users: unique email ignoring case, one owner per account, scoped by account`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { people } = b.stores;
    const shop = { accountId: b.shop.id };
    const owner = await people.createWebUser({
      email: 'Ada@Shop.example',
      displayName: 'Ada',
      kind: 'member',
      accountId: b.shop.id,
      role: 'owner',
      passwordHash: 'scrypt$00$00',
    });
    assert.equal(owner.email, 'Ada@Shop.example');
    assert.deepEqual(
      [owner.kind, owner.accountId, owner.role, owner.enabled, owner.hasPassword, owner.lastSignInAt],
      ['member', b.shop.id, 'owner', true, true, null],
    );
    await assert.rejects(
      people.createWebUser({
        email: ' ada@shop.EXAMPLE ',
        displayName: 'x',
        kind: 'operator',
        passwordHash: null,
      }),
      { code: 'HERMOD_ERR_WEB_USER_EXISTS' },
    );
    await assert.rejects(
      people.createWebUser({
        email: 'bo@shop.example',
        displayName: 'Bo',
        kind: 'member',
        accountId: b.shop.id,
        role: 'owner',
        passwordHash: null,
      }),
      { code: 'HERMOD_ERR_OWNER_EXISTS' },
    );
    // Two owners created at once for an account without one: one is.
    const owners = await Promise.allSettled(
      ['first@other', 'second@other'].map((email) =>
        people.createWebUser({
          email,
          displayName: email,
          kind: 'member',
          accountId: b.other.id,
          role: 'owner',
          passwordHash: null,
        }),
      ),
    );
    assert.deepEqual(owners.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(
      ((owners.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason as { code: string })
        .code,
      'HERMOD_ERR_OWNER_EXISTS',
    );
    const bo = await people.createWebUser({
      email: 'bo@shop.example',
      displayName: 'Bo',
      kind: 'member',
      accountId: b.shop.id,
      role: 'viewer',
      passwordHash: null,
      setupTokenHash: 'setup-bo',
      setupExpiresAt: Date.now() + 60_000,
    });
    assert.equal(bo.hasPassword, false);
    const op = await people.createWebUser({
      email: 'ops@hermod.example',
      displayName: 'Ops',
      kind: 'operator',
      passwordHash: 'scrypt$00$00',
    });
    assert.deepEqual([op.accountId, op.role], [null, null]);

    // By email ignoring case, with the hash; scoped reads.
    assert.equal(
      (await people.getWebUserSecret({ email: 'ADA@shop.example' }))?.passwordHash,
      'scrypt$00$00',
    );
    assert.equal(await people.getWebUserSecret({ email: 'nobody@shop.example' }), undefined);
    assert.equal((await people.getWebUser({ scope: shop, id: bo.id }))?.email, 'bo@shop.example');
    assert.equal(await people.getWebUser({ scope: { accountId: b.other.id }, id: bo.id }), undefined);
    assert.equal(await people.getWebUser({ scope: shop, id: op.id }), undefined);
    assert.equal((await people.getWebUser({ scope: { operators: true }, id: op.id }))?.kind, 'operator');
    assert.deepEqual(
      (await people.listWebUsers({ scope: shop, limit: 10 })).map((u) => u.email),
      ['Ada@Shop.example', 'bo@shop.example'],
    );
    assert.deepEqual(
      (await people.listWebUsers({ scope: shop, limit: 10, afterId: owner.id })).map((u) => u.id),
      [bo.id],
    );
    assert.deepEqual(
      (await people.listWebUsers({ scope: { operators: true }, limit: 10 })).map((u) => u.id),
      [op.id],
    );
    assert.equal((await people.listWebUsers({ scope: { any: true }, limit: 2 })).length, 2);
    assert.ok(
      (await people.listWebUsers({ scope: { members: true }, limit: 100 })).every((u) => u.kind === 'member'),
    );
    assert.equal((await people.listWebUsers({ scope: { members: true }, limit: 100 })).length, 3);
    assert.equal((await people.listWebUsers({ scope: { accountId: b.other.id }, limit: 10 })).length, 1);

    // Another account's member cannot be changed or removed through the shop's scope.
    assert.equal(
      await people.updateWebUser({ scope: { accountId: b.other.id }, id: bo.id, role: 'admin' }),
      undefined,
    );
    assert.equal(await people.removeWebUser({ scope: { accountId: b.other.id }, id: bo.id }), false);

    // A set-password token: works once, before it expires.
    assert.equal(
      (await people.getWebUserBySetupToken({ tokenHash: 'setup-bo', now: Date.now() }))?.id,
      bo.id,
    );
    assert.equal(
      await people.getWebUserBySetupToken({ tokenHash: 'setup-bo', now: Date.now() + 120_000 }),
      undefined,
    );
    const redeemed = await people.redeemSetupToken({
      tokenHash: 'setup-bo',
      passwordHash: 'scrypt$01$01',
      now: Date.now(),
    });
    assert.equal(redeemed?.id, bo.id);
    assert.equal(redeemed?.hasPassword, true);
    assert.equal(
      await people.redeemSetupToken({ tokenHash: 'setup-bo', passwordHash: 'scrypt$02$02', now: Date.now() }),
      undefined,
    );
    assert.ok(await people.setSetupToken({ scope: shop, id: bo.id, tokenHash: 'again', expiresAt: 1000 }));
    assert.equal(
      await people.redeemSetupToken({ tokenHash: 'again', passwordHash: 'x', now: 2000 }),
      undefined,
    );
    assert.equal(
      await people.setSetupToken({
        scope: { accountId: b.other.id },
        id: bo.id,
        tokenHash: 'y',
        expiresAt: 1,
      }),
      false,
    );
  });

  test(`${name}: the owner is protected and an account keeps an enabled admin; operators keep one`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { people } = b.stores;
    const shop = { accountId: b.shop.id };
    const member = (email: string, role: 'owner' | 'admin' | 'sender' | 'viewer') =>
      people.createWebUser({
        email,
        displayName: email,
        kind: 'member',
        accountId: b.shop.id,
        role,
        passwordHash: 'h',
      });
    const owner = await member('owner@shop', 'owner');
    const admin = await member('admin@shop', 'admin');
    const sender = await member('sender@shop', 'sender');

    await assert.rejects(people.updateWebUser({ scope: shop, id: owner.id, role: 'admin' }), {
      code: 'HERMOD_ERR_OWNER_PROTECTED',
    });
    await assert.rejects(people.updateWebUser({ scope: shop, id: owner.id, enabled: false }), {
      code: 'HERMOD_ERR_OWNER_PROTECTED',
    });
    await assert.rejects(people.removeWebUser({ scope: shop, id: owner.id }), {
      code: 'HERMOD_ERR_OWNER_PROTECTED',
    });
    await assert.rejects(people.updateWebUser({ scope: shop, id: sender.id, role: 'owner' }), {
      code: 'HERMOD_ERR_OWNER_PROTECTED',
    });
    // The owner's display name may change.
    assert.equal(
      (await people.updateWebUser({ scope: shop, id: owner.id, displayName: 'Boss' }))?.displayName,
      'Boss',
    );

    // With the owner there, the admin may be demoted; the sender promoted.
    assert.equal((await people.updateWebUser({ scope: shop, id: admin.id, role: 'viewer' }))?.role, 'viewer');
    assert.equal((await people.updateWebUser({ scope: shop, id: sender.id, role: 'admin' }))?.role, 'admin');

    // Another account without an owner: its last enabled admin stays.
    const other = { accountId: b.other.id };
    const solo = await people.createWebUser({
      email: 'solo@other',
      displayName: 'Solo',
      kind: 'member',
      accountId: b.other.id,
      role: 'admin',
      passwordHash: 'h',
    });
    await assert.rejects(people.updateWebUser({ scope: other, id: solo.id, role: 'sender' }), {
      code: 'HERMOD_ERR_LAST_ADMIN',
    });
    await assert.rejects(people.updateWebUser({ scope: other, id: solo.id, enabled: false }), {
      code: 'HERMOD_ERR_LAST_ADMIN',
    });
    await assert.rejects(people.removeWebUser({ scope: other, id: solo.id }), {
      code: 'HERMOD_ERR_LAST_ADMIN',
    });
    const second = await people.createWebUser({
      email: 'second@other',
      displayName: 'Second',
      kind: 'member',
      accountId: b.other.id,
      role: 'admin',
      passwordHash: 'h',
    });
    // Two admins demoting each other at once: exactly one succeeds.
    const both = await Promise.allSettled([
      people.updateWebUser({ scope: other, id: solo.id, role: 'viewer' }),
      people.updateWebUser({ scope: other, id: second.id, role: 'viewer' }),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const admins = (await people.listWebUsers({ scope: other, limit: 10 })).filter((u) => u.role === 'admin');
    assert.equal(admins.length, 1);

    // Operators: the last enabled one stays.
    const op1 = await people.createWebUser({
      email: 'op1@h',
      displayName: 'Op1',
      kind: 'operator',
      passwordHash: 'h',
    });
    await assert.rejects(people.updateWebUser({ scope: { operators: true }, id: op1.id, enabled: false }), {
      code: 'HERMOD_ERR_LAST_ADMIN',
    });
    const op2 = await people.createWebUser({
      email: 'op2@h',
      displayName: 'Op2',
      kind: 'operator',
      passwordHash: 'h',
    });
    assert.equal(await people.removeWebUser({ scope: { operators: true }, id: op1.id }), true);
    assert.equal(await people.getWebUser({ scope: { any: true }, id: op1.id }), undefined);
    await assert.rejects(people.removeWebUser({ scope: { any: true }, id: op2.id }), {
      code: 'HERMOD_ERR_LAST_ADMIN',
    });
  });

  test(`${name}: sessions: by token hash, sliding expiry with a cap, sign-out, disabled and password changes end them`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { people } = b.stores;
    const user = await people.createWebUser({
      email: 'ada@shop',
      displayName: 'Ada',
      kind: 'member',
      accountId: b.shop.id,
      role: 'sender',
      passwordHash: 'h',
    });
    const t0 = 1_000_000;
    const hour = 3_600_000;
    const s = await people.createSession({
      webUserId: user.id,
      tokenHash: 'tok-1',
      now: t0,
      expiresAt: t0 + hour,
      maxExpiresAt: t0 + 3 * hour,
    });
    assert.deepEqual([s.expiresAt, s.maxExpiresAt], [t0 + hour, t0 + 3 * hour]);
    assert.equal((await people.getWebUser({ scope: { any: true }, id: user.id }))?.lastSignInAt, t0);
    const resolve = (tokenHash: string, now: number) =>
      people.resolveSession({ tokenHash, now, idleMs: hour, touchAfterMs: 60_000 });

    // Within touchAfterMs: read only; after it, the expiry slides.
    assert.equal((await resolve('tok-1', t0 + 1000))?.session.expiresAt, t0 + hour);
    const slid = await resolve('tok-1', t0 + 30 * 60_000);
    assert.equal(slid?.session.expiresAt, t0 + 30 * 60_000 + hour);
    assert.equal(slid?.user.email, 'ada@shop');
    assert.equal((await resolve('tok-1', t0 + 30 * 60_000 + hour - 1))?.session.id, s.id);
    // Never past the cap.
    assert.equal((await resolve('tok-1', t0 + 2 * hour))?.session.expiresAt, t0 + 3 * hour);
    assert.equal(await resolve('tok-1', t0 + 3 * hour), undefined);
    assert.equal(await resolve('unknown', t0), undefined);

    // Sign-out deletes it; expired ones go at the next sign-in.
    const now = Date.now();
    const open = (tokenHash: string) =>
      people.createSession({
        webUserId: user.id,
        tokenHash,
        now,
        expiresAt: now + hour,
        maxExpiresAt: now + 2 * hour,
      });
    const a = await open('tok-a');
    await open('tok-b');
    assert.equal(await people.deleteSession({ tokenHash: 'tok-b' }), true);
    assert.equal(await people.deleteSession({ tokenHash: 'tok-b' }), false);
    assert.equal(await resolve('tok-b', now), undefined);

    // A password change keeps the session it was made from and ends the others.
    await open('tok-c');
    assert.equal(
      await people.setPassword({
        id: user.id,
        passwordHash: 'h2',
        mustChangePassword: false,
        keepSessionId: a.id,
      }),
      true,
    );
    assert.ok(await resolve('tok-a', now));
    assert.equal(await resolve('tok-c', now), undefined);
    assert.equal((await people.getWebUserSecret({ email: 'ada@shop' }))?.passwordHash, 'h2');

    // Disabling signs out.
    await people.updateWebUser({ scope: { accountId: b.shop.id }, id: user.id, enabled: false });
    assert.equal(await resolve('tok-a', now), undefined);
  });
}
