/**
 * Fills a SQLite data file with a deep queue backlog for bench/gateway.ts, fast: one
 * message accepted the normal way (store.accept) is the template, and its rows in every
 * table that holds it (messages, and each table keyed by message_id: queue, events ...)
 * are copied `count` times in ONE transaction by one INSERT ... SELECT per table. Going
 * through store.accept for a million messages costs a million group commits; this costs
 * one. Bench-only: it opens the file directly while no Hermod has it open, and copies
 * columns by name (PRAGMA table_info), so it follows the schema's migrations untouched.
 */
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/index.js';

/** Copies the template message `templateId` `count` times; returns the rows written. */
export function cloneBacklog(path: string, templateId: string, count: number): number {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as { name: string }[]
    ).map((t) => t.name);
    let rows = 0;
    db.transaction(() => {
      for (const t of tables) {
        const cols = (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
        const key = t === 'messages' ? 'id' : cols.includes('message_id') ? 'message_id' : undefined;
        if (!key) continue;
        // The copy's id; a queue row's seq moves on by i so that the backlog keeps its order.
        const select = cols.map((c) =>
          c === key
            ? `printf('backlog-%09d', n.i)`
            : t === 'queue' && c === 'seq'
              ? 'src.seq + n.i'
              : `src.${c}`,
        );
        rows += db
          .prepare(
            `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
             INSERT INTO ${t} (${cols.join(', ')}) SELECT ${select.join(', ')} FROM ${t} AS src, n WHERE src.${key} = @id`,
          )
          .run({ count, id: templateId }).changes;
      }
    })();
    return rows;
  } finally {
    db.close();
  }
}

/** Queue rows waiting for `connectorId` (to check the fill). */
export function queueDepth(path: string, connectorId: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (
      db.prepare('SELECT COUNT(*) AS n FROM queue WHERE connector_id = ?').get(connectorId) as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

/** EXPLAIN QUERY PLAN of the dispatcher's claim (the query in the SQLite store) at this depth. */
export function claimPlan(path: string, connectorId: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${SqliteStore.CLAIM_SQL}`)
      .all({ connector: connectorId, now: Date.now(), limit: 100 }) as { detail: string }[];
    return plan.map((p) => p.detail);
  } finally {
    db.close();
  }
}
