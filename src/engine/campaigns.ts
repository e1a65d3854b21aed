/**
 * Campaigns: one text (or a template) from a sender to an audience of contacts, groups and
 * listed numbers, now or at a time in a time zone, paced and kept out of quiet hours. States:
 * draft → scheduled → running ⇄ paused → completed | canceled. Starting one resolves its
 * audience in the database, renders and prices every recipient once (giving each its message
 * id), refuses with 402 when the estimate exceeds the balance (unless the customer chose to
 * send what it covers), then hands it to a runner (campaign-runner.ts). The engine's timer
 * starts scheduled campaigns when due and picks up running ones whose runner is gone (a
 * restart, another node's death).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { countryOf, newMessageId, type User } from '../domain/index.js';
import {
  encodeContent,
  RejectedError,
  UnencodableCharacterError,
  type EncodedContent,
  type Gateway,
  type RouteDef,
} from '../gateway/index.js';
import { systemClock, type Clock, type Timer } from '../lib/clock.js';
import type {
  CampaignEstimate,
  CampaignRow,
  CampaignState,
  CampaignStats,
  CampaignStore,
  ContactStore,
  PreparedRecipient,
  RecipientStatus,
  SampleMessage,
  TemplateStore,
} from '../store/engine-store/index.js';
import { CampaignRunner, reasonOf, type RunEnd } from './campaign-runner.js';
import { addLocalDays } from './campaign-time.js';
import {
  audienceNumbers,
  CAMPAIGN_LIMITS,
  checkSender,
  checkTiming,
  type CampaignInput,
} from './campaign-input.js';
import { previewAudience, type AudienceAnswer, type AudienceQuestion } from './campaign-audience.js';
import { EngineError, invalid, notFound } from './errors.js';
import { checked, render } from './templates.js';

export type { CampaignRow as Campaign, CampaignStats, CampaignState, RecipientStatus, CampaignEstimate };
export type { CampaignInput };

export interface CampaignServiceOptions {
  store: CampaignStore;
  templates: TemplateStore;
  /** Only to check that an audience's groups are the account's. */
  contacts: ContactStore;
  gateway: Gateway;
  clock?: Clock;
  /** How often due and orphaned campaigns are looked for (ms). */
  tickMs?: number;
  leaseMs?: number;
  batch?: number;
  /** Statistics are reused this long (ms): they join every recipient with its message. */
  statsCacheMs?: number;
  /**
   * The runners' lease owner (default host:pid:random). In a cluster it starts with the node's
   * id (store campaignOwner), so that a dead node's leases are freed at once by its reaper.
   */
  owner?: string;
  /**
   * Whether this node scans for due and orphaned campaigns now (the cluster's leader; read at
   * every tick, default always). Runners a customer's start launches run where it came in.
   */
  scans?: () => boolean;
}

export class CampaignService {
  private readonly clock: Clock;
  private readonly owner: string;
  private readonly runners = new Map<number, { runner: CampaignRunner; done: Promise<RunEnd> }>();
  /** Campaigns being started here (resolution and pricing), so a second start waits its turn. */
  private readonly launching = new Set<number>();
  private readonly statsCache = new Map<number, { at: number; stats: CampaignStats }>();
  private timer: Timer | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly o: CampaignServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.owner = o.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  // --- customer operations -------------------------------------------------------------

