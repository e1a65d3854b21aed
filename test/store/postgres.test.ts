import { randomBytes } from 'node:crypto';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { storeContract } from './contract.js';

storeContract('postgres', {
  async create(t) {
    if (!(await requirePostgres(t))) return undefined;
    // Each test gets its own schema, dropped afterwards, so runs never collide.
    const schema = `hermod_test_${randomBytes(6).toString('hex')}`;
    const opened: PostgresStore[] = [];
    const open = async () => {
      const s = await PostgresStore.open({ connectionString: PG_URL, schema });
      opened.push(s);
      return s;
    };
    const store = await open();
    return {
      store,
      reopen: open,
      cleanup: async () => {
        for (const s of opened) await s.close().catch(() => undefined);
        await PostgresStore.dropSchema(PG_URL, schema);
      },
    };
  },
});
