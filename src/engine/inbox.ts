/**
 * The inbox as customers read it: conversations per peer number (MOs routed to the account
 * and what the account sent to that number, in time order), unread state, and the reply
 * from a thread, which enters through the gateway's one accept door like any other message
 * (routed, charged, refused for an opted-out number).
 */
import type { User } from '../domain/index.js';
import { draftOf, textOf, type Accepted, type Gateway } from '../gateway/index.js';
import type {
  Before,
  Conversation,
  ConversationSummary,
  InboxStore,
  ThreadMessage,
} from '../store/engine-store/index.js';
import { EngineError, invalid, notFound } from './errors.js';

export type { Conversation, ConversationSummary, ThreadMessage };

/** Bounds of the inbox's lists and replies (docs/engine/inbox.md, "Limits"). */
export const INBOX_LIMITS = {
  pageMax: 100,
  pageDefault: 50,
  replyChars: 1600,
} as const;

/** A page of a keyset-paged list and the cursor of the next one (null at the end). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A thread message with its text decoded (null for a binary body). */
export interface ThreadEntry extends ThreadMessage {
  text: string | null;
}

export class InboxService {
  constructor(
    private readonly store: InboxStore,
    private readonly gateway: Gateway,
    private readonly now: () => number = Date.now,
  ) {}

  async conversations(
    user: User,
    q: { limit?: number; cursor?: string; unreadOnly?: boolean } = {},
  ): Promise<Page<ConversationSummary>> {
    const limit = q.limit ?? INBOX_LIMITS.pageDefault;
    const rows = await this.store.listConversations({
      userId: user.id,
      username: user.username,
      limit: limit + 1,
      ...(q.cursor !== undefined ? { before: decodeCursor(q.cursor, 'c') } : {}),
      ...(q.unreadOnly ? { unreadOnly: true } : {}),
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      next: rows.length > limit && last ? encodeCursor('c', { at: last.lastAt, key: last.peer }) : null,
    };
  }

  async conversation(user: User, number: string): Promise<ConversationSummary> {
    const peer = peerOf(number);
    const c = await this.store.getConversation({ userId: user.id, username: user.username, peer });
    if (!c) throw notFound(`conversation with +${peer}`);
    return c;
  }

  /** The thread with a peer, newest first; empty (not 404) when the account never exchanged with it. */
  async messages(
    user: User,
    number: string,
    q: { limit?: number; cursor?: string } = {},
  ): Promise<Page<ThreadEntry>> {
    const peer = peerOf(number);
    const limit = q.limit ?? INBOX_LIMITS.pageDefault;
    const rows = await this.store.thread({
      userId: user.id,
      username: user.username,
      peer,
      limit: limit + 1,
      ...(q.cursor !== undefined ? { before: decodeCursor(q.cursor, 't') } : {}),
    });
    const items = rows.slice(0, limit).map((m) => ({ ...m, text: textOf(m.body, m.dataCoding) ?? null }));
    const last = items[items.length - 1];
    return {
      items,
      next: rows.length > limit && last ? encodeCursor('t', { at: last.at, key: last.id }) : null,
    };
  }

  /** Read up to `until` (default now; never backwards). */
  async markRead(user: User, number: string, until?: number): Promise<Conversation> {
    const peer = peerOf(number);
    const c = await this.store.markRead({
      userId: user.id,
      username: user.username,
      peer,
      until: until ?? this.now(),
    });
    if (!c) throw notFound(`conversation with +${peer}`);
    return c;
  }

  /**
   * A reply from the thread, through the accept door as the account (charged as usual),
   * from `from` or else the number the peer last wrote to. Replying reads the conversation.
   */
  async reply(user: User, number: string, r: { text: string; from?: string }): Promise<Accepted> {
    const peer = peerOf(number);
    if (r.text.length === 0) throw invalid('text', 'empty');
    if (r.text.length > INBOX_LIMITS.replyChars)
      throw invalid('text', `at most ${INBOX_LIMITS.replyChars} characters`);
    let from = r.from;
    if (from === undefined) {
      const c = await this.store.getConversation({ userId: user.id, username: user.username, peer });
      if (!c) throw notFound(`conversation with +${peer} (give "from" to start one)`);
      from = c.ourNumber;
    }
    const accepted = await this.gateway.submitAccepted(
      user,
      draftOf({
        systemId: user.username,
        origin: 'rest',
        from,
        to: peer,
        content: { text: r.text },
        tags: ['inbox-reply'],
      }),
    );
    await this.store.noteReply({ userId: user.id, peer, ourNumber: from, at: this.now() });
    return accepted;
  }

  unreadTotal(user: User): Promise<number> {
    return this.store.unreadTotal({ userId: user.id });
  }
}

/**
 * A peer number as given (with or without +, spaces, dashes) → the number as MOs name it:
 * digits without '+' (the gateway stores an MO's source so, in whatever format the SMSC
 * sent it), or an alphanumeric sender as it is; else a 400 naming `number`.
 */
export function peerOf(number: string): string {
  const raw = number.trim();
  const digits = raw.replace(/[\s().-]/g, '').replace(/^\+/, '');
  if (/^\d{3,20}$/.test(digits)) return digits;
  if (/^[0-9A-Za-z]{1,20}$/.test(raw)) return raw;
  throw invalid('number', 'a phone number (E.164, + optional), a short code or an alphanumeric sender');
}

function encodeCursor(kind: 'c' | 't', b: Before): string {
  return Buffer.from(`${kind}:${b.at}:${b.key}`).toString('base64url');
}

function decodeCursor(cursor: string, kind: 'c' | 't'): Before {
  const m = /^([ct]):(\d{1,15}):([0-9A-Za-z]{1,40})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m || m[1] !== kind)
    throw new EngineError(400, 'HERMOD_ERR_INVALID_CURSOR', 'cursor is not one this API returned');
  return { at: Number(m[2]), key: m[3] };
}
