// ContactStore contract, on SQLite and PostgreSQL: update, delete (group counts kept),
// search by number prefix, name, custom field, group and opt-out, keyset pages, groups
// renamed, deleted, filled and emptied by a filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, openBackend, type EngineBackend } from './backends.js';
import type { ContactCursor, ContactFilter } from '../../src/store/engine-store/index.js';

async function seed(b: EngineBackend) {
  const { contacts } = b.stores;
  const vip = await contacts.createGroup({ userId: b.shop.id, name: 'VIP' });
  const all = await contacts.upsertContacts({
    userId: b.shop.id,
    contacts: [
      { msisdn: '447700900001', firstName: 'Ada', lastName: 'Lovelace', fields: { tier: 'gold' } },
      { msisdn: '447700900002', firstName: 'Bo', lastName: 'Adams', fields: { tier: 'silver' } },
      { msisdn: '447700900103', firstName: 'Cy', fields: { tier: 'gold' } },
      { msisdn: '33612345678', firstName: 'Dee', lastName: '100%_real' },
      { msisdn: '4915112345678', firstName: 'Ed' },
    ],
  });
  await contacts.addToGroup({ userId: b.shop.id, groupId: vip.id, contactIds: [all.ids[0], all.ids[2]] });
  // The other account has the same number: never in the shop's results.
  await contacts.upsertContacts({
    userId: b.other.id,
    contacts: [{ msisdn: '447700900001', firstName: 'Ada' }],
  });
  return { vip, ids: all.ids };
}

/** Every page of a search, `limit` at a time. */
async function everyPage(b: EngineBackend, filter: ContactFilter, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: ContactCursor | undefined;
  do {
    const page = await b.stores.contacts.listContacts({
      userId: b.shop.id,
      filter,
      limit,
      ...(after ? { after } : {}),
    });
    pages.push(page.contacts.map((c) => c.msisdn));
    after = page.next;
  } while (after);
  return pages;
}

