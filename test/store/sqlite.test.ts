import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/index.js';
import { newMessageId } from '../../src/domain/index.js';
import { storeContract } from './contract.js';

storeContract('sqlite', {
  async create() {
    const path = join(mkdtempSync(join(tmpdir(), 'hermod-store-')), 'hermod.db');
    const store = new SqliteStore(path);
    return {
      store,
      reopen: async () => new SqliteStore(path),
      cleanup: async () => store.close().catch(() => undefined),
    };
  },
});

test('sqlite: queueOldestDue is index seeks per connector, never a scan of the queue (read at every /metrics scrape); the claim keeps queue_due', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'hermod-store-')), 'hermod.db');
  const store = new SqliteStore(path);
  // The dispatcher's claim as the store prepared it (private: a copy here would drift from it).
  const claimSql = (store as unknown as { stmts: { due?: { source: string } } }).stmts.due?.source;
  assert.ok(claimSql?.includes('FROM queue'), 'the store has its claim statement');
  await store.close(); // the schema is made; the rows are written directly, a store accept per row would be slow
  const now = Date.now();
  const db = new Database(path);
  try {
    const ins = db.prepare(
      'INSERT INTO queue (message_id, connector_id, priority, not_before, seq) VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) ins.run(`m${i}`, `c${i % 7}`, i % 4, now - ((i * 7919) % 100_000), i);
    })();
    const oldestPlan = () =>
      (db.prepare(`EXPLAIN QUERY PLAN ${SqliteStore.OLDEST_DUE_SQL}`).all() as { detail: string }[]).map(
        (p) => p.detail,
      );
    // Without statistics (a store never runs ANALYZE) and with them, as an aged database may have.
    for (const stats of ['none', 'analyzed']) {
      if (stats === 'analyzed') db.exec('ANALYZE');
      const plan = oldestPlan();
      const onQueue = plan.filter((d) => /\bqueue\b/.test(d));
      assert.ok(onQueue.length >= 3, `${stats}: the plan reads the queue: ${plan.join(' | ')}`);
      for (const d of onQueue)
        assert.match(
          d,
          /^SEARCH queue USING COVERING INDEX queue_oldest_due( \(connector_id[=>]\?\))?$/,
          `${stats}: an index seek: ${plan.join(' | ')}`,
        );
      // The dispatcher's claim is not drawn to the new index (it would sort every due row for its ORDER BY).
      const claim = (
        db.prepare(`EXPLAIN QUERY PLAN ${claimSql}`).all({ connector: 'c1', now, limit: 100 }) as {
          detail: string;
        }[]
      ).map((p) => p.detail);
      for (const d of claim)
        assert.doesNotMatch(d, /queue_oldest_due|TEMP B-TREE/, `${stats}: claim plan: ${claim.join(' | ')}`);
      assert.ok(
        claim.some((d) => /^SEARCH (queue|q) USING (COVERING )?INDEX queue_due/.test(d)),
        `${stats}: the claim uses queue_due: ${claim.join(' | ')}`,
      );
    }
  } finally {
    db.close();
  }

  const reopened = new SqliteStore(path);
  try {
    // The answer is the GROUP BY the method replaced.
    const check = new Database(path, { readonly: true });
    const expected = check
      .prepare(
        'SELECT connector_id AS connectorId, MIN(not_before) AS dueAt FROM queue WHERE not_before <= ? GROUP BY connector_id ORDER BY connector_id',
      )
      .all(Date.now());
    check.close();
    assert.equal(expected.length, 7);
    assert.deepEqual(await reopened.queueOldestDue(), expected);
  } finally {
    await reopened.close();
  }
});

test('sqlite: the receipt-expiry sweep reads the partial index of waiting parts, not the whole parts table', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'hermod-store-')), 'hermod.db');
  const store = new SqliteStore(path);
  const db = new Database(path, { readonly: true });
  try {
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT message_id, seq FROM message_parts WHERE connector_id = ? AND state IN ('sent', 'unknown') AND updated_at <= ? ORDER BY updated_at LIMIT ?",
      )
      .all('c1', Date.now(), 100) as { detail: string }[];
    assert.match(
      plan.map((r) => r.detail).join('\n'),
      /USING INDEX message_parts_awaiting_receipt \(connector_id=\? AND updated_at<\?\)/,
    );
  } finally {
    db.close();
    await store.close();
  }
});