  async create(user: User, input: CampaignInput): Promise<CampaignRow> {
    if (!input.name.trim()) throw invalid('name', 'must not be empty');
    if ((input.text === undefined) === (input.templateId === undefined))
      throw invalid('text', 'give either text or template_id');
    if (input.text !== undefined) checked(input.text);
    if (
      input.templateId !== undefined &&
      !(await this.o.templates.getTemplate({ userId: user.id, id: input.templateId }))
    )
      throw invalid('templateId', `no template ${input.templateId}`);
    checkSender(input.from);
    const numbers = audienceNumbers(input.audience.numbers ?? []);
    const a = input.audience;
    const audience = {
      groups: a.groups ?? [],
      contacts: a.contacts ?? [],
      excludeGroups: a.excludeGroups ?? [],
      numbers,
    };
    if (audience.groups.length + audience.contacts.length + numbers.length === 0)
      throw invalid('audience', 'give groups, contacts or numbers');
    // Groups are few and named by the customer: an unknown one is a mistake worth a 400.
    // Contact ids are many: one that is not the account's simply selects nobody.
    for (const [field, list] of [
      ['audience.groups', audience.groups],
      ['audience.excludeGroups', audience.excludeGroups],
    ] as const) {
      if (list.length > CAMPAIGN_LIMITS.groups)
        throw invalid(field, `at most ${CAMPAIGN_LIMITS.groups} groups`);
      for (const [i, id] of list.entries())
        if (!(await this.o.contacts.getGroup({ userId: user.id, id })))
          throw invalid(`${field}[${i}]`, `no contact group ${id}`);
    }
    const scheduleAt = checkTiming(input, this.clock.now());
    return this.o.store.createCampaign({
      userId: user.id,
      name: input.name.trim(),
      sender: input.from,
      text: input.text ?? null,
      templateId: input.templateId ?? null,
      audience,
      scheduleAt,
      timeZone: input.timeZone ?? null,
      quietHours: input.quietHours ?? null,
      ratePerSecond: input.ratePerSecond ?? null,
      tags: input.tags ?? [],
      sendWhatBalanceCovers: input.sendWhatBalanceCovers ?? false,
      repeat: input.repeat ? { every: input.repeat.every, times: input.repeat.times ?? null } : null,
    });
  }

  /** An audience counted and its first recipients previewed, before any campaign exists. */
  previewAudience(user: User, q: AudienceQuestion): Promise<AudienceAnswer> {
    return previewAudience(this.o, user, q);
  }

  /** Deletes a draft (what an estimate resolved with it); 409 once it was started. */
  async deleteDraft(userId: number, id: number): Promise<void> {
    if (this.launching.has(id))
      throw new EngineError(409, 'HERMOD_ERR_CAMPAIGN_STATE', `campaign ${id} is being estimated or started`);
    if (await this.o.store.deleteDraft({ userId, id })) return;
    throw conflict(await this.require(userId, id), 'delete', 'only a draft is deleted (cancel it instead)');
  }

  get(userId: number, id: number): Promise<CampaignRow | undefined> {
    return this.o.store.getCampaign({ userId, id });
  }

  async require(userId: number, id: number): Promise<CampaignRow> {
    const c = await this.get(userId, id);
    if (!c) throw notFound(`campaign ${id}`);
    return c;
  }

  list(userId: number, q: { before?: number; limit: number; state?: CampaignState }): Promise<CampaignRow[]> {
    return this.o.store.listCampaigns({ userId, ...q });
  }

  /**
   * Starts a draft: scheduled when its time is ahead, else resolved, priced and running.
   * 402 HERMOD_ERR_CAMPAIGN_BALANCE when the estimate exceeds the balance (the campaign
   * stays a draft), unless it sends what the balance covers.
   */
  async start(user: User, id: number): Promise<CampaignRow> {
    const c = await this.require(user.id, id);
    if (c.state !== 'draft') throw conflict(c, 'start', 'only a draft starts (resume a paused one)');
    if (c.scheduleAt !== null && c.scheduleAt > this.clock.now()) {
      const s = await this.o.store.transition({
        userId: user.id,
        id,
        from: ['draft'],
        to: 'scheduled',
        now: this.clock.now(),
      });
      if (!s) throw conflict(await this.require(user.id, id), 'start', 'it changed meanwhile');
      return s;
    }
    return this.launch(user, c, 'draft');
  }

  /** Resolves and prices the audience without starting (the campaign stays as it is). */
  async estimate(user: User, id: number): Promise<CampaignEstimate> {
    const c = await this.require(user.id, id);
    if (c.state !== 'draft' && c.state !== 'scheduled')
      throw conflict(c, 'estimate', 'the audience is fixed once the campaign started');
    return this.withLaunch(id, async () => (await this.prepare(user, c)).estimate);
  }

  async pause(userId: number, id: number): Promise<CampaignRow> {
    const c = await this.o.store.transition({
      userId,
      id,
      from: ['running', 'scheduled'],
      to: 'paused',
      reason: 'paused by the customer',
      now: this.clock.now(),
    });
    if (!c)
      throw conflict(await this.require(userId, id), 'pause', 'only a running or scheduled campaign pauses');
    await this.stopRunner(id);
    return c;
  }

