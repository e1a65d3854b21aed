/**
 * Retention and erasure on PostgreSQL (src/store/lifecycle.ts; as src/store/sqlite/lifecycle.ts).
 * Each batch is its own short transaction; the purge lease (a row of lifecycle_marks) lets one
 * node of a cluster purge at a time.
 */
import type pg from 'pg';
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

type Client = pg.PoolClient;

async function mark(c: Client | pg.Pool, name: string): Promise<string | undefined> {
  const r = await c.query<{ value: string }>('SELECT value FROM lifecycle_marks WHERE name = $1', [name]);
  return r.rows[0]?.value;
}

async function setMark(c: Client, name: string, value: string, now: number): Promise<void> {
  await c.query(
    `INSERT INTO lifecycle_marks (name, value, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [name, value, now],
  );
}

/**
 * The scope's condition on `messages` ($only bigint or null, $except bigint[]; as SQLite's:
 * one account's walks messages_by_user, a scope of MOs alone matches no message).
 */
const scoped = (s: AgeScope, only: number, except: number) =>
  s.moOnly
    ? `AND $${only}::bigint IS NULL AND $${except}::bigint[] IS NULL AND false`
    : s.userId !== undefined
      ? `AND user_id = $${only}::bigint AND $${except}::bigint[] IS NOT NULL`
      : `AND $${only}::bigint IS NULL AND NOT (user_id = ANY($${except}::bigint[]))`;
const scopeArgs = (s: AgeScope) => [s.userId ?? null, (s.exceptUserIds ?? []).map(String)];

export async function redactBatch(
  c: Client,
  o: AgeScope & { limit: number; now: number },
): Promise<RetentionBatch> {
  const before = idFloor(o.before);
  const ids = (
    await c.query<{ id: string }>(
      `SELECT id FROM messages WHERE id > $1 AND id < $2 ${scoped(o, 4, 5)} ORDER BY id LIMIT $3`,
      [(await mark(c, redactMark(o, 'messages'))) ?? '', before, o.limit, ...scopeArgs(o)],
    )
  ).rows.map((r) => r.id);
  const messages =
    (
      await c.query(
        `UPDATE messages SET body = '\\x'::bytea, destination = substr(destination, 1, 4) || '*****'
         WHERE id = ANY($1) AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = messages.id)`,
        [ids],
      )
    ).rowCount ?? 0;
  let moIds: string[] = [];
  let mos = 0;
  if (o.mo) {
    moIds = (
      await c.query<{ id: string }>('SELECT id FROM mo WHERE id > $1 AND id < $2 ORDER BY id LIMIT $3', [
        (await mark(c, redactMark(o, 'mo'))) ?? '',
        before,
        o.limit,
      ])
    ).rows.map((r) => r.id);
    mos =
      (
        await c.query(
          `UPDATE mo SET body = convert_to($2, 'UTF8'), source = substr(source, 1, 4) || '*****' WHERE id = ANY($1)`,
          [moIds, REDACTED_TEXT],
        )
      ).rowCount ?? 0;
  }
  if (ids.length) await setMark(c, redactMark(o, 'messages'), ids[ids.length - 1]!, o.now);
  if (moIds.length) await setMark(c, redactMark(o, 'mo'), moIds[moIds.length - 1]!, o.now);
  return { messages: messages + mos, rows: 0, done: ids.length < o.limit && moIds.length < o.limit };
}

async function expiredIds(
  c: Client | pg.Pool,
  o: AgeScope & { limit: number },
): Promise<{ ids: string[]; moIds: string[] }> {
  const before = idFloor(o.before);
  const ids = (
    await c.query<{ id: string }>(
      `SELECT id FROM messages WHERE id < $1 ${scoped(o, 3, 4)}
         AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = messages.id)
       ORDER BY id LIMIT $2`,
      [before, o.limit, ...scopeArgs(o)],
    )
  ).rows.map((r) => r.id);
  const moIds = o.mo
    ? (
        await c.query<{ id: string }>('SELECT id FROM mo WHERE id < $1 ORDER BY id LIMIT $2', [
          before,
          o.limit,
        ])
      ).rows.map((r) => r.id)
    : [];
  return { ids, moIds };
}

export async function deleteBatch(c: Client, o: AgeScope & { limit: number }): Promise<RetentionBatch> {
  const { ids, moIds } = await expiredIds(c, o);
  const r = await deleteExpired(c, { messageIds: ids, moIds, now: 0 });
  return { ...r, done: ids.length < o.limit && moIds.length < o.limit };
}

export async function expiredBatch(p: pg.Pool, o: AgeScope & { limit: number }): Promise<ExpiredBatch> {
  const { ids, moIds } = await expiredIds(p, o);
  const rowsOf = async (table: string, order: string) =>
    byMessage(
      (
        await p.query<Record<string, unknown>>(
          `SELECT * FROM ${table} WHERE message_id = ANY($1) ORDER BY ${order}`,
          [ids],
        )
      ).rows,
    );
  const parts = await rowsOf('message_parts', 'message_id, seq');
  const events = await rowsOf('message_events', 'message_id, id');
  const messages = (
    await p.query<Record<string, unknown>>(
      `SELECT ${EXPIRED_MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.user_id
       WHERE m.id = ANY($1) ORDER BY m.id`,
      [ids],
    )
  ).rows.map((m) => expiredMessage(m, parts.get(String(m.id)) ?? [], events.get(String(m.id)) ?? []));
  const mos = (
    await p.query<Record<string, unknown>>('SELECT * FROM mo WHERE id = ANY($1) ORDER BY id', [moIds])
  ).rows.map(expiredMo);
  return { messages, mos };
}

export async function deleteExpired(
  c: Client,
  o: {
    messageIds: readonly string[];
    moIds: readonly string[];
    marks?: readonly LifecycleMark[];
    now: number;
  },
): Promise<RetentionBatch> {
  // A message queued again since it was read (a retry) stays, with its rows.
  const ids = (
    await c.query<{ id: string }>(
      'SELECT id FROM unnest($1::text[]) AS x(id) WHERE NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = x.id)',
      [o.messageIds],
    )
  ).rows.map((r) => r.id);
  let rows = 0;
  for (const table of ['message_parts', 'message_events', 'upstream_ids', 'webhooks'])
    rows += (await c.query(`DELETE FROM ${table} WHERE message_id = ANY($1)`, [ids])).rowCount ?? 0;
  const messages = (await c.query('DELETE FROM messages WHERE id = ANY($1)', [ids])).rowCount ?? 0;
  const mos = (await c.query('DELETE FROM mo WHERE id = ANY($1)', [o.moIds])).rowCount ?? 0;
  for (const m of o.marks ?? []) await setMark(c, m.name, m.value, o.now);
  return { messages: messages + mos, rows, done: true };
}

export const readMark = (p: pg.Pool, name: string) => mark(p, name);

export async function takePurgeLease(
  c: Client,
  o: { holder: string; ttlMs: number; now: number },
): Promise<boolean> {
  const r = await c.query(
    `INSERT INTO lifecycle_marks (name, value, holder, until, updated_at) VALUES ('purge_lease', '', $1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until, updated_at = excluded.updated_at
     WHERE lifecycle_marks.until < $3 OR lifecycle_marks.holder = $1`,
    [o.holder, o.now + o.ttlMs, o.now],
  );
  return r.rowCount === 1;
}

/** The HMAC key erased numbers are hashed with (the store's own, with the pepper when given). */
export async function erasureKey(p: pg.Pool | Client, pepper: string | null): Promise<string> {
  return erasureHmacKey((await mark(p, 'erasure_key')) ?? '', pepper);
}

/** Records the pepper in use (ErasurePepperError when the store's erasures were made with another). */
export async function usePepper(c: Client, pepper: string | null, now: number): Promise<void> {
  const erased = ((await c.query('SELECT 1 FROM erasures LIMIT 1')).rowCount ?? 0) > 0;
  const r = checkPepper(await mark(c, 'erasure_pepper'), erased, pepper);
  if (r.refuse) throw new ErasurePepperError(r.refuse);
  if (r.write !== undefined) await setMark(c, 'erasure_pepper', r.write, now);
}

export async function erase(c: Client, r: ErasureRequest, pepper: string | null): Promise<ErasureResult> {
  const tag = erasedTag(await erasureKey(c, pepper), r.msisdn);
  const masked = erasedMark(tag);
  const tables: Record<string, number> = {};
  const count = (t: string, n: number | null) => {
    if (n) tables[t] = (tables[t] ?? 0) + n;
  };
  const n = r.msisdn;
  const scoped = r.userId !== undefined;
  const own = scoped ? ' AND user_id = $3' : '';
  const args = scoped ? [n, masked, r.userId] : [n, masked];
  count(
    'messages',
    (
      await c.query(
        `UPDATE messages SET body = '\\x'::bytea, destination = CASE WHEN destination = $1 THEN $2 ELSE destination END,
           source = CASE WHEN source = $1 THEN $2 ELSE source END
         WHERE (destination = $1 OR source = $1)${own}`,
        args,
      )
    ).rowCount,
  );
  let optOutsKept = 0;
  if (!scoped) {
    count(
      'mo',
      (await c.query(`UPDATE mo SET body = '\\x'::bytea, source = $2 WHERE source = $1`, [n, masked]))
        .rowCount,
    );
    count(
      'mo',
      (
        await c.query(`UPDATE mo SET body = '\\x'::bytea, destination = $2 WHERE destination = $1`, [
          n,
          masked,
        ])
      ).rowCount,
    );
    count(
      'mo_parts',
      (await c.query('DELETE FROM mo_parts WHERE source = $1 OR destination = $1', [n])).rowCount,
    );
    optOutsKept =
      (
        await c.query(
          `INSERT INTO optouts (msisdn, sender, at) SELECT $2, sender, at FROM optouts WHERE msisdn = $1
           ON CONFLICT (msisdn, sender) DO NOTHING`,
          [n, tag],
        )
      ).rowCount ?? 0;
    count('optouts', (await c.query('DELETE FROM optouts WHERE msisdn = $1', [n])).rowCount);
  }
  if ((await c.query("SELECT to_regclass('contacts') AS t")).rows[0]?.t)
    count(
      'contacts',
      (
        await c.query(
          `DELETE FROM contacts WHERE msisdn = $1${scoped ? ' AND user_id = $2' : ''}`,
          scoped ? [n, r.userId] : [n],
        )
      ).rowCount,
    );
  const cols = (
    await c.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
       WHERE c.table_schema = current_schema() AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
       ORDER BY c.table_name, c.ordinal_position`,
    )
  ).rows;
  const hasUser = new Set(cols.filter((x) => x.column_name === 'user_id').map((x) => x.table_name));
  const userTables = (
    await c.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'user_id'",
    )
  ).rows.map((x) => x.table_name);
  for (const t of userTables) hasUser.add(t);
  for (const { table_name: table, column_name: col, data_type: type } of cols) {
    if (NOT_SWEPT.has(table)) continue;
    const through = OWNED_THROUGH[table];
    if (scoped && !hasUser.has(table) && !through) continue;
    const where =
      through && scoped
        ? ` AND "${through.column}" IN (SELECT id FROM "${through.parent}" WHERE user_id = $3)`
        : own;
    const asText = type === 'ARRAY' ? `array_to_string("${col}", chr(31))` : `"${col}"::text`;
    const set =
      type === 'ARRAY'
        ? `string_to_array(replace(${asText}, $1, $2), chr(31))`
        : type === 'jsonb' || type === 'json'
          ? `replace(${asText}, $1, $2)::${type}`
          : `replace("${col}", $1, $2)`;
    count(
      table,
      (await c.query(`UPDATE "${table}" SET "${col}" = ${set} WHERE strpos(${asText}, $1) > 0${where}`, args))
        .rowCount,
    );
  }
  const rows = Object.values(tables).reduce((a, b) => a + b, 0);
  const id = (
    await c.query<{ id: string }>(
      'INSERT INTO erasures (number_hash, user_id, actor, at, rows, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [tag, r.userId ?? null, r.actor, r.now, rows, JSON.stringify(tables)],
    )
  ).rows[0]!.id;
  return { id: Number(id), numberHash: tag, tables, rows, optOutsKept };
}