test('sqlite: the customer outbox claim reads a held backlog in id order from an index, never sorting it (receipts held while the customer is away)', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'hermod-store-')), 'hermod.db');
  const store = new SqliteStore(path);
  const claimSql = (store as unknown as { stmts: { dueOutbox?: { source: string } } }).stmts.dueOutbox
    ?.source;
  assert.ok(claimSql?.includes('FROM outbox'), 'the store has its outbox claim');
  const db = new Database(path);
  try {
    const now = Date.now();
    const ins = db.prepare(
      'INSERT INTO outbox (system_id, message_id, payload, next_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < 5000; i++)
        ins.run(i % 5 === 0 ? 'other' : 'away', `m${i}`, '{}', now - (i % 7) * 1000, now + 86_400_000);
    })();
    for (const stats of ['none', 'analyzed']) {
      if (stats === 'analyzed') db.exec('ANALYZE');
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${claimSql}`).all({ sys: 'away', now, limit: 100 }) as {
          detail: string;
        }[]
      ).map((p) => p.detail);
      // Without statistics the index; with them SQLite may scan the table in rowid order,
      // which is id order too when most rows are that customer's. Never a sort.
      assert.ok(
        plan.every((d) => !/TEMP B-TREE/.test(d)),
        `${stats}: ${plan.join(' | ')}`,
      );
      if (stats === 'none')
        assert.deepEqual(plan, ['SEARCH outbox USING INDEX outbox_by_system (system_id=?)']);
    }
  } finally {
    db.close();
  }
  const items = await store.claimOutbox('away', 100, 30_000);
  assert.equal(items.length, 100);
  assert.deepEqual(
    items.map((i) => i.id),
    [...items.map((i) => i.id)].sort((a, b) => a - b),
    'oldest first',
  );
  assert.ok(items.every((i) => i.systemId === 'away' && i.attempts === 1));
  await store.close();
});

test('sqlite: entries waiting out a back-off leave the claim range (queue_due on connector, delayed) and come back once due', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'hermod-store-')), 'hermod.db');
  const store = new SqliteStore(path);
  try {
    const user = await store.upsertUser({
      username: 'u',
      passwordHash: 'x',
      balanceMicros: 0,
      rateMicros: 0,
    });
    const accept = (id: string, meta?: { scheduleAt: number }) =>
      store.accept({
        id,
        userId: user.id,
        systemId: 'u',
        source: 'S',
        destination: '447700900123',
        esmClass: 0,
        dataCoding: 0,
        body: Buffer.from('x'),
        registeredDelivery: 0,
        priority: 0,
        connectorId: 'up',
        priceMicros: 0,
        ...(meta ? { meta } : {}),
      });
    const ids = Array.from({ length: 3 }, () => newMessageId());
    for (const id of ids) assert.ok((await accept(id)).ok);
    const claimed = await store.claim('up', 10, 60_000);
    assert.equal(claimed.length, 3);
    await store.release(ids[0], 600_000, 'throttled'); // ten minutes
    await store.release(ids[1], 1000, 'throttled'); // a second: the next claim comes well before it, even on a loaded machine
    await store.release(ids[2], 0, 'queue full');
    const db = new Database(path, { readonly: true });
    try {
      const flags = db.prepare('SELECT message_id, delayed FROM queue ORDER BY seq').all() as {
        message_id: string;
        delayed: number;
      }[];
      assert.deepEqual(
        flags.map((f) => f.delayed),
        [1, 1, 0],
        'a back-off flags the entry, a retry at once does not',
      );
      const plan = (
        db
          .prepare(`EXPLAIN QUERY PLAN ${SqliteStore.CLAIM_SQL}`)
          .all({ connector: 'up', now: Date.now(), limit: 100 }) as { detail: string }[]
      ).map((p) => p.detail);
      assert.ok(
        plan.some((d) => /^SEARCH q USING INDEX queue_due \(connector_id=\? AND delayed=\?\)/.test(d)),
        plan.join(' | '),
      );
    } finally {
      db.close();
    }
    assert.deepEqual(
      (await store.claim('up', 10, 60_000)).map((c) => c.message.id),
      [ids[2]],
    );
    await new Promise((r) => setTimeout(r, 1100));
    assert.deepEqual(
      (await store.claim('up', 10, 60_000)).map((c) => c.message.id),
      [ids[1]],
      'due again: promoted and claimed',
    );
    assert.deepEqual(await store.claim('up', 10, 60_000), [], 'the ten-minute back-off still waits');
    const scheduled = newMessageId();
    assert.ok((await accept(scheduled, { scheduleAt: Date.now() + 1000 })).ok);
    assert.deepEqual(await store.claim('up', 10, 60_000), [], 'scheduled: not yet');
    await new Promise((r) => setTimeout(r, 1100));
    assert.deepEqual(
      (await store.claim('up', 10, 60_000)).map((c) => c.message.id),
      [scheduled],
    );
  } finally {
    await store.close();
  }
});
