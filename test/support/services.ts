/**
 * Real services and tools the tests use. When one is missing: without CI the test
 * is skipped with a loud message; with CI=true it fails, so CI never passes by skipping.
 */
import type { TestContext } from 'node:test';

const inCI = () => process.env.CI === 'true';

/** Runs `probe`; true when it works. Otherwise skips loudly (or throws under CI). */
export function requireTool(t: TestContext, name: string, probe: () => unknown): boolean {
  try {
    probe();
    return true;
  } catch (err) {
    const msg = `${name} is not available: ${(err as Error).message.split('\n')[0]}`;
    if (inCI()) throw new Error(`${msg} (CI=true: required)`);
    console.warn(`\n!!! SKIPPING: ${msg}. Install it to run this test. !!!\n`);
    t.skip(msg);
    return false;
  }
}

export const PG_URL = process.env.HERMOD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when PostgreSQL answers; otherwise skips loudly (or fails under CI=true). */
export async function requirePostgres(t: TestContext): Promise<boolean> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch (err) {
    return requireTool(t, `PostgreSQL at ${PG_URL}`, () => {
      throw err;
    });
  } finally {
    await c.end().catch(() => undefined);
  }
}