  async resume(user: User, id: number): Promise<CampaignRow> {
    const c = await this.require(user.id, id);
    if (c.state !== 'paused') throw conflict(c, 'resume', 'only a paused campaign resumes');
    // Paused before it started: back to its schedule (or started now when that has passed).
    const to: CampaignState = c.startedAt === null ? 'scheduled' : 'running';
    const next = await this.o.store.transition({
      userId: user.id,
      id,
      from: ['paused'],
      to,
      now: this.clock.now(),
    });
    if (!next) throw conflict(await this.require(user.id, id), 'resume', 'it changed meanwhile');
    if (to === 'running') this.run(next);
    else void this.tick();
    return next;
  }

  async cancel(userId: number, id: number): Promise<CampaignRow> {
    const c = await this.o.store.transition({
      userId,
      id,
      from: ['draft', 'scheduled', 'running', 'paused'],
      to: 'canceled',
      reason: 'canceled by the customer',
      now: this.clock.now(),
    });
    if (!c) throw conflict(await this.require(userId, id), 'cancel', 'it has ended');
    await this.stopRunner(id);
    await this.o.store.skipPending(id, 'canceled', this.clock.now());
    return c;
  }

  async stats(userId: number, id: number): Promise<CampaignStats> {
    const hit = this.statsCache.get(id);
    const now = this.clock.now();
    if (hit && now - hit.at < (this.o.statsCacheMs ?? 1_000)) {
      // The cache is keyed by campaign; the account check is the store's, done on a miss.
      await this.require(userId, id);
      return hit.stats;
    }
    const stats = await this.o.store.stats({ userId, id });
    if (!stats) throw notFound(`campaign ${id}`);
    if (this.statsCache.size > 1_000) this.statsCache.clear();
    this.statsCache.set(id, { at: now, stats });
    return stats;
  }

  async recipients(userId: number, id: number, after: number, limit: number): Promise<RecipientStatus[]> {
    await this.require(userId, id);
    return this.o.store.recipientStatuses({ userId, id, after, limit });
  }

  // --- background work ------------------------------------------------------------------

  /** Starts the timer; runs at once for running campaigns left by a previous process. */
  async startBackground(): Promise<void> {
    if (this.timer) return;
    this.timer = this.clock.setInterval(() => void this.tick(), this.o.tickMs ?? 5_000);
    await this.tick();
  }

  async stopBackground(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.ticking;
    const running = [...this.runners.values()];
    for (const r of running) r.runner.stop();
    await Promise.all(running.map((r) => r.done.catch(() => undefined)));
  }

  /** Starts scheduled campaigns that are due and runners for running ones that have none. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    // Once per cluster: the leader scans (a dead node's campaigns were freed by its reaper).
    if (!(this.o.scans?.() ?? true)) return Promise.resolve();
    this.ticking = (async () => {
      try {
        const due = await this.o.store.dueCampaigns({ now: this.clock.now(), limit: 50 });
        for (const d of due) {
          if (this.runners.has(d.id) || this.launching.has(d.id)) continue;
          const c = await this.o.store.getCampaign({ userId: d.userId, id: d.id });
          if (!c) continue;
          if (c.state === 'running') this.run(c);
          else if (c.state === 'scheduled') await this.launchScheduled(c);
        }
        // Repeated campaigns that completed get their next occurrence (a canceled one ends
        // the series). Found by a query, not on completion: a crash in between loses none.
        for (const c of await this.o.store.repeatsDue({ limit: 50 }))
          await this.o.store.createNext({
            id: c.id,
            scheduleAt: this.nextOccurrence(c),
            now: this.clock.now(),
          });
      } catch {
        // The next tick tries again (a store hiccup must not stop the timer).
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  /** How this process's runner of the campaign ends (undefined when it has none). */
  async settled(id: number): Promise<RunEnd | undefined> {
    return this.runners.get(id)?.done;
  }

  private async launchScheduled(c: CampaignRow): Promise<void> {
    const byId = await this.o.gateway.services.accounts.byId(c.userId);
    if (!byId) return;
    try {
      await this.launch(byId, c, 'scheduled');
    } catch (err) {
      // Another node (or this one) is starting it: theirs to finish.
      if (err instanceof EngineError && err.code === 'HERMOD_ERR_CAMPAIGN_STATE') return;
      // Nobody to answer at a scheduled start: the refusal is the campaign's paused reason.
      if (err instanceof EngineError)
        await this.o.store.transition({
          userId: c.userId,
          id: c.id,
          from: ['scheduled'],
          to: 'paused',
          reason: err.message,
          now: this.clock.now(),
        });
      else throw err;
    }
  }

