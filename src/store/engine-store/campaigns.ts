/**
 * Campaigns of the SMS engine and their recipients. A campaign's audience is resolved in the
 * database (INSERT … SELECT from contacts and contact groups, opted-out numbers marked skipped
 * in the same statement) into `campaign_recipients`, never held in memory; the runner then
 * pages through it by keyset. Each recipient row gets its message id before it is submitted,
 * so a resend after a crash is the same message (the gateway accepts an id at most once).
 * Every method that a customer's request reaches is scoped by the account.
 */

export type CampaignState = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'canceled';

/**
 * A recipient's progress: `new` (resolved), `pending` (rendered and priced, message id
 * given), `skipped` (never sent: reason), `submitted` (accepted by the gateway: the message's
 * own state says what became of it), `refused` (the gateway refused it: reason).
 */
export type RecipientState = 'new' | 'pending' | 'skipped' | 'submitted' | 'refused';

export interface Audience {
  groups: number[];
  contacts: number[];
  excludeGroups: number[];
  /** Numbers given as a list (an uploaded CSV), E.164 digits or as written when invalid. */
  numbers: string[];
}

/** A campaign sent again every day or week at the same local time, `times` in all (null = until canceled). */
export interface Repeat {
  every: 'day' | 'week';
  times: number | null;
}

export interface QuietHours {
  /** Local time of day, "HH:MM": no message from … */
  from: string;
  /** … until (may be the next day: 21:00 → 08:00). */
  to: string;
}

/** One message as estimated: the worst (most parts) or the typical (most common parts count). */
export interface SampleMessage {
  text: string;
  encoding: string;
  segments: number;
  priceMicros: number;
}

export interface CampaignEstimate {
  recipients: number;
  parts: number;
  costMicros: number;
  worst: SampleMessage | null;
  typical: SampleMessage | null;
}

export interface CampaignRow {
  id: number;
  userId: number;
  name: string;
  sender: string;
  /** The text sent (a template's text is copied in when the campaign starts). */
  text: string | null;
  templateId: number | null;
  audience: Audience;
  /** Not started before (ms); null = when started. */
  scheduleAt: number | null;
  timeZone: string | null;
  quietHours: QuietHours | null;
  /** At most this many messages per second; null = as fast as the gateway takes them. */
  ratePerSecond: number | null;
  tags: string[];
  sendWhatBalanceCovers: boolean;
  repeat: Repeat | null;
  /** Which occurrence of a repeated campaign this is (1 for the first, and for one that does not repeat). */
  occurrence: number;
  /** The next occurrence, once created (a repeated campaign creates it when it completes). */
  nextId: number | null;
  state: CampaignState;
  /** Why it is in its state (paused for lack of balance, canceled by whom). */
  stateReason: string | null;
  estimate: CampaignEstimate | null;
  /** Numbers of the audience given twice (not rows: a recipient is unique per campaign). */
  duplicates: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

export type NewCampaign = Omit<
  CampaignRow,
  | 'id'
  | 'state'
  | 'stateReason'
  | 'estimate'
  | 'duplicates'
  | 'createdAt'
  | 'updatedAt'
  | 'startedAt'
  | 'finishedAt'
  | 'leaseOwner'
  | 'leaseUntil'
  | 'occurrence'
  | 'nextId'
>;

export interface RecipientRow {
  id: number;
  campaignId: number;
  contactId: number | null;
  msisdn: string;
  firstName: string | null;
  lastName: string | null;
  fields: Record<string, string>;
  state: RecipientState;
  reason: string | null;
  messageId: string | null;
  segments: number | null;
  priceMicros: number | null;
  /** Not before (ms): quiet hours in the recipient's time zone defer it. */
  notBefore: number;
}

/** A recipient rendered and priced (pending, with its message id) or skipped with a reason. */
export type PreparedRecipient =
  | { id: number; state: 'pending'; messageId: string; segments: number; priceMicros: number }
  | { id: number; state: 'skipped'; reason: string };

/** What the runner learnt about recipients it submitted (or deferred). */
export type RecipientOutcome =
  | { id: number; state: 'submitted'; priceMicros: number }
  | { id: number; state: 'refused'; reason: string }
  | { id: number; state: 'pending'; notBefore: number };

export interface ResolvedAudience {
  /** Rows inserted (skipped opted-out ones included). */
  recipients: number;
  optedOut: number;
  duplicates: number;
}

/** What resolving an audience would give now (nothing stored): for the console's wizard. */
export interface AudiencePreview {
  /** Distinct numbers (contacts and listed ones), opted-out ones included. */
  recipients: number;
  optedOut: number;
  /** Listed numbers given twice, or already a selected contact's. */
  duplicates: number;
  /** The first recipients who would be sent to (contacts by id, then listed numbers). */
  sample: {
    contactId: number | null;
    msisdn: string;
    firstName: string | null;
    lastName: string | null;
    fields: Record<string, string>;
  }[];
}

export interface CampaignStats {
  recipients: number;
  skipped: Record<string, number>;
  refused: Record<string, number>;
  /** Not submitted yet (resolved or deferred). */
  pending: number;
  /** Accepted by the gateway, not yet sent upstream. */
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
  costMicros: number;
  parts: number;
  replies: number;
  optOuts: number;
}

export interface RecipientStatus {
  id: number;
  msisdn: string;
  contactId: number | null;
  state: RecipientState;
  reason: string | null;
  messageId: string | null;
  /** The message's state in the gateway when it was submitted (queued, sent, delivered…). */
  messageState: string | null;
  priceMicros: number | null;
  updatedAt: number;
}

export interface CampaignStore {
  createCampaign(c: NewCampaign): Promise<CampaignRow>;

