/**
 * The campaign runner: sends a running campaign's pending recipients through the gateway's
 * one door (`submitAccepted`), each with the message id its row was given when the audience
 * was prepared, so a recipient whose submit committed but whose row was not yet marked (a
 * kill -9 between the two) is answered `duplicate` on the next run and marked then: no
 * duplicate, no gap. It pages by keyset (`id > cursor`), checks the campaign's state and
 * renews its lease between batches (pause and cancel take effect there), paces to the
 * campaign's rate cap, defers recipients inside quiet hours, and records refusals per
 * recipient. Out of balance it pauses the campaign with the reason (or, when the customer
 * asked to send what the balance covers, skips the rest and completes).
 */
import type { Clock } from '../lib/clock.js';
import type { User } from '../domain/index.js';
import { draftOf, RejectedError, type Accepted, type Gateway } from '../gateway/index.js';
import type {
  CampaignRow,
  CampaignStore,
  RecipientOutcome,
  RecipientRow,
} from '../store/engine-store/index.js';
import { parseTemplate, render, type ParsedTemplate } from './templates.js';
import { quietUntil, zoneOfNumber } from './campaign-time.js';

export interface RunnerOptions {
  store: CampaignStore;
  gateway: Gateway;
  clock: Clock;
  /** This process's name on leases. */
  owner: string;
  /** A lease lasts this long unless renewed (renewed between pages once half of it is gone). */
  leaseMs: number;
  /** Recipients read per page. */
  batch: number;
}

/** How a run ended: the campaign's state, or why this runner let go of it. */
export type RunEnd = 'completed' | 'paused' | 'canceled' | 'stopped' | 'lost_lease' | 'gone';

/** A refusal the campaign waits out instead of recording (the account's own throughput cap). */
const RETRY_LATER = new Set(['HERMOD_ERR_THROTTLED']);
const NO_BALANCE = new Set(['HERMOD_ERR_NO_BALANCE', 'HERMOD_ERR_SMS_QUOTA']);

/** A refusal's code as the reason stored per recipient: HERMOD_ERR_OPTED_OUT → opted_out. */
export const reasonOf = (code: string): string => code.replace(/^HERMOD_ERR_/, '').toLowerCase();

/** A run's cursors: the page it reads from, the pacing since `since`, the lease's end. */
interface RunLoop {
  cursor: number;
  paced: number;
  since: number;
  leaseUntil: number;
}

type SubmitResult = { accepted: Accepted } | { code: string; message: string };

/** A chunk's results as outcomes to record, with a refusal for want of balance or a throttle. */
function outcomesOf(
  part: RecipientRow[],
  results: SubmitResult[],
): { outcomes: RecipientOutcome[]; noBalance: string | undefined; retry: boolean } {
  const outcomes: RecipientOutcome[] = [];
  let noBalance: string | undefined;
  let retry = false;
  results.forEach((res, k) => {
    const r = part[k];
    if ('accepted' in res)
      outcomes.push({
        id: r.id,
        state: 'submitted',
        // A duplicate was charged by the submit that wrote it: the prepared price.
        priceMicros: res.accepted.duplicate ? (r.priceMicros ?? 0) : res.accepted.priceMicros,
      });
    else if (NO_BALANCE.has(res.code)) noBalance = res.message;
    else if (RETRY_LATER.has(res.code)) retry = true;
    else outcomes.push({ id: r.id, state: 'refused', reason: reasonOf(res.code) });
  });
  return { outcomes, noBalance, retry };
}

export class CampaignRunner {
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly parsed: ParsedTemplate;
  /** The last outcomes' write, awaited before the next one and before any state change. */
  private recording: Promise<void> = Promise.resolve();

  constructor(
    private readonly o: RunnerOptions,
    private campaign: CampaignRow,
  ) {
    this.parsed = parseTemplate(campaign.text ?? '');
  }

  get id(): number {
    return this.campaign.id;
  }

