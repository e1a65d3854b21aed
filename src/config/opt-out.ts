/**
 * The `optOut` section: keyword lists and auto-replies of every receiving number, the
 * account replies are sent as, and numbers of their own that change any of them.
 *
 *   optOut:
 *     keywords: { stop: [STOP, …], start: [START, …], help: [HELP, INFO] }
 *     replies:  { stop: "…", start: "…", help: null }      # null: no reply
 *     account: shop                                       # default: the MO's routed customer
 *     numbers:
 *       "12345": { keywords: { stop: [STOP, ARRET] }, replies: { help: "ACME: …" }, account: acme }
 */
import {
  DEFAULT_OPT_OUT,
  OPT_OUT_KINDS,
  keywordOf,
  type OptOutKind,
  type OptOutPolicy,
  type OptOutSettings,
} from '../domain/index.js';
import { describe, type Checker, type Obj } from './checker.js';

/** The longest reply: what a REST text may be (ten or so SMS). */
const MAX_REPLY = 1600;

type PartialPolicy = OptOutSettings['numbers'][string];

function checkPolicy(c: Checker, v: unknown, path: string, allowed: readonly string[]): PartialPolicy {
  const o = c.obj(v ?? {}, path, allowed) ?? {};
  const out: PartialPolicy = {};
  if (o.keywords !== undefined) {
    const k = c.obj(o.keywords, `${path}.keywords`, OPT_OUT_KINDS) ?? {};
    const keywords: Partial<Record<OptOutKind, string[]>> = {};
    for (const kind of OPT_OUT_KINDS) {
      if (k[kind] === undefined) continue;
      keywords[kind] = c.list(k, kind, `${path}.keywords`).flatMap((w, i) => {
        if (typeof w === 'string' && keywordOf(w).length > 0 && keywordOf(w).length <= 20)
          return [keywordOf(w)];
        c.fail(
          `${path}.keywords.${kind}[${i}]`,
          `expected a keyword of 1 to 20 characters, got ${describe(w)}`,
        );
        return [];
      });
    }
    out.keywords = keywords;
  }
  if (o.replies !== undefined) {
    const r = c.obj(o.replies, `${path}.replies`, OPT_OUT_KINDS) ?? {};
    const replies: Partial<Record<OptOutKind, string | null>> = {};
    for (const kind of OPT_OUT_KINDS) {
      const text = r[kind];
      if (text === undefined) continue;
      if (text === null) replies[kind] = null;
      else if (typeof text === 'string' && text.trim() !== '' && text.length <= MAX_REPLY)
        replies[kind] = text;
      else
        c.fail(
          `${path}.replies.${kind}`,
          `expected a text of 1 to ${MAX_REPLY} characters, or null for no reply, got ${describe(text)}`,
        );
    }
    out.replies = replies;
  }
  if (o.account !== undefined) out.account = c.str(o, 'account', path);
  return out;
}

/**
 * A word in two lists would both opt out and in: refused, naming both. For a number, only
 * where one of the two lists is its own (`own`): the common lists are checked once.
 */
function checkOverlap(
  c: Checker,
  keywords: OptOutPolicy['keywords'],
  path: string,
  own?: readonly OptOutKind[],
): void {
  const seen = new Map<string, OptOutKind>();
  for (const kind of OPT_OUT_KINDS) {
    for (const w of keywords[kind]) {
      const other = seen.get(w);
      if (other === undefined) seen.set(w, kind);
      else if (other !== kind && (!own || own.includes(kind) || own.includes(other)))
        c.fail(`${path}.keywords.${kind}`, `"${w}" is also a ${other} keyword`);
    }
  }
}

export function checkOptOut(c: Checker, v: unknown): OptOutSettings {
  const common = checkPolicy(c, v, 'optOut', ['keywords', 'replies', 'account', 'numbers']);
  const base: OptOutPolicy = {
    keywords: { ...DEFAULT_OPT_OUT.keywords, ...common.keywords },
    replies: { ...DEFAULT_OPT_OUT.replies, ...common.replies },
    ...(common.account !== undefined ? { account: common.account } : {}),
  };
  checkOverlap(c, base.keywords, 'optOut');
  const numbers: OptOutSettings['numbers'] = {};
  const raw = (v as Obj | undefined)?.numbers;
  if (raw !== undefined) {
    const n = c.obj(raw, 'optOut.numbers', Object.keys(raw ?? {})) ?? {};
    for (const [number, own] of Object.entries(n)) {
      const path = `optOut.numbers.${number}`;
      if (!/^\+?[0-9A-Za-z]{1,20}$/.test(number))
        c.fail(
          path,
          'expected a number or short code as an SMS names it (digits, an optional +, or an alphanumeric sender of at most 20 characters)',
        );
      const policy = checkPolicy(c, own, path, ['keywords', 'replies', 'account']);
      if (policy.keywords)
        checkOverlap(
          c,
          { ...base.keywords, ...policy.keywords },
          path,
          Object.keys(policy.keywords) as OptOutKind[],
        );
      numbers[number] = policy;
    }
  }
  return { ...base, numbers };
}
