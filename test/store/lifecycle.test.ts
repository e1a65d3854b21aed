// Data lifecycle in the store (issue 21), on SQLite and PostgreSQL: retention redacts then
// deletes at the configured ages (a fake clock drives the purger) while report counters and
// the ledger stay as they were; erasure leaves no copy of the number in any text column of
// any table, and an opted-out number stays refused.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.js';
import { newMessageId, type StoredMessage } from '../../src/domain/index.js';
import { RetentionPurger } from '../../src/gateway/index.js';
import { erasedTag, SqliteStore, PostgresStore, type Store } from '../../src/store/index.js';
import { BACKENDS, openBackend, type EngineBackend } from '../engine/backends.js';

const DAY = 86_400_000;
const N = '447700900123';
const OTHER = '447700900999';

async function message(
  b: EngineBackend,
  at: number,
  to: string,
  text: string,
  final = true,
): Promise<string> {
  const id = newMessageId(at);
  await b.store.accept({
    id,
    userId: b.shop.id,
    systemId: 'shop',
    source: 'Shop',
    destination: to,
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from(text),
    registeredDelivery: 1,
    priority: 0,
    connectorId: 'sim',
    priceMicros: 10_000,
    meta: { clientRef: `ref for ${to}` },
  });
  if (final) await b.store.fail({ id, state: 'failed', detail: `no route to ${to}`, refund: false });
  return id;
}

const reports = (s: Store) =>
  s.queryReports({ groupBy: 'country', from: 0, to: Date.now() + 400 * DAY, limit: 100 });

