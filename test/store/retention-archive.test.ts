// Retention beyond the first cut (issue 21), on SQLite and PostgreSQL: messages are archived
// (gzip NDJSON per day) before they are deleted, and a crash between the archive and the
// deletion neither loses nor doubles a message nor leaves a broken file; an account's own
// ages replace the operator's for its messages; the SMS engine's rows (conversations,
// finished campaigns' recipients, import jobs and their error reports) go at the same age,
// a campaign's statistics staying what they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FakeClock } from '../../src/lib/clock.js';
import { newMessageId } from '../../src/domain/index.js';
import { RetentionArchive, RetentionPurger, type RetentionOptions } from '../../src/gateway/index.js';
import { BACKENDS, openBackend, type EngineBackend } from '../engine/backends.js';

const DAY = 86_400_000;

async function message(
  b: EngineBackend,
  userId: number,
  at: number,
  to: string,
  text: string,
): Promise<string> {
  const id = newMessageId(at);
  await b.store.accept({
    id,
    userId,
    systemId: userId === b.shop.id ? 'shop' : 'other',
    source: 'Shop',
    destination: to,
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from(text),
    registeredDelivery: 1,
    priority: 0,
    connectorId: 'sim',
    priceMicros: 10_000,
    meta: {},
  });
  await b.store.fail({ id, state: 'failed', detail: 'no route', refund: false });
  return id;
}

const options = (clock: FakeClock, o: Partial<RetentionOptions> = {}): RetentionOptions => ({
  redactAfterDays: 0,
  deleteAfterDays: 90,
  batchRows: 3,
  pauseMs: 0,
  intervalS: 600,
  holder: 'node-a',
  clock,
  ...o,
});

