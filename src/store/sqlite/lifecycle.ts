/**
 * Retention and erasure on SQLite (src/store/lifecycle.ts). Each batch is one short
 * transaction through the store's group-commit writer, so acceptance never waits behind more
 * than one batch; freed pages are reused by new rows and, on a file in auto_vacuum
 * INCREMENTAL, given back to the file system by reclaimSpace.
 */
import type Database from 'better-sqlite3';
import {
  erasedMark,
  erasedTag,
  idFloor,
  NOT_SWEPT,
  REDACTED_TEXT,
  type ErasureRequest,
  type ErasureResult,
  type RetentionBatch,
} from '../lifecycle.js';

type Db = Database.Database;

const mark = (db: Db, name: string): string | undefined =>
  (db.prepare('SELECT value FROM lifecycle_marks WHERE name = ?').get(name) as { value: string } | undefined)
    ?.value;

const setMark = (db: Db, name: string, value: string, now: number): void =>
  void db
    .prepare(
      'INSERT INTO lifecycle_marks (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    )
    .run(name, value, now);

export function redactBatch(db: Db, o: { before: number; limit: number; now: number }): RetentionBatch {
  const before = idFloor(o.before);
  const from = mark(db, 'redacted_through') ?? '';
  const ids = (
    db
      .prepare('SELECT id FROM messages WHERE id > ? AND id < ? ORDER BY id LIMIT ?')
      .all(from, before, o.limit) as {
      id: string;
    }[]
  ).map((r) => r.id);
  const list = JSON.stringify(ids);
  // Still queued (scheduled far ahead): left as they are; the mark passes them.
  const messages = db
    .prepare(
      `UPDATE messages SET body = X'', destination = substr(destination, 1, 4) || '*****'
       WHERE id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = messages.id)`,
    )
    .run(list).changes;
  const fromMo = mark(db, 'mo_redacted_through') ?? '';
  const moIds = (
    db
      .prepare('SELECT id FROM mo WHERE id > ? AND id < ? ORDER BY id LIMIT ?')
      .all(fromMo, before, o.limit) as {
      id: string;
    }[]
  ).map((r) => r.id);
  const mos = db
    .prepare(
      `UPDATE mo SET body = CAST(? AS BLOB), source = substr(source, 1, 4) || '*****' WHERE id IN (SELECT value FROM json_each(?))`,
    )
    .run(REDACTED_TEXT, JSON.stringify(moIds)).changes;
  if (ids.length) setMark(db, 'redacted_through', ids[ids.length - 1]!, o.now);
  if (moIds.length) setMark(db, 'mo_redacted_through', moIds[moIds.length - 1]!, o.now);
  return { messages: messages + mos, rows: 0, done: ids.length < o.limit && moIds.length < o.limit };
}

export function deleteBatch(db: Db, o: { before: number; limit: number }): RetentionBatch {
  const before = idFloor(o.before);
  const ids = JSON.stringify(
    (
      db
        .prepare(
          `SELECT id FROM messages WHERE id < ? AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = messages.id)
           ORDER BY id LIMIT ?`,
        )
        .all(before, o.limit) as { id: string }[]
    ).map((r) => r.id),
  );
  let rows = 0;
  for (const table of ['message_parts', 'message_events', 'upstream_ids', 'webhooks'])
    rows += db
      .prepare(`DELETE FROM ${table} WHERE message_id IN (SELECT value FROM json_each(?))`)
      .run(ids).changes;
  const messages = db
    .prepare('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))')
    .run(ids).changes;
  const mos = db
    .prepare('DELETE FROM mo WHERE id IN (SELECT id FROM mo WHERE id < ? ORDER BY id LIMIT ?)')
    .run(before, o.limit).changes;
  return { messages: messages + mos, rows, done: messages < o.limit && mos < o.limit };
}

/** Pages given back by an incremental vacuum (0 on a file not in auto_vacuum INCREMENTAL). */
export function reclaimSpace(db: Db): number {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 2 || free === 0) return 0;
  db.pragma('incremental_vacuum(2000)');
  return free - (db.pragma('freelist_count', { simple: true }) as number);
}

export interface SqliteErasure extends ErasureResult {
  /** The opt-outs' (number, sender) pairs now kept under the tag. */
  tag: string;
}

