// ContactStore contract, on SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, openBackend } from './backends.js';

for (const name of BACKENDS) {
  test(`${name}: contacts are created, merged by number and scoped by account`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { contacts } = b.stores;
    const first = await contacts.upsertContacts({
      userId: b.shop.id,
      contacts: [
        { msisdn: '447700900001', firstName: 'Ada', fields: { code: 'A1' } },
        { msisdn: '447700900002', firstName: 'Bo', lastName: 'Li' },
      ],
    });
    assert.deepEqual({ created: first.created, updated: first.updated }, { created: 2, updated: 0 });
    // The same number again: merged, not duplicated; absent fields stay, custom fields add up.
    const again = await contacts.upsertContacts({
      userId: b.shop.id,
      contacts: [{ msisdn: '447700900001', lastName: 'Lovelace', fields: { tier: 'gold' } }],
    });
    assert.deepEqual(again, { created: 0, updated: 1, ids: [first.ids[0]] });
    const ada = await contacts.getContactByNumber({ userId: b.shop.id, msisdn: '447700900001' });
    assert.equal(ada?.firstName, 'Ada');
    assert.equal(ada?.lastName, 'Lovelace');
    assert.deepEqual(ada?.fields, { code: 'A1', tier: 'gold' });
    // Another account: the same number is its own contact, and it cannot read the shop's.
    const theirs = await contacts.upsertContacts({
      userId: b.other.id,
      contacts: [{ msisdn: '447700900001' }],
    });
    assert.equal(theirs.created, 1);
    assert.notEqual(theirs.ids[0], first.ids[0]);
    assert.equal(await contacts.getContact({ userId: b.other.id, id: first.ids[0] }), undefined);
    assert.equal(
      (await contacts.getContact({ userId: b.shop.id, id: first.ids[0] }))?.msisdn,
      '447700900001',
    );
  });

  test(`${name}: contact groups keep their member counts`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { contacts } = b.stores;
    const news = await contacts.createGroup({ userId: b.shop.id, name: 'News' });
    await assert.rejects(contacts.createGroup({ userId: b.shop.id, name: 'News' }), {
      code: 'HERMOD_ERR_CONTACT_GROUP_EXISTS',
    });
    // Same name, other account: allowed.
    await contacts.createGroup({ userId: b.other.id, name: 'News' });
    const up = await contacts.upsertContacts({
      userId: b.shop.id,
      groupId: news.id,
      contacts: [{ msisdn: '447700900001' }, { msisdn: '447700900002' }, { msisdn: '447700900001' }],
    });
    assert.equal(up.ids[0], up.ids[2]);
    assert.equal((await contacts.getGroup({ userId: b.shop.id, id: news.id }))?.members, 2);
    assert.equal(await contacts.addToGroup({ userId: b.shop.id, groupId: news.id, contactIds: up.ids }), 0);
    assert.deepEqual((await contacts.getContact({ userId: b.shop.id, id: up.ids[0] }))?.groups, [news.id]);
    assert.equal(
      await contacts.removeFromGroup({ userId: b.shop.id, groupId: news.id, contactIds: [up.ids[0]] }),
      1,
    );
    assert.equal((await contacts.getGroupByName({ userId: b.shop.id, name: 'News' }))?.members, 1);
    // Another account's group is unknown to the shop.
    const theirs = await contacts.getGroupByName({ userId: b.other.id, name: 'News' });
    await assert.rejects(
      contacts.addToGroup({ userId: b.shop.id, groupId: theirs!.id, contactIds: up.ids }),
      { code: 'HERMOD_ERR_UNKNOWN_CONTACT_GROUP' },
    );
    assert.deepEqual(
      (await contacts.listGroups({ userId: b.shop.id })).map((g) => [g.name, g.members]),
      [['News', 1]],
    );
  });
}
