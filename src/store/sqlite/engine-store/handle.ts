/**
 * What the SMS engine's SQLite stores share with the core store: its one connection, and
 * its group-commit writer (a write runs in the transaction of its event-loop turn and may
 * run twice, the first time rolled back, so it must have no effects outside the database).
 * Named migrations: each area of the engine owns its tables (`contacts/1`, `campaigns/1`…).
 */
import type Database from 'better-sqlite3';

export interface SqliteHandle {
  db: Database.Database;
  write<T>(fn: () => T): Promise<T>;
}

export interface NamedMigration {
  /** `<area>/<n>`: never renamed or changed once released. */
  name: string;
  sql: string;
}

/** Runs the migrations not yet applied, in order, each in its own transaction. */
export function migrateNamed(db: Database.Database, migrations: readonly NamedMigration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS engine_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const done = new Set(
    (db.prepare('SELECT name FROM engine_migrations').all() as { name: string }[]).map((r) => r.name),
  );
  const record = db.prepare('INSERT INTO engine_migrations (name, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.name, Date.now());
    })();
  }
}

/** A statement cache per connection: preparing costs more than most runs. */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }
}
