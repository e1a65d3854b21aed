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
