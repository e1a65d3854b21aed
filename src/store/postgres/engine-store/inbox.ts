/**
 * The inbox on PostgreSQL (InboxStore): conversations in the engine's own table, threads
 * read from the core's `mo` and `messages` tables (migration `inbox/1` adds the indexes
 * those reads and the follower need to the core tables), the follower's cursor over
 * `mo.seq`. A sequence hands out numbers in call order, not commit order: a gap in `seq`
 * may be a transaction still running, which the follower (InboxFollower) waits for.
 * A batch of MOs is one statement (unnest), not a round trip per MO.
 */
import type pg from 'pg';
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
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const INBOX_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'inbox/1',
    sql: `CREATE TABLE conversations (
       user_id BIGINT NOT NULL,
       peer TEXT NOT NULL,
       our_number TEXT NOT NULL,
       last_at BIGINT NOT NULL,
       unread INTEGER NOT NULL DEFAULT 0,
       read_until BIGINT NOT NULL DEFAULT 0,
       created_at BIGINT NOT NULL,
       PRIMARY KEY (user_id, peer)
     );
     CREATE INDEX conversations_recent ON conversations (user_id, last_at, peer);
     -- The unread filter and the unread total read only the conversations that have some.
     CREATE INDEX conversations_unread ON conversations (user_id, last_at, peer) WHERE unread > 0;
     CREATE TABLE inbox_followers (
       name TEXT PRIMARY KEY,
       position BIGINT NOT NULL,
       holder TEXT,
       lease_until BIGINT NOT NULL DEFAULT 0
     );
     -- Core tables: the follower reads mo by seq; threads read an account's MOs from one
     -- peer and its MTs to one peer.
     CREATE INDEX mo_by_seq ON mo (seq);
     CREATE INDEX mo_by_account_peer ON mo (routed_to, source, received_at);
     CREATE INDEX messages_by_user_destination ON messages (user_id, destination, created_at);`,
  },
];

type Row = Record<string, unknown>;

const toConversation = (r: Row): Conversation => ({
  userId: num(r.user_id),
  peer: r.peer as string,
  ourNumber: r.our_number as string,
  lastAt: num(r.last_at),
  unread: num(r.unread),
  readUntil: num(r.read_until),
  createdAt: num(r.created_at),
});

const toThread = (r: Row, direction: 'in' | 'out'): ThreadMessage => ({
  id: r.id as string,
  direction,
  at: num(r.at),
  ourNumber: r.our_number as string,
  dataCoding: num(r.data_coding),
  body: r.body as Buffer,
  state: direction === 'in' ? null : (r.state as string),
  ...(r.media ? { media: JSON.parse(r.media as string) as MediaRef[] } : {}),
});

const newestFirst = (a: ThreadMessage, b: ThreadMessage): number =>
  b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const MO_SIDE = `SELECT id, received_at AS at, destination AS our_number, data_coding, body, NULL AS state, media
  FROM mo WHERE routed_to = $1 AND source = $2`;
// An MMS's media, or the items an SMS fallback linked (docs/mms.md).
const MT_SIDE = `SELECT id, created_at AS at, source AS our_number, data_coding, body, state,
    COALESCE(meta::json -> 'media', meta::json -> 'linkedMedia')::text AS media
  FROM messages WHERE user_id = $1 AND destination = $2`;

/**
 * Conversations with their newest MO and MT (one index lookup each, LATERAL) and the
 * contact's name; $1 the account's id, $2 its username.
 */
const SUMMARY_SELECT = `SELECT c.*, ct.id AS contact_id, ct.first_name, ct.last_name,
    mo.id AS mo_id, mo.received_at AS mo_at, mo.destination AS mo_our, mo.data_coding AS mo_dc, mo.body AS mo_body,
    mt.id AS mt_id, mt.created_at AS mt_at, mt.source AS mt_our, mt.data_coding AS mt_dc, mt.body AS mt_body, mt.state AS mt_state
  FROM conversations c
  LEFT JOIN contacts ct ON ct.user_id = c.user_id AND ct.msisdn = c.peer
  LEFT JOIN LATERAL (SELECT id, received_at, destination, data_coding, body FROM mo
    WHERE routed_to = $2 AND source = c.peer ORDER BY received_at DESC, id DESC LIMIT 1) mo ON true
  LEFT JOIN LATERAL (SELECT id, created_at, source, data_coding, body, state FROM messages
    WHERE user_id = c.user_id AND destination = c.peer ORDER BY created_at DESC, id DESC LIMIT 1) mt ON true`;

