/** Web users and their sessions on SQLite (PeopleStore). */
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
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const PEOPLE_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'people/1',
    sql: `CREATE TABLE web_users (
       id INTEGER PRIMARY KEY,
       email TEXT NOT NULL,
       email_key TEXT NOT NULL UNIQUE,
       display_name TEXT NOT NULL,
       kind TEXT NOT NULL CHECK (kind IN ('member', 'operator')),
       account_id INTEGER,
       role TEXT CHECK (role IN ('owner', 'admin', 'sender', 'viewer')),
       password_hash TEXT,
       must_change_password INTEGER NOT NULL DEFAULT 0,
       setup_token_hash TEXT UNIQUE,
       setup_expires_at INTEGER,
       enabled INTEGER NOT NULL DEFAULT 1,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       last_sign_in_at INTEGER,
       CHECK ((kind = 'member') = (account_id IS NOT NULL AND role IS NOT NULL))
     );
     CREATE INDEX web_users_by_account ON web_users (account_id, id);
     -- One owner per account, whatever races.
     CREATE UNIQUE INDEX web_users_one_owner ON web_users (account_id) WHERE role = 'owner';
     CREATE TABLE web_sessions (
       id INTEGER PRIMARY KEY,
       token_hash TEXT NOT NULL UNIQUE,
       web_user_id INTEGER NOT NULL,
       created_at INTEGER NOT NULL,
       last_seen_at INTEGER NOT NULL,
       expires_at INTEGER NOT NULL,
       max_expires_at INTEGER NOT NULL
     );
     CREATE INDEX web_sessions_by_user ON web_sessions (web_user_id);
     CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);`,
  },
];

interface UserRow {
  id: number;
  email: string;
  display_name: string;
  kind: WebUserKind;
  account_id: number | null;
  role: MemberRole | null;
  password_hash: string | null;
  must_change_password: number;
  enabled: number;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
}

interface SessionRow {
  id: number;
  web_user_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  max_expires_at: number;
}

const toUser = (r: UserRow): WebUser => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  kind: r.kind,
  accountId: r.account_id,
  role: r.role,
  enabled: r.enabled === 1,
  mustChangePassword: r.must_change_password === 1,
  hasPassword: r.password_hash !== null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastSignInAt: r.last_sign_in_at,
});

const toSession = (r: SessionRow): WebSession => ({
  id: r.id,
  webUserId: r.web_user_id,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  maxExpiresAt: r.max_expires_at,
});

/** The WHERE clause (after `id = ?`) and its arguments that keep a query inside a scope. */
function scoped(scope: WebUserScope): [string, unknown[]] {
  if ('accountId' in scope) return [" AND kind = 'member' AND account_id = ?", [scope.accountId]];
  if ('operators' in scope) return [" AND kind = 'operator'", []];
  if ('members' in scope) return [" AND kind = 'member'", []];
  return ['', []];
}

const isAdmin = (u: Pick<WebUser, 'kind' | 'role' | 'enabled'>): boolean =>
  u.enabled && (u.kind === 'operator' || u.role === 'owner' || u.role === 'admin');

