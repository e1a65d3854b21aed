/**
 * The accounts' people: web users who sign in to the console, separate from an account's
 * SMPP/HTTP API credentials. A `member` belongs to one customer account with a role; an
 * `operator` belongs to none and manages everything through the admin API. Emails are unique
 * case-insensitively (`emailKey`, the lower-cased email). Sessions are stored by the SHA-256
 * of their token only, so a copy of the database signs nobody in.
 *
 * Every member method is scoped by the account (`accountId`): another account's member looks
 * the same as one that does not exist.
 */
import { HermodError } from '../../lib/errors.js';

export type WebUserKind = 'member' | 'operator';
/** A member's role. `owner` is an `admin` that can be neither demoted, disabled nor removed. */
export type MemberRole = 'owner' | 'admin' | 'sender' | 'viewer';
export const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'admin', 'sender', 'viewer'];

export interface WebUser {
  id: number;
  /** As given at creation (shown); unique ignoring case. */
  email: string;
  displayName: string;
  kind: WebUserKind;
  /** The customer account (`users.id`) of a member; null for an operator. */
  accountId: number | null;
  /** A member's role; null for an operator. */
  role: MemberRole | null;
  enabled: boolean;
  /** The password was set by someone else (temporary): the user must choose their own first. */
  mustChangePassword: boolean;
  /** Whether a password is set (false while an invitation's set-password token is pending). */
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
}

/** A web user with its stored password hash ("scrypt$salt$hash"), for the sign-in check only. */
export interface WebUserSecret extends WebUser {
  passwordHash: string | null;
}

export interface NewWebUser {
  email: string;
  displayName: string;
  kind: WebUserKind;
  accountId?: number;
  role?: MemberRole;
  /** Null: no password yet (an invitation: `setupTokenHash` sets it). */
  passwordHash: string | null;
  mustChangePassword?: boolean;
  /** SHA-256 (hex) of a one-time set-password token, and until when it works. */
  setupTokenHash?: string;
  setupExpiresAt?: number;
}

/** Which web users an operation may touch: an account's members, the operators, every member, anyone. */
export type WebUserScope = { accountId: number } | { operators: true } | { members: true } | { any: true };

export interface WebUserChange {
  scope: WebUserScope;
  id: number;
  role?: MemberRole;
  enabled?: boolean;
  displayName?: string;
}

export interface WebSession {
  id: number;
  webUserId: number;
  createdAt: number;
  lastSeenAt: number;
  /** Idle expiry: pushed forward by use (sliding), never past `maxExpiresAt`. */
  expiresAt: number;
  maxExpiresAt: number;
}

export interface PeopleStore {
  /**
   * Creates a web user. Throws WebUserExistsError for an email in use (ignoring case),
   * OwnerExistsError for a second owner of an account.
   */
  createWebUser(u: NewWebUser): Promise<WebUser>;

  getWebUser(q: { scope: WebUserScope; id: number }): Promise<WebUser | undefined>;

  /** By email (ignoring case), with its password hash: the sign-in's lookup. */
  getWebUserSecret(q: { email: string }): Promise<WebUserSecret | undefined>;

  /** An account's members, or the operators (no scope: every web user), by id. At most `limit`. */
  listWebUsers(q: { scope: WebUserScope; limit: number; afterId?: number }): Promise<WebUser[]>;

  /**
   * Changes role, enabled or display name, in one transaction that keeps every account with
   * an enabled owner or admin, and at least one enabled operator: OwnerProtectedError for the
   * owner's role or enabled flag (or a role of `owner` given), LastAdminError when the
   * change would leave none. Disabling signs the user out (its sessions are deleted).
   * Undefined when the user is not in scope.
   */
  updateWebUser(c: WebUserChange): Promise<WebUser | undefined>;

  /** Deletes a web user and its sessions, under the same rules as updateWebUser; false when not in scope. */
  removeWebUser(q: { scope: WebUserScope; id: number }): Promise<boolean>;

  /**
   * Sets the password hash, clears a pending set-password token, sets mustChangePassword,
   * and deletes the user's sessions except `keepSessionId` (a password change signs out
   * every other browser).
   */
  setPassword(p: {
    id: number;
    passwordHash: string;
    mustChangePassword: boolean;
    keepSessionId?: number;
  }): Promise<boolean>;

  /** The user a set-password token (by its hash) belongs to, if it has not expired at `now`. */
  getWebUserBySetupToken(q: { tokenHash: string; now: number }): Promise<WebUser | undefined>;

  /**
   * Sets the password of the user a set-password token (by its hash) belongs to, if it has
   * not expired at `now`, and consumes the token; undefined for an unknown or expired one.
   */
  redeemSetupToken(r: { tokenHash: string; passwordHash: string; now: number }): Promise<WebUser | undefined>;

  /** A new set-password token for a user in scope (replacing any pending one). */
  setSetupToken(q: {
    scope: WebUserScope;
    id: number;
    tokenHash: string;
    expiresAt: number;
  }): Promise<boolean>;

  /** Opens a session (and notes the sign-in time); deletes sessions expired at `now` on the way. */
  createSession(s: {
    webUserId: number;
    tokenHash: string;
    now: number;
    expiresAt: number;
    maxExpiresAt: number;
  }): Promise<WebSession>;

  /**
   * The session of a token hash and its user, if it has not expired at `now`. When it was
   * last seen more than `touchAfterMs` ago, its expiry slides to `now + idleMs` (capped),
   * in the same call: a request costs a write at most once per `touchAfterMs`.
   */
  resolveSession(q: {
    tokenHash: string;
    now: number;
    idleMs: number;
    touchAfterMs: number;
  }): Promise<{ session: WebSession; user: WebUser } | undefined>;

  /** Deletes one session (sign-out); false when it did not exist. */
  deleteSession(q: { tokenHash: string }): Promise<boolean>;
}

export class WebUserExistsError extends HermodError {
  readonly httpStatus = 409;
  constructor(email: string) {
    super('HERMOD_ERR_WEB_USER_EXISTS', `a web user with the email "${email}" exists`);
  }
}

export class OwnerExistsError extends HermodError {
  readonly httpStatus = 409;
  constructor() {
    super('HERMOD_ERR_OWNER_EXISTS', 'the account has an owner already (only its first member can be)');
  }
}

export class OwnerProtectedError extends HermodError {
  readonly httpStatus = 409;
  constructor(what: string) {
    super('HERMOD_ERR_OWNER_PROTECTED', `the account's owner cannot be ${what}`);
  }
}

export class LastAdminError extends HermodError {
  readonly httpStatus = 409;
  constructor(what: 'members' | 'operators') {
    super(
      'HERMOD_ERR_LAST_ADMIN',
      what === 'members'
        ? 'the account would have no enabled admin left'
        : 'there would be no enabled operator left',
    );
  }
}

/** The lower-cased email that uniqueness and lookups use. */
export const emailKey = (email: string): string => email.trim().toLowerCase();
