/**
 * Web users and their sessions on PostgreSQL (PeopleStore). Changes that the rules about
 * admins apply to (role, enabled, removal) take one transaction-scoped advisory lock first,
 * so two admins demoting each other at once (on any node) are checked one after the other
 * and cannot both succeed; such changes are rare, one lock for all of them costs nothing.
 */
import type pg from 'pg';
import {
  LastAdminError,
  OwnerExistsError,
  OwnerProtectedError,
  WebUserExistsError,
  emailKey,
  type MemberRole,
  type NewWebUser,
  type PeopleStore,
  type WebSession,
  type WebUser,
  type WebUserChange,
  type WebUserKind,
  type WebUserScope,
  type WebUserSecret,
} from '../../engine-store/people.js';
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const PEOPLE_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'people/1',
    sql: `CREATE TABLE web_users (
       id BIGSERIAL PRIMARY KEY,
       email TEXT NOT NULL,
       email_key TEXT NOT NULL UNIQUE,
       display_name TEXT NOT NULL,
       kind TEXT NOT NULL CHECK (kind IN ('member', 'operator')),
       account_id INTEGER,
       role TEXT CHECK (role IN ('owner', 'admin', 'sender', 'viewer')),
       password_hash TEXT,
       must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
       setup_token_hash TEXT UNIQUE,
       setup_expires_at BIGINT,
       enabled BOOLEAN NOT NULL DEFAULT TRUE,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       last_sign_in_at BIGINT,
       CHECK ((kind = 'member') = (account_id IS NOT NULL AND role IS NOT NULL))
     );
     CREATE INDEX web_users_by_account ON web_users (account_id, id);
     -- One owner per account, whatever races.
     CREATE UNIQUE INDEX web_users_one_owner ON web_users (account_id) WHERE role = 'owner';
     CREATE TABLE web_sessions (
       id BIGSERIAL PRIMARY KEY,
       token_hash TEXT NOT NULL UNIQUE,
       web_user_id BIGINT NOT NULL,
       created_at BIGINT NOT NULL,
       last_seen_at BIGINT NOT NULL,
       expires_at BIGINT NOT NULL,
       max_expires_at BIGINT NOT NULL
     );
     CREATE INDEX web_sessions_by_user ON web_sessions (web_user_id);
     CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);`,
  },
];

type Row = Record<string, unknown>;

/** Serialises the changes the admin rules apply to, until the transaction ends. */
const LOCK_CHANGES = "SELECT pg_advisory_xact_lock(hashtext('hermod-web-user-changes'))";

const toUser = (r: Row): WebUser => ({
  id: num(r.id),
  email: r.email as string,
  displayName: r.display_name as string,
  kind: r.kind as WebUserKind,
  accountId: r.account_id === null ? null : num(r.account_id),
  role: (r.role as MemberRole | null) ?? null,
  enabled: r.enabled as boolean,
  mustChangePassword: r.must_change_password as boolean,
  hasPassword: r.password_hash !== null,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  lastSignInAt: r.last_sign_in_at === null ? null : num(r.last_sign_in_at),
});

const toSession = (r: Row): WebSession => ({
  id: num(r.id),
  webUserId: num(r.web_user_id),
  createdAt: num(r.created_at),
  lastSeenAt: num(r.last_seen_at),
  expiresAt: num(r.expires_at),
  maxExpiresAt: num(r.max_expires_at),
});

/** The WHERE clause (after `id = $1`) and its arguments ($2…) that keep a query inside a scope. */
function scoped(scope: WebUserScope, next: number): [string, unknown[]] {
  if ('accountId' in scope) return [` AND kind = 'member' AND account_id = $${next}`, [scope.accountId]];
  if ('operators' in scope) return [" AND kind = 'operator'", []];
  if ('members' in scope) return [" AND kind = 'member'", []];
  return ['', []];
}

const isAdmin = (u: Pick<WebUser, 'kind' | 'role' | 'enabled'>): boolean =>
  u.enabled && (u.kind === 'operator' || u.role === 'owner' || u.role === 'admin');

export class PgPeopleStore implements PeopleStore {
  constructor(private readonly h: PgHandle) {}

  createWebUser(u: NewWebUser): Promise<WebUser> {
    return this.h.write(async (c) => {
      const now = Date.now();
      if (u.role === 'owner') {
        // The partial unique index would refuse it too; asked first for the clearer error.
        const owner = await c.query("SELECT 1 FROM web_users WHERE account_id = $1 AND role = 'owner'", [
          u.accountId,
        ]);
        if (owner.rowCount !== 0) throw new OwnerExistsError();
      }
      const r = await c
        .query(
          `INSERT INTO web_users (email, email_key, display_name, kind, account_id, role, password_hash,
           must_change_password, setup_token_hash, setup_expires_at, enabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE, $11, $11)
         ON CONFLICT (email_key) DO NOTHING RETURNING *`,
          [
            u.email.trim(),
            emailKey(u.email),
            u.displayName,
            u.kind,
            u.kind === 'member' ? (u.accountId ?? null) : null,
            u.kind === 'member' ? (u.role ?? null) : null,
            u.passwordHash,
            u.mustChangePassword ?? false,
            u.setupTokenHash ?? null,
            u.setupExpiresAt ?? null,
            now,
          ],
        )
        .catch((err: { code?: string; constraint?: string }) => {
          // A second owner created at the same time as the first (the check above saw neither).
          if (err.code === '23505' && err.constraint === 'web_users_one_owner') throw new OwnerExistsError();
          throw err;
        });
      if (r.rowCount === 0) throw new WebUserExistsError(u.email.trim());
      return toUser(r.rows[0] as Row);
    });
  }

