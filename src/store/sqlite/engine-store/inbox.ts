/**
 * The inbox on SQLite (InboxStore): conversations in the engine's own table, threads read
 * from the core's `mo` and `messages` tables (migration `inbox/1` adds the two indexes the
 * thread reads need to those core tables), the follower's cursor over `mo` by rowid (one
 * writer on one connection: rowids are handed out in commit order).
 */
import {
  INBOX_FOLLOWER,
  type ApplyMos,
  type Before,
  type Conversation,
  type ConversationSummary,
  type FollowedMo,
  type InboxStore,
  type ThreadMessage,
} from '../../engine-store/inbox.js';
import type { MediaRef } from '../../../domain/index.js';
import type { KeywordHit } from '../../engine-store/keywords.js';
import { LeaseLostError } from '../../engine-store/inbox-errors.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const INBOX_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'inbox/1',
    sql: `CREATE TABLE conversations (
       user_id INTEGER NOT NULL,
       peer TEXT NOT NULL,
       our_number TEXT NOT NULL,
       last_at INTEGER NOT NULL,
       unread INTEGER NOT NULL DEFAULT 0,
       read_until INTEGER NOT NULL DEFAULT 0,
       created_at INTEGER NOT NULL,
       PRIMARY KEY (user_id, peer)
     );
     CREATE INDEX conversations_recent ON conversations (user_id, last_at, peer);
     -- The unread filter and the unread total read only the conversations that have some.
     CREATE INDEX conversations_unread ON conversations (user_id, last_at, peer) WHERE unread > 0;
     CREATE TABLE inbox_followers (
       name TEXT PRIMARY KEY,
       position INTEGER NOT NULL,
       holder TEXT,
       lease_until INTEGER NOT NULL DEFAULT 0
     );
     -- Core tables, read by threads: an account's MOs from one peer, its MTs to one peer.
     CREATE INDEX mo_by_account_peer ON mo (routed_to, source, received_at);
     CREATE INDEX messages_by_user_destination ON messages (user_id, destination, created_at);`,
  },
];

interface MoRow {
  seq: number;
  id: string;
  source: string;
  destination: string;
  data_coding: number;
  body: Buffer;
  routed_to: string | null;
  user_id: number | null;
  received_at: number;
}

interface ConversationRow {
  user_id: number;
  peer: string;
  our_number: string;
  last_at: number;
  unread: number;
  read_until: number;
  created_at: number;
  contact_id: number | null;
  first_name: string | null;
  last_name: string | null;
}

interface ThreadRow {
  id: string;
  at: number;
  our_number: string;
  data_coding: number;
  body: Buffer;
  state: string | null;
  /** JSON of an MMS's media refs (thread reads), else null or absent. */
  media?: string | null;
}

const toConversation = (r: ConversationRow): Conversation => ({
  userId: r.user_id,
  peer: r.peer,
  ourNumber: r.our_number,
  lastAt: r.last_at,
  unread: r.unread,
  readUntil: r.read_until,
  createdAt: r.created_at,
});

const toThread = (r: ThreadRow, direction: 'in' | 'out'): ThreadMessage => ({
  id: r.id,
  direction,
  at: r.at,
  ourNumber: r.our_number,
  dataCoding: r.data_coding,
  body: r.body,
  state: direction === 'in' ? null : r.state,
  ...(r.media ? { media: JSON.parse(r.media) as MediaRef[] } : {}),
});

/** Newest first, the id breaking ties (both keyset orders of a thread). */
export const newestFirst = (a: ThreadMessage, b: ThreadMessage): number =>
  b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const MO_SIDE = `SELECT id, received_at AS at, destination AS our_number, data_coding, body, NULL AS state, media
  FROM mo WHERE routed_to = ? AND source = ?`;
// An MMS's media, or the items an SMS fallback linked (docs/mms.md).
const MT_SIDE = `SELECT id, created_at AS at, source AS our_number, data_coding, body, state,
    COALESCE(json_extract(meta, '$.media'), json_extract(meta, '$.linkedMedia')) AS media
  FROM messages WHERE user_id = ? AND destination = ?`;

