/**
 * `npm run bench -- contacts-page`: keyset pages of contacts on SQLite with 1,000,000
 * contacts in the account (BENCH_CONTACTS), and another account of the same size beside it.
 * Each case reads a 100-contact page through ContactStore.listContacts (the query the REST
 * API runs): the first page, a page deep in the list (after the 900,000th id), a number
 * prefix, a page of a 1,000-member group, a name prefix, opted-out numbers. The reference:
 * the first page, whose cost every other page should match (a page must not cost more the
 * deeper it is). ratios: reference ms ÷ case ms (1 = as cheap as the first page).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/domain/index.js';
import { SqliteStore, openEngineStores } from '../src/store/index.js';
import type { ContactCursor, ContactFilter } from '../src/store/engine-store/index.js';

const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-bench-page-')), 'hermod.db'));
const stores = await openEngineStores(store);
const user = (name: string) =>
  store.upsertUser({ username: name, passwordHash: hashPassword('pw'), balanceMicros: 0, rateMicros: 0 });
const shop = await user('shop');
const other = await user('other');
const group = await stores.contacts.createGroup({ userId: shop.id, name: 'Sample' });

// Filled by SQL (the import path is measured by contacts-import): two accounts interleaved.
const db = store.engineHandle().db;
const t0 = performance.now();
const insert = db.prepare(
  'INSERT INTO contacts (user_id, msisdn, first_name, last_name, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const n = String(1_000_000_000 + i).slice(1);
    for (const u of [shop.id, other.id])
      insert.run(u, `447${n}`, `First${i % 5000}`, `Last${i}`, `{"code":"C${i % 1000}"}`, 0, 0);
  }
})();
db.prepare(
  'INSERT INTO contact_group_members (group_id, contact_id, added_at) SELECT ?, id, 0 FROM contacts WHERE user_id = ? AND id % 2000 = 1',
).run(group.id, shop.id);
db.prepare(
  'INSERT INTO optouts (msisdn, sender, at) SELECT msisdn, ?, 0 FROM contacts WHERE user_id = ? AND id % 997 = 0',
).run('12345', shop.id);
console.error(`contacts-page: ${2 * N} contacts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
db.exec('ANALYZE');

const deep = (
  db
    .prepare('SELECT id FROM contacts WHERE user_id = ? ORDER BY id LIMIT 1 OFFSET ?')
    .get(shop.id, Math.floor(N * 0.9)) as {
    id: number;
  }
).id;

/** Median ms of a page over `runs` reads. */
async function page(filter: ContactFilter, after?: ContactCursor, runs = 21): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const p = await stores.contacts.listContacts({
      userId: shop.id,
      filter,
      limit: 100,
      ...(after ? { after } : {}),
    });
    times.push(performance.now() - t);
    if (p.contacts.length === 0) throw new Error(`empty page: ${JSON.stringify(filter)}`);
  }
  return Number(times.sort((a, b) => a - b)[Math.floor(runs / 2)].toFixed(3));
}

const results: Record<string, number> = { contacts_per_account: N };
results.first_page_ms = await page({});
results.deep_page_ms = await page({}, { by: 'id', id: deep });
results.number_prefix_page_ms = await page({
  numberPrefix: `447${String(1_000_000_000 + Math.floor(N * 0.9)).slice(1, 6)}`,
});
results.group_page_ms = await page({ groupId: group.id });
results.name_prefix_page_ms = await page({ name: 'first12' });
results.field_page_ms = await page({ field: { key: 'code', value: 'C7' } });
results.opted_out_page_ms = await page({ optedOut: true });
const ratios: Record<string, number> = {};
for (const [k, v] of Object.entries(results))
  if (k.endsWith('_ms') && k !== 'first_page_ms')
    ratios[k.replace(/_ms$/, '')] = Number((results.first_page_ms / v).toFixed(3));
await store.close();
console.log(JSON.stringify({ bench: 'contacts-page', results, ratios }));