  async getWebUser(q: { scope: WebUserScope; id: number }): Promise<WebUser | undefined> {
    const r = await this.scopedRow(this.h.pool, q.scope, q.id);
    return r && toUser(r);
  }

  async getWebUserSecret(q: { email: string }): Promise<WebUserSecret | undefined> {
    const r = (await this.h.pool.query('SELECT * FROM web_users WHERE email_key = $1', [emailKey(q.email)]))
      .rows[0] as Row | undefined;
    return r && { ...toUser(r), passwordHash: (r.password_hash as string | null) ?? null };
  }

  async listWebUsers(q: { scope: WebUserScope; limit: number; afterId?: number }): Promise<WebUser[]> {
    const [where, args] = scoped(q.scope, 3);
    const r = await this.h.pool.query(`SELECT * FROM web_users WHERE id > $1${where} ORDER BY id LIMIT $2`, [
      q.afterId ?? 0,
      q.limit,
      ...args,
    ]);
    return (r.rows as Row[]).map(toUser);
  }

  updateWebUser(ch: WebUserChange): Promise<WebUser | undefined> {
    return this.h.write(async (c) => {
      await c.query(LOCK_CHANGES);
      const row = await this.scopedRow(c, ch.scope, ch.id);
      if (!row) return undefined;
      const before = toUser(row);
      const after = {
        ...before,
        ...(ch.role !== undefined && before.kind === 'member' ? { role: ch.role } : {}),
        ...(ch.enabled !== undefined ? { enabled: ch.enabled } : {}),
      };
      await this.checkChange(c, before, after);
      const r = await c.query(
        'UPDATE web_users SET role = $1, enabled = $2, display_name = $3, updated_at = $4 WHERE id = $5 RETURNING *',
        [after.role, after.enabled, ch.displayName ?? before.displayName, Date.now(), ch.id],
      );
      if (!after.enabled) await c.query('DELETE FROM web_sessions WHERE web_user_id = $1', [ch.id]);
      return toUser(r.rows[0] as Row);
    });
  }

  removeWebUser(q: { scope: WebUserScope; id: number }): Promise<boolean> {
    return this.h.write(async (c) => {
      await c.query(LOCK_CHANGES);
      const row = await this.scopedRow(c, q.scope, q.id);
      if (!row) return false;
      const before = toUser(row);
      if (before.role === 'owner') throw new OwnerProtectedError('removed');
      await this.checkChange(c, before, { ...before, enabled: false });
      await c.query('DELETE FROM web_sessions WHERE web_user_id = $1', [q.id]);
      await c.query('DELETE FROM web_users WHERE id = $1', [q.id]);
      return true;
    });
  }

  setPassword(p: {
    id: number;
    passwordHash: string;
    mustChangePassword: boolean;
    keepSessionId?: number;
  }): Promise<boolean> {
    return this.h.write(async (c) => {
      const r = await c.query(
        'UPDATE web_users SET password_hash = $1, must_change_password = $2, setup_token_hash = NULL, setup_expires_at = NULL, updated_at = $3 WHERE id = $4',
        [p.passwordHash, p.mustChangePassword, Date.now(), p.id],
      );
      await c.query('DELETE FROM web_sessions WHERE web_user_id = $1 AND id <> $2', [
        p.id,
        p.keepSessionId ?? 0,
      ]);
      return r.rowCount === 1;
    });
  }

  async getWebUserBySetupToken(q: { tokenHash: string; now: number }): Promise<WebUser | undefined> {
    const r = await this.h.pool.query(
      'SELECT * FROM web_users WHERE setup_token_hash = $1 AND setup_expires_at > $2',
      [q.tokenHash, q.now],
    );
    return r.rows[0] && toUser(r.rows[0] as Row);
  }

  redeemSetupToken(r: {
    tokenHash: string;
    passwordHash: string;
    now: number;
  }): Promise<WebUser | undefined> {
    return this.h.write(async (c) => {
      // One statement: a token redeemed twice at once sets a password once.
      const u = await c.query(
        `UPDATE web_users SET password_hash = $1, must_change_password = FALSE, setup_token_hash = NULL,
           setup_expires_at = NULL, updated_at = $3
         WHERE setup_token_hash = $2 AND setup_expires_at > $3 RETURNING *`,
        [r.passwordHash, r.tokenHash, r.now],
      );
      if (u.rowCount === 0) return undefined;
      const user = toUser(u.rows[0] as Row);
      await c.query('DELETE FROM web_sessions WHERE web_user_id = $1', [user.id]);
      return user;
    });
  }

