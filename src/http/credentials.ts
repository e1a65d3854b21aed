/**
 * Username + password checks for the HTTP APIs that carry them in every request (Jasmin's
 * /send). scrypt is deliberately slow, so a success is remembered until it has gone unused
 * for a short time (Jasmin caches authentication for 10 s too). What is not remembered goes
 * through the LoginGuard the SMPP port uses too: attempts counted per address and username,
 * lockout, scrypt off the event loop, one timing for unknown users and wrong passwords. An entry is
 * tied to the stored hash, so a password change takes effect as soon as the user source
 * sees it; failures are never cached.
 */
import { hash } from 'node:crypto';
import type { User } from '../domain/index.js';
import { LoginGuard } from '../gateway/login-guard.js';

export interface UserSource {
  getUserByName(username: string): Promise<User | undefined>;
}

export class CredentialCache {
  private readonly ok = new Map<string, { hash: string; until: number }>();
  /** Verifications running, by address and credentials: a burst of the same login shares one. */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly users: UserSource,
    private readonly ttlMs = 10_000,
    private readonly max = 10_000,
    private readonly guard = new LoginGuard(),
  ) {}

  /** The user when the password is right, else undefined. */
  async authenticate(username: string, password: string, address = 'unknown'): Promise<User | undefined> {
    const user = await this.users.getUserByName(username);
    // The key is a digest, so the cache never holds a password; the one-shot hash() costs
    // a fifth of a createHash() chain, and this runs on every request.
    const key = hash('sha256', `${username}\0${password}`, 'base64');
    const now = Date.now();
    const hit = this.ok.get(key);
    if (user && hit && hit.until > now && hit.hash === user.passwordHash) {
      // Kept while in use: the check against the stored hash above is what makes a hit safe,
      // and a steady sender would otherwise stall the event loop on scrypt every `ttlMs`.
      hit.until = now + this.ttlMs;
      return user;
    }
    // Fifty requests arriving at once with the same credentials (a client's pool starting)
    // wait for one verification, not fifty scrypts in a row behind the guard's queue.
    const running = `${address}\0${key}`;
    let verified = this.pending.get(running);
    if (!verified) {
      verified = this.guard
        .login({
          door: 'http',
          address,
          username,
          password,
          find: () => Promise.resolve(user),
          hashOf: (u) => u.passwordHash,
        })
        .then((login) => login.verdict === 'ok')
        .finally(() => this.pending.delete(running));
      this.pending.set(running, verified);
    }
    if (!(await verified) || !user) return undefined;
    if (this.ok.size >= this.max) this.ok.clear();
    this.ok.set(key, { hash: user.passwordHash, until: now + this.ttlMs });
    return user;
  }
}