/** Every record of every archive file, as `zcat | jq` would read them. */
function archived(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson.gz'))
    .flatMap((f) =>
      gunzipSync(readFileSync(join(dir, f)))
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
}

for (const backend of BACKENDS) {
  test(`${backend}: messages are archived (gzip NDJSON per day) before they are deleted`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    t.after(() => b.close());
    const now = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'hermod-archive-'));
    const old: string[] = [];
    for (let i = 0; i < 7; i++)
      old.push(await message(b, b.shop.id, now - 100 * DAY + i * 3_600_000, `44770090010${i}`, `hello ${i}`));
    const older = await message(b, b.shop.id, now - 120 * DAY, '447700900200', 'a day apart');
    const fresh = await message(b, b.shop.id, now - DAY, '447700900300', 'fresh');
    const mo = (await b.store.addMoPart(
      {
        groupKey: 'single|archived',
        seq: 1,
        total: 1,
        connectorId: 'sim',
        source: '447700900301',
        destination: '12345',
        dataCoding: 0,
        body: Buffer.from('STOP'),
      },
      { id: newMessageId(now - 100 * DAY), route: () => ({ routedTo: 'shop', webhooks: [] }) },
    ))!.mo;
    const clock = new FakeClock(now);
    const purger = new RetentionPurger(b.store, {
      ...options(clock),
      archive: new RetentionArchive(dir, 'node-a'),
    });
    const r = await purger.runOnce();
    assert.equal(r.deleted, 9);
    assert.equal(r.archived, 9);
    for (const id of [...old, older]) assert.equal(await b.store.getMessage(id), undefined);
    assert.ok(await b.store.getMessage(fresh));

    const files = readdirSync(dir).sort();
    assert.ok(files.length >= 2, `one file per day: ${files.join(', ')}`);
    assert.ok(files.every((f) => /^messages-\d{4}-\d{2}-\d{2}\.ndjson\.gz$/.test(f)));
    const records = archived(dir);
    assert.deepEqual(
      records.map((m) => m.id).sort(),
      [...old, older, mo.id].sort(),
      'each deleted message and MO once',
    );
    assert.deepEqual(
      (({ kind, source, text, routed_to }) => ({ kind, source, text, routed_to }))(
        records.find((m) => m.id === mo.id)!,
      ),
      { kind: 'mo', source: '447700900301', text: 'STOP', routed_to: 'shop' },
    );
    const first = records.find((m) => m.id === old[0])!;
    assert.equal(first.kind, 'mt');
    assert.equal(first.text, 'hello 0');
    assert.equal(first.destination, '447700900100');
    assert.equal(first.account, 'shop');
    assert.equal(first.state, 'failed');
    assert.deepEqual((first.receipt as { state: string }).state, 'failed');
    assert.ok((first.history as unknown[]).length >= 2, 'its history goes with it');
    // Each batch is a gzip member of its own (3 rows a batch), and the real zcat reads them all.
    if (spawnSync('sh', ['-c', 'command -v zcat']).status === 0) {
      const text = execFileSync('sh', ['-c', `zcat ${join(dir, '*.ndjson.gz')}`]).toString();
      assert.equal(text.trim().split('\n').length, 9);
    } else t.diagnostic('zcat not installed: the archive was read with node:zlib only');
    // The committed length of each file is in the store, with the deletion.
    for (const f of files)
      assert.equal(await b.store.readMark(`archive:node-a:${f}`), String(statSync(join(dir, f)).size));
  });

  test(`${backend}: a crash between the archive and the deletion neither loses, doubles nor breaks`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    t.after(() => b.close());
    const now = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'hermod-archive-'));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await message(b, b.shop.id, now - 100 * DAY + i, `44770090020${i}`, `crash ${i}`));
    const archive = new RetentionArchive(dir, 'node-a');
    // A first batch archived and deleted, as the purger does.
    const first = await b.store.expiredBatch({ before: now - 90 * DAY, limit: 2, mo: true });
    const marks = await archive.write(first, b.store);
    await b.store.deleteExpired({
      messageIds: first.messages.map((m) => m.id),
      moIds: [],
      marks,
      now,
    });
    // The next batch is written to the file, then the process dies before the deletion
    // commits; and it had begun a third member, cut short.
    const second = await b.store.expiredBatch({ before: now - 90 * DAY, limit: 2, mo: true });
    await archive.write(second, b.store);
    const file = join(dir, readdirSync(dir)[0]!);
    appendFileSync(file, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    assert.throws(() => gunzipSync(readFileSync(file)), 'the file is broken at its end now');
    // The next run cuts the file back to what was committed and archives the rest once.
    const r = await new RetentionPurger(b.store, { ...options(new FakeClock(now)), archive }).runOnce();
    assert.equal(r.deleted, 3);
    const records = archived(dir);
    assert.deepEqual(records.map((m) => m.id).sort(), [...ids].sort());
    for (const id of ids) assert.equal(await b.store.getMessage(id), undefined);
  });

  test(`${backend}: an account's own ages replace the operator's for its messages`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    t.after(() => b.close());
    const now = Date.now();
    const shops = [await message(b, b.shop.id, now - 20 * DAY, '447700900401', 'shop 20d')];
    const shopRecent = await message(b, b.shop.id, now - 5 * DAY, '447700900402', 'shop 5d');
    const others = [await message(b, b.other.id, now - 20 * DAY, '447700900403', 'other 20d')];
    // MOs belong to no account: the operator's ages, even when every account has a scope.
    const oldMo = (await b.store.addMoPart(
      {
        groupKey: 'single|old',
        seq: 1,
        total: 1,
        connectorId: 'sim',
        source: '447700900404',
        destination: '12345',
        dataCoding: 0,
        body: Buffer.from('an old reply'),
      },
      { id: newMessageId(now - 95 * DAY), route: () => ({ routedTo: null, webhooks: [] }) },
    ))!.mo;
    const clock = new FakeClock(now);
    const purger = new RetentionPurger(b.store, {
      ...options(clock, { redactAfterDays: 30, deleteAfterDays: 90 }),
      accountAges: async () => [
        { userId: b.shop.id, redactAfterDays: 3, deleteAfterDays: 10 },
        { userId: b.other.id, redactAfterDays: null, deleteAfterDays: null },
      ],
    });
    const r = await purger.runOnce();
    assert.deepEqual({ deleted: r.deleted, redacted: r.redacted }, { deleted: 2, redacted: 1 });
    assert.deepEqual(
      (await b.store.listMo(10)).map((m) => m.id),
      [],
      `the MO ${oldMo.id} of 95 days is gone at the operator's 90`,
    );
    assert.equal(await b.store.getMessage(shops[0]!), undefined, "shop's 10 days have passed");
    const redacted = (await b.store.getMessage(shopRecent))!;
    assert.equal(redacted.body.length, 0, "shop's 3 days have passed: redacted");
    const kept = (await b.store.getMessage(others[0]!))!;
    assert.equal(kept.body.toString(), 'other 20d', "other keeps the operator's 30/90 days");
    // An account that keeps for ever (0) keeps for ever; one without ages takes the operator's.
    clock.advance(200 * DAY);
    const forever = new RetentionPurger(b.store, {
      ...options(clock, { redactAfterDays: 30, deleteAfterDays: 90 }),
      accountAges: async () => [
        { userId: b.shop.id, redactAfterDays: null, deleteAfterDays: null },
        { userId: b.other.id, redactAfterDays: 0, deleteAfterDays: 0 },
      ],
    });
    await forever.runOnce();
    assert.equal((await b.store.getMessage(others[0]!))!.body.toString(), 'other 20d');
    assert.equal(await b.store.getMessage(shopRecent), undefined);
  });

  test(`${backend}: the engine's rows go at the same age; a campaign's statistics stay`, async (t) => {
    const b = await openBackend(t, backend);
    if (!b) return;
    t.after(() => b.close());
    const { inbox, campaigns, contactImports } = b.stores;
    const now = Date.now();
    await inbox.noteReply({ userId: b.shop.id, peer: '447700900501', ourNumber: '12345', at: now });
    const c = await campaigns.createCampaign({
      userId: b.shop.id,
      name: 'Winter',
      sender: 'Shop',
      text: 'Hi',
      templateId: null,
      audience: { groups: [], contacts: [], excludeGroups: [], numbers: ['447700900501', '447700900502'] },
      scheduleAt: null,
      timeZone: null,
      quietHours: null,
      ratePerSecond: null,
      tags: [],
      sendWhatBalanceCovers: false,
      repeat: null,
    });
    await campaigns.resolveAudience({ userId: b.shop.id, campaignId: c.id, now });
    await campaigns.transition({ userId: b.shop.id, id: c.id, from: ['draft'], to: 'running', now });
    await campaigns.transition({ userId: b.shop.id, id: c.id, from: ['running'], to: 'completed', now });
    const statsBefore = await campaigns.stats({ userId: b.shop.id, id: c.id });
    assert.equal(statsBefore?.recipients, 2);
    const job = await contactImports.createImport({
      userId: b.shop.id,
      groupId: null,
      country: null,
      header: false,
      delimiter: ';',
      headerNames: [],
      columns: { number: 0, firstName: null, lastName: null, notes: null, fields: [] },
      fileName: 'x.csv',
      csv: Buffer.from('447700900503\nnot a number\n'),
      bytesDone: 0,
      linesDone: 0,
    });
    const claimed = await contactImports.claimImport({ owner: 'runner', leaseMs: 60_000 });
    assert.equal(claimed?.id, job.id);
    await contactImports.applyImportBatch({
      jobId: job.id,
      userId: b.shop.id,
      owner: 'runner',
      leaseMs: 60_000,
      groupId: null,
      contacts: [{ msisdn: '447700900503' }],
      errors: [{ line: 2, number: null, reason: 'invalid number: not a number', raw: 'not a number' }],
      rows: 2,
      bytesDone: 26,
      linesDone: 2,
    });
    await contactImports.finishImport({ jobId: job.id, owner: 'runner', state: 'completed' });

    // 30 days on (the operator's 90 not passed): all stays.
    const clock = new FakeClock(now + 30 * DAY);
    await new RetentionPurger(b.store, options(clock, { batchRows: 1 })).runOnce();
    assert.equal(
      (await inbox.listConversations({ userId: b.shop.id, username: 'shop', limit: 10 })).length,
      1,
    );
    // 100 days on: they go, in batches of one row.
    clock.advance(70 * DAY);
    const r = await new RetentionPurger(b.store, options(clock, { batchRows: 1 })).runOnce();
    assert.ok(r.rows >= 5, `conversation, 2 recipients, error report, job: ${r.rows}`);
    assert.deepEqual(await inbox.listConversations({ userId: b.shop.id, username: 'shop', limit: 10 }), []);
    assert.deepEqual(
      await campaigns.recipientStatuses({ userId: b.shop.id, id: c.id, after: 0, limit: 10 }),
      [],
    );
    assert.deepEqual(await campaigns.stats({ userId: b.shop.id, id: c.id }), statsBefore);
    assert.ok(await campaigns.getCampaign({ userId: b.shop.id, id: c.id }), 'the campaign itself stays');
    assert.equal(await contactImports.getImport({ userId: b.shop.id, id: job.id }), undefined);
    assert.ok(
      await b.stores.contacts.getContactByNumber({ userId: b.shop.id, msisdn: '447700900503' }),
      'the imported contacts stay',
    );
  });
}
