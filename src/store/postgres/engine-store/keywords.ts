/** Keyword services on PostgreSQL (KeywordStore); their hits are written by PgInboxStore.applyMos. */
import type pg from 'pg';
import {
  clashingWord,
  type KeywordAction,
  type KeywordHit,
  type KeywordKind,
  type KeywordService,
  type KeywordServicePatch,
  type KeywordSettings,
  type KeywordStore,
  type NewKeywordService,
  type PendingReply,
  type PollResult,
} from '../../engine-store/keywords.js';
import { KeywordExistsError } from '../../engine-store/inbox-errors.js';
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const KEYWORDS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'keywords/1',
    sql: `CREATE TABLE keyword_services (
       id BIGSERIAL PRIMARY KEY,
       user_id BIGINT NOT NULL,
       number TEXT NOT NULL,
       keyword TEXT NOT NULL,
       aliases JSONB NOT NULL DEFAULT '[]',
       kind TEXT NOT NULL,
       settings JSONB NOT NULL DEFAULT '{}',
       enabled BOOLEAN NOT NULL DEFAULT true,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       UNIQUE (user_id, number, keyword)
     );
     CREATE TABLE keyword_hits (
       mo_id TEXT PRIMARY KEY,
       service_id BIGINT NOT NULL,
       user_id BIGINT NOT NULL,
       msisdn TEXT NOT NULL,
       action TEXT NOT NULL,
       answer TEXT,
       at BIGINT NOT NULL
     );
     CREATE INDEX keyword_hits_by_service ON keyword_hits (service_id, at);
     CREATE TABLE keyword_votes (
       service_id BIGINT NOT NULL,
       msisdn TEXT NOT NULL,
       answer TEXT NOT NULL,
       mo_id TEXT NOT NULL,
       at BIGINT NOT NULL,
       PRIMARY KEY (service_id, msisdn)
     );
     CREATE INDEX keyword_votes_by_answer ON keyword_votes (service_id, answer);
     CREATE TABLE keyword_replies (
       mo_id TEXT PRIMARY KEY,
       user_id BIGINT NOT NULL,
       message_id TEXT NOT NULL,
       source TEXT NOT NULL,
       destination TEXT NOT NULL,
       text TEXT NOT NULL,
       state TEXT NOT NULL,
       error TEXT,
       created_at BIGINT NOT NULL
     );
     CREATE INDEX keyword_replies_pending ON keyword_replies (created_at) WHERE state = 'pending';`,
  },
];

type Row = Record<string, unknown>;

