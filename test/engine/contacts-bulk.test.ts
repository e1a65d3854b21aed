// Bulk changes by a search go 5,000 contacts per transaction (ContactService): with 12,001
// contacts every one is added, removed and deleted once, and the group counts stay right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, openBackend } from './backends.js';
import { ContactService } from '../../src/engine/contacts.js';

for (const name of BACKENDS) {
  test(`${name}: a bulk change by a search covers every match across its chunks`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const service = new ContactService(b.stores.contacts);
    const N = 12_001;
    const contacts = Array.from({ length: N }, (_, i) => ({
      msisdn: `4477009${String(i).padStart(5, '0')}`,
      firstName: i % 2 ? 'Odd' : 'Even',
    }));
    for (let i = 0; i < N; i += 4000) await service.save(b.shop.id, contacts.slice(i, i + 4000));
    await service.save(b.other.id, [{ msisdn: '447700900001' }]);
    const all = await service.createGroup(b.shop.id, 'All');
    assert.equal(await service.addMatchingToGroup(b.shop.id, all.id, {}), N);
    assert.equal(await service.addMatchingToGroup(b.shop.id, all.id, {}), 0);
    assert.equal((await service.group(b.shop.id, all.id))?.members, N);
    // Removed by a search on the group itself, while paging through it.
    assert.equal(
      await service.removeMatchingFromGroup(b.shop.id, all.id, { groupId: all.id, name: 'odd' }),
      6000,
    );
    assert.equal((await service.group(b.shop.id, all.id))?.members, 6001);
    assert.equal(await service.deleteMatching(b.shop.id, { name: 'even' }), 6001);
    assert.equal((await service.group(b.shop.id, all.id))?.members, 0);
    assert.equal(await service.count(b.shop.id, {}), 6000);
    assert.equal(await service.count(b.other.id, {}), 1);
    await assert.rejects(service.addMatchingToGroup(b.other.id, all.id, {}), {
      code: 'HERMOD_ERR_NOT_FOUND',
    });
  });
}
