/**
 * The accounts' people (issue 14): web users who sign in to the console, and their
 * sessions. A member belongs to one customer account with a role (owner, admin, sender,
 * viewer); an operator belongs to none and manages everything through the admin API. Web
 * users are not the account's SMPP/HTTP credentials: those stay the account's own.
 *
 * - Passwords are scrypt hashes ("scrypt$salt$hash", the format and parameters of the
 *   accounts' passwords), computed and checked on libuv's thread pool, never on the event loop.
 * - Sign-in goes through the login guard shared with SMPP binds and HTTP passwords (per
 *   address and per email failure limits, one answer and one scrypt for an unknown email and
 *   a wrong password).
 * - A session is a random token (`hs_…`) the client holds; the store keeps its SHA-256 only.
 *   It expires after `sessionIdleMs` without use (sliding) and `sessionMaxMs` after sign-in
 *   at the latest. Its CSRF token is derived from it (`csrfOf`), so nothing more is stored.
 */
import { createHash, randomBytes, scrypt } from 'node:crypto';
import type { User } from '../domain/index.js';
import type { Accounts } from '../gateway/index.js';
import {
  MEMBER_ROLES,
  type MemberRole,
  type PeopleStore,
  type WebSession,
  type WebUser,
  type WebUserScope,
} from '../store/engine-store/index.js';
import { EngineError, invalid, notFound } from './errors.js';

export type { MemberRole, WebSession, WebUser, WebUserScope };
export { MEMBER_ROLES };

export interface PeopleOptions {
  /** A session unused this long expires (each use pushes it forward). Default 12 h. */
  sessionIdleMs?: number;
  /** A session ends this long after its sign-in whatever its use. Default 7 days. */
  sessionMaxMs?: number;
  /** An invitation's set-password token works this long. Default 72 h. */
  setupTokenMs?: number;
  /**
   * A resolved session is remembered this long (default 2 s, as API keys): a page's burst of
   * requests reads the store once. This node forgets at once on sign-out and on any change
   * of a web user; other nodes within this time.
   */
  sessionCacheMs?: number;
  now?: () => number;
}

export const DEFAULT_PEOPLE_OPTIONS: Required<Omit<PeopleOptions, 'now'>> = {
  sessionIdleMs: 12 * 3_600_000,
  sessionMaxMs: 7 * 24 * 3_600_000,
  setupTokenMs: 72 * 3_600_000,
  sessionCacheMs: 2000,
};

/** NIST SP 800-63B asks at least 8; a console that spends money asks a little more. */
export const MIN_PASSWORD_LENGTH = 10;
/** scrypt's cost grows with the input: an upper bound keeps a sign-in's cost bounded. */
export const MAX_PASSWORD_LENGTH = 200;
/** A session's expiry is written at most this often (a request is a read otherwise). */
const TOUCH_AFTER_MS = 60_000;
const SESSION_PREFIX = 'hs_';
const SETUP_PREFIX = 'hsp_';

/** The login guard's door name for web sign-ins (logs, `hermod_login_failures_total`). */
export const WEB_DOOR = 'web';

/** Whether a Bearer credential is a session token (not an API key). */
export const isSessionToken = (token: string): boolean => token.startsWith(SESSION_PREFIX);

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * The CSRF token of a session: cookie-authenticated requests that change something carry it
 * in `X-Hermod-CSRF`. Derived from the session token, which the page cannot read (HttpOnly)
 * and another site cannot obtain, so it proves the request comes from a page that was given
 * it by GET /v1/session or the sign-in's answer.
 */
export const csrfOf = (token: string): string =>
  createHash('sha256').update(`hermod-csrf:${token}`).digest('base64url');

/** scrypt on the thread pool, with the parameters and format of domain/password.ts. */
export function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, (err, key) =>
      err ? reject(err) : resolve(`scrypt$${salt.toString('hex')}$${key.toString('hex')}`),
    ),
  );
}

