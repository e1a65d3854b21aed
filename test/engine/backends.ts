// The SMS engine's stores on both databases, for contract suites: a real SQLite file in a
// temporary directory, and a PostgreSQL schema of its own (dropped afterwards; the test
// skips loudly without PostgreSQL, and fails under CI=true).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { hashPassword, type User } from '../../src/domain/index.js';
import {
  PostgresStore,
  SqliteStore,
  openEngineStores,
  type Store,
  type EngineStores,
} from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';

export interface EngineBackend {
  store: Store;
  stores: EngineStores;
  /** Two accounts: what one does, the other never sees. */
  shop: User;
  other: User;
  close(): Promise<void>;
}

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The engine's stores on `name`, or undefined when the database is not there (the test was skipped). */
export async function openBackend(t: TestContext, name: BackendName): Promise<EngineBackend | undefined> {
  let store: Store;
  let cleanup: () => Promise<void>;
  if (name === 'sqlite') {
    const s = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-engine-')), 'hermod.db'));
    store = s;
    cleanup = () => s.close();
  } else {
    if (!(await requirePostgres(t))) return undefined;
    const schema = `hermod_test_${randomBytes(6).toString('hex')}`;
    const s = await PostgresStore.open({ connectionString: PG_URL, schema });
    store = s;
    cleanup = async () => {
      await s.close().catch(() => undefined);
      await PostgresStore.dropSchema(PG_URL, schema);
    };
  }
  const stores = await openEngineStores(store);
  const account = (username: string) =>
    store.upsertUser({
      username,
      passwordHash: hashPassword('pw'),
      balanceMicros: 10_000_000,
      rateMicros: 10_000,
    });
  return { store, stores, shop: await account('shop'), other: await account('other'), close: cleanup };
}