  /** Ends the run at the next check (between chunks); what is pending stays pending. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async run(): Promise<RunEnd> {
    const { store, clock } = this.o;
    try {
      const loop: RunLoop = { cursor: 0, paced: 0, since: clock.now(), leaseUntil: 0 };
      for (;;) {
        if (this.stopped) return 'stopped';
        const now = clock.now();
        if (!(await this.renewLease(loop, now))) return 'lost_lease';
        const end = await this.refresh();
        if (end !== undefined) return end;
        const c = this.campaign;
        const user = await this.user();
        if (!user) return this.pause('the account is gone');
        const page = await store.recipientPage({
          campaignId: c.id,
          state: 'pending',
          after: loop.cursor,
          limit: this.o.batch,
          dueBy: now,
        });
        if (page.length === 0) {
          if (await this.completeOrWait(c, now)) return 'completed';
          loop.cursor = 0;
          continue;
        }
        loop.cursor = page[page.length - 1].id;
        const sent = await this.sendPage(user, c, page, now, loop);
        if (sent !== undefined) return sent;
        // The next page is read while this one's outcomes are written: it starts past them.
      }
    } finally {
      await this.recording.catch(() => undefined);
      await store.releaseLease({ id: this.id, owner: this.o.owner }).catch(() => undefined);
    }
  }

  /** Renews the lease when half of it is gone (a write per renewal, not per page); false when lost. */
  private async renewLease(loop: RunLoop, now: number): Promise<boolean> {
    if (now < loop.leaseUntil - this.o.leaseMs / 2) return true;
    const until = now + this.o.leaseMs;
    if (!(await this.o.store.claimLease({ id: this.id, owner: this.o.owner, until, now }))) return false;
    loop.leaseUntil = until;
    return true;
  }

  /** Reads the campaign again: how the run ends when it is no longer running (paused, canceled, gone). */
  private async refresh(): Promise<RunEnd | undefined> {
    const c = await this.o.store.getCampaign({ userId: this.campaign.userId, id: this.id });
    if (!c) return 'gone';
    if (c.state !== 'running') return c.state === 'paused' || c.state === 'canceled' ? c.state : 'stopped';
    this.campaign = c;
    return undefined;
  }

  /**
   * No pending recipient is due: completes the campaign (true) when none is left, else waits
   * for the first deferred one (quiet hours or a retry), at most a minute between checks.
   */
  private async completeOrWait(c: CampaignRow, now: number): Promise<boolean> {
    const { store, clock } = this.o;
    // Counted once every outcome is in (an unrecorded one would look pending).
    await this.recording;
    const left = await store.pendingLeft(c.id);
    if (left.pending === 0) {
      await store.transition({
        userId: c.userId,
        id: c.id,
        from: ['running'],
        to: 'completed',
        now: clock.now(),
      });
      return true;
    }
    await this.sleep(Math.min(60_000, Math.max(1_000, (left.nextAt ?? now) - now)));
    return false;
  }

  /**
   * Sends a page in chunks, paced to the campaign's rate; those inside quiet hours are
   * deferred. Answers how the run ends, or undefined to read the next page.
   */
  private async sendPage(
    user: User,
    c: CampaignRow,
    page: RecipientRow[],
    now: number,
    loop: RunLoop,
  ): Promise<RunEnd | undefined> {
    const { sendable, deferred } = this.split(page, now);
    if (deferred.length > 0) await this.o.store.recordOutcomes(c.id, deferred, now);
    const chunk = this.chunkSize();
    for (let i = 0; i < sendable.length; i += chunk) {
      if (this.stopped) return await this.flushed('stopped');
      const part = sendable.slice(i, i + chunk);
      const sent = await this.sendChunk(user, c, part);
      if (sent === 'retry') {
        // Throttled by the account's own throughput: what was refused stays pending; the
        // page is read again from just before it after a second.
        loop.cursor = Math.min(loop.cursor, part[0].id - 1);
        await this.sleep(1_000);
        return undefined;
      }
      if (sent !== undefined) return sent;
      loop.paced += part.length;
      await this.pace(c, loop);
    }
    return undefined;
  }

  /** Submits a chunk at once and records its outcomes; 'retry' when the account was throttled. */
  private async sendChunk(
    user: User,
    c: CampaignRow,
    part: RecipientRow[],
  ): Promise<RunEnd | 'retry' | undefined> {
    const results = await Promise.all(part.map((r) => this.submit(user, r)));
    const { outcomes, noBalance, retry } = outcomesOf(part, results);
    // Recorded while the next chunk is submitted (one write in flight at a time): a
    // crash before it commits leaves those rows pending, and the resend is a duplicate.
    await this.recording;
    this.recording = this.o.store.recordOutcomes(c.id, outcomes, this.o.clock.now());
    if (noBalance !== undefined) return this.outOfBalance(c, noBalance);
    return retry ? 'retry' : undefined;
  }