export function erase(db: Db, r: ErasureRequest): SqliteErasure {
  const key = mark(db, 'erasure_key') ?? '';
  const tag = erasedTag(key, r.msisdn);
  const masked = erasedMark(tag);
  const tables: Record<string, number> = {};
  const count = (t: string, n: number) => {
    if (n > 0) tables[t] = (tables[t] ?? 0) + n;
  };
  const n = r.msisdn;
  const own = r.userId === undefined ? '' : ' AND user_id = @user';
  const p = { n, masked, user: r.userId ?? null };
  count(
    'messages',
    db
      .prepare(
        `UPDATE messages SET body = X'', destination = CASE WHEN destination = @n THEN @masked ELSE destination END,
           source = CASE WHEN source = @n THEN @masked ELSE source END
         WHERE (destination = @n OR source = @n)${own}`,
      )
      .run(p).changes,
  );
  let optOutsKept = 0;
  if (r.userId === undefined) {
    count('mo', db.prepare(`UPDATE mo SET body = X'', source = @masked WHERE source = @n`).run(p).changes);
    count(
      'mo',
      db.prepare(`UPDATE mo SET body = X'', destination = @masked WHERE destination = @n`).run(p).changes,
    );
    count(
      'mo_parts',
      db.prepare('DELETE FROM mo_parts WHERE source = @n OR destination = @n').run(p).changes,
    );
    // The opt-outs stay, under the keyed hash: the number is still refused for those senders.
    optOutsKept = db
      .prepare(
        'INSERT OR REPLACE INTO optouts (msisdn, sender, at) SELECT @tag, sender, at FROM optouts WHERE msisdn = @n',
      )
      .run({ ...p, tag }).changes;
    count('optouts', db.prepare('DELETE FROM optouts WHERE msisdn = @n').run(p).changes);
  }
  const hasContacts = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contacts'")
    .get();
  if (hasContacts)
    count('contacts', db.prepare(`DELETE FROM contacts WHERE msisdn = @n${own}`).run(p).changes);
  // Everything else: every text column of every table, so tables added later are covered too.
  for (const { name: table } of db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[]) {
    if (NOT_SWEPT.has(table)) continue;
    const scoped = r.userId !== undefined;
    const cols = db.prepare('SELECT name, type FROM pragma_table_info(?)').all(table) as {
      name: string;
      type: string;
    }[];
    // An account's erasure reaches its own rows only: tables without a user_id are left alone.
    if (scoped && !cols.some((c) => c.name === 'user_id') && table !== 'campaign_recipients') continue;
    for (const c of cols) {
      if (!/TEXT|CHAR|^$/i.test(c.type)) continue;
      const where =
        table === 'campaign_recipients' && scoped
          ? ' AND campaign_id IN (SELECT id FROM campaigns WHERE user_id = @user)'
          : scoped
            ? own
            : '';
      count(
        table,
        db
          .prepare(
            `UPDATE "${table}" SET "${c.name}" = replace("${c.name}", @n, @masked) WHERE instr("${c.name}", @n) > 0${where}`,
          )
          .run(p).changes,
      );
    }
  }
  const rows = Object.values(tables).reduce((a, b) => a + b, 0);
  const id = Number(
    db
      .prepare(
        'INSERT INTO erasures (number_hash, user_id, actor, at, rows, detail) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(tag, r.userId ?? null, r.actor, r.now, rows, JSON.stringify(tables)).lastInsertRowid,
  );
  return { id, numberHash: tag, tables, rows, optOutsKept, tag };
}

/** The tag an opted-out number would be kept under after an erasure. */
export const erasureKey = (db: Db): string => mark(db, 'erasure_key') ?? '';

export function takePurgeLease(db: Db, o: { holder: string; ttlMs: number; now: number }): boolean {
  return (
    db
      .prepare(
        `INSERT INTO lifecycle_marks (name, value, holder, until, updated_at) VALUES ('purge_lease', '', @holder, @until, @now)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until, updated_at = excluded.updated_at
         WHERE lifecycle_marks.until < @now OR lifecycle_marks.holder = @holder`,
      )
      .run({ holder: o.holder, until: o.now + o.ttlMs, now: o.now }).changes === 1
  );
}
