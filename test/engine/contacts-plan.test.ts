// The keyset pages of contacts use an index on SQLite (EXPLAIN QUERY PLAN): a page at
// 1,000,000 contacts costs the page, not a scan of the account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, openEngineStores } from '../../src/store/index.js';
import { pageQuery } from '../../src/store/sqlite/engine-store/contacts.js';
import type { ContactCursor, ContactFilter } from '../../src/store/engine-store/index.js';

test('SQLite: every keyset page is read by an index, in index order (no sort, no table scan)', async (t) => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-plan-')), 'hermod.db'));
  t.after(() => store.close());
  await openEngineStores(store);
  const db = store.engineHandle().db;
  const plan = (filter: ContactFilter, after?: ContactCursor): string => {
    const q = pageQuery(1, filter, after, 100);
    return (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
  };
  const cases: [ContactFilter, ContactCursor | undefined, RegExp][] = [
    [
      {},
      { by: 'id', id: 500_000 },
      /SEARCH c USING (COVERING )?INDEX contacts_by_user \(user_id=\? AND id>\?\)/,
    ],
    [
      { numberPrefix: '4477' },
      { by: 'msisdn', msisdn: '447700900123' },
      /SEARCH c USING INDEX sqlite_autoindex_contacts_1 \(user_id=\? AND msisdn>\? AND msisdn<\?\)/,
    ],
    [
      { groupId: 7 },
      { by: 'id', id: 10 },
      /SEARCH m USING (COVERING )?INDEX sqlite_autoindex_contact_group_members_1 \(group_id=\? AND contact_id>\?\)/,
    ],
    [{ name: 'ada' }, undefined, /SEARCH c USING INDEX contacts_by_user \(user_id=\?\)/],
    [
      { field: { key: 'code', value: 'A1' }, optedOut: false },
      { by: 'id', id: 10 },
      /SEARCH m USING PRIMARY KEY \(user_id=\? AND key=\? AND value=\? AND contact_id>\?\)/,
    ],
    [
      { groupId: 7, field: { key: 'code', value: 'A1' } },
      undefined,
      /SEARCH cf EXISTS USING COVERING INDEX contact_fields_by_contact \(contact_id=\? AND user_id=\? AND key=\? AND value=\?\)/,
    ],
  ];
  for (const [filter, after, expected] of cases) {
    const p = plan(filter, after);
    assert.match(p, expected, `${JSON.stringify(filter)}:\n${p}`);
    assert.doesNotMatch(p, /USE TEMP B-TREE FOR ORDER BY/, `${JSON.stringify(filter)} sorts:\n${p}`);
    assert.doesNotMatch(p, /^SCAN c\b/m, `${JSON.stringify(filter)} scans the table:\n${p}`);
  }
  // The opt-out state of each row is one lookup in the gateway's list (its primary key).
  assert.match(
    plan({ optedOut: true }),
    /SEARCH o (EXISTS )?USING (COVERING )?INDEX sqlite_autoindex_optouts_1 \(msisdn=\?\)/,
  );
});
