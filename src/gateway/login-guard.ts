/**
 * The one place a username and password are checked, for every door that takes them
 * (SMPP binds on the customer port, the Jasmin-style HTTP API): issue 13 items 1, 5 and 7.
 *
 * - Attempts are counted per remote address and per username *before* the password is
 *   verified, and the attempts of one address (and of one username) are verified one at a
 *   time: a hundred binds written at once, or fifty connections opened at once, meet the
 *   lockout after `maxFailures` checks, not after all of them.
 * - scrypt runs on libuv's thread pool (`crypto.scrypt`), never on the event loop.
 * - An unknown user costs the same scrypt as a wrong password (against a fixed dummy hash)
 *   and gets the same answer, so neither the answer nor its timing tells them apart.
 * - A success refunds its own attempt; a failure is answered after `delayMs × failures`
 *   (at most 5 s), so guessing slows down before it locks.
 *
 * The guard only counts; what "refused" looks like on the wire is the door's business.
 */
import { EventEmitter } from 'node:events';
import { scrypt, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../lib/clock.js';

export interface LoginGuardPolicy {
  /** Failed logins from one address within `windowMs` before the address is locked out. */
  maxFailuresPerAddress: number;
  /** Failed logins for one username (from anywhere) within `windowMs` before it is locked out. */
  maxFailuresPerUser: number;
  windowMs: number;
  lockMs: number;
  /** Each failure's answer waits this times the failures so far (capped at 5 s). */
  delayMs: number;
  /** Logins of one address (or username) waiting their turn before more are refused at once. */
  maxQueued: number;
}

export const DEFAULT_LOGIN_POLICY: LoginGuardPolicy = {
  maxFailuresPerAddress: 5,
  maxFailuresPerUser: 10,
  windowMs: 60_000,
  lockMs: 300_000,
  delayMs: 200,
  maxQueued: 32,
};

/** `ok`: the password is right. `refused`: unknown user or wrong password (one answer for both). */
export type LoginVerdict = 'ok' | 'refused' | 'locked' | 'busy';

export interface LoginAttempt<U> {
  address: string;
  username: string;
  /** 'smpp' or 'http': for the log and the metric. */
  door: string;
  /** Reads the account; undefined for an unknown username. */
  find: () => Promise<U | undefined>;
  /** The account's stored "scrypt$salt$hash". */
  hashOf: (user: U) => string;
  password: string;
  /** A second factor checked after a right password (web sign-ins' TOTP): false fails the login as a wrong password does. */
  check?: (user: U) => Promise<boolean>;
}

export interface LoginFailureEvent {
  door: string;
  address: string;
  username: string;
  reason: 'refused' | 'locked' | 'busy';
}
export interface LockoutEvent {
  door: string;
  /** 'address' or 'username': which counter reached its limit. */
  scope: 'address' | 'username';
  key: string;
  until: number;
}

interface Counter {
  count: number;
  first: number;
  lockedUntil: number;
}

/**
 * One queue per key: `acquire` resolves when every earlier holder released. `waiting` is
 * how many hold or wait, so a flood is refused instead of queued without bound.
 */
class KeyedQueue {
  private readonly tails = new Map<string, { tail: Promise<void>; waiting: number }>();

  waiting(key: string): number {
    return this.tails.get(key)?.waiting ?? 0;
  }

  async acquire(key: string): Promise<() => void> {
    const entry = this.tails.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const before = entry.tail;
    entry.tail = before.then(() => mine);
    entry.waiting++;
    this.tails.set(key, entry);
    await before;
    return () => {
      release();
      if (--entry.waiting === 0 && this.tails.get(key) === entry) this.tails.delete(key);
    };
  }
}

/** A fixed hash an unknown user's password is checked against (never matches: random salt, zero hash). */
const DUMMY_HASH = `scrypt$${'5a'.repeat(16)}$${'00'.repeat(32)}`;

/** scrypt off the event loop (libuv's thread pool): "scrypt$<salt hex>$<hash hex>". */
export function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const [kind, saltHex, hashHex] = stored.split('$');
  if (kind !== 'scrypt' || !saltHex || !hashHex) return Promise.resolve(false);
  const want = Buffer.from(hashHex, 'hex');
  return new Promise((resolve) =>
    scrypt(password, Buffer.from(saltHex, 'hex'), want.length, (err, got) =>
      resolve(!err && timingSafeEqual(want, got)),
    ),
  );
}