const toService = (r: Row): KeywordService => ({
  id: num(r.id),
  userId: num(r.user_id),
  number: r.number as string,
  keyword: r.keyword as string,
  aliases: r.aliases as string[],
  kind: r.kind as KeywordKind,
  settings: r.settings as KeywordSettings,
  enabled: r.enabled === true,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

export class PgKeywordStore implements KeywordStore {
  constructor(private readonly h: PgHandle) {}

  createService(s: NewKeywordService): Promise<KeywordService> {
    return this.h.write(async (c) => {
      await refuseClash(c, s.userId, s.number, s, undefined);
      const now = Date.now();
      const { rows } = await c.query(
        `INSERT INTO keyword_services (user_id, number, keyword, aliases, kind, settings, enabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
        [
          s.userId,
          s.number,
          s.keyword,
          JSON.stringify(s.aliases),
          s.kind,
          JSON.stringify(s.settings),
          s.enabled,
          now,
        ],
      );
      return toService(rows[0] as Row);
    });
  }

  updateService(q: {
    userId: number;
    id: number;
    patch: KeywordServicePatch;
  }): Promise<KeywordService | undefined> {
    return this.h.write(async (c) => {
      const { rows } = await c.query(
        'SELECT * FROM keyword_services WHERE id = $1 AND user_id = $2 FOR UPDATE',
        [q.id, q.userId],
      );
      if (rows.length === 0) return undefined;
      const cur = toService(rows[0] as Row);
      const next = {
        keyword: q.patch.keyword ?? cur.keyword,
        aliases: q.patch.aliases ?? cur.aliases,
        settings: q.patch.settings ?? cur.settings,
        enabled: q.patch.enabled ?? cur.enabled,
      };
      await refuseClash(c, q.userId, cur.number, next, cur.id);
      const done = await c.query(
        `UPDATE keyword_services SET keyword = $1, aliases = $2, settings = $3, enabled = $4, updated_at = $5
         WHERE id = $6 RETURNING *`,
        [
          next.keyword,
          JSON.stringify(next.aliases),
          JSON.stringify(next.settings),
          next.enabled,
          Date.now(),
          cur.id,
        ],
      );
      return toService(done.rows[0] as Row);
    });
  }

  deleteService(q: { userId: number; id: number }): Promise<boolean> {
    return this.h.write(async (c) => {
      const r = await c.query('DELETE FROM keyword_services WHERE id = $1 AND user_id = $2', [
        q.id,
        q.userId,
      ]);
      if (r.rowCount === 0) return false;
      await c.query('DELETE FROM keyword_votes WHERE service_id = $1', [q.id]);
      return true;
    });
  }

  async getService(q: { userId: number; id: number }): Promise<KeywordService | undefined> {
    const { rows } = await this.h.pool.query(
      'SELECT * FROM keyword_services WHERE id = $1 AND user_id = $2',
      [q.id, q.userId],
    );
    return rows[0] && toService(rows[0] as Row);
  }

  async listServices(q: { userId: number }): Promise<KeywordService[]> {
    const { rows } = await this.h.pool.query(
      'SELECT * FROM keyword_services WHERE user_id = $1 ORDER BY number, keyword',
      [q.userId],
    );
    return (rows as Row[]).map(toService);
  }

  async servicesFor(q: { userId: number; number: string }): Promise<KeywordService[]> {
    const { rows } = await this.h.pool.query(
      `SELECT * FROM keyword_services WHERE user_id = $1 AND number IN ($2, '') AND enabled
       ORDER BY number DESC, keyword`,
      [q.userId, q.number],
    );
    return (rows as Row[]).map(toService);
  }

  async pollResults(q: { userId: number; id: number }): Promise<PollResult[] | undefined> {
    const service = await this.getService(q);
    if (!service || service.kind !== 'poll') return undefined;
    const { rows } = await this.h.pool.query(
      'SELECT answer, count(*) AS votes FROM keyword_votes WHERE service_id = $1 GROUP BY answer',
      [q.id],
    );
    const counted = new Map((rows as Row[]).map((r) => [r.answer as string, num(r.votes)]));
    return (service.settings.options ?? []).map((answer) => ({ answer, votes: counted.get(answer) ?? 0 }));
  }

  async hitOf(q: { moId: string }): Promise<KeywordHit | undefined> {
    const { rows } = await this.h.pool.query(
      `SELECT h.*, r.message_id, r.source, r.destination, r.text FROM keyword_hits h
       LEFT JOIN keyword_replies r ON r.mo_id = h.mo_id WHERE h.mo_id = $1`,
      [q.moId],
    );
    const r = rows[0] as Row | undefined;
    if (!r) return undefined;
    return {
      moId: r.mo_id as string,
      serviceId: num(r.service_id),
      userId: num(r.user_id),
      msisdn: r.msisdn as string,
      action: r.action as KeywordAction,
      ...(r.answer != null ? { answer: r.answer as string } : {}),
      ...(r.message_id != null
        ? {
            reply: {
              messageId: r.message_id as string,
              source: r.source as string,
              destination: r.destination as string,
              text: r.text as string,
            },
          }
        : {}),
      at: num(r.at),
    };
  }

  async pendingReplies(q: { limit: number }): Promise<PendingReply[]> {
    const { rows } = await this.h.pool.query(
      `SELECT r.mo_id, r.user_id, u.username, r.message_id, r.source, r.destination, r.text, r.created_at
       FROM keyword_replies r JOIN users u ON u.id = r.user_id
       WHERE r.state = 'pending' ORDER BY r.created_at LIMIT $1`,
      [q.limit],
    );
    return (rows as Row[]).map((r) => ({
      moId: r.mo_id as string,
      userId: num(r.user_id),
      username: r.username as string,
      messageId: r.message_id as string,
      source: r.source as string,
      destination: r.destination as string,
      text: r.text as string,
      createdAt: num(r.created_at),
    }));
  }

  settleReply(q: { moId: string; state: 'sent' | 'failed'; error?: string }): Promise<void> {
    return this.h.write(async (c) => {
      await c.query(
        "UPDATE keyword_replies SET state = $1, error = $2 WHERE mo_id = $3 AND state = 'pending'",
        [q.state, q.error ?? null, q.moId],
      );
    });
  }
}

/** Throws KeywordExistsError when a word is another service's on the same number. */
async function refuseClash(
  c: pg.PoolClient,
  userId: number,
  number: string,
  s: { keyword: string; aliases: string[] },
  self: number | undefined,
): Promise<void> {
  const { rows } = await c.query(
    'SELECT * FROM keyword_services WHERE user_id = $1 AND number = $2 AND id IS DISTINCT FROM $3',
    [userId, number, self ?? null],
  );
  const word = clashingWord(s, (rows as Row[]).map(toService));
  if (word !== undefined) throw new KeywordExistsError(word, number);
}
