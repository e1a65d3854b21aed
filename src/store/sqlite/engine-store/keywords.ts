/** Keyword services on SQLite (KeywordStore); their hits are written by SqliteInboxStore.applyMos. */
import type {
  KeywordAction,
  KeywordHit,
  KeywordKind,
  KeywordService,
  KeywordServicePatch,
  KeywordSettings,
  KeywordStore,
  NewKeywordService,
  PendingReply,
  PollResult,
} from '../../engine-store/keywords.js';
import { clashingWord } from '../../engine-store/keywords.js';
import { KeywordExistsError } from '../../engine-store/inbox-errors.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const KEYWORDS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'keywords/1',
    sql: `CREATE TABLE keyword_services (
       id INTEGER PRIMARY KEY,
       user_id INTEGER NOT NULL,
       number TEXT NOT NULL,
       keyword TEXT NOT NULL,
       aliases TEXT NOT NULL DEFAULT '[]',
       kind TEXT NOT NULL,
       settings TEXT NOT NULL DEFAULT '{}',
       enabled INTEGER NOT NULL DEFAULT 1,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       UNIQUE (user_id, number, keyword)
     );
     CREATE TABLE keyword_hits (
       mo_id TEXT PRIMARY KEY,
       service_id INTEGER NOT NULL,
       user_id INTEGER NOT NULL,
       msisdn TEXT NOT NULL,
       action TEXT NOT NULL,
       answer TEXT,
       at INTEGER NOT NULL
     );
     CREATE INDEX keyword_hits_by_service ON keyword_hits (service_id, at);
     CREATE TABLE keyword_votes (
       service_id INTEGER NOT NULL,
       msisdn TEXT NOT NULL,
       answer TEXT NOT NULL,
       mo_id TEXT NOT NULL,
       at INTEGER NOT NULL,
       PRIMARY KEY (service_id, msisdn)
     );
     CREATE INDEX keyword_votes_by_answer ON keyword_votes (service_id, answer);
     CREATE TABLE keyword_replies (
       mo_id TEXT PRIMARY KEY,
       user_id INTEGER NOT NULL,
       message_id TEXT NOT NULL,
       source TEXT NOT NULL,
       destination TEXT NOT NULL,
       text TEXT NOT NULL,
       state TEXT NOT NULL,
       error TEXT,
       created_at INTEGER NOT NULL
     );
     CREATE INDEX keyword_replies_pending ON keyword_replies (created_at) WHERE state = 'pending';`,
  },
];

