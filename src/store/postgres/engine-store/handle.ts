/**
 * What the SMS engine's PostgreSQL stores share with the core store: its pool (whose
 * connections have the schema on their search_path) and its group-commit writer (a write
 * runs in the shared transaction of its turn, inside its own savepoint). Named migrations:
 * each area of the engine owns its tables (`contacts/1`, `campaigns/1`…).
 */
import type pg from 'pg';

export interface PgHandle {
  pool: pg.Pool;
  schema: string;
  write<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
}

export interface NamedMigration {
  /** `<area>/<n>`: never renamed or changed once released. */
  name: string;
  sql: string;
}

/** Runs the migrations not yet applied, in order, each in its own transaction; one migrator per schema at a time. */
export async function migrateNamed(h: PgHandle, migrations: readonly NamedMigration[]): Promise<void> {
  const c = await h.pool.connect();
  try {
    await c.query("SELECT pg_advisory_lock(hashtext('hermod-engine-migrate-' || $1))", [h.schema]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS engine_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
    const done = new Set(
      (await c.query<{ name: string }>('SELECT name FROM engine_migrations')).rows.map((r) => r.name),
    );
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO engine_migrations (name, applied_at) VALUES ($1, $2)', [
          m.name,
          Date.now(),
        ]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  } finally {
    await c
      .query("SELECT pg_advisory_unlock(hashtext('hermod-engine-migrate-' || $1))", [h.schema])
      .catch(() => undefined);
    c.release();
  }
}

/** A BIGINT or NUMERIC column (pg returns strings for them) as a number. */
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