  getCampaign(q: { userId: number; id: number }): Promise<CampaignRow | undefined>;

  /** The account's campaigns, newest first (keyset: ids below `before`). */
  listCampaigns(q: {
    userId: number;
    before?: number;
    limit: number;
    state?: CampaignState;
  }): Promise<CampaignRow[]>;

  /**
   * Moves a campaign from one of `from` to `to` (compare and set): undefined when it is in
   * none of them. `startedAt` is set on the first move to running, `finishedAt` on an end.
   * `text` (a template's, copied in at the start) and `estimate` are stored with the move.
   */
  transition(t: {
    userId: number;
    id: number;
    from: CampaignState[];
    to: CampaignState;
    reason?: string | null;
    text?: string;
    estimate?: CampaignEstimate;
    now: number;
  }): Promise<CampaignRow | undefined>;

  /**
   * Replaces the campaign's recipients with its audience, in the database: the account's
   * contacts in the groups and the contact ids, minus those in the exclusion groups, plus the
   * numbers given (each number once; further ones counted as duplicates), opted-out numbers
   * (the core's `optouts` for the campaign's sender) marked skipped. Contacts' names and
   * custom fields are copied, so what is sent is what was previewed.
   */
  resolveAudience(r: { userId: number; campaignId: number; now: number }): Promise<ResolvedAudience>;

  /** Deletes a draft and any recipients an estimate resolved for it: false when it is not the account's draft. */
  deleteDraft(q: { userId: number; id: number }): Promise<boolean>;

  /**
   * The audience as `resolveAudience` would resolve it now, counted in the database without
   * storing it, with the first `sample` recipients not opted out of `sender` (for a preview).
   */
  previewAudience(q: {
    userId: number;
    sender: string;
    audience: Audience;
    sample: number;
  }): Promise<AudiencePreview>;

  /** Recipients in `state` after id `after` (keyset), due by `dueBy` when given. */
  recipientPage(q: {
    campaignId: number;
    state: RecipientState;
    after: number;
    limit: number;
    dueBy?: number;
  }): Promise<RecipientRow[]>;