export class SqliteInboxStore implements InboxStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
  }

  claimFollower(q: {
    follower: string;
    holder: string;
    leaseMs: number;
    now: number;
  }): Promise<{ position: number } | undefined> {
    return this.h.write(() => {
      this.st
        .get('INSERT INTO inbox_followers (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING')
        .run(q.follower);
      const r = this.st
        .get(
          `UPDATE inbox_followers SET holder = ?, lease_until = ?
           WHERE name = ? AND (holder = ? OR holder IS NULL OR lease_until < ?) RETURNING position`,
        )
        .get(q.holder, q.now + q.leaseMs, q.follower, q.holder, q.now) as { position: number } | undefined;
      return r && { position: r.position };
    });
  }

  releaseFollower(q: { follower: string; holder: string }): Promise<void> {
    return this.h.write(() => {
      this.st
        .get('UPDATE inbox_followers SET holder = NULL, lease_until = 0 WHERE name = ? AND holder = ?')
        .run(q.follower, q.holder);
    });
  }

  async nextMos(q: { after: number; limit: number }): Promise<FollowedMo[]> {
    const rows = this.st
      .get(
        `SELECT m.rowid AS seq, m.id, m.source, m.destination, m.data_coding, m.body, m.routed_to, u.id AS user_id, m.received_at
         FROM mo m LEFT JOIN users u ON u.username = m.routed_to
         WHERE m.rowid > ? ORDER BY m.rowid LIMIT ?`,
      )
      .all(q.after, q.limit) as MoRow[];
    return rows.map((r) => ({
      seq: r.seq,
      id: r.id,
      source: r.source,
      destination: r.destination,
      dataCoding: r.data_coding,
      body: r.body,
      routedTo: r.routed_to,
      userId: r.user_id,
      receivedAt: r.received_at,
    }));
  }

  applyMos(a: ApplyMos): Promise<{ hitRecorded: boolean }> {
    return this.h.write(() => {
      const held = this.st
        .get('SELECT position FROM inbox_followers WHERE name = ? AND holder = ?')
        .get(a.follower, a.holder) as { position: number } | undefined;
      if (!held) throw new LeaseLostError(a.follower);
      this.st
        .get('UPDATE inbox_followers SET position = max(position, ?) WHERE name = ?')
        .run(a.position, a.follower);
      const upsert = this.st.get(
        `INSERT INTO conversations (user_id, peer, our_number, last_at, unread, read_until, created_at)
         VALUES (?, ?, ?, ?, 1, 0, ?)
         ON CONFLICT (user_id, peer) DO UPDATE SET
           our_number = excluded.our_number,
           last_at = max(last_at, excluded.last_at),
           unread = unread + (excluded.last_at > read_until)`,
      );
      // MOs behind the cursor were counted when it passed them (a replayed write counts nothing twice).
      for (const m of a.mos)
        if (m.userId !== null && m.seq > held.position)
          upsert.run(m.userId, m.source, m.destination, m.receivedAt, m.receivedAt);
      return { hitRecorded: a.hit ? this.recordHit(a.hit) : false };
    });
  }

  /** Inside a write: the hit, its vote and its pending reply, unless the MO has a hit already. */
  private recordHit(h: KeywordHit): boolean {
    const r = this.st
      .get(
        `INSERT INTO keyword_hits (mo_id, service_id, user_id, msisdn, action, answer, at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mo_id) DO NOTHING`,
      )
      .run(h.moId, h.serviceId, h.userId, h.msisdn, h.action, h.answer ?? null, h.at);
    if (r.changes === 0) return false;
    if (h.action === 'vote' && h.answer !== undefined)
      this.st
        .get(
          `INSERT INTO keyword_votes (service_id, msisdn, answer, mo_id, at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (service_id, msisdn) DO UPDATE SET answer = excluded.answer, mo_id = excluded.mo_id, at = excluded.at`,
        )
        .run(h.serviceId, h.msisdn, h.answer, h.moId, h.at);
    if (h.reply)
      this.st
        .get(
          `INSERT INTO keyword_replies (mo_id, user_id, message_id, source, destination, text, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
        )
        .run(h.moId, h.userId, h.reply.messageId, h.reply.source, h.reply.destination, h.reply.text, h.at);
    return true;
  }

  async listConversations(q: {
    userId: number;
    username: string;
    limit: number;
    before?: Before;
    unreadOnly?: boolean;
  }): Promise<ConversationSummary[]> {
    const where = ['c.user_id = ?'];
    const args: unknown[] = [q.userId];
    if (q.unreadOnly) where.push('c.unread > 0');
    if (q.before) {
      // A row value: SQLite seeks the index to it (an OR of the two cases it would scan).
      where.push('(c.last_at, c.peer) < (?, ?)');
      args.push(q.before.at, q.before.key);
    }
    const rows = this.st
      .get(`${CONVERSATION_SELECT} WHERE ${where.join(' AND ')} ORDER BY c.last_at DESC, c.peer DESC LIMIT ?`)
      .all(...args, q.limit) as ConversationRow[];
    return rows.map((r) => this.summary(r, q.username));
  }

  async getConversation(q: {
    userId: number;
    username: string;
    peer: string;
  }): Promise<ConversationSummary | undefined> {
    const r = this.st
      .get(`${CONVERSATION_SELECT} WHERE c.user_id = ? AND c.peer = ?`)
      .get(q.userId, q.peer) as ConversationRow | undefined;
    return r && this.summary(r, q.username);
  }

  async thread(q: {
    userId: number;
    username: string;
    peer: string;
    limit: number;
    before?: Before;
  }): Promise<ThreadMessage[]> {
    const page = (side: string, at: string, owner: unknown): ThreadRow[] => {
      if (!q.before)
        return this.st
          .get(`${side} ORDER BY ${at} DESC, id DESC LIMIT ?`)
          .all(owner, q.peer, q.limit) as ThreadRow[];
      return this.st
        .get(`${side} AND (${at}, id) < (?, ?) ORDER BY ${at} DESC, id DESC LIMIT ?`)
        .all(owner, q.peer, q.before.at, q.before.key, q.limit) as ThreadRow[];
    };
    const merged = [
      ...page(MO_SIDE, 'received_at', q.username).map((r) => toThread(r, 'in')),
      ...page(MT_SIDE, 'created_at', q.userId).map((r) => toThread(r, 'out')),
    ].sort(newestFirst);
    return merged.slice(0, q.limit);
  }

  markRead(q: {
    userId: number;
    username: string;
    peer: string;
    until: number;
  }): Promise<Conversation | undefined> {
    return this.h.write(() => {
      this.recount(q.userId, q.username, q.peer, q.until);
      const r = this.st
        .get(`${CONVERSATION_SELECT} WHERE c.user_id = ? AND c.peer = ?`)
        .get(q.userId, q.peer) as ConversationRow | undefined;
      return r && toConversation(r);
    });
  }

  noteReply(q: { userId: number; peer: string; ourNumber: string; at: number }): Promise<void> {
    return this.h.write(() => {
      this.st
        .get(
          `INSERT INTO conversations (user_id, peer, our_number, last_at, unread, read_until, created_at)
           VALUES (?, ?, ?, ?, 0, ?, ?)
           ON CONFLICT (user_id, peer) DO UPDATE SET last_at = max(last_at, excluded.last_at)`,
        )
        .run(q.userId, q.peer, q.ourNumber, q.at, q.at, q.at);
      const user = this.st.get('SELECT username FROM users WHERE id = ?').get(q.userId) as
        { username: string } | undefined;
      if (user) this.recount(q.userId, user.username, q.peer, q.at);
    });
  }

  async unreadTotal(q: { userId: number }): Promise<number> {
    const r = this.st
      .get('SELECT COALESCE(SUM(unread), 0) AS n FROM conversations WHERE user_id = ? AND unread > 0')
      .get(q.userId) as { n: number };
    return r.n;
  }

  /**
   * Inside a write: read up to `until` (never backwards), unread recounted from the MOs the
   * follower has taken in (those after its cursor are counted when it takes them in).
   */
  private recount(userId: number, username: string, peer: string, until: number): void {
    this.st
      .get(
        `UPDATE conversations SET read_until = max(read_until, @until),
           unread = (SELECT count(*) FROM mo
                     WHERE routed_to = @username AND source = @peer AND received_at > max(conversations.read_until, @until)
                       AND rowid <= (SELECT coalesce(max(position), 0) FROM inbox_followers WHERE name = '${INBOX_FOLLOWER}'))
         WHERE user_id = @userId AND peer = @peer`,
      )
      .run({ until, username, peer, userId });
  }

  /** A conversation row with its newest message either way (two index lookups). */
  private summary(r: ConversationRow, username: string): ConversationSummary {
    const mo = this.st.get(`${MO_SIDE} ORDER BY received_at DESC, id DESC LIMIT 1`).get(username, r.peer) as
      ThreadRow | undefined;
    const mt = this.st.get(`${MT_SIDE} ORDER BY created_at DESC, id DESC LIMIT 1`).get(r.user_id, r.peer) as
      ThreadRow | undefined;
    const last = [mo && toThread(mo, 'in'), mt && toThread(mt, 'out')]
      .filter((m): m is ThreadMessage => m !== undefined)
      .sort(newestFirst)[0];
    return {
      ...toConversation(r),
      last: last ?? null,
      contact:
        r.contact_id === null ? null : { id: r.contact_id, firstName: r.first_name, lastName: r.last_name },
    };
  }
}

const CONVERSATION_SELECT = `SELECT c.*, ct.id AS contact_id, ct.first_name, ct.last_name
  FROM conversations c LEFT JOIN contacts ct ON ct.user_id = c.user_id AND ct.msisdn = c.peer`;