/** A random password for someone to change at their first sign-in (16 characters, 96 random bits). */
export const temporaryPassword = (): string => randomBytes(12).toString('base64url');

export interface SignedIn {
  user: WebUser;
  session: WebSession;
  /** A member's account; undefined for an operator. */
  account?: User;
  /** The value `X-Hermod-CSRF` must carry on a cookie-authenticated change. */
  csrf: string;
}

export interface NewSession extends SignedIn {
  /** The session token, shown this once (cookie and body). */
  token: string;
}

export interface NewPerson {
  email: string;
  displayName?: string;
  /** Given: a temporary password (changed at the first sign-in, unless `chosen`). Absent: an invitation. */
  password?: string;
  /** The password is the user's own (typed by them, e.g. on the CLI's stdin): no change asked. */
  chosen?: boolean;
}

export interface CreatedPerson {
  user: WebUser;
  /** When no password was given: the one-time set-password token (POST /v1/session/setup). */
  setupToken?: string;
  setupExpiresAt?: number;
}

export interface PersonChange {
  role?: MemberRole;
  enabled?: boolean;
  displayName?: string;
}

/**
 * What sign-ins need of the gateway's login guard (the composition root gives the one SMPP
 * binds and HTTP passwords share): attempts counted per address and username, scrypt off the
 * event loop, one answer for an unknown user and a wrong password.
 */
export interface Guard {
  login<U>(a: {
    address: string;
    username: string;
    door: string;
    find: () => Promise<U | undefined>;
    hashOf: (user: U) => string;
    password: string;
    check?: (user: U) => Promise<boolean>;
  }): Promise<{ verdict: 'ok' | 'refused' | 'locked' | 'busy'; user?: U }>;
}

/** A web user's second factor (TOTP), given by the engine: whether it is on, and a code's check. */
export interface SecondFactor {
  enabled(webUserId: number): Promise<boolean>;
  verify(webUserId: number, code: string): Promise<boolean>;
}

export class PeopleService {
  /** Sign-ins of users who turned it on need a code too (AccountService). */
  secondFactor: SecondFactor | undefined;
  private readonly o: Required<Omit<PeopleOptions, 'now'>>;
  private readonly now: () => number;
  private readonly cache = new Map<string, { who: SignedIn; until: number }>();

  constructor(
    private readonly store: PeopleStore,
    private readonly accounts: Pick<Accounts, 'byId' | 'byName'>,
    opts: PeopleOptions = {},
  ) {
    const { now, ...rest } = opts;
    this.o = { ...DEFAULT_PEOPLE_OPTIONS, ...rest };
    this.now = now ?? Date.now;
  }

  get options(): Readonly<Required<Omit<PeopleOptions, 'now'>>> {
    return this.o;
  }

  /**
   * Demo mode only (loopback, placeholder secrets allowed): the customer `demo` / `demo`, an admin
   * of the demo account, and the operator `admin` / `admin`, so that the console printed by
   * `npm start` can be signed in to at once. Their passwords skip the rules; they are never
   * created outside demo mode. Kept as they are when they exist.
   */
  async seedDemo(account: string): Promise<void> {
    const a = await this.account(account);
    const seeds = [
      { email: 'demo', password: 'demo', who: { kind: 'member', accountId: a.id, role: 'admin' } },
      { email: 'admin', password: 'admin', who: { kind: 'operator' } },
    ] as const;
    for (const d of seeds) {
      if (await this.store.getWebUserSecret({ email: d.email })) continue;
      await this.store.createWebUser({
        email: d.email,
        displayName: d.email,
        ...d.who,
        passwordHash: await hashPasswordAsync(d.password),
        mustChangePassword: false,
      });
    }
  }

  /** An operator (no account): sees and manages everything through the admin API. */
  createOperator(p: NewPerson): Promise<CreatedPerson> {
    return this.create(p, { kind: 'operator' });
  }