for (const backend of BACKENDS) {
  test(`${backend}: retention redacts after N days, deletes after M days; reports and the ledger stay`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    try {
      const now = Date.now();
      const old = [
        await message(b, now - 100 * DAY, N, 'old one'),
        await message(b, now - 95 * DAY, OTHER, 'old two'),
      ];
      const queuedOld = await message(b, now - 99 * DAY, N, 'scheduled long ago, still queued', false);
      const mid = [
        await message(b, now - 40 * DAY, N, 'mid one'),
        await message(b, now - 35 * DAY, OTHER, 'mid two'),
        await message(b, now - 31 * DAY, OTHER, 'mid three'),
      ];
      const fresh = await message(b, now - 1 * DAY, N, 'fresh');
      const reportsBefore = await reports(b.store);
      assert.ok(reportsBefore.length > 0, 'the report counters have rows');
      const ledgerBefore = await b.store.listLedger({ userId: b.shop.id, limit: 100 });

      const clock = new FakeClock(now);
      const purger = new RetentionPurger(b.store, {
        redactAfterDays: 30,
        deleteAfterDays: 90,
        batchRows: 2,
        pauseMs: 0,
        intervalS: 600,
        holder: 'node-a',
        clock,
      });
      const r = await purger.runOnce();
      assert.deepEqual(
        { ran: r.ran, redacted: r.redacted, deleted: r.deleted },
        { ran: true, redacted: 3, deleted: 2 },
      );
      assert.ok(r.rows >= 2, 'their history went with them');
      for (const id of old) {
        assert.equal(await b.store.getMessage(id), undefined);
        assert.deepEqual(await b.store.history(id), []);
      }
      assert.ok(await b.store.getMessage(queuedOld), 'a message still queued is kept');
      for (const id of mid) {
        const m: StoredMessage = (await b.store.getMessage(id))!;
        assert.equal(m.body.length, 0);
        assert.match(m.destination, /^4477\*{5}$/);
        assert.equal(m.priceMicros, 10_000, 'what billing reads stays');
      }
      assert.equal((await b.store.getMessage(fresh))!.body.toString(), 'fresh');
      assert.deepEqual(await reports(b.store), reportsBefore);
      assert.deepEqual(await b.store.listLedger({ userId: b.shop.id, limit: 100 }), ledgerBefore);

      // A second node finds the lease held (on PostgreSQL, one node of a cluster purges).
      const other = new RetentionPurger(b.store, { ...purgerOptions(clock), holder: 'node-b' });
      assert.equal((await other.runOnce()).ran, false);
      // 60 days on: the mid ones are deleted, the fresh one redacted.
      clock.advance(60 * DAY);
      const r2 = await purger.runOnce();
      assert.deepEqual({ redacted: r2.redacted, deleted: r2.deleted }, { redacted: 1, deleted: 3 });
      assert.equal((await b.store.getMessage(fresh))!.body.length, 0);
      assert.deepEqual(await reports(b.store), reportsBefore);
      await purger.stop();
    } finally {
      await b.close();
    }
  });

  test(`${backend}: erasure leaves the number in no text column; its opt-out still holds`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    try {
      const now = Date.now();
      await message(b, now, N, `call me on +${N}`);
      await message(b, now, OTHER, `about ${N}`);
      await b.stores.contacts.upsertContacts({
        userId: b.shop.id,
        contacts: [
          { msisdn: N, firstName: 'Ada', notes: 'VIP' },
          { msisdn: OTHER, firstName: 'Bob', notes: `friend of ${N}` },
        ],
      });
      await b.store.setOptOut(N, 'Shop', true);
      await engineRows(b, b.shop.id, N);
      assert.ok((await textColumnsHolding(b.store, N)).length > 3, 'the number is in several places first');

      const e = await b.store.erase({ msisdn: N, actor: 'operator test', now });
      assert.equal(e.optOutsKept, 1);
      assert.ok(e.rows >= 4 && e.tables.contacts === 2, JSON.stringify(e.tables));
      for (const table of ['conversations', 'campaign_recipients', 'import_errors'])
        assert.ok(e.tables[table], `${table}: ${JSON.stringify(e.tables)}`);
      assert.match(e.numberHash, /^erased:[0-9a-f]{64}$/);
      assert.deepEqual(await textColumnsHolding(b.store, N), []);
      assert.equal(await b.store.isOptedOut(N, 'Shop'), true, 'the opt-out still holds');
      assert.equal(await b.store.isOptedOut(OTHER, 'Shop'), false);
      assert.equal(await b.store.isOptedOut(N, 'Other'), false);
      assert.ok(
        await b.stores.contacts.getContactByNumber({ userId: b.shop.id, msisdn: OTHER }),
        'others stay',
      );
    } finally {
      await b.close();
    }
  });

  test(`${backend}: an account's erasure reaches its engine rows, not another account's`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    t.after(() => b.close());
    await engineRows(b, b.shop.id, N);
    await engineRows(b, b.other.id, N);
    const e = await b.store.erase({ msisdn: N, userId: b.shop.id, actor: 'shop', now: Date.now() });
    for (const table of ['conversations', 'campaign_recipients', 'import_errors'])
      assert.equal(e.tables[table], 1, `${table}: ${JSON.stringify(e.tables)}`);
    const left = await textColumnsHolding(b.store, N);
    for (const table of ['conversations', 'campaign_recipients', 'import_errors'])
      assert.ok(
        left.some((c) => c.startsWith(`${table}.`)),
        `other's ${table} keeps it: ${left.join(', ')}`,
      );
  });
}

for (const backend of BACKENDS)
  test(`${backend}: an erasure pepper keys the hashes; a store refuses another pepper, or none, once erasures used it`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    t.after(() => b.close());
    const pepper = 'a server secret of 32 characters';
    await b.store.usePepper(pepper);
    await b.store.setOptOut(N, 'Shop', true);
    const e = await b.store.erase({ msisdn: N, actor: 'operator test', now: Date.now() });
    assert.equal(e.numberHash, erasedTag(`${await b.store.readMark('erasure_key')}:${pepper}`, N));
    assert.equal(await b.store.isOptedOut(N, 'Shop'), true, 'the opt-out holds under the peppered hash');
    await assert.rejects(b.store.usePepper(null), {
      code: 'HERMOD_ERR_ERASURE_PEPPER',
      message: /made with an erasure pepper/,
    });
    await assert.rejects(b.store.usePepper('another secret, 32 characters!!'), {
      code: 'HERMOD_ERR_ERASURE_PEPPER',
      message: /differs/,
    });
    await b.store.usePepper(pepper);
    assert.equal(await b.store.isOptedOut(N, 'Shop'), true);
    // A store whose erasures were made without a pepper refuses to take one.
    const plain = await openBackend(t, backend);
    if (!plain) return;
    t.after(() => plain.close());
    await plain.store.erase({ msisdn: N, actor: 'operator test', now: Date.now() });
    await assert.rejects(plain.store.usePepper(pepper), {
      code: 'HERMOD_ERR_ERASURE_PEPPER',
      message: /without/,
    });
    await plain.store.usePepper(null);
  });