  /** Out of balance: skip the rest and complete when the customer asked for that, else pause. */
  private async outOfBalance(c: CampaignRow, message: string): Promise<RunEnd> {
    const { store, clock } = this.o;
    await this.recording;
    if (!c.sendWhatBalanceCovers) return this.pause(`insufficient balance: ${message}`);
    await store.skipPending(c.id, 'insufficient_balance', clock.now());
    await store.transition({
      userId: c.userId,
      id: c.id,
      from: ['running'],
      to: 'completed',
      reason: 'the balance ran out: the rest was skipped',
      now: clock.now(),
    });
    return 'completed';
  }

  /** Waits until the messages sent so far fit the campaign's rate cap. */
  private async pace(c: CampaignRow, loop: RunLoop): Promise<void> {
    const rate = c.ratePerSecond;
    if (rate === null) return;
    const { clock } = this.o;
    const due = loop.since + (loop.paced / rate) * 1000;
    const wait = due - clock.now();
    if (wait > 0) await this.sleep(wait);
    // A long idle (quiet hours) must not earn a burst afterwards.
    if (clock.now() - due > 1_000) {
      loop.since = clock.now();
      loop.paced = 0;
    }
  }

  /**
   * How many submits run at once: without a cap, a whole page (they share the store's group
   * commits); with one, a tenth of a second's worth (at least one).
   */
  private chunkSize(): number {
    const rate = this.campaign.ratePerSecond;
    return rate === null ? this.o.batch : Math.max(1, Math.min(this.o.batch, Math.floor(rate / 10)));
  }

  private async flushed(end: RunEnd): Promise<RunEnd> {
    await this.recording;
    return end;
  }

  /** Recipients to send now, and those inside quiet hours with the time they end. */
  private split(
    page: RecipientRow[],
    now: number,
  ): { sendable: RecipientRow[]; deferred: RecipientOutcome[] } {
    const quiet = this.campaign.quietHours;
    if (!quiet) return { sendable: page, deferred: [] };
    const sendable: RecipientRow[] = [];
    const deferred: RecipientOutcome[] = [];
    for (const r of page) {
      const until = quietUntil(now, quiet, zoneOfNumber(r.msisdn, this.campaign.timeZone));
      if (until === undefined) sendable.push(r);
      else deferred.push({ id: r.id, state: 'pending', notBefore: until });
    }
    return { sendable, deferred };
  }

  private async submit(user: User, r: RecipientRow): Promise<SubmitResult> {
    const c = this.campaign;
    const text = render(this.parsed, r);
    // Prepared recipients rendered; a template changed under a campaign is not (text is copied at start).
    if (!text.ok) return { code: 'HERMOD_ERR_TEMPLATE_FIELD_MISSING', message: text.missing };
    try {
      const draft = draftOf({
        systemId: user.username,
        origin: 'rest',
        from: c.sender,
        to: r.msisdn,
        content: { text: text.text },
        ...(c.tags.length > 0 ? { tags: c.tags } : {}),
      });
      draft.messageId = r.messageId!;
      draft.meta = { ...draft.meta, campaign: String(c.id) };
      return { accepted: await this.o.gateway.submitAccepted(user, draft) };
    } catch (err) {
      if (err instanceof RejectedError) return { code: err.code, message: err.message };
      throw err;
    }
  }

  private async user(): Promise<User | undefined> {
    const byId = await this.o.gateway.services.accounts.byId(this.campaign.userId);
    return byId && ((await this.o.gateway.currentUser(byId.username)) ?? byId);
  }

  private async pause(reason: string): Promise<RunEnd> {
    const c = this.campaign;
    await this.recording;
    await this.o.store.transition({
      userId: c.userId,
      id: c.id,
      from: ['running'],
      to: 'paused',
      reason,
      now: this.o.clock.now(),
    });
    return 'paused';
  }

  private sleep(ms: number): Promise<void> {
    // A stop that came while the runner was not asleep must not leave it asleep.
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = this.o.clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        t.cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }
}