  private async launch(user: User, c: CampaignRow, from: CampaignState): Promise<CampaignRow> {
    return this.withLaunch(c.id, async () => {
      const now = this.clock.now();
      if (!(await this.o.store.claimLease({ id: c.id, owner: this.owner, until: now + this.leaseMs(), now })))
        throw conflict(c, 'start', 'another node is starting it');
      try {
        const { text, estimate } = await this.prepare(user, c);
        const balance = await this.o.gateway.services.accounts.balance(user.id);
        if (estimate.costMicros > balance && !c.sendWhatBalanceCovers)
          throw new EngineError(
            402,
            'HERMOD_ERR_CAMPAIGN_BALANCE',
            `the campaign is estimated at ${micros(estimate.costMicros)} for ${estimate.recipients} recipients, the balance is ${micros(balance)}: top up, narrow the audience, or set sendWhatBalanceCovers`,
          );
        const started = await this.o.store.transition({
          userId: user.id,
          id: c.id,
          from: [from],
          to: 'running',
          text,
          estimate,
          now: this.clock.now(),
        });
        if (!started) throw conflict(await this.require(user.id, c.id), 'start', 'it changed meanwhile');
        // The lease stays ours: this process's runner renews it (releasing it here would leave
        // the running campaign free for another node while our runner works it).
        this.run(started);
        return started;
      } catch (err) {
        await this.o.store.releaseLease({ id: c.id, owner: this.owner });
        throw err;
      }
    });
  }

  private async withLaunch<T>(id: number, fn: () => Promise<T>): Promise<T> {
    if (this.launching.has(id))
      throw new EngineError(409, 'HERMOD_ERR_CAMPAIGN_STATE', `campaign ${id} is being started`);
    this.launching.add(id);
    try {
      return await fn();
    } finally {
      this.launching.delete(id);
    }
  }

  /**
   * Resolves the audience (SQL) and prepares every recipient in one pass of keyset pages:
   * rendered, priced by the gateway's quote, given its message id, or skipped with the reason
   * (a template field missing, an invalid number, no route). Only a page is in memory; the
   * estimate keeps the worst message and one of the most common parts count.
   */
  private async prepare(user: User, c: CampaignRow): Promise<{ text: string; estimate: CampaignEstimate }> {
    const { store } = this.o;
    let text = c.text;
    if (c.templateId !== null) {
      const t = await this.o.templates.getTemplate({ userId: user.id, id: c.templateId });
      if (!t) throw invalid('templateId', `template ${c.templateId} was deleted`);
      text = t.text;
    }
    const parsed = checked(text ?? '');
    await store.resolveAudience({ userId: user.id, campaignId: c.id, now: this.clock.now() });
    let worst: SampleMessage | null = null;
    const quoteKey = quoteKeyOf(this.o.gateway.routes());
    const quotes = new Map<string, { segments: number; priceMicros: number }>();
    const bySegments = new Map<number, { n: number; sample: SampleMessage }>();
    let cursor = 0;
    for (;;) {
      // Pages of 2,000: each is one read and one write (a group commit), which cost more than the rows.
      const page = await store.recipientPage({ campaignId: c.id, state: 'new', after: cursor, limit: 2_000 });
      if (page.length === 0) break;
      cursor = page[page.length - 1].id;
      const out: PreparedRecipient[] = [];
      for (const r of page) {
        const rendered = render(parsed, r);
        if (!rendered.ok) {
          out.push({ id: r.id, state: 'skipped', reason: `missing_field:${rendered.missing}` });
          continue;
        }
        try {
          const encoded = encodeContent({ text: rendered.text });
          const key = quoteKey?.(r.msisdn, encoded);
          let q = key === undefined ? undefined : quotes.get(key);
          if (!q) {
            const full = await this.o.gateway.quote({
              user,
              destination: r.msisdn,
              source: c.sender,
              text: rendered.text,
              tags: c.tags,
            });
            q = { segments: full.parts ?? 1, priceMicros: full.totalMicros ?? full.pricePerPartMicros };
            if (key !== undefined) {
              if (quotes.size >= 10_000) quotes.clear();
              quotes.set(key, q);
            }
          }
          const { segments, priceMicros } = q;
          out.push({ id: r.id, state: 'pending', messageId: newMessageId(), segments, priceMicros });
          const sample = { text: rendered.text, encoding: encoded.encoding, segments, priceMicros };
          const seen = bySegments.get(segments);
          if (seen) seen.n++;
          else bySegments.set(segments, { n: 1, sample });
          if (
            !worst ||
            segments > worst.segments ||
            (segments === worst.segments && priceMicros > worst.priceMicros)
          )
            worst = sample;
        } catch (err) {
          if (err instanceof UnencodableCharacterError) {
            out.push({ id: r.id, state: 'skipped', reason: 'unencodable' });
            continue;
          }
          if (!(err instanceof RejectedError)) throw err;
          const reason = reasonOf(err.code);
          out.push({
            id: r.id,
            state: 'skipped',
            reason: reason === 'invalid_destination' ? 'invalid_number' : reason,
          });
        }
      }
      await store.prepareRecipients(c.id, out, this.clock.now());
    }
    let typical: SampleMessage | null = null;
    let most = 0;
    for (const { n, sample } of bySegments.values())
      if (n > most) {
        most = n;
        typical = sample;
      }
    const cost = await store.pendingCost(c.id);
    return {
      text: text ?? '',
      estimate: {
        recipients: cost.recipients,
        parts: cost.parts,
        costMicros: cost.costMicros,
        worst,
        typical,
      },
    };
  }