export interface LoginGuardEvents {
  login_failed: [LoginFailureEvent];
  lockout: [LockoutEvent];
}

export class LoginGuard extends EventEmitter<LoginGuardEvents> {
  readonly policy: LoginGuardPolicy;
  readonly counters = { attempts: 0, failures: 0, lockouts: 0 };
  private readonly clock: Clock;
  private readonly byAddress = new Map<string, Counter>();
  private readonly byUser = new Map<string, Counter>();
  private readonly queue = new KeyedQueue();

  constructor(policy: Partial<LoginGuardPolicy> = {}, clock: Clock = systemClock) {
    super();
    this.policy = { ...DEFAULT_LOGIN_POLICY, ...policy };
    this.clock = clock;
  }

  /** Whether the address or the username is locked out now. */
  locked(address: string, username: string): boolean {
    const now = this.clock.now();
    return (
      (this.byAddress.get(address)?.lockedUntil ?? 0) > now ||
      (this.byUser.get(username)?.lockedUntil ?? 0) > now
    );
  }

  /** Checks a username and password; resolves with the user only when the verdict is `ok`. */
  async login<U>(a: LoginAttempt<U>): Promise<{ verdict: LoginVerdict; user?: U }> {
    const addrKey = `a:${a.address}`;
    const userKey = `u:${a.username}`;
    if (this.locked(a.address, a.username)) return this.fail(a, 'locked');
    if (
      this.queue.waiting(addrKey) >= this.policy.maxQueued ||
      this.queue.waiting(userKey) >= this.policy.maxQueued
    )
      return this.fail(a, 'busy');
    // Always address first, then username: two logins never wait for each other in a cycle.
    const releaseAddr = await this.queue.acquire(addrKey);
    const releaseUser = await this.queue.acquire(userKey);
    try {
      if (this.locked(a.address, a.username)) return this.fail(a, 'locked');
      this.counters.attempts++;
      // Counted before verifying: what is in flight already counts against the limit.
      const ca = this.count(this.byAddress, a.address);
      const cu = this.count(this.byUser, a.username);
      const user = await a.find();
      // An unknown user costs one scrypt too, against a hash that never matches.
      const ok =
        (await verifyPasswordAsync(a.password, user ? a.hashOf(user) : DUMMY_HASH)) &&
        user !== undefined &&
        (a.check ? await a.check(user) : true);
      if (ok && user) {
        ca.count--;
        cu.count--;
        return { verdict: 'ok', user };
      }
      this.counters.failures++;
      const now = this.clock.now();
      this.lockIfOver(ca, 'address', a.address, this.policy.maxFailuresPerAddress, now, a.door);
      this.lockIfOver(cu, 'username', a.username, this.policy.maxFailuresPerUser, now, a.door);
      const delay = Math.min(5000, this.policy.delayMs * Math.max(ca.count, cu.count));
      if (delay > 0) await new Promise<void>((r) => this.clock.setTimeout(r, delay));
      return this.fail(a, 'refused');
    } finally {
      releaseUser();
      releaseAddr();
    }
  }

  private fail(
    a: Pick<LoginAttempt<never>, 'door' | 'address' | 'username'>,
    reason: LoginFailureEvent['reason'],
  ): { verdict: LoginVerdict } {
    this.emit('login_failed', { door: a.door, address: a.address, username: a.username, reason });
    return { verdict: reason };
  }

  private count(map: Map<string, Counter>, key: string): Counter {
    const now = this.clock.now();
    let c = map.get(key);
    if (!c || (now - c.first > this.policy.windowMs && c.lockedUntil <= now)) {
      c = { count: 0, first: now, lockedUntil: 0 };
      map.set(key, c);
      // Bounded memory: a scan of many addresses forgets the oldest counters first.
      if (map.size > 100_000) map.delete(map.keys().next().value as string);
    }
    c.count++;
    return c;
  }

  private lockIfOver(
    c: Counter,
    scope: LockoutEvent['scope'],
    key: string,
    max: number,
    now: number,
    door: string,
  ): void {
    if (c.count < max || c.lockedUntil > now) return;
    c.lockedUntil = now + this.policy.lockMs;
    this.counters.lockouts++;
    this.emit('lockout', { door, scope, key, until: c.lockedUntil });
  }
}