function toSummary(r: Row): ConversationSummary {
  const mo: ThreadMessage | undefined =
    r.mo_id == null
      ? undefined
      : toThread(
          { id: r.mo_id, at: r.mo_at, our_number: r.mo_our, data_coding: r.mo_dc, body: r.mo_body },
          'in',
        );
  const mt: ThreadMessage | undefined =
    r.mt_id == null
      ? undefined
      : toThread(
          {
            id: r.mt_id,
            at: r.mt_at,
            our_number: r.mt_our,
            data_coding: r.mt_dc,
            body: r.mt_body,
            state: r.mt_state,
          },
          'out',
        );
  const last = [mo, mt].filter((m): m is ThreadMessage => m !== undefined).sort(newestFirst)[0];
  return {
    ...toConversation(r),
    last: last ?? null,
    contact:
      r.contact_id == null
        ? null
        : {
            id: num(r.contact_id),
            firstName: (r.first_name as string | null) ?? null,
            lastName: (r.last_name as string | null) ?? null,
          },
  };
}

export class PgInboxStore implements InboxStore {
  constructor(private readonly h: PgHandle) {}

  claimFollower(q: {
    follower: string;
    holder: string;
    leaseMs: number;
    now: number;
  }): Promise<{ position: number } | undefined> {
    return this.h.write(async (c) => {
      await c.query(
        'INSERT INTO inbox_followers (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING',
        [q.follower],
      );
      const { rows } = await c.query(
        `UPDATE inbox_followers SET holder = $1, lease_until = $2
         WHERE name = $3 AND (holder = $1 OR holder IS NULL OR lease_until < $4) RETURNING position`,
        [q.holder, q.now + q.leaseMs, q.follower, q.now],
      );
      const r = rows[0] as Row | undefined;
      return r && { position: num(r.position) };
    });
  }

  releaseFollower(q: { follower: string; holder: string }): Promise<void> {
    return this.h.write(async (c) => {
      await c.query(
        'UPDATE inbox_followers SET holder = NULL, lease_until = 0 WHERE name = $1 AND holder = $2',
        [q.follower, q.holder],
      );
    });
  }

  async nextMos(q: { after: number; limit: number }): Promise<FollowedMo[]> {
    const { rows } = await this.h.pool.query(
      `SELECT m.seq, m.id, m.source, m.destination, m.data_coding, m.body, m.routed_to, u.id AS user_id, m.received_at
       FROM mo m LEFT JOIN users u ON u.username = m.routed_to
       WHERE m.seq > $1 ORDER BY m.seq LIMIT $2`,
      [q.after, q.limit],
    );
    return (rows as Row[]).map((r) => ({
      seq: num(r.seq),
      id: r.id as string,
      source: r.source as string,
      destination: r.destination as string,
      dataCoding: num(r.data_coding),
      body: r.body as Buffer,
      routedTo: (r.routed_to as string | null) ?? null,
      userId: r.user_id == null ? null : num(r.user_id),
      receivedAt: num(r.received_at),
    }));
  }

  applyMos(a: ApplyMos): Promise<{ hitRecorded: boolean }> {
    return this.h.write(async (c) => {
      const held = await c.query(
        'SELECT position FROM inbox_followers WHERE name = $1 AND holder = $2 FOR UPDATE',
        [a.follower, a.holder],
      );
      if (held.rowCount === 0) throw new LeaseLostError(a.follower);
      const was = num((held.rows[0] as Row).position);
      await c.query('UPDATE inbox_followers SET position = GREATEST(position, $1) WHERE name = $2', [
        a.position,
        a.follower,
      ]);
      // MOs behind the cursor were counted when it passed them (a replayed write counts nothing twice).
      const mos = a.mos.filter((m) => m.userId !== null && m.seq > was);
      if (mos.length > 0)
        // One row per (account, peer): several MOs of a batch from one peer add up.
        await c.query(
          `INSERT INTO conversations AS c (user_id, peer, our_number, last_at, unread, read_until, created_at)
           SELECT user_id, peer, (array_agg(our_number ORDER BY at DESC))[1], max(at), count(*), 0, min(at)
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS d(user_id, peer, our_number, at)
           GROUP BY user_id, peer
           ON CONFLICT (user_id, peer) DO UPDATE SET
             our_number = excluded.our_number,
             last_at = GREATEST(c.last_at, excluded.last_at),
             unread = c.unread + (
               SELECT count(*) FROM unnest($1::bigint[], $2::text[], $4::bigint[]) AS e(user_id, peer, at)
               WHERE e.user_id = c.user_id AND e.peer = c.peer AND e.at > c.read_until)`,
          [
            mos.map((m) => m.userId),
            mos.map((m) => m.source),
            mos.map((m) => m.destination),
            mos.map((m) => m.receivedAt),
          ],
        );
      return { hitRecorded: a.hit ? await recordHit(c, a.hit) : false };
    });
  }

  async listConversations(q: {
    userId: number;
    username: string;
    limit: number;
    before?: Before;
    unreadOnly?: boolean;
  }): Promise<ConversationSummary[]> {
    const where = ['c.user_id = $1'];
    const args: unknown[] = [q.userId, q.username];
    if (q.unreadOnly) where.push('c.unread > 0');
    if (q.before) {
      args.push(q.before.at, q.before.key);
      where.push(`(c.last_at, c.peer) < ($${args.length - 1}, $${args.length})`);
    }
    args.push(q.limit);
    const { rows } = await this.h.pool.query(
      `${SUMMARY_SELECT} WHERE ${where.join(' AND ')} ORDER BY c.last_at DESC, c.peer DESC LIMIT $${args.length}`,
      args,
    );
    return (rows as Row[]).map(toSummary);
  }

