/** An account's webhook settings and web users' TOTP secrets on PostgreSQL (AccountSettingsStore). */
import type {
  AccountSettingsStore,
  AccountWebhook,
  SigningKey,
  WebUserTotp,
} from '../../engine-store/account-settings.js';
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const ACCOUNT_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'account/1',
    sql: `CREATE TABLE account_webhooks (
       account_id BIGINT PRIMARY KEY,
       url TEXT,
       secret TEXT,
       updated_at BIGINT NOT NULL
     );
     CREATE TABLE web_user_totp (
       web_user_id BIGINT PRIMARY KEY,
       secret TEXT NOT NULL,
       enabled BOOLEAN NOT NULL DEFAULT FALSE,
       updated_at BIGINT NOT NULL
     );`,
  },
  {
    name: 'account/2',
    sql: `CREATE TABLE signing_keys (
       name TEXT PRIMARY KEY,
       private_key TEXT NOT NULL,
       public_key TEXT NOT NULL,
       created_at BIGINT NOT NULL
     );`,
  },
];

type Row = Record<string, unknown>;

const toWebhook = (r: Row): AccountWebhook => ({
  accountId: num(r.account_id),
  url: (r.url as string | null) ?? null,
  secret: (r.secret as string | null) ?? null,
  updatedAt: num(r.updated_at),
});
const toTotp = (r: Row): WebUserTotp => ({
  webUserId: num(r.web_user_id),
  secret: r.secret as string,
  enabled: r.enabled === true,
  updatedAt: num(r.updated_at),
});

export class PgAccountSettingsStore implements AccountSettingsStore {
  constructor(private readonly h: PgHandle) {}

  signingKey(p: { name: string; candidate: { privateKey: string; publicKey: string } }): Promise<SigningKey> {
    return this.h.write(async (c) => {
      await c.query(
        'INSERT INTO signing_keys (name, private_key, public_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
        [p.name, p.candidate.privateKey, p.candidate.publicKey, Date.now()],
      );
      const r = (await c.query('SELECT * FROM signing_keys WHERE name = $1', [p.name])).rows[0] as Row;
      return {
        name: r.name as string,
        privateKey: r.private_key as string,
        publicKey: r.public_key as string,
        createdAt: num(r.created_at),
      };
    });
  }

  async getWebhook(q: { accountId: number }): Promise<AccountWebhook | undefined> {
    const r = (await this.h.pool.query('SELECT * FROM account_webhooks WHERE account_id = $1', [q.accountId]))
      .rows[0] as Row | undefined;
    return r && toWebhook(r);
  }

  putWebhook(p: { accountId: number; url?: string | null; secret?: string | null }): Promise<AccountWebhook> {
    // COALESCE of a flag: undefined keeps the column, null and a value set it.
    return this.h.write(async (c) => {
      const r = await c.query(
        `INSERT INTO account_webhooks (account_id, url, secret, updated_at) VALUES ($1, $2, $4, $6)
         ON CONFLICT (account_id) DO UPDATE SET
           url = CASE WHEN $3 THEN excluded.url ELSE account_webhooks.url END,
           secret = CASE WHEN $5 THEN excluded.secret ELSE account_webhooks.secret END,
           updated_at = excluded.updated_at
         RETURNING *`,
        [
          p.accountId,
          p.url ?? null,
          p.url !== undefined,
          p.secret ?? null,
          p.secret !== undefined,
          Date.now(),
        ],
      );
      return toWebhook(r.rows[0] as Row);
    });
  }

  async webhookSecrets(): Promise<{ accountId: number; secret: string }[]> {
    const r = await this.h.pool.query(
      'SELECT account_id, secret FROM account_webhooks WHERE secret IS NOT NULL',
    );
    return (r.rows as Row[]).map((x) => ({ accountId: num(x.account_id), secret: x.secret as string }));
  }

  async getTotp(q: { webUserId: number }): Promise<WebUserTotp | undefined> {
    const r = (await this.h.pool.query('SELECT * FROM web_user_totp WHERE web_user_id = $1', [q.webUserId]))
      .rows[0] as Row | undefined;
    return r && toTotp(r);
  }

  putTotp(p: { webUserId: number; secret: string; enabled: boolean }): Promise<WebUserTotp> {
    return this.h.write(async (c) => {
      const r = await c.query(
        `INSERT INTO web_user_totp (web_user_id, secret, enabled, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (web_user_id) DO UPDATE SET secret = excluded.secret, enabled = excluded.enabled, updated_at = excluded.updated_at
         RETURNING *`,
        [p.webUserId, p.secret, p.enabled, Date.now()],
      );
      return toTotp(r.rows[0] as Row);
    });
  }

  deleteTotp(q: { webUserId: number }): Promise<boolean> {
    return this.h.write(
      async (c) =>
        ((await c.query('DELETE FROM web_user_totp WHERE web_user_id = $1', [q.webUserId])).rowCount ?? 0) >
        0,
    );
  }
}