  setSetupToken(q: {
    scope: WebUserScope;
    id: number;
    tokenHash: string;
    expiresAt: number;
  }): Promise<boolean> {
    return this.h.write(async (c) => {
      const [where, args] = scoped(q.scope, 5);
      const r = await c.query(
        `UPDATE web_users SET setup_token_hash = $2, setup_expires_at = $3, updated_at = $4 WHERE id = $1${where}`,
        [q.id, q.tokenHash, q.expiresAt, Date.now(), ...args],
      );
      return r.rowCount === 1;
    });
  }

  createSession(s: {
    webUserId: number;
    tokenHash: string;
    now: number;
    expiresAt: number;
    maxExpiresAt: number;
  }): Promise<WebSession> {
    return this.h.write(async (c) => {
      await c.query('DELETE FROM web_sessions WHERE expires_at <= $1', [s.now]);
      const r = await c.query(
        'INSERT INTO web_sessions (token_hash, web_user_id, created_at, last_seen_at, expires_at, max_expires_at) VALUES ($1, $2, $3, $3, $4, $5) RETURNING *',
        [s.tokenHash, s.webUserId, s.now, Math.min(s.expiresAt, s.maxExpiresAt), s.maxExpiresAt],
      );
      await c.query('UPDATE web_users SET last_sign_in_at = $1 WHERE id = $2', [s.now, s.webUserId]);
      return toSession(r.rows[0] as Row);
    });
  }

  async resolveSession(q: {
    tokenHash: string;
    now: number;
    idleMs: number;
    touchAfterMs: number;
  }): Promise<{ session: WebSession; user: WebUser } | undefined> {
    // One round trip: the session and its user (the user's columns, then the session's with an s_ prefix).
    const r = await this.h.pool.query(
      `SELECT u.*, s.id AS s_id, s.web_user_id AS s_web_user_id, s.created_at AS s_created_at,
         s.last_seen_at AS s_last_seen_at, s.expires_at AS s_expires_at, s.max_expires_at AS s_max_expires_at
       FROM web_sessions s JOIN web_users u ON u.id = s.web_user_id
       WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [q.tokenHash, q.now],
    );
    const row = r.rows[0] as Row | undefined;
    if (!row) return undefined;
    let session = toSession({
      id: row.s_id,
      web_user_id: row.s_web_user_id,
      created_at: row.s_created_at,
      last_seen_at: row.s_last_seen_at,
      expires_at: row.s_expires_at,
      max_expires_at: row.s_max_expires_at,
    });
    if (q.now - session.lastSeenAt >= q.touchAfterMs) {
      const expiresAt = Math.min(q.now + q.idleMs, session.maxExpiresAt);
      await this.h.write((c) =>
        c.query('UPDATE web_sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3', [
          q.now,
          expiresAt,
          session.id,
        ]),
      );
      session = { ...session, lastSeenAt: q.now, expiresAt };
    }
    return { session, user: toUser(row) };
  }

  deleteSession(q: { tokenHash: string }): Promise<boolean> {
    return this.h.write(
      async (c) =>
        (await c.query('DELETE FROM web_sessions WHERE token_hash = $1', [q.tokenHash])).rowCount === 1,
    );
  }

  private async scopedRow(
    c: pg.Pool | pg.PoolClient,
    scope: WebUserScope,
    id: number,
  ): Promise<Row | undefined> {
    const [where, args] = scoped(scope, 2);
    const r = await c.query(`SELECT * FROM web_users WHERE id = $1${where}`, [id, ...args]);
    return r.rows[0] as Row | undefined;
  }

  /** Inside a write: refuses a change to the owner, or one that leaves no enabled admin (operator). */
  private async checkChange(c: pg.PoolClient, before: WebUser, after: WebUser): Promise<void> {
    if (before.role === 'owner' && after.role !== 'owner') throw new OwnerProtectedError('demoted');
    if (before.role !== 'owner' && after.role === 'owner') throw new OwnerProtectedError('chosen this way');
    if (before.role === 'owner' && !after.enabled) throw new OwnerProtectedError('disabled');
    if (!isAdmin(before) || isAdmin(after)) return;
    // Counted under LOCK_CHANGES: no other change of admins runs until this one commits.
    const others =
      before.kind === 'operator'
        ? await c.query("SELECT id FROM web_users WHERE kind = 'operator' AND enabled AND id <> $1", [
            before.id,
          ])
        : await c.query(
            "SELECT id FROM web_users WHERE account_id = $1 AND role IN ('owner', 'admin') AND enabled AND id <> $2",
            [before.accountId, before.id],
          );
    if (others.rowCount === 0) throw new LastAdminError(before.kind === 'operator' ? 'operators' : 'members');
  }
}
