/**
 * Which keyword service an MO's text triggers, and the text of its reply: pure functions.
 * Texts are compared as the opt-out keywords are (domain `keywordOf`: trimmed, upper case,
 * runs of white space as one), word by word: the first word is the keyword or one of its
 * aliases (`VOTE A`, `INFO`); a subscription also answers `JOIN <keyword>` and
 * `LEAVE <keyword>`, as PlaySMS's and Kannel's users expect.
 */
import { keywordOf } from '../domain/index.js';
import type { KeywordService } from '../store/engine-store/index.js';

/** The verbs of a subscription: `JOIN NEWS`, `LEAVE NEWS` (reserved: no service may use them as its keyword). */
export const JOIN_WORDS: readonly string[] = ['JOIN'];
export const LEAVE_WORDS: readonly string[] = ['LEAVE'];

/** A keyword or alias: one word of letters and digits (`-` and `_` inside), at most 30 characters. */
export const KEYWORD_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,29}$/u;

export interface KeywordMatch {
  service: KeywordService;
  /** `join`/`leave` for a subscription, `run` for the other kinds. */
  action: 'join' | 'leave' | 'run';
  /** The words after the keyword (upper case): a vote's answer. */
  args: string[];
}

const wordsOf = (s: KeywordService): string[] => [s.keyword, ...s.aliases];

/**
 * The service `text` triggers among `services` (those of the receiving number and of any
 * number, of the account the MO is routed to), or undefined. A service of the receiving
 * number wins over an any-number one with the same word.
 */
export function matchKeyword(text: string, services: readonly KeywordService[]): KeywordMatch | undefined {
  const words = keywordOf(text)
    .split(' ')
    .filter((w) => w !== '');
  if (words.length === 0) return undefined;
  const ordered = [...services].sort((a, b) => (a.number === '' ? 1 : 0) - (b.number === '' ? 1 : 0));
  const [first, second] = words;
  if (second !== undefined && (JOIN_WORDS.includes(first) || LEAVE_WORDS.includes(first))) {
    const s = ordered.find((x) => x.kind === 'subscribe' && wordsOf(x).includes(second));
    if (s) return { service: s, action: JOIN_WORDS.includes(first) ? 'join' : 'leave', args: words.slice(2) };
  }
  const s = ordered.find((x) => wordsOf(x).includes(first));
  if (!s) return undefined;
  if (s.kind !== 'subscribe') return { service: s, action: 'run', args: words.slice(1) };
  // `NEWS` alone joins; `NEWS LEAVE` leaves.
  const leave = second !== undefined && LEAVE_WORDS.includes(second);
  return { service: s, action: leave ? 'leave' : 'join', args: words.slice(leave ? 2 : 1) };
}

/** The placeholders a reply may use; `{{name|fallback}}` gives a fallback for an empty value. */
export const REPLY_PLACEHOLDERS = [
  'first_name',
  'last_name',
  'number',
  'keyword',
  'group',
  'answer',
  'options',
] as const;
export type ReplyPlaceholder = (typeof REPLY_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*(?:\|([^}]*))?\}\}/g;

/** The placeholders of `text` that are not known (refused when a service is saved, never sent literally). */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(REPLY_PLACEHOLDERS);
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((n) => !known.has(n));
}

/** `text` with its placeholders filled; an empty or missing value takes the fallback, else ''. */
export function renderReply(text: string, values: Partial<Record<ReplyPlaceholder, string | null>>): string {
  return text.replace(PLACEHOLDER, (_, name: string, fallback: string | undefined) => {
    const v = values[name as ReplyPlaceholder];
    return v !== undefined && v !== null && v !== '' ? v : (fallback ?? '');
  });
}