export class SqlitePeopleStore implements PeopleStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
  }

  createWebUser(u: NewWebUser): Promise<WebUser> {
    return this.h.write(() => {
      const now = Date.now();
      if (
        u.role === 'owner' &&
        this.st.get("SELECT 1 FROM web_users WHERE account_id = ? AND role = 'owner'").get(u.accountId) !==
          undefined
      )
        throw new OwnerExistsError();
      const r = this.st
        .get(
          `INSERT INTO web_users (email, email_key, display_name, kind, account_id, role, password_hash,
             must_change_password, setup_token_hash, setup_expires_at, enabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
        )
        .run(
          u.email.trim(),
          emailKey(u.email),
          u.displayName,
          u.kind,
          u.kind === 'member' ? (u.accountId ?? null) : null,
          u.kind === 'member' ? (u.role ?? null) : null,
          u.passwordHash,
          u.mustChangePassword ? 1 : 0,
          u.setupTokenHash ?? null,
          u.setupExpiresAt ?? null,
          now,
          now,
        );
      if (r.changes === 0) throw new WebUserExistsError(u.email.trim());
      return this.row(Number(r.lastInsertRowid))!;
    });
  }

  async getWebUser(q: { scope: WebUserScope; id: number }): Promise<WebUser | undefined> {
    const r = this.scopedRow(q.scope, q.id);
    return r && toUser(r);
  }

  async getWebUserSecret(q: { email: string }): Promise<WebUserSecret | undefined> {
    const r = this.st.get('SELECT * FROM web_users WHERE email_key = ?').get(emailKey(q.email)) as
      UserRow | undefined;
    return r && { ...toUser(r), passwordHash: r.password_hash };
  }

  async listWebUsers(q: { scope: WebUserScope; limit: number; afterId?: number }): Promise<WebUser[]> {
    const [where, args] = scoped(q.scope);
    return (
      this.st
        .get(`SELECT * FROM web_users WHERE id > ?${where} ORDER BY id LIMIT ?`)
        .all(q.afterId ?? 0, ...args, q.limit) as UserRow[]
    ).map(toUser);
  }

  updateWebUser(c: WebUserChange): Promise<WebUser | undefined> {
    return this.h.write(() => {
      const row = this.scopedRow(c.scope, c.id);
      if (!row) return undefined;
      const before = toUser(row);
      const after = {
        ...before,
        ...(c.role !== undefined && before.kind === 'member' ? { role: c.role } : {}),
        ...(c.enabled !== undefined ? { enabled: c.enabled } : {}),
      };
      this.checkChange(before, after);
      const now = Date.now();
      this.st
        .get('UPDATE web_users SET role = ?, enabled = ?, display_name = ?, updated_at = ? WHERE id = ?')
        .run(after.role, after.enabled ? 1 : 0, c.displayName ?? before.displayName, now, c.id);
      if (!after.enabled) this.st.get('DELETE FROM web_sessions WHERE web_user_id = ?').run(c.id);
      return this.row(c.id);
    });
  }

  removeWebUser(q: { scope: WebUserScope; id: number }): Promise<boolean> {
    return this.h.write(() => {
      const row = this.scopedRow(q.scope, q.id);
      if (!row) return false;
      const before = toUser(row);
      if (before.role === 'owner') throw new OwnerProtectedError('removed');
      this.checkChange(before, { ...before, enabled: false });
      this.st.get('DELETE FROM web_sessions WHERE web_user_id = ?').run(q.id);
      this.st.get('DELETE FROM web_users WHERE id = ?').run(q.id);
      return true;
    });
  }

  setPassword(p: {
    id: number;
    passwordHash: string;
    mustChangePassword: boolean;
    keepSessionId?: number;
  }): Promise<boolean> {
    return this.h.write(() => {
      const r = this.st
        .get(
          'UPDATE web_users SET password_hash = ?, must_change_password = ?, setup_token_hash = NULL, setup_expires_at = NULL, updated_at = ? WHERE id = ?',
        )
        .run(p.passwordHash, p.mustChangePassword ? 1 : 0, Date.now(), p.id);
      this.st
        .get('DELETE FROM web_sessions WHERE web_user_id = ? AND id <> ?')
        .run(p.id, p.keepSessionId ?? 0);
      return r.changes === 1;
    });
  }

  async getWebUserBySetupToken(q: { tokenHash: string; now: number }): Promise<WebUser | undefined> {
    const r = this.st
      .get('SELECT * FROM web_users WHERE setup_token_hash = ? AND setup_expires_at > ?')
      .get(q.tokenHash, q.now) as UserRow | undefined;
    return r && toUser(r);
  }

  redeemSetupToken(r: {
    tokenHash: string;
    passwordHash: string;
    now: number;
  }): Promise<WebUser | undefined> {
    return this.h.write(() => {
      const row = this.st
        .get('SELECT * FROM web_users WHERE setup_token_hash = ? AND setup_expires_at > ?')
        .get(r.tokenHash, r.now) as UserRow | undefined;
      if (!row) return undefined;
      this.st
        .get(
          'UPDATE web_users SET password_hash = ?, must_change_password = 0, setup_token_hash = NULL, setup_expires_at = NULL, updated_at = ? WHERE id = ?',
        )
        .run(r.passwordHash, r.now, row.id);
      this.st.get('DELETE FROM web_sessions WHERE web_user_id = ?').run(row.id);
      return this.row(row.id);
    });
  }

  setSetupToken(q: {
    scope: WebUserScope;
    id: number;
    tokenHash: string;
    expiresAt: number;
  }): Promise<boolean> {
    return this.h.write(() => {
      if (!this.scopedRow(q.scope, q.id)) return false;
      this.st
        .get('UPDATE web_users SET setup_token_hash = ?, setup_expires_at = ?, updated_at = ? WHERE id = ?')
        .run(q.tokenHash, q.expiresAt, Date.now(), q.id);
      return true;
    });
  }

  createSession(s: {
    webUserId: number;
    tokenHash: string;
    now: number;
    expiresAt: number;
    maxExpiresAt: number;
  }): Promise<WebSession> {
    return this.h.write(() => {
      this.st.get('DELETE FROM web_sessions WHERE expires_at <= ?').run(s.now);
      const r = this.st
        .get(
          'INSERT INTO web_sessions (token_hash, web_user_id, created_at, last_seen_at, expires_at, max_expires_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(s.tokenHash, s.webUserId, s.now, s.now, Math.min(s.expiresAt, s.maxExpiresAt), s.maxExpiresAt);
      this.st.get('UPDATE web_users SET last_sign_in_at = ? WHERE id = ?').run(s.now, s.webUserId);
      return toSession(
        this.st.get('SELECT * FROM web_sessions WHERE id = ?').get(Number(r.lastInsertRowid)) as SessionRow,
      );
    });
  }

  async resolveSession(q: {
    tokenHash: string;
    now: number;
    idleMs: number;
    touchAfterMs: number;
  }): Promise<{ session: WebSession; user: WebUser } | undefined> {
    const s = this.st
      .get('SELECT * FROM web_sessions WHERE token_hash = ? AND expires_at > ?')
      .get(q.tokenHash, q.now) as SessionRow | undefined;
    if (!s) return undefined;
    const user = this.row(s.web_user_id);
    if (!user) return undefined;
    let session = toSession(s);
    if (q.now - s.last_seen_at >= q.touchAfterMs) {
      const expiresAt = Math.min(q.now + q.idleMs, s.max_expires_at);
      await this.h.write(() =>
        this.st
          .get('UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?')
          .run(q.now, expiresAt, s.id),
      );
      session = { ...session, lastSeenAt: q.now, expiresAt };
    }
    return { session, user };
  }

  deleteSession(q: { tokenHash: string }): Promise<boolean> {
    return this.h.write(
      () => this.st.get('DELETE FROM web_sessions WHERE token_hash = ?').run(q.tokenHash).changes === 1,
    );
  }

  private row(id: number): WebUser | undefined {
    const r = this.st.get('SELECT * FROM web_users WHERE id = ?').get(id) as UserRow | undefined;
    return r && toUser(r);
  }

  private scopedRow(scope: WebUserScope, id: number): UserRow | undefined {
    const [where, args] = scoped(scope);
    return this.st.get(`SELECT * FROM web_users WHERE id = ?${where}`).get(id, ...args) as
      UserRow | undefined;
  }

  /** Inside a write: refuses a change to the owner, or one that leaves no enabled admin (operator). */
  private checkChange(before: WebUser, after: WebUser): void {
    if (before.role === 'owner' && after.role !== 'owner') throw new OwnerProtectedError('demoted');
    if (before.role !== 'owner' && after.role === 'owner') throw new OwnerProtectedError('chosen this way');
    if (before.role === 'owner' && !after.enabled) throw new OwnerProtectedError('disabled');
    if (!isAdmin(before) || isAdmin(after)) return;
    const others =
      before.kind === 'operator'
        ? this.st
            .get("SELECT count(*) AS n FROM web_users WHERE kind = 'operator' AND enabled = 1 AND id <> ?")
            .get(before.id)
        : this.st
            .get(
              "SELECT count(*) AS n FROM web_users WHERE account_id = ? AND role IN ('owner', 'admin') AND enabled = 1 AND id <> ?",
            )
            .get(before.accountId, before.id);
    if ((others as { n: number }).n === 0)
      throw new LastAdminError(before.kind === 'operator' ? 'operators' : 'members');
  }
}