  /**
   * A member of an account. `owner` only for the account's first owner (409 otherwise).
   * The account is an id (REST v1: the caller's) or a username (the admin API, the CLI).
   */
  async createMember(account: number | string, role: MemberRole, p: NewPerson): Promise<CreatedPerson> {
    const a = await this.account(account);
    return this.create(p, { kind: 'member', accountId: a.id, role }, a.username);
  }

  /** The scope of an account's members, by its username (404 HERMOD_ERR_UNKNOWN_USER). */
  async scopeOfAccount(username: string): Promise<WebUserScope> {
    return { accountId: (await this.account(username)).id };
  }

  get(scope: WebUserScope, id: number): Promise<WebUser | undefined> {
    return this.store.getWebUser({ scope, id });
  }

  list(scope: WebUserScope, page: { limit: number; afterId?: number }): Promise<WebUser[]> {
    return this.store.listWebUsers({ scope, ...page });
  }

  /** Role, enabled or display name (the owner and the last admin are kept: 409). */
  async update(scope: WebUserScope, id: number, change: PersonChange): Promise<WebUser> {
    if (change.displayName !== undefined)
      change = { ...change, displayName: displayNameOf(change.displayName) };
    const u = await this.store.updateWebUser({ scope, id, ...change });
    if (!u) throw notFound(`web user ${id}`);
    // A role or enabled flag counts from the next request (the cache is not per user: changes are rare).
    this.cache.clear();
    return u;
  }

  /**
   * Makes a member the owner of its account (the previous owner becomes an admin). With an
   * account scope, only that account's member; with another scope (operators), any member.
   */
  async makeOwner(scope: WebUserScope, id: number): Promise<WebUser> {
    const accountId =
      'accountId' in scope ? scope.accountId : (await this.store.getWebUser({ scope, id }))?.accountId;
    const u =
      accountId === undefined || accountId === null
        ? undefined
        : await this.store.transferOwnership({ accountId, id });
    if (!u) throw notFound(`member ${id}`);
    this.cache.clear();
    return u;
  }

  async remove(scope: WebUserScope, id: number): Promise<void> {
    if (!(await this.store.removeWebUser({ scope, id }))) throw notFound(`web user ${id}`);
    this.cache.clear();
  }

  /** A new set-password token for someone who forgot theirs (the old password keeps working until used). */
  async resetToken(scope: WebUserScope, id: number): Promise<{ setupToken: string; setupExpiresAt: number }> {
    const setupToken = `${SETUP_PREFIX}${randomBytes(32).toString('base64url')}`;
    const setupExpiresAt = this.now() + this.o.setupTokenMs;
    if (
      !(await this.store.setSetupToken({
        scope,
        id,
        tokenHash: sha256(setupToken),
        expiresAt: setupExpiresAt,
      }))
    )
      throw notFound(`web user ${id}`);
    return { setupToken, setupExpiresAt };
  }

