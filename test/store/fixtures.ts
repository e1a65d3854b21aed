/** The stores' tests' shared fixtures. */
import type { TestContext } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newMessageId, type NewMessage } from '../../src/domain/index.js';
import { PostgresStore, SqliteStore, type Store } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';

/** A new one-part SMS of `userId` (customer `shop`, connector `c1`, 0.01 charged), with `extra` over it. */
export const newMessage = (userId: number, extra: Partial<NewMessage> = {}): NewMessage => ({
  id: newMessageId(),
  userId,
  systemId: 'shop',
  source: 'Shop',
  destination: '447700900123',
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hello'),
  registeredDelivery: 1,
  priority: 0,
  connectorId: 'c1',
  priceMicros: 10_000,
  ...extra,
});

/** A fresh store and how to remove it. */
export type MadeStore = { store: Store; cleanup: () => Promise<void> };

/** Both stores, each made fresh: SQLite in a temporary file, PostgreSQL in a schema of its own (skipped loudly when unreachable). */
export const bothStores: [string, (t: TestContext) => Promise<MadeStore | undefined>][] = [
  [
    'sqlite',
    async () => {
      const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-store-')), 'hermod.db'));
      return { store, cleanup: () => store.close() };
    },
  ],
  [
    'postgres',
    async (t) => {
      if (!(await requirePostgres(t))) return undefined;
      const schema = `hermod_test_${randomBytes(6).toString('hex')}`;
      const store = await PostgresStore.open({ connectionString: PG_URL, schema });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await PostgresStore.dropSchema(PG_URL, schema);
        },
      };
    },
  ],
];
