/**
 * The inbox of the SMS engine: inbound messages (the core's `mo` table) routed to an
 * account, threaded with what the account sent (the core's `messages` table) as one
 * conversation per (account, peer number), and the follower that reads new MOs in order
 * (a cursor in the engine's own table, held by one node at a time through a lease). Every
 * read is scoped by the account; another account's conversations look like missing ones.
 */
import type { MediaRef } from '../../domain/index.js';
import type { KeywordHit } from './keywords.js';

/** The follower whose cursor the conversations and unread counts follow. */
export const INBOX_FOLLOWER = 'inbox';

/** An MO as the follower reads it: its place in the `mo` table and the account it was routed to. */
export interface FollowedMo {
  /** Position in the core `mo` table (SQLite rowid, PostgreSQL `seq`): increasing, possibly with gaps. */
  seq: number;
  id: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: Buffer;
  /** The username it was routed to, or null (a webhook, or no route). */
  routedTo: string | null;
  /** That account's id when it exists, else null. */
  userId: number | null;
  receivedAt: number;
}

/** A conversation: the account and one peer number, with the state the inbox keeps for it. */
export interface Conversation {
  userId: number;
  /** The peer's number (E.164 digits, no '+'). */
  peer: string;
  /** The account's number the peer last wrote to: where replies come from by default. */
  ourNumber: string;
  /** The last message the inbox knows in it (an MO, or a reply from the thread). */
  lastAt: number;
  /** MOs received after `readUntil`. */
  unread: number;
  readUntil: number;
  createdAt: number;
}

/** One message of a thread, either way. */
export interface ThreadMessage {
  id: string;
  direction: 'in' | 'out';
  at: number;
  /** The account's number: the MO's destination, the MT's source. */
  ourNumber: string;
  dataCoding: number;
  body: Buffer;
  /** The MT's state (accepted, queued, sent, delivered…); null for an MO. */
  state: string | null;
  /** An MMS's media (an MO's, an MT's, or the items an SMS fallback linked); absent for an SMS. */
  media?: MediaRef[];
}

/** A conversation in the list: with its newest message either way and the contact's name. */
export interface ConversationSummary extends Conversation {
  last: ThreadMessage | null;
  contact: { id: number; firstName: string | null; lastName: string | null } | null;
}

/** Keyset position in a list: strictly older than this. */
export interface Before {
  at: number;
  /** The conversation's peer, or the message's id. */
  key: string;
}

export interface ApplyMos {
  /** The follower's name and the holder of its lease: the write is refused when the lease moved on. */
  follower: string;
  holder: string;
  /** MOs in order; those routed to an account open or advance its conversation. */
  mos: FollowedMo[];
  /** The cursor after this write (at least the last MO's seq; past a gap it may be higher). */
  position: number;
  /** What a keyword service did with the (one) MO, recorded in the same transaction. */
  hit?: KeywordHit;
}

export interface InboxStore {
  /**
   * Takes or renews the follower's lease for `leaseMs`; answers its cursor, or undefined
   * when another holder has a lease that has not ended.
   */
  claimFollower(q: {
    follower: string;
    holder: string;
    leaseMs: number;
    now: number;
  }): Promise<{ position: number } | undefined>;

  /** Gives the lease up (a stopping node), so another takes over at once. */
  releaseFollower(q: { follower: string; holder: string }): Promise<void>;

  /** MOs after `after` in the core `mo` table, in order. */
  nextMos(q: { after: number; limit: number }): Promise<FollowedMo[]>;

  /**
   * One transaction: conversations opened or advanced (one unread each), the keyword hit
   * (with its vote and its pending reply), the cursor moved. Throws LeaseLostError (nothing
   * written) when `holder` no longer holds the lease. An MO that already has a hit keeps
   * it (its vote and reply are not written again): answers whether the hit was new.
   */
  applyMos(a: ApplyMos): Promise<{ hitRecorded: boolean }>;

  /** The account's conversations, the most recent first. */
  listConversations(q: {
    userId: number;
    username: string;
    limit: number;
    before?: Before;
    unreadOnly?: boolean;
  }): Promise<ConversationSummary[]>;

  getConversation(q: {
    userId: number;
    username: string;
    peer: string;
  }): Promise<ConversationSummary | undefined>;

  /** MOs from the peer routed to the account and MTs the account sent to it, newest first. */
  thread(q: {
    userId: number;
    username: string;
    peer: string;
    limit: number;
    before?: Before;
  }): Promise<ThreadMessage[]>;

  /**
   * Marks the conversation read up to `until` (never backwards) and recounts its unread
   * MOs; undefined when the account has no conversation with the peer.
   */
  markRead(q: {
    userId: number;
    username: string;
    peer: string;
    until: number;
  }): Promise<Conversation | undefined>;

  /** A reply sent from the thread: the conversation moves up (and is read up to then). */
  noteReply(q: { userId: number; peer: string; ourNumber: string; at: number }): Promise<void>;

  /** MOs unread in all the account's conversations. */
  unreadTotal(q: { userId: number }): Promise<number>;
}