  /**
   * Signs in with an email and a password through the login guard: 401
   * HERMOD_ERR_SIGN_IN_FAILED for an unknown email, a wrong password, a disabled user or one
   * without a password yet (one answer, one scrypt each), 429 HERMOD_ERR_SIGN_IN_LOCKED
   * while the address or the email is locked out.
   */
  async signIn(
    a: { email: string; password: string; code?: string; address: string },
    guard: Guard,
  ): Promise<NewSession> {
    let codeNeeded = false;
    const { verdict, user } = await guard.login({
      address: a.address,
      // Its own counter per email, apart from the SMPP system_ids of the same spelling.
      username: `web:${a.email.trim().toLowerCase()}`,
      door: WEB_DOOR,
      find: async () => {
        const u = await this.store.getWebUserSecret({ email: a.email });
        return u && u.enabled && u.passwordHash ? u : undefined;
      },
      hashOf: (u) => u.passwordHash!,
      password: a.password,
      // The second factor: a wrong code is a failed sign-in, counted as a wrong password is.
      check: async (u) => {
        if (!this.secondFactor || !(await this.secondFactor.enabled(u.id))) return true;
        if (a.code === undefined || a.code === '') return (codeNeeded = true);
        return this.secondFactor.verify(u.id, a.code);
      },
    });
    if (verdict === 'locked' || verdict === 'busy') throw signInLocked();
    if (verdict !== 'ok' || !user) throw signInFailed();
    if (codeNeeded) throw codeRequired();
    const { passwordHash: _, ...person } = user;
    const account = person.accountId !== null ? await this.accounts.byId(person.accountId) : undefined;
    // A member whose account is gone signs in to nothing: refused as any other failure.
    if (person.accountId !== null && !account) throw signInFailed();
    const token = `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    const session = await this.store.createSession({
      webUserId: person.id,
      tokenHash: sha256(token),
      now,
      expiresAt: now + this.o.sessionIdleMs,
      maxExpiresAt: now + this.o.sessionMaxMs,
    });
    return {
      token,
      user: { ...person, lastSignInAt: now },
      session,
      ...(account ? { account } : {}),
      csrf: csrfOf(token),
    };
  }

  /** Who a session token signs in, or undefined (unknown, expired, user disabled). Slides the expiry. */
  async resolve(token: string): Promise<SignedIn | undefined> {
    if (!isSessionToken(token) || token.length > 100) return undefined;
    const tokenHash = sha256(token);
    const now = this.now();
    const hit = this.cache.get(tokenHash);
    if (hit && hit.until > now) return hit.who;
    const r = await this.store.resolveSession({
      tokenHash,
      now,
      idleMs: this.o.sessionIdleMs,
      touchAfterMs: TOUCH_AFTER_MS,
    });
    if (!r || !r.user.enabled) return undefined;
    let account: User | undefined;
    if (r.user.accountId !== null) {
      account = await this.accounts.byId(r.user.accountId);
      if (!account) return undefined;
    }
    const who = { ...r, ...(account ? { account } : {}), csrf: csrfOf(token) };
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(tokenHash, { who, until: Math.min(now + this.o.sessionCacheMs, r.session.expiresAt) });
    return who;
  }

  /** Ends a session; false when it did not exist (or had ended). */
  signOut(token: string): Promise<boolean> {
    const tokenHash = sha256(token);
    this.cache.delete(tokenHash);
    return this.store.deleteSession({ tokenHash });
  }

  /**
   * A signed-in user changes their own password: the current one is checked through the
   * login guard (a stolen session cannot guess it faster than a sign-in could), 403
   * HERMOD_ERR_WRONG_PASSWORD when it is not; every other session of the user ends.
   */
  async changePassword(
    who: SignedIn,
    p: { current: string; next: string; address: string },
    guard: Guard,
  ): Promise<void> {
    const { verdict } = await guard.login({
      address: p.address,
      username: `web:${who.user.email.toLowerCase()}`,
      door: WEB_DOOR,
      find: () => this.store.getWebUserSecret({ email: who.user.email }),
      hashOf: (u) => u.passwordHash ?? '',
      password: p.current,
    });
    if (verdict === 'locked' || verdict === 'busy') throw signInLocked();
    if (verdict !== 'ok')
      throw new EngineError(403, 'HERMOD_ERR_WRONG_PASSWORD', 'currentPassword: not the current password');
    if (p.next === p.current) throw invalid('newPassword', 'is the current password');
    checkPassword(p.next, 'newPassword', who.user.email, who.account?.username);
    await this.store.setPassword({
      id: who.user.id,
      passwordHash: await hashPasswordAsync(p.next),
      mustChangePassword: false,
      keepSessionId: who.session.id,
    });
    this.cache.clear();
  }

  /** Sets a password with a one-time set-password token (an invitation, a reset); 400 for an unknown or expired one. */
  async setPasswordWithToken(setupToken: string, password: string): Promise<WebUser> {
    if (!setupToken.startsWith(SETUP_PREFIX)) throw invalidSetupToken();
    const tokenHash = sha256(setupToken);
    const holder = await this.store.getWebUserBySetupToken({ tokenHash, now: this.now() });
    if (!holder) throw invalidSetupToken();
    checkPassword(password, 'password', holder.email, await this.usernameOf(holder));
    // Consumed in one statement: of two uses at once, one sets the password.
    const user = await this.store.redeemSetupToken({
      tokenHash,
      passwordHash: await hashPasswordAsync(password),
      now: this.now(),
    });
    if (!user) throw invalidSetupToken();
    this.cache.clear();
    return user;
  }

  private async create(
    p: NewPerson,
    who: { kind: 'operator' } | { kind: 'member'; accountId: number; role: MemberRole },
    username?: string,
  ): Promise<CreatedPerson> {
    const email = emailOf(p.email);
    const displayName = displayNameOf(p.displayName ?? email.split('@')[0]);
    if (p.password !== undefined) {
      checkPassword(p.password, 'password', email, username);
      const user = await this.store.createWebUser({
        email,
        displayName,
        ...who,
        passwordHash: await hashPasswordAsync(p.password),
        mustChangePassword: !p.chosen,
      });
      return { user };
    }
    const setupToken = `${SETUP_PREFIX}${randomBytes(32).toString('base64url')}`;
    const setupExpiresAt = this.now() + this.o.setupTokenMs;
    const user = await this.store.createWebUser({
      email,
      displayName,
      ...who,
      passwordHash: null,
      setupTokenHash: sha256(setupToken),
      setupExpiresAt,
    });
    return { user, setupToken, setupExpiresAt };
  }

  private async account(account: number | string): Promise<User> {
    const a =
      typeof account === 'number' ? await this.accounts.byId(account) : await this.accounts.byName(account);
    if (!a) throw new EngineError(404, 'HERMOD_ERR_UNKNOWN_USER', `no account ${JSON.stringify(account)}`);
    return a;
  }

  private async usernameOf(u: WebUser): Promise<string | undefined> {
    return u.accountId === null ? undefined : (await this.accounts.byId(u.accountId))?.username;
  }
}

/**
 * The password rules: MIN..MAX characters, and not the user's email (or its local part) nor
 * the account's username, ignoring case (the first things a guesser tries).
 */
export function checkPassword(password: string, field: string, email: string, username?: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalid(field, `must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw invalid(field, `must have at most ${MAX_PASSWORD_LENGTH} characters`);
  const p = password.trim().toLowerCase();
  const e = email.trim().toLowerCase();
  if (p === e || p === e.split('@')[0]) throw invalid(field, 'must not be the email address');
  if (username !== undefined && p === username.toLowerCase())
    throw invalid(field, "must not be the account's username");
}

/**
 * A sign-in name: a plausible email address (one @, no spaces, at most 254 characters, RFC
 * 5321), or a username (a letter or digit, then letters, digits, `.`, `_`, `-`; 2 to 64).
 */
function emailOf(input: string): string {
  const e = input.trim();
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(e)) return e;
  if (e.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(e))
    throw invalid('email', 'is neither an email address nor a username (letters, digits, . _ -)');
  return e;
}

function displayNameOf(input: string): string {
  const n = input.trim();
  if (n.length === 0 || n.length > 100) throw invalid('displayName', 'must have 1 to 100 characters');
  return n;
}

export const signInFailed = (): EngineError =>
  new EngineError(401, 'HERMOD_ERR_SIGN_IN_FAILED', 'wrong username or password');

/** The password was right; the user's two-factor sign-in wants the app's code as well. */
const codeRequired = (): EngineError =>
  new EngineError(401, 'HERMOD_ERR_CODE_REQUIRED', 'code: enter the 6-digit code of your authenticator app');

const signInLocked = (): EngineError =>
  new EngineError(429, 'HERMOD_ERR_SIGN_IN_LOCKED', 'too many failed sign-ins: try again later');

const invalidSetupToken = (): EngineError =>
  new EngineError(
    400,
    'HERMOD_ERR_INVALID_SETUP_TOKEN',
    'token: unknown, used or expired set-password token',
  );
