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
