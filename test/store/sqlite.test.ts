import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/index.js';
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
