/** The engine's stores over an open core store (its database, its transactions). */
import type { Store } from '../store.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { PostgresStore } from '../postgres/postgres-store.js';
import { sqliteEngineStores } from '../sqlite/engine-store/index.js';
import { postgresEngineStores } from '../postgres/engine-store/index.js';
import type { EngineStores } from './index.js';

export async function openEngineStores(store: Store): Promise<EngineStores> {
  if (store instanceof SqliteStore) return sqliteEngineStores(store.engineHandle());
  if (store instanceof PostgresStore) return postgresEngineStores(store.engineHandle());
  throw new Error('the SMS engine needs a SQLite or PostgreSQL store');
}
