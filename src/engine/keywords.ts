/**
 * Keyword services as customers manage them: validated before they are stored (the words,
 * the number, the reply's placeholders, the poll's answers, the forward URL through the SSRF
 * guard, the contact group of a subscription), so the follower never meets one it cannot run.
 * A word the gateway answers itself (the opt-out keywords, STOP first) is refused: the
 * gateway handles those before any service and a service on them would never run.
 */
import { OptOutRules, OPT_OUT_KINDS } from '../domain/index.js';
import { RefusedUrlError } from '../gateway/index.js';
import type {
  KeywordKind,
  KeywordService,
  KeywordServicePatch,
  KeywordSettings,
  KeywordStore,
  PollResult,
} from '../store/engine-store/index.js';
import type { ContactService } from './contacts.js';
import { EngineError, invalid, notFound } from './errors.js';
import { JOIN_WORDS, KEYWORD_PATTERN, LEAVE_WORDS, unknownPlaceholders } from './keyword-match.js';
import type { KeywordForwarder } from './keyword-forward.js';

export type { KeywordKind, KeywordService, KeywordSettings, PollResult };

/** Bounds of a service (docs/engine/inbox.md, "Limits"). */
export const KEYWORD_LIMITS = {
  servicesPerAccount: 500,
  aliases: 10,
  pollOptions: 20,
  replyChars: 1000,
  urlChars: 2000,
} as const;

/** The defaults a subscription and a poll answer with when no reply is given. */
export const DEFAULT_REPLIES = {
  join: 'You have joined {{group}}. Text LEAVE {{keyword}} to leave.',
  leave: 'You have left {{group}}.',
  vote: 'Thank you, your vote for {{answer}} is counted.',
} as const;

/** A keyword service as given (REST v1): settings by name, the group by name or id. */
export interface KeywordServiceInput {
  /** The receiving number; absent or null: any number routed to the account. */
  number?: string | null;
  keyword: string;
  aliases?: string[];
  kind: KeywordKind;
  reply?: string | null;
  leaveReply?: string | null;
  /** subscribe: the contact group's name (created when the account has none by that name). */
  group?: string;
  /** subscribe: the contact group's id. */
  groupId?: number;
  options?: string[];
  url?: string;
  enabled?: boolean;
}

export type KeywordServiceUpdate = Partial<
  Pick<KeywordServiceInput, 'keyword' | 'aliases' | 'reply' | 'leaveReply' | 'options' | 'url' | 'enabled'>
>;

export class KeywordServices {
  private readonly optOut: OptOutRules;

  constructor(
    private readonly store: KeywordStore,
    private readonly contacts: ContactService,
    private readonly forwarder: KeywordForwarder,
    optOut: OptOutRules,
  ) {
    this.optOut = optOut;
  }

  async create(userId: number, input: KeywordServiceInput): Promise<KeywordService> {
    const number = numberOf(input.number);
    const keyword = this.word(input.keyword, 'keyword', number);
    const aliases = this.aliases(input.aliases ?? [], number, keyword);
    const settings = await this.settings(userId, input.kind, input, undefined);
    if ((await this.store.listServices({ userId })).length >= KEYWORD_LIMITS.servicesPerAccount)
      throw new EngineError(
        409,
        'HERMOD_ERR_KEYWORD_LIMIT',
        `an account has at most ${KEYWORD_LIMITS.servicesPerAccount} keyword services`,
      );
    return this.store.createService({
      userId,
      number,
      keyword,
      aliases,
      kind: input.kind,
      settings,
      enabled: input.enabled ?? true,
    });
  }

  async update(userId: number, id: number, patch: KeywordServiceUpdate): Promise<KeywordService> {
    const cur = await this.get(userId, id);
    const keyword =
      patch.keyword !== undefined ? this.word(patch.keyword, 'keyword', cur.number) : cur.keyword;
    const aliases =
      patch.aliases !== undefined ? this.aliases(patch.aliases, cur.number, keyword) : cur.aliases;
    const touchesSettings = (['reply', 'leaveReply', 'options', 'url'] as const).some(
      (k) => patch[k] !== undefined,
    );
    const next: KeywordServicePatch = { keyword, aliases };
    if (touchesSettings) next.settings = await this.settings(userId, cur.kind, patch, cur.settings);
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    const updated = await this.store.updateService({ userId, id, patch: next });
    if (!updated) throw notFound(`keyword service ${id}`);
    return updated;
  }

  async remove(userId: number, id: number): Promise<void> {
    if (!(await this.store.deleteService({ userId, id }))) throw notFound(`keyword service ${id}`);
  }

  async get(userId: number, id: number): Promise<KeywordService> {
    const s = await this.store.getService({ userId, id });
    if (!s) throw notFound(`keyword service ${id}`);
    return s;
  }

  list(userId: number): Promise<KeywordService[]> {
    return this.store.listServices({ userId });
  }

  /** A poll's votes per answer (404 for a service that is not the account's poll). */
  async results(userId: number, id: number): Promise<{ service: KeywordService; results: PollResult[] }> {
    const service = await this.get(userId, id);
    const results = await this.store.pollResults({ userId, id });
    if (!results)
      throw new EngineError(
        409,
        'HERMOD_ERR_NOT_A_POLL',
        `keyword service ${id} is a ${service.kind}, not a poll`,
      );
    return { service, results };
  }

