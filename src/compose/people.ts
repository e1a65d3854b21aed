/**
 * The accounts' people from the composition root: the session lifetimes (constants with
 * environment overrides, not configuration keys: docs/engine/people.md says why), and the
 * CLI's way to create web users straight in the store, which is how the first operator
 * of a fresh install is made (no admin key, no running gateway needed).
 */
import { Accounts } from '../gateway/index.js';
import { PeopleService, type PeopleOptions } from '../engine/index.js';
import { DEFAULT_PEOPLE_OPTIONS, temporaryPassword, type CreatedPerson } from '../engine/people.js';
import { openEngineStores } from '../store/index.js';
import { ConfigError, type Config } from '../config/index.js';
import { openStore } from './store.js';

/**
 * `HERMOD_SESSION_IDLE_MINUTES` (default 720: 12 h, sliding), `HERMOD_SESSION_MAX_HOURS`
 * (default 168: a week after sign-in at the latest), `HERMOD_INVITE_HOURS` (default 72: a
 * set-password token's life). ConfigError naming the variable for a value that is not a
 * positive number.
 */
export function peopleOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PeopleOptions {
  const issues: { path: string; message: string }[] = [];
  const read = (name: string, unitMs: number, def: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return def;
    const n = Number(raw);
    if (!(n > 0) || !Number.isFinite(n)) {
      issues.push({ path: name, message: `expected a number > 0, got "${raw}"` });
      return def;
    }
    return n * unitMs;
  };
  const o = {
    sessionIdleMs: read('HERMOD_SESSION_IDLE_MINUTES', 60_000, DEFAULT_PEOPLE_OPTIONS.sessionIdleMs),
    sessionMaxMs: read('HERMOD_SESSION_MAX_HOURS', 3_600_000, DEFAULT_PEOPLE_OPTIONS.sessionMaxMs),
    setupTokenMs: read('HERMOD_INVITE_HOURS', 3_600_000, DEFAULT_PEOPLE_OPTIONS.setupTokenMs),
  };
  if (issues.length > 0) throw new ConfigError(issues, 'environment');
  return o;
}

export interface AddedPerson extends CreatedPerson {
  /** The temporary password made up for the user (shown once), when none was given. */
  temporaryPassword?: string;
}

/**
 * Creates an operator in the store the configuration names, beside a running gateway or
 * without one (a fresh install has no operator and may have no admin key). With `password`
 * the operator chose it (no change asked at sign-in); without, a temporary one is made up.
 */
export async function addOperator(
  config: Config,
  p: { email: string; displayName?: string; password?: string },
): Promise<AddedPerson> {
  // Beside a running gateway its leases are live: left alone.
  const store = await openStore(config.store, { reclaim: false });
  try {
    const stores = await openEngineStores(store);
    const people = new PeopleService(stores.people, new Accounts(store), peopleOptionsFromEnv());
    const made = p.password === undefined ? temporaryPassword() : undefined;
    const created = await people.createOperator({
      email: p.email,
      ...(p.displayName !== undefined ? { displayName: p.displayName } : {}),
      password: p.password ?? made!,
      chosen: p.password !== undefined,
    });
    return { ...created, ...(made ? { temporaryPassword: made } : {}) };
  } finally {
    await store.close();
  }
}
