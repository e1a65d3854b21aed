// Store.accept with a caller-chosen id (`onceOnly`, the campaign runner's): a second accept of
// the same id writes and charges nothing, on SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMessageId } from '../../src/domain/index.js';
import { BACKENDS, openBackend } from './backends.js';

for (const name of BACKENDS) {
  test(`${name}: an id accepted once is refused as duplicate_id, charged once`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const id = newMessageId();
    const m = {
      id,
      onceOnly: true,
      userId: b.shop.id,
      systemId: 'shop',
      source: 'Shop',
      destination: '447700900001',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('hello'),
      registeredDelivery: 0,
      priority: 0,
      connectorId: 'c1',
      priceMicros: 10_000,
      meta: { segments: 1 },
    };
    assert.deepEqual(await b.store.accept(m), { ok: true });
    assert.deepEqual(await b.store.accept(m), { ok: false, reason: 'duplicate_id' });
    assert.equal(await b.store.getBalance(b.shop.id), 10_000_000 - 10_000);
    assert.equal(await b.store.queueDepth('c1'), 1);
  });
}

test('a resend of an accepted engine id that would now be refused (opted out since) is the duplicate, not a refusal', async (t) => {
  const { demoHermod } = await import('../support/hermod.js');
  const { draftOf } = await import('../../src/gateway/index.js');
  const h = await demoHermod();
  t.after(() => h.stop());
  const user = (await h.gateway.currentUser('demo'))!;
  const draft = () => {
    const d = draftOf({
      systemId: 'demo',
      origin: 'rest',
      from: 'Shop',
      to: '447700900321',
      content: { text: 'hi' },
    });
    d.messageId = id;
    return d;
  };
  const id = newMessageId();
  const first = await h.gateway.submitAccepted(user, draft());
  assert.equal(first.duplicate, undefined);
  await h.store.setOptOut('447700900321', 'Shop', true);
  const again = await h.gateway.submitAccepted(user, draft());
  assert.equal(again.duplicate, true);
  assert.equal(again.priceMicros, 0);
  // A new id to the opted-out number is refused as before.
  const other = draftOf({
    systemId: 'demo',
    origin: 'rest',
    from: 'Shop',
    to: '447700900321',
    content: { text: 'hi' },
  });
  other.messageId = newMessageId();
  await assert.rejects(h.gateway.submitAccepted(user, other), { code: 'HERMOD_ERR_OPTED_OUT' });
});