interface ServiceRow {
  id: number;
  user_id: number;
  number: string;
  keyword: string;
  aliases: string;
  kind: string;
  settings: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

const toService = (r: ServiceRow): KeywordService => ({
  id: r.id,
  userId: r.user_id,
  number: r.number,
  keyword: r.keyword,
  aliases: JSON.parse(r.aliases) as string[],
  kind: r.kind as KeywordKind,
  settings: JSON.parse(r.settings) as KeywordSettings,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqliteKeywordStore implements KeywordStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
  }

  createService(s: NewKeywordService): Promise<KeywordService> {
    return this.h.write(() => {
      this.refuseClash(s.userId, s.number, s, undefined);
      const now = Date.now();
      const r = this.st
        .get(
          `INSERT INTO keyword_services (user_id, number, keyword, aliases, kind, settings, enabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          s.userId,
          s.number,
          s.keyword,
          JSON.stringify(s.aliases),
          s.kind,
          JSON.stringify(s.settings),
          s.enabled ? 1 : 0,
          now,
          now,
        ) as ServiceRow;
      return toService(r);
    });
  }

  updateService(q: {
    userId: number;
    id: number;
    patch: KeywordServicePatch;
  }): Promise<KeywordService | undefined> {
    return this.h.write(() => {
      const row = this.row(q.userId, q.id);
      if (!row) return undefined;
      const cur = toService(row);
      const next = {
        keyword: q.patch.keyword ?? cur.keyword,
        aliases: q.patch.aliases ?? cur.aliases,
        settings: q.patch.settings ?? cur.settings,
        enabled: q.patch.enabled ?? cur.enabled,
      };
      this.refuseClash(q.userId, cur.number, next, cur.id);
      const r = this.st
        .get(
          `UPDATE keyword_services SET keyword = ?, aliases = ?, settings = ?, enabled = ?, updated_at = ?
           WHERE id = ? RETURNING *`,
        )
        .get(
          next.keyword,
          JSON.stringify(next.aliases),
          JSON.stringify(next.settings),
          next.enabled ? 1 : 0,
          Date.now(),
          cur.id,
        ) as ServiceRow;
      return toService(r);
    });
  }

  deleteService(q: { userId: number; id: number }): Promise<boolean> {
    return this.h.write(() => {
      const r = this.st.get('DELETE FROM keyword_services WHERE id = ? AND user_id = ?').run(q.id, q.userId);
      if (r.changes === 0) return false;
      this.st.get('DELETE FROM keyword_votes WHERE service_id = ?').run(q.id);
      return true;
    });
  }

  async getService(q: { userId: number; id: number }): Promise<KeywordService | undefined> {
    const r = this.row(q.userId, q.id);
    return r && toService(r);
  }

  async listServices(q: { userId: number }): Promise<KeywordService[]> {
    return (
      this.st
        .get('SELECT * FROM keyword_services WHERE user_id = ? ORDER BY number, keyword')
        .all(q.userId) as ServiceRow[]
    ).map(toService);
  }

  async servicesFor(q: { userId: number; number: string }): Promise<KeywordService[]> {
    return (
      this.st
        .get(
          `SELECT * FROM keyword_services WHERE user_id = ? AND number IN (?, '') AND enabled = 1
           ORDER BY number DESC, keyword`,
        )
        .all(q.userId, q.number) as ServiceRow[]
    ).map(toService);
  }

  async pollResults(q: { userId: number; id: number }): Promise<PollResult[] | undefined> {
    const row = this.row(q.userId, q.id);
    if (!row || row.kind !== 'poll') return undefined;
    const counted = new Map(
      (
        this.st
          .get('SELECT answer, count(*) AS votes FROM keyword_votes WHERE service_id = ? GROUP BY answer')
          .all(q.id) as PollResult[]
      ).map((r) => [r.answer, r.votes]),
    );
    const options = toService(row).settings.options ?? [];
    return options.map((answer) => ({ answer, votes: counted.get(answer) ?? 0 }));
  }

  async hitOf(q: { moId: string }): Promise<KeywordHit | undefined> {
    const r = this.st
      .get(
        `SELECT h.*, r.message_id, r.source, r.destination, r.text FROM keyword_hits h
         LEFT JOIN keyword_replies r ON r.mo_id = h.mo_id WHERE h.mo_id = ?`,
      )
      .get(q.moId) as
      | {
          mo_id: string;
          service_id: number;
          user_id: number;
          msisdn: string;
          action: string;
          answer: string | null;
          at: number;
          message_id: string | null;
          source: string;
          destination: string;
          text: string;
        }
      | undefined;
    if (!r) return undefined;
    return {
      moId: r.mo_id,
      serviceId: r.service_id,
      userId: r.user_id,
      msisdn: r.msisdn,
      action: r.action as KeywordAction,
      ...(r.answer !== null ? { answer: r.answer } : {}),
      ...(r.message_id !== null
        ? { reply: { messageId: r.message_id, source: r.source, destination: r.destination, text: r.text } }
        : {}),
      at: r.at,
    };
  }

  async pendingReplies(q: { limit: number }): Promise<PendingReply[]> {
    const rows = this.st
      .get(
        `SELECT r.mo_id, r.user_id, u.username, r.message_id, r.source, r.destination, r.text, r.created_at
         FROM keyword_replies r JOIN users u ON u.id = r.user_id
         WHERE r.state = 'pending' ORDER BY r.created_at LIMIT ?`,
      )
      .all(q.limit) as {
      mo_id: string;
      user_id: number;
      username: string;
      message_id: string;
      source: string;
      destination: string;
      text: string;
      created_at: number;
    }[];
    return rows.map((r) => ({
      moId: r.mo_id,
      userId: r.user_id,
      username: r.username,
      messageId: r.message_id,
      source: r.source,
      destination: r.destination,
      text: r.text,
      createdAt: r.created_at,
    }));
  }

  settleReply(q: { moId: string; state: 'sent' | 'failed'; error?: string }): Promise<void> {
    return this.h.write(() => {
      this.st
        .get("UPDATE keyword_replies SET state = ?, error = ? WHERE mo_id = ? AND state = 'pending'")
        .run(q.state, q.error ?? null, q.moId);
    });
  }

  private row(userId: number, id: number): ServiceRow | undefined {
    return this.st.get('SELECT * FROM keyword_services WHERE id = ? AND user_id = ?').get(id, userId) as
      ServiceRow | undefined;
  }

  /** Inside a write: throws KeywordExistsError when a word is another service's on the same number. */
  private refuseClash(
    userId: number,
    number: string,
    s: { keyword: string; aliases: string[] },
    self: number | undefined,
  ): void {
    const others = (
      this.st
        .get('SELECT * FROM keyword_services WHERE user_id = ? AND number = ? AND id IS NOT ?')
        .all(userId, number, self ?? null) as ServiceRow[]
    ).map(toService);
    const word = clashingWord(s, others);
    if (word !== undefined) throw new KeywordExistsError(word, number);
  }
}
