/**
 * Opt-out keywords and their auto-replies, per receiving number (the short code or long
 * number a handset texted). A keyword is the whole MO text, trimmed, in any case, runs of
 * spaces counting as one ("stop  all" is STOP ALL): STOP
 * opts the sender out of messages from that number, START opts it back in, HELP only
 * answers. Each kind's reply (null: none) goes back from that number; a number of its
 * own may change any keyword list, reply or the account the replies are sent as.
 */

export type OptOutKind = 'stop' | 'start' | 'help';

export const OPT_OUT_KINDS: readonly OptOutKind[] = ['stop', 'start', 'help'];

/** What one receiving number does with keywords. */
export interface OptOutPolicy {
  /** Upper-case keywords of each kind. */
  keywords: Record<OptOutKind, readonly string[]>;
  /** The auto-reply of each kind; null sends none. */
  replies: Record<OptOutKind, string | null>;
  /**
   * The account replies are sent (routed, charged) as; undefined: the customer the MO is
   * routed to. Without either no reply is sent (logged).
   */
  account?: string;
}

/** The policy every number has, and the numbers that differ (by the number as the MO names it). */
export interface OptOutSettings extends OptOutPolicy {
  numbers: Record<
    string,
    Partial<Omit<OptOutPolicy, 'keywords' | 'replies'>> & {
      keywords?: Partial<OptOutPolicy['keywords']>;
      replies?: Partial<OptOutPolicy['replies']>;
    }
  >;
}

/** Carriers' usual words (CTIA and Twilio's defaults) and short, plain replies. */
export const DEFAULT_OPT_OUT: OptOutSettings = {
  keywords: {
    stop: ['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
    start: ['START', 'UNSTOP', 'YES'],
    help: ['HELP', 'INFO'],
  },
  replies: {
    stop: 'You have been unsubscribed and will receive no more messages from this number. Reply START to subscribe again.',
    start: 'You have been subscribed again. Reply STOP to unsubscribe.',
    help: 'Reply STOP to unsubscribe, START to subscribe again.',
  },
  numbers: {},
};

/** A text as keywords are compared: trimmed, upper case, runs of white space as one space. */
export function keywordOf(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toUpperCase();
}

export class OptOutRules {
  private readonly byNumber = new Map<string, OptOutPolicy>();
  private readonly base: OptOutPolicy;

  constructor(settings: OptOutSettings = DEFAULT_OPT_OUT) {
    const { numbers, ...base } = settings;
    this.base = base;
    for (const [number, own] of Object.entries(numbers)) {
      this.byNumber.set(number.replace(/^\+/, ''), {
        keywords: { ...base.keywords, ...own.keywords },
        replies: { ...base.replies, ...own.replies },
        ...(own.account !== undefined || base.account !== undefined
          ? { account: own.account ?? base.account }
          : {}),
      });
    }
  }

  /** The policy of a receiving number (its own, else the common one); a leading + is ignored on both sides. */
  policy(number: string): OptOutPolicy {
    return this.byNumber.get(number.replace(/^\+/, '')) ?? this.base;
  }

  /** The keyword kind an MO's text is for its receiving number, if it is one (any case, spaces collapsed). */
  match(number: string, text: string): OptOutKind | undefined {
    const word = keywordOf(text);
    const { keywords } = this.policy(number);
    return OPT_OUT_KINDS.find((k) => keywords[k].includes(word));
  }
}
