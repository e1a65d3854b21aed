/** An account's webhook settings and web users' TOTP secrets on SQLite (AccountSettingsStore). */
import type {
  AccountSettingsStore,
  AccountWebhook,
  SigningKey,
  WebUserTotp,
} from '../../engine-store/account-settings.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const ACCOUNT_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'account/1',
    sql: `CREATE TABLE account_webhooks (
       account_id INTEGER PRIMARY KEY,
       url TEXT,
       secret TEXT,
       updated_at INTEGER NOT NULL
     );
     CREATE TABLE web_user_totp (
       web_user_id INTEGER PRIMARY KEY,
       secret TEXT NOT NULL,
       enabled INTEGER NOT NULL DEFAULT 0,
       updated_at INTEGER NOT NULL
     );`,
  },
  {
    name: 'account/2',
    sql: `CREATE TABLE signing_keys (
       name TEXT PRIMARY KEY,
       private_key TEXT NOT NULL,
       public_key TEXT NOT NULL,
       created_at INTEGER NOT NULL
     );`,
  },
];

interface WebhookRow {
  account_id: number;
  url: string | null;
  secret: string | null;
  updated_at: number;
}
interface TotpRow {
  web_user_id: number;
  secret: string;
  enabled: number;
  updated_at: number;
}

const toWebhook = (r: WebhookRow): AccountWebhook => ({
  accountId: r.account_id,
  url: r.url,
  secret: r.secret,
  updatedAt: r.updated_at,
});
const toTotp = (r: TotpRow): WebUserTotp => ({
  webUserId: r.web_user_id,
  secret: r.secret,
  enabled: r.enabled === 1,
  updatedAt: r.updated_at,
});

export class SqliteAccountSettingsStore implements AccountSettingsStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
  }

  signingKey(p: { name: string; candidate: { privateKey: string; publicKey: string } }): Promise<SigningKey> {
    return this.h.write(() => {
      this.st
        .get(
          'INSERT INTO signing_keys (name, private_key, public_key, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
        )
        .run(p.name, p.candidate.privateKey, p.candidate.publicKey, Date.now());
      const r = this.st.get('SELECT * FROM signing_keys WHERE name = ?').get(p.name) as {
        name: string;
        private_key: string;
        public_key: string;
        created_at: number;
      };
      return { name: r.name, privateKey: r.private_key, publicKey: r.public_key, createdAt: r.created_at };
    });
  }

  async getWebhook(q: { accountId: number }): Promise<AccountWebhook | undefined> {
    const r = this.st.get('SELECT * FROM account_webhooks WHERE account_id = ?').get(q.accountId) as
      WebhookRow | undefined;
    return r && toWebhook(r);
  }

  putWebhook(p: { accountId: number; url?: string | null; secret?: string | null }): Promise<AccountWebhook> {
    return this.h.write(() => {
      const old = this.st.get('SELECT * FROM account_webhooks WHERE account_id = ?').get(p.accountId) as
        WebhookRow | undefined;
      const row: WebhookRow = {
        account_id: p.accountId,
        url: p.url === undefined ? (old?.url ?? null) : p.url,
        secret: p.secret === undefined ? (old?.secret ?? null) : p.secret,
        updated_at: Date.now(),
      };
      this.st
        .get(
          `INSERT INTO account_webhooks (account_id, url, secret, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (account_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = excluded.updated_at`,
        )
        .run(row.account_id, row.url, row.secret, row.updated_at);
      return toWebhook(row);
    });
  }

  async webhookSecrets(): Promise<{ accountId: number; secret: string }[]> {
    return (
      this.st.get('SELECT account_id, secret FROM account_webhooks WHERE secret IS NOT NULL').all() as {
        account_id: number;
        secret: string;
      }[]
    ).map((r) => ({ accountId: r.account_id, secret: r.secret }));
  }

  async getTotp(q: { webUserId: number }): Promise<WebUserTotp | undefined> {
    const r = this.st.get('SELECT * FROM web_user_totp WHERE web_user_id = ?').get(q.webUserId) as
      TotpRow | undefined;
    return r && toTotp(r);
  }

  putTotp(p: { webUserId: number; secret: string; enabled: boolean }): Promise<WebUserTotp> {
    return this.h.write(() => {
      const row: TotpRow = {
        web_user_id: p.webUserId,
        secret: p.secret,
        enabled: p.enabled ? 1 : 0,
        updated_at: Date.now(),
      };
      this.st
        .get(
          `INSERT INTO web_user_totp (web_user_id, secret, enabled, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (web_user_id) DO UPDATE SET secret = excluded.secret, enabled = excluded.enabled, updated_at = excluded.updated_at`,
        )
        .run(row.web_user_id, row.secret, row.enabled, row.updated_at);
      return toTotp(row);
    });
  }

  deleteTotp(q: { webUserId: number }): Promise<boolean> {
    return this.h.write(
      () => this.st.get('DELETE FROM web_user_totp WHERE web_user_id = ?').run(q.webUserId).changes > 0,
    );
  }
}