for (const name of BACKENDS) {
  test(`${name}: contacts are searched by number, name, field, group and opt-out, a page at a time`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { vip } = await seed(b);
    const search = async (filter: ContactFilter) => (await everyPage(b, filter, 100)).flat().sort();
    // Number prefixes: pages in number order, the last page ends the search.
    assert.deepEqual(await everyPage(b, { numberPrefix: '4477009' }, 2), [
      ['447700900001', '447700900002'],
      ['447700900103'],
    ]);
    assert.deepEqual(await search({ numberPrefix: '4477009001' }), ['447700900103']);
    assert.deepEqual(await search({ numberPrefix: '49' }), ['4915112345678']);
    // Names: case-insensitive prefix of the first, the last or the whole name; wildcards are literal.
    assert.deepEqual(await search({ name: 'ad' }), ['447700900001', '447700900002']);
    assert.deepEqual(await search({ name: 'ada lov' }), ['447700900001']);
    assert.deepEqual(await search({ name: '100%_' }), ['33612345678']);
    assert.deepEqual(await search({ name: '100%x' }), []);
    assert.deepEqual(await search({ field: { key: 'tier', value: 'gold' } }), [
      '447700900001',
      '447700900103',
    ]);
    assert.deepEqual(await search({ groupId: vip.id }), ['447700900001', '447700900103']);
    assert.deepEqual(await search({ groupId: vip.id, name: 'cy' }), ['447700900103']);
    // All of them, two at a time by id: every contact once.
    const pages = await everyPage(b, {}, 2);
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 1],
    );
    assert.equal(new Set(pages.flat()).size, 5);
    assert.equal(await b.stores.contacts.countContacts({ userId: b.shop.id, filter: {} }), 5);
    assert.equal(await b.stores.contacts.countContacts({ userId: b.other.id, filter: {} }), 1);

    // Opt-outs come from the gateway's own list, as it changes.
    assert.deepEqual(await search({ optedOut: true }), []);
    await b.store.setOptOut('447700900002', '12345', true);
    assert.deepEqual(await search({ optedOut: true }), ['447700900002']);
    assert.equal((await search({ optedOut: false })).length, 4);
    const bo = await b.stores.contacts.getContactByNumber({ userId: b.shop.id, msisdn: '447700900002' });
    assert.deepEqual(
      bo?.optOuts.map((o) => o.sender),
      ['12345'],
    );
    await b.store.setOptOut('447700900002', '12345', false);
    assert.deepEqual((await b.stores.contacts.getContact({ userId: b.shop.id, id: bo!.id }))?.optOuts, []);
    assert.deepEqual(await b.stores.contacts.fieldKeys({ userId: b.shop.id, limit: 10 }), ['tier']);
  });

  test(`${name}: a contact is updated, and deleted with its memberships (group counts kept)`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { contacts } = b.stores;
    const { vip, ids } = await seed(b);
    const ada = await contacts.updateContact({
      userId: b.shop.id,
      id: ids[0],
      patch: { lastName: null, notes: 'met at the fair', fields: { tier: null, code: 'A1' } },
    });
    assert.equal(ada?.firstName, 'Ada');
    assert.equal(ada?.lastName, null);
    assert.equal(ada?.notes, 'met at the fair');
    assert.deepEqual(ada?.fields, { code: 'A1' });
    assert.deepEqual(ada?.groups, [vip.id]);
    // A new number: refused when another contact has it, taken otherwise.
    await assert.rejects(
      contacts.updateContact({ userId: b.shop.id, id: ids[0], patch: { msisdn: '447700900002' } }),
      { code: 'HERMOD_ERR_CONTACT_EXISTS' },
    );
    assert.equal(
      (await contacts.updateContact({ userId: b.shop.id, id: ids[0], patch: { msisdn: '447700900009' } }))
        ?.msisdn,
      '447700900009',
    );
    // Another account's contact: as if missing.
    assert.equal(
      await contacts.updateContact({ userId: b.other.id, id: ids[0], patch: { notes: 'x' } }),
      undefined,
    );
    assert.equal(await contacts.deleteContacts({ userId: b.other.id, filter: { ids: [ids[0]] } }), 0);

    assert.equal(await contacts.deleteContacts({ userId: b.shop.id, filter: { ids: [ids[0], ids[1]] } }), 2);
    assert.equal(await contacts.getContact({ userId: b.shop.id, id: ids[0] }), undefined);
    assert.equal((await contacts.getGroup({ userId: b.shop.id, id: vip.id }))?.members, 1);
    // By a filter: everyone in the group named "Cy…".
    assert.equal(await contacts.deleteContacts({ userId: b.shop.id, filter: { groupId: vip.id } }), 1);
    assert.equal((await contacts.getGroup({ userId: b.shop.id, id: vip.id }))?.members, 0);
    assert.equal(await contacts.countContacts({ userId: b.shop.id, filter: {} }), 2);
    assert.equal(await contacts.countContacts({ userId: b.other.id, filter: {} }), 1);
  });

  test(`${name}: groups are renamed, described, filled and emptied by a filter, and deleted (members stay)`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const { contacts } = b.stores;
    const { vip, ids } = await seed(b);
    const news = await contacts.createGroup({ userId: b.shop.id, name: 'News' });
    await assert.rejects(contacts.updateGroup({ userId: b.shop.id, id: news.id, name: 'VIP' }), {
      code: 'HERMOD_ERR_CONTACT_GROUP_EXISTS',
    });
    const renamed = await contacts.updateGroup({
      userId: b.shop.id,
      id: news.id,
      name: 'Newsletter',
      description: 'monthly',
    });
    assert.deepEqual([renamed?.name, renamed?.description], ['Newsletter', 'monthly']);
    assert.equal(await contacts.updateGroup({ userId: b.other.id, id: news.id, name: 'x' }), undefined);

    assert.equal(
      await contacts.addMatchingToGroup({
        userId: b.shop.id,
        groupId: news.id,
        filter: { numberPrefix: '44' },
      }),
      3,
    );
    assert.equal(await contacts.addMatchingToGroup({ userId: b.shop.id, groupId: news.id, filter: {} }), 2);
    assert.equal((await contacts.getGroup({ userId: b.shop.id, id: news.id }))?.members, 5);
    assert.equal(
      await contacts.removeMatchingFromGroup({
        userId: b.shop.id,
        groupId: news.id,
        filter: { field: { key: 'tier', value: 'gold' } },
      }),
      2,
    );
    assert.equal((await contacts.getGroup({ userId: b.shop.id, id: news.id }))?.members, 3);
    await assert.rejects(contacts.addMatchingToGroup({ userId: b.other.id, groupId: news.id, filter: {} }), {
      code: 'HERMOD_ERR_UNKNOWN_CONTACT_GROUP',
    });

    assert.equal(await contacts.deleteGroup({ userId: b.other.id, id: vip.id }), false);
    assert.equal(await contacts.deleteGroup({ userId: b.shop.id, id: vip.id }), true);
    assert.equal(await contacts.getGroup({ userId: b.shop.id, id: vip.id }), undefined);
    assert.deepEqual((await contacts.getContact({ userId: b.shop.id, id: ids[0] }))?.groups, []);
    assert.equal(await contacts.countContacts({ userId: b.shop.id, filter: {} }), 5);
  });
}