  /** A keyword or alias, upper case; refused when the gateway answers it first or it is a verb of subscriptions. */
  private word(raw: string, field: string, number: string): string {
    const w = raw.trim().toUpperCase();
    if (!KEYWORD_PATTERN.test(w))
      throw invalid(field, 'one word of letters and digits (- and _ inside), at most 30 characters');
    const policy = this.optOut.policy(number);
    const kind = OPT_OUT_KINDS.find((k) => policy.keywords[k].includes(w));
    if (kind)
      throw invalid(
        field,
        `${w} is an opt-out keyword (${kind.toUpperCase()}): the gateway answers it before any keyword service`,
      );
    if (JOIN_WORDS.includes(w) || LEAVE_WORDS.includes(w))
      throw invalid(field, `${w} is reserved: a subscription answers "${w} <keyword>"`);
    return w;
  }

  private aliases(raw: string[], number: string, keyword: string): string[] {
    if (raw.length > KEYWORD_LIMITS.aliases) throw invalid('aliases', `at most ${KEYWORD_LIMITS.aliases}`);
    const out = raw.map((a, i) => this.word(a, `aliases[${i}]`, number));
    const seen = new Set([keyword]);
    out.forEach((a, i) => {
      if (seen.has(a)) throw invalid(`aliases[${i}]`, `${a} is given twice`);
      seen.add(a);
    });
    return out;
  }

  /** The settings of a kind, from the input over the current ones (an update). */
  private async settings(
    userId: number,
    kind: KeywordKind,
    input: KeywordServiceUpdate & { group?: string; groupId?: number },
    cur: KeywordSettings | undefined,
  ): Promise<KeywordSettings> {
    const text = (field: 'reply' | 'leaveReply', fallback: string | null): string | null => {
      const v = input[field] !== undefined ? input[field] : cur ? (cur[field] ?? null) : fallback;
      if (v === null) return null;
      if (v.trim() === '') throw invalid(field, 'empty; give null for no reply');
      if (v.length > KEYWORD_LIMITS.replyChars)
        throw invalid(field, `at most ${KEYWORD_LIMITS.replyChars} characters`);
      const unknown = unknownPlaceholders(v);
      if (unknown.length > 0)
        throw invalid(
          field,
          `unknown placeholder {{${unknown[0]}}} (known: first_name, last_name, number, keyword, group, answer, options)`,
        );
      return v;
    };
    switch (kind) {
      case 'reply': {
        const reply = text('reply', null);
        if (reply === null) throw invalid('reply', 'an auto-reply service needs its reply');
        return { reply };
      }
      case 'subscribe': {
        const groupId = cur?.groupId ?? (await this.groupOf(userId, input));
        return {
          groupId,
          reply: text('reply', DEFAULT_REPLIES.join),
          leaveReply: text('leaveReply', DEFAULT_REPLIES.leave),
        };
      }
      case 'poll': {
        const options = input.options !== undefined ? this.pollOptions(input.options) : cur?.options;
        if (!options) throw invalid('options', 'a poll needs its answers');
        return { options, reply: text('reply', DEFAULT_REPLIES.vote) };
      }
      case 'forward': {
        const url = input.url ?? cur?.url;
        if (url === undefined) throw invalid('url', 'a forward service needs its URL');
        if (url.length > KEYWORD_LIMITS.urlChars)
          throw invalid('url', `at most ${KEYWORD_LIMITS.urlChars} characters`);
        try {
          await this.forwarder.check(url);
        } catch (err) {
          if (err instanceof RefusedUrlError) throw invalid('url', err.message);
          throw err;
        }
        return { url };
      }
    }
  }

  private async groupOf(userId: number, input: { group?: string; groupId?: number }): Promise<number> {
    if (input.groupId !== undefined) {
      const groups = await this.contacts.groups(userId);
      if (!groups.some((g) => g.id === input.groupId))
        throw invalid('groupId', `no contact group ${input.groupId}`);
      return input.groupId;
    }
    const name = input.group?.trim();
    if (!name) throw invalid('group', 'a subscription needs its contact group (group or group_id)');
    if (name.length > 100) throw invalid('group', 'at most 100 characters');
    return (await this.contacts.groupNamed(userId, name)).id;
  }

  private pollOptions(raw: string[]): string[] {
    if (raw.length < 2 || raw.length > KEYWORD_LIMITS.pollOptions)
      throw invalid('options', `between 2 and ${KEYWORD_LIMITS.pollOptions} answers`);
    const out = raw.map((o, i) => {
      const w = o.trim().toUpperCase();
      if (!KEYWORD_PATTERN.test(w))
        throw invalid(`options[${i}]`, 'one word of letters and digits, at most 30 characters');
      return w;
    });
    out.forEach((o, i) => {
      if (out.indexOf(o) !== i) throw invalid(`options[${i}]`, `${o} is given twice`);
    });
    return out;
  }
}

/**
 * The receiving number as stored: as MOs name it (digits, without '+'; the opt-out rules
 * compare numbers the same way), '' for any.
 */
function numberOf(raw: string | null | undefined): string {
  if (raw === undefined || raw === null || raw.trim() === '') return '';
  const digits = raw
    .trim()
    .replace(/[\s().-]/g, '')
    .replace(/^\+/, '');
  if (!/^\d{3,20}$/.test(digits))
    throw invalid('number', 'the receiving number: digits (+ optional) or a short code, as the MOs name it');
  return digits;
}