  private run(c: CampaignRow): void {
    if (this.runners.has(c.id)) return;
    const runner = new CampaignRunner(
      {
        store: this.o.store,
        gateway: this.o.gateway,
        clock: this.clock,
        owner: this.owner,
        leaseMs: this.leaseMs(),
        batch: this.o.batch ?? 500,
      },
      c,
    );
    const done = runner
      .run()
      .catch((): RunEnd => 'stopped')
      .finally(() => {
        this.runners.delete(c.id);
        this.statsCache.delete(c.id);
      });
    this.runners.set(c.id, { runner, done });
  }

  private async stopRunner(id: number): Promise<void> {
    const r = this.runners.get(id);
    if (!r) return;
    r.runner.stop();
    await r.done;
  }

  /** The next time of a repeated campaign: its local time one step on, past any missed ones. */
  private nextOccurrence(c: CampaignRow): number {
    const step = c.repeat!.every === 'week' ? 7 : 1;
    const zone = c.timeZone ?? 'UTC';
    let at = addLocalDays(c.scheduleAt ?? c.startedAt ?? this.clock.now(), step, zone);
    while (at <= this.clock.now()) at = addLocalDays(at, step, zone);
    return at;
  }

  private leaseMs(): number {
    return this.o.leaseMs ?? 30_000;
  }
}

/**
 * What a quote depends on for one campaign (same account, sender, tags and moment): the
 * destination as far as the routes look at it (the longest prefix any route or cost table
 * names, and the country when a route filters by country) and the body's coding and length
 * (its parts). A quote costs ~0.1 ms (number parsing, route matching): at 100,000 recipients
 * that is 10 s, so recipients sharing a key share one quote. Routes that filter on a regular
 * expression of the destination or on the content are not keyed: every recipient is quoted.
 * Numbers that are not E.164 digits are quoted (and refused) one by one.
 */
function quoteKeyOf(
  routes: readonly RouteDef[],
): ((msisdn: string, body: EncodedContent) => string | undefined) | undefined {
  if (routes.some((r) => r.destinationRegex !== undefined || r.contentRegex !== undefined)) return undefined;
  let len = 0;
  for (const r of routes) {
    for (const p of r.prefixes) len = Math.max(len, p.length);
    for (const table of Object.values(r.costs ?? {}))
      for (const p of Object.keys(table)) len = Math.max(len, p.length);
  }
  const byCountry = routes.some((r) => (r.countries?.length ?? 0) > 0);
  return (msisdn, body) =>
    /^\d{8,15}$/.test(msisdn)
      ? `${msisdn.slice(0, len)}|${byCountry ? (countryOf(msisdn) ?? '') : ''}|${body.dataCoding}|${body.body.length}`
      : undefined;
}

const conflict = (c: CampaignRow, action: string, why: string): EngineError =>
  new EngineError(
    409,
    'HERMOD_ERR_CAMPAIGN_STATE',
    `cannot ${action} campaign ${c.id}: it is ${c.state}; ${why}`,
  );

const micros = (m: number): string => (m / 1_000_000).toFixed(2);