/** An inbox conversation with `n`, a campaign to it, an import whose error report names it. */
async function engineRows(b: EngineBackend, userId: number, n: string): Promise<void> {
  const { inbox, campaigns, contactImports } = b.stores;
  const now = Date.now();
  await inbox.noteReply({ userId, peer: n, ourNumber: '12345', at: now });
  const c = await campaigns.createCampaign({
    userId,
    name: 'Winter',
    sender: 'Shop',
    text: 'Hi',
    templateId: null,
    audience: { groups: [], contacts: [], excludeGroups: [], numbers: [n] },
    scheduleAt: null,
    timeZone: null,
    quietHours: null,
    ratePerSecond: null,
    tags: [],
    sendWhatBalanceCovers: false,
    repeat: null,
  });
  await campaigns.resolveAudience({ userId, campaignId: c.id, now });
  const job = await contactImports.createImport({
    userId,
    groupId: null,
    country: null,
    header: false,
    delimiter: ';',
    headerNames: [],
    columns: { number: 0, firstName: null, lastName: null, notes: null, fields: [] },
    fileName: 'x.csv',
    csv: Buffer.from(`${n};x;y\n`),
    bytesDone: 0,
    linesDone: 0,
  });
  const owner = `runner-${userId}`;
  assert.equal((await contactImports.claimImport({ owner, leaseMs: 60_000 }))?.id, job.id);
  await contactImports.applyImportBatch({
    jobId: job.id,
    userId,
    owner,
    leaseMs: 60_000,
    groupId: null,
    contacts: [],
    errors: [{ line: 1, number: null, reason: 'too many columns', raw: `${n};x;y` }],
    rows: 1,
    bytesDone: 16,
    linesDone: 1,
  });
  await contactImports.finishImport({ jobId: job.id, owner, state: 'completed' });
}

function purgerOptions(clock: FakeClock) {
  return {
    redactAfterDays: 30,
    deleteAfterDays: 90,
    batchRows: 2,
    pauseMs: 0,
    intervalS: 600,
    holder: 'x',
    clock,
  };
}

/** `table.column` of every text column (of every table) that holds `n`. */
async function textColumnsHolding(s: Store, n: string): Promise<string[]> {
  const found: string[] = [];
  if (s instanceof SqliteStore) {
    const { db } = s.engineHandle();
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[])
      for (const c of db.prepare('SELECT name, type FROM pragma_table_info(?)').all(name) as {
        name: string;
        type: string;
      }[]) {
        if (c.type === 'BLOB' || c.type === 'INTEGER') continue;
        if (db.prepare(`SELECT 1 FROM "${name}" WHERE instr(CAST("${c.name}" AS TEXT), ?) > 0`).get(n))
          found.push(`${name}.${c.name}`);
      }
    return found;
  }
  const { pool } = (s as PostgresStore).engineHandle();
  const cols = (
    await pool.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.data_type NOT IN ('bytea', 'bigint', 'integer', 'boolean', 'smallint')`,
    )
  ).rows;
  for (const c of cols)
    if (
      (
        await pool.query(
          `SELECT 1 FROM "${c.table_name}" WHERE strpos("${c.column_name}"::text, $1) > 0 LIMIT 1`,
          [n],
        )
      ).rowCount
    )
      found.push(`${c.table_name}.${c.column_name}`);
  return found;
}

export type { TestContext };