  async getConversation(q: {
    userId: number;
    username: string;
    peer: string;
  }): Promise<ConversationSummary | undefined> {
    const { rows } = await this.h.pool.query(`${SUMMARY_SELECT} WHERE c.user_id = $1 AND c.peer = $3`, [
      q.userId,
      q.username,
      q.peer,
    ]);
    const r = rows[0] as Row | undefined;
    return r && toSummary(r);
  }

  async thread(q: {
    userId: number;
    username: string;
    peer: string;
    limit: number;
    before?: Before;
  }): Promise<ThreadMessage[]> {
    const page = async (side: string, at: string, owner: unknown): Promise<Row[]> => {
      const keyset = q.before ? ` AND (${at}, id) < ($4, $5)` : '';
      const args = q.before ? [owner, q.peer, q.limit, q.before.at, q.before.key] : [owner, q.peer, q.limit];
      return (await this.h.pool.query(`${side}${keyset} ORDER BY ${at} DESC, id DESC LIMIT $3`, args))
        .rows as Row[];
    };
    const [mo, mt] = await Promise.all([
      page(MO_SIDE, 'received_at', q.username),
      page(MT_SIDE, 'created_at', q.userId),
    ]);
    return [...mo.map((r) => toThread(r, 'in')), ...mt.map((r) => toThread(r, 'out'))]
      .sort(newestFirst)
      .slice(0, q.limit);
  }

  markRead(q: {
    userId: number;
    username: string;
    peer: string;
    until: number;
  }): Promise<Conversation | undefined> {
    return this.h.write(async (c) => {
      const r = await recount(c, q.userId, q.username, q.peer, q.until);
      return r && toConversation(r);
    });
  }

  noteReply(q: { userId: number; peer: string; ourNumber: string; at: number }): Promise<void> {
    return this.h.write(async (c) => {
      await c.query(
        `INSERT INTO conversations AS c (user_id, peer, our_number, last_at, unread, read_until, created_at)
         VALUES ($1, $2, $3, $4, 0, $4, $4)
         ON CONFLICT (user_id, peer) DO UPDATE SET last_at = GREATEST(c.last_at, excluded.last_at)`,
        [q.userId, q.peer, q.ourNumber, q.at],
      );
      const { rows } = await c.query('SELECT username FROM users WHERE id = $1', [q.userId]);
      const user = rows[0] as { username: string } | undefined;
      if (user) await recount(c, q.userId, user.username, q.peer, q.at);
    });
  }

  async unreadTotal(q: { userId: number }): Promise<number> {
    const { rows } = await this.h.pool.query(
      'SELECT COALESCE(SUM(unread), 0) AS n FROM conversations WHERE user_id = $1 AND unread > 0',
      [q.userId],
    );
    return num((rows[0] as Row).n);
  }
}

/**
 * Read up to `until` (never backwards), unread recounted from the MOs the follower has
 * taken in (those after its cursor are counted when it takes them in).
 */
async function recount(
  c: pg.PoolClient,
  userId: number,
  username: string,
  peer: string,
  until: number,
): Promise<Row | undefined> {
  const { rows } = await c.query(
    `UPDATE conversations c SET read_until = GREATEST(c.read_until, $1),
       unread = (SELECT count(*) FROM mo
                 WHERE routed_to = $2 AND source = $3 AND received_at > GREATEST(c.read_until, $1)
                   AND seq <= (SELECT coalesce(max(position), 0) FROM inbox_followers WHERE name = '${INBOX_FOLLOWER}'))
     WHERE c.user_id = $4 AND c.peer = $3 RETURNING *`,
    [until, username, peer, userId],
  );
  return rows[0] as Row | undefined;
}

/** The hit, its vote and its pending reply, unless the MO has a hit already. */
async function recordHit(c: pg.PoolClient, h: KeywordHit): Promise<boolean> {
  const r = await c.query(
    `INSERT INTO keyword_hits (mo_id, service_id, user_id, msisdn, action, answer, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (mo_id) DO NOTHING`,
    [h.moId, h.serviceId, h.userId, h.msisdn, h.action, h.answer ?? null, h.at],
  );
  if (r.rowCount === 0) return false;
  if (h.action === 'vote' && h.answer !== undefined)
    await c.query(
      `INSERT INTO keyword_votes (service_id, msisdn, answer, mo_id, at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (service_id, msisdn) DO UPDATE SET answer = excluded.answer, mo_id = excluded.mo_id, at = excluded.at`,
      [h.serviceId, h.msisdn, h.answer, h.moId, h.at],
    );
  if (h.reply)
    await c.query(
      `INSERT INTO keyword_replies (mo_id, user_id, message_id, source, destination, text, state, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)`,
      [h.moId, h.userId, h.reply.messageId, h.reply.source, h.reply.destination, h.reply.text, h.at],
    );
  return true;
}