  /** Stores rendered-and-priced (or skipped) recipients: one statement per batch. */
  prepareRecipients(campaignId: number, rows: PreparedRecipient[], now: number): Promise<void>;

  /** Stores what the runner did with recipients: one statement per batch. */
  recordOutcomes(campaignId: number, rows: RecipientOutcome[], now: number): Promise<void>;

  /** Every recipient still pending is skipped with `reason` (what the balance did not cover); returns how many. */
  skipPending(campaignId: number, reason: string, now: number): Promise<number>;

  /** Pending recipients left, and the earliest time one of them is due. */
  pendingLeft(campaignId: number): Promise<{ pending: number; nextAt: number | null }>;

  /** Sum of parts and price of the pending recipients (the estimate after preparation). */
  pendingCost(campaignId: number): Promise<{ recipients: number; parts: number; costMicros: number }>;

  /**
   * Takes or renews the campaign's lease for `owner` until `until`: true when it is free,
   * expired or already the owner's. One runner per campaign across nodes.
   */
  claimLease(l: { id: number; owner: string; until: number; now: number }): Promise<boolean>;

  releaseLease(l: { id: number; owner: string }): Promise<void>;

  /** Campaigns a runner should run now: running ones with no live lease, scheduled ones due. */
  dueCampaigns(q: {
    now: number;
    limit: number;
  }): Promise<{ id: number; userId: number; state: CampaignState }[]>;

  /** Completed campaigns that repeat and have no next occurrence yet (nor have run all their times). */
  repeatsDue(q: { limit: number }): Promise<CampaignRow[]>;

  /**
   * Creates the next occurrence of a completed repeated campaign, scheduled at `scheduleAt`,
   * and links it (`nextId`): at most once (undefined when it already has one), in one transaction.
   */
  createNext(n: { id: number; scheduleAt: number; now: number }): Promise<CampaignRow | undefined>;

  /** Live counts: recipients joined with the gateway's messages, replies and opt-outs after the start. */
  stats(q: { userId: number; id: number }): Promise<CampaignStats | undefined>;

  /** Recipients with their message's state, by id after `after`. */
  recipientStatuses(q: {
    userId: number;
    id: number;
    after: number;
    limit: number;
  }): Promise<RecipientStatus[]>;
}

/** The gateway's message states as a campaign counts them. */
const FAILED = new Set(['undelivered', 'rejected', 'failed']);

/** Counts from (recipient state, reason, message state) groups; shared with PostgreSQL. */
export function statsOf(
  rows: {
    state: RecipientState;
    reason: string | null;
    mstate: string | null;
    n: number;
    cost: number;
    parts: number;
  }[],
  duplicates: number,
  replies: number,
  optOuts: number,
): CampaignStats {
  const s: CampaignStats = {
    recipients: 0,
    skipped: duplicates > 0 ? { duplicate: duplicates } : {},
    refused: {},
    pending: 0,
    queued: 0,
    sent: 0,
    delivered: 0,
    failed: 0,
    expired: 0,
    costMicros: 0,
    parts: 0,
    replies,
    optOuts,
  };
  for (const r of rows) {
    const n = Number(r.n);
    s.recipients += n;
    switch (r.state) {
      case 'skipped':
        s.skipped[r.reason ?? 'unknown'] = (s.skipped[r.reason ?? 'unknown'] ?? 0) + n;
        break;
      case 'refused':
        s.refused[r.reason ?? 'unknown'] = (s.refused[r.reason ?? 'unknown'] ?? 0) + n;
        break;
      case 'new':
      case 'pending':
        s.pending += n;
        break;
      case 'submitted':
        s.costMicros += Number(r.cost);
        s.parts += Number(r.parts);
        if (r.mstate === 'delivered') s.delivered += n;
        else if (r.mstate === 'sent') s.sent += n;
        else if (r.mstate === 'expired') s.expired += n;
        else if (r.mstate !== null && FAILED.has(r.mstate)) s.failed += n;
        else s.queued += n;
    }
  }
  return s;
}
