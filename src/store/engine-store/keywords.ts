/**
 * Keyword services of the SMS engine (PlaySMS's apps, Kannel's sms-service): per receiving
 * number and keyword, owned by an account, an action on the MOs routed to that account:
 * an auto-reply, joining or leaving a contact group, a vote in a poll, or a call to a URL
 * whose answer is the reply. What each MO did is a hit (one per MO, unique by its id) with
 * its pending reply, written in the follower's transaction (InboxStore.applyMos).
 */

export type KeywordKind = 'reply' | 'subscribe' | 'poll' | 'forward';

export const KEYWORD_KINDS: readonly KeywordKind[] = ['reply', 'subscribe', 'poll', 'forward'];

/** What a service does, by kind (the fields its kind does not use are absent). */
export interface KeywordSettings {
  /** The reply (reply), the confirmation of a join (subscribe) or of a vote (poll); null: none. */
  reply?: string | null;
  /** subscribe: the confirmation of a leave; null: none. */
  leaveReply?: string | null;
  /** subscribe: the account's contact group. */
  groupId?: number;
  /** poll: the answers, upper case (`VOTE A` counts for A). */
  options?: string[];
  /** forward: where the MO is posted (checked by the SSRF guard). */
  url?: string;
}

export interface KeywordService {
  id: number;
  userId: number;
  /** The receiving number (E.164 digits or a short code), or '' for any number routed to the account. */
  number: string;
  /** Upper case, one word. */
  keyword: string;
  /** Other words that trigger it, upper case. */
  aliases: string[];
  kind: KeywordKind;
  settings: KeywordSettings;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewKeywordService {
  userId: number;
  number: string;
  keyword: string;
  aliases: string[];
  kind: KeywordKind;
  settings: KeywordSettings;
  enabled: boolean;
}

export interface KeywordServicePatch {
  keyword?: string;
  aliases?: string[];
  settings?: KeywordSettings;
  enabled?: boolean;
}

/** What a keyword service did with one MO. */
export type KeywordAction = 'reply' | 'join' | 'leave' | 'vote' | 'invalid' | 'forward' | 'forward_failed';

export interface KeywordHit {
  moId: string;
  serviceId: number;
  userId: number;
  /** The sender (E.164 digits). */
  msisdn: string;
  action: KeywordAction;
  /** A vote's answer (upper case). */
  answer?: string;
  /** The reply to send, with the id it is accepted under (at most once). */
  reply?: { messageId: string; source: string; destination: string; text: string };
  at: number;
}

/** A reply recorded with its hit and not yet accepted by the gateway. */
export interface PendingReply {
  moId: string;
  userId: number;
  /** The account's username (the reply is sent as it). */
  username: string;
  messageId: string;
  source: string;
  destination: string;
  text: string;
  createdAt: number;
}

export interface PollResult {
  answer: string;
  votes: number;
}

/** The word of `s` that another service of the account on the same number already answers to. */
export function clashingWord(
  s: { keyword: string; aliases: string[] },
  others: KeywordService[],
): string | undefined {
  const taken = new Set(others.flatMap((o) => [o.keyword, ...o.aliases]));
  return [s.keyword, ...s.aliases].find((w) => taken.has(w));
}

export interface KeywordStore {
  /** Throws KeywordExistsError when a word of it triggers another service of the account on that number. */
  createService(s: NewKeywordService): Promise<KeywordService>;

  /** undefined when it is not the account's; KeywordExistsError as createService. */
  updateService(q: {
    userId: number;
    id: number;
    patch: KeywordServicePatch;
  }): Promise<KeywordService | undefined>;

  /** Deletes it with its votes; false when it is not the account's. */
  deleteService(q: { userId: number; id: number }): Promise<boolean>;

  getService(q: { userId: number; id: number }): Promise<KeywordService | undefined>;

  listServices(q: { userId: number }): Promise<KeywordService[]>;

  /** The enabled services an MO to `number` may trigger: the number's own and the any-number ones. */
  servicesFor(q: { userId: number; number: string }): Promise<KeywordService[]>;

  /** Votes per answer (every option, zeros included), or undefined when it is not the account's poll. */
  pollResults(q: { userId: number; id: number }): Promise<PollResult[] | undefined>;

  /** The hit of an MO, if it had one. */
  hitOf(q: { moId: string }): Promise<KeywordHit | undefined>;

  /** Replies recorded and not settled, oldest first. */
  pendingReplies(q: { limit: number }): Promise<PendingReply[]>;

  /** A reply accepted by the gateway (`sent`) or refused for good (`failed`, with why). */
  settleReply(q: { moId: string; state: 'sent' | 'failed'; error?: string }): Promise<void>;
}
