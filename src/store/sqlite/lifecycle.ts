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
  erasureHmacKey,
  checkPepper,
  ErasurePepperError,
  idFloor,
  NOT_SWEPT,
  OWNED_THROUGH,
  REDACTED_TEXT,
  redactMark,
  expiredMessage,
  expiredMo,
  byMessage,
  EXPIRED_MESSAGE_COLUMNS,
  type AgeScope,
  type ExpiredBatch,
  type LifecycleMark,
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

/**
 * The scope's condition on `messages` (named parameters @only and @except). One account's
 * is `user_id = @only` as such, so the walk goes through messages_by_user (user_id, id) and
 * never over other accounts' old rows that their longer ages keep; a scope of MOs alone
 * matches no message.
 */
const scoped = (s: AgeScope): string =>
  s.moOnly
    ? 'AND 0'
    : s.userId !== undefined
      ? 'AND user_id = @only'
      : s.exceptUserIds?.length
        ? 'AND user_id NOT IN (SELECT value FROM json_each(@except))'
        : '';
const scopeParams = (s: AgeScope) => ({
  only: s.userId ?? null,
  except: JSON.stringify(s.exceptUserIds ?? []),
});

export function redactBatch(db: Db, o: AgeScope & { limit: number; now: number }): RetentionBatch {
  const before = idFloor(o.before);
  const ids = (
    db
      .prepare(
        `SELECT id FROM messages WHERE id > @from AND id < @before ${scoped(o)} ORDER BY id LIMIT @limit`,
      )
      .all({
        from: mark(db, redactMark(o, 'messages')) ?? '',
        before,
        limit: o.limit,
        ...scopeParams(o),
      }) as {
      id: string;
    }[]
  ).map((r) => r.id);
  // Still queued (scheduled far ahead): left as they are; the mark passes them.
  const messages = db
    .prepare(
      `UPDATE messages SET body = X'', destination = substr(destination, 1, 4) || '*****'
       WHERE id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = messages.id)`,
    )
    .run(JSON.stringify(ids)).changes;
  let moIds: string[] = [];
  let mos = 0;
  if (o.mo) {
    moIds = (
      db
        .prepare('SELECT id FROM mo WHERE id > ? AND id < ? ORDER BY id LIMIT ?')
        .all(mark(db, redactMark(o, 'mo')) ?? '', before, o.limit) as { id: string }[]
    ).map((r) => r.id);
    mos = db
      .prepare(
        `UPDATE mo SET body = CAST(? AS BLOB), source = substr(source, 1, 4) || '*****' WHERE id IN (SELECT value FROM json_each(?))`,
      )
      .run(REDACTED_TEXT, JSON.stringify(moIds)).changes;
  }
  if (ids.length) setMark(db, redactMark(o, 'messages'), ids[ids.length - 1]!, o.now);
  if (moIds.length) setMark(db, redactMark(o, 'mo'), moIds[moIds.length - 1]!, o.now);
  return { messages: messages + mos, rows: 0, done: ids.length < o.limit && moIds.length < o.limit };
}

function expiredIds(db: Db, o: AgeScope & { limit: number }): { ids: string[]; moIds: string[] } {
  const before = idFloor(o.before);
  const ids = (
    db
      .prepare(
        `SELECT id FROM messages WHERE id < @before ${scoped(o)}
           AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = messages.id)
         ORDER BY id LIMIT @limit`,
      )
      .all({ before, limit: o.limit, ...scopeParams(o) }) as { id: string }[]
  ).map((r) => r.id);
  const moIds = o.mo
    ? (
        db.prepare('SELECT id FROM mo WHERE id < ? ORDER BY id LIMIT ?').all(before, o.limit) as {
          id: string;
        }[]
      ).map((r) => r.id)
    : [];
  return { ids, moIds };
}

export function deleteBatch(db: Db, o: AgeScope & { limit: number }): RetentionBatch {
  const { ids, moIds } = expiredIds(db, o);
  const r = deleteExpired(db, { messageIds: ids, moIds, now: 0 });
  return { ...r, done: ids.length < o.limit && moIds.length < o.limit };
}

export function expiredBatch(db: Db, o: AgeScope & { limit: number }): ExpiredBatch {
  const { ids, moIds } = expiredIds(db, o);
  const list = JSON.stringify(ids);
  const rowsOf = (table: string, order: string) =>
    byMessage(
      db
        .prepare(
          `SELECT * FROM ${table} WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY ${order}`,
        )
        .all(list) as Record<string, unknown>[],
    );
  const parts = rowsOf('message_parts', 'message_id, seq');
  const events = rowsOf('message_events', 'message_id, rowid');
  const messages = (
    db
      .prepare(
        `SELECT ${EXPIRED_MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.user_id
         WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id`,
      )
      .all(list) as Record<string, unknown>[]
  ).map((m) => expiredMessage(m, parts.get(String(m.id)) ?? [], events.get(String(m.id)) ?? []));
  const mos = (
    db
      .prepare('SELECT * FROM mo WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id')
      .all(JSON.stringify(moIds)) as Record<string, unknown>[]
  ).map(expiredMo);
  return { messages, mos };
}

export function deleteExpired(
  db: Db,
  o: {
    messageIds: readonly string[];
    moIds: readonly string[];
    marks?: readonly LifecycleMark[];
    now: number;
  },
): RetentionBatch {
  // A message queued again since it was read (a retry) stays, with its rows.
  const ids = JSON.stringify(
    (
      db
        .prepare(
          `SELECT value AS id FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = value)`,
        )
        .all(JSON.stringify(o.messageIds)) as { id: string }[]
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
    .prepare('DELETE FROM mo WHERE id IN (SELECT value FROM json_each(?))')
    .run(JSON.stringify(o.moIds)).changes;
  for (const m of o.marks ?? []) setMark(db, m.name, m.value, o.now);
  return { messages: messages + mos, rows, done: true };
}

export const readMark = mark;

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

export function erase(db: Db, r: ErasureRequest, pepper: string | null): SqliteErasure {
  const tag = erasedTag(erasureKey(db, pepper), r.msisdn);
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
    const through = OWNED_THROUGH[table];
    if (scoped && !cols.some((c) => c.name === 'user_id') && !through) continue;
    for (const c of cols) {
      if (!/TEXT|CHAR|^$/i.test(c.type)) continue;
      const where =
        through && scoped
          ? ` AND "${through.column}" IN (SELECT id FROM "${through.parent}" WHERE user_id = @user)`
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

/** The HMAC key erased numbers are hashed with (the store's own, with the pepper when given). */
export const erasureKey = (db: Db, pepper: string | null): string =>
  erasureHmacKey(mark(db, 'erasure_key') ?? '', pepper);

/** Records the pepper in use (ErasurePepperError when the store's erasures were made with another). */
export function usePepper(db: Db, pepper: string | null, now: number): void {
  const erased = db.prepare('SELECT 1 FROM erasures LIMIT 1').get() !== undefined;
  const r = checkPepper(mark(db, 'erasure_pepper'), erased, pepper);
  if (r.refuse) throw new ErasurePepperError(r.refuse);
  if (r.write !== undefined) setMark(db, 'erasure_pepper', r.write, now);
}

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
