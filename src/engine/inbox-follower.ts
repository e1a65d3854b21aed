/**
 * The inbox's follower: reads the core's new MOs in order (a cursor in the engine's own
 * table), opens or advances their conversations and runs the keyword services they trigger.
 * Durable and idempotent: an MO's effects (its conversation's unread count, the service's
 * hit, vote and pending reply) are written in the transaction that moves the cursor past it,
 * so a crash neither runs a service twice nor skips one; the reply is accepted under an id
 * chosen before that transaction (`SubmitDraft.messageId`), so sending it again after a
 * crash charges and sends nothing twice. The effects outside that transaction are the
 * subscription's contact-group change (a set change: doing it again changes nothing) and the
 * forward service's HTTP call (at least once: the receiver gets the MO's id to drop a repeat).
 *
 * It wakes on the gateway's `mo` event and polls as a backstop (an MO stored by another node,
 * a wake-up lost to a crash). One node follows at a time: a lease in the cursor's row, checked
 * by every write (a node whose lease moved on writes nothing).
 */
import { randomUUID } from 'node:crypto';
import { newMessageId, type OptOutRules } from '../domain/index.js';
import { draftOf, RejectedError, textOf, type Gateway } from '../gateway/index.js';
import {
  INBOX_FOLLOWER,
  LeaseLostError,
  type FollowedMo,
  type InboxStore,
  type KeywordHit,
  type KeywordService,
  type KeywordStore,
  type PendingReply,
} from '../store/engine-store/index.js';
import { maskNumber } from '../lib/redact.js';
import type { ContactService } from './contacts.js';
import { matchKeyword, renderReply, type KeywordMatch } from './keyword-match.js';
import type { KeywordForwarder } from './keyword-forward.js';
import { KEYWORD_LIMITS } from './keywords.js';

/** The little of a logger the follower needs (pino's). */
export interface FollowerLog {
  warn(obj: object, msg: string): void;
}

export interface InboxFollowerOptions {
  inbox: InboxStore;
  keywords: KeywordStore;
  gateway: Gateway;
  contacts: ContactService;
  forwarder: KeywordForwarder;
  /** The gateway's opt-out keywords: an MO that is one never triggers a service. */
  optOut: OptOutRules;
  /** This node's name on the lease (default a random id). */
  holder?: string;
  /**
   * How long a lease lasts without renewal (default 15 s): how long the MOs wait after the
   * node that followed them died. Holders are per process (never reused by a restart), so two
   * processes can never both pass the lease check.
   */
  leaseMs?: number;
  /** The backstop poll (default 2 s). */
  pollMs?: number;
  /**
   * How long a gap in the MO sequence is waited for before it is taken as a transaction that
   * rolled back (default 10 s). PostgreSQL hands out sequence numbers before commit: a
   * higher number may commit first.
   */
  gapGraceMs?: number;
  /** MOs read per statement (default 200). */
  batch?: number;
  now?: () => number;
  log?: FollowerLog;
}

export class InboxFollower {
  private readonly holder: string;
  private readonly leaseMs: number;
  private readonly gapGraceMs: number;
  private readonly batch: number;
  private readonly now: () => number;
  /** When a missing position was first seen (by its number). */
  private readonly gaps = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private gapTimer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** When this node last took or renewed the lease, and the cursor it holds. */
  private leasedAt = 0;
  private position: number | undefined;
  private again = false;
  private stopped = true;
  private readonly onMo = () => this.wake();

  constructor(private readonly o: InboxFollowerOptions) {
    this.holder = o.holder ?? `node-${randomUUID()}`;
    this.leaseMs = o.leaseMs ?? 15_000;
    this.gapGraceMs = o.gapGraceMs ?? 10_000;
    this.batch = o.batch ?? 200;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.o.gateway.on('mo', this.onMo);
    this.timer = setInterval(() => this.wake(), this.o.pollMs ?? 2000);
    this.timer.unref();
    this.wake();
  }

  /** Stops following (the run in progress finishes) and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.gateway.off('mo', this.onMo);
    clearInterval(this.timer);
    clearTimeout(this.gapTimer);
    await this.running?.catch(() => undefined);
    await this.o.inbox
      .releaseFollower({ follower: INBOX_FOLLOWER, holder: this.holder })
      .catch(() => undefined);
  }

  /** Runs now, or once more after the run in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.runOnce()
      .catch((err: unknown) => {
        if (!(err instanceof LeaseLostError))
          this.o.log?.warn({ err }, 'inbox follower failed; retrying at the next poll');
      })
      .finally(() => {
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /**
   * Takes in every MO stored so far (unless another node holds the lease); answers how many.
   * One run at a time per follower: a call during a run waits for it. Tests call it directly.
   */
  async runOnce(): Promise<number> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.follow().catch((err: unknown) => {
      // Read the cursor from the store again: what this node thinks may be behind it.
      this.position = undefined;
      throw err;
    });
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }

  private async follow(): Promise<number> {
    let position = this.freshPosition();
    if (position === undefined) {
      const claim = await this.claim();
      if (!claim) return 0;
      position = claim.position;
      await this.sendPending();
    }
    let taken = 0;
    for (;;) {
      const mos = await this.o.inbox.nextMos({ after: position, limit: this.batch });
      if (mos.length === 0) break;
      const { upTo, count, blocked } = await this.take(mos, position);
      taken += count;
      position = this.position = upTo;
      if (blocked || mos.length < this.batch) break;
      // A long backlog: renew the lease between batches.
      if (this.freshPosition() === undefined && !(await this.claim())) break;
    }
    return taken;
  }

  /**
   * The cursor as this node last wrote it, while its lease is fresh (a third of it gone at
   * most): an idle poll then costs a read, not a write. Every write still checks the lease.
   */
  private freshPosition(): number | undefined {
    return this.now() - this.leasedAt < this.leaseMs / 3 ? this.position : undefined;
  }

  private async claim(): Promise<{ position: number } | undefined> {
    const now = this.now();
    const claim = await this.o.inbox.claimFollower({
      follower: INBOX_FOLLOWER,
      holder: this.holder,
      leaseMs: this.leaseMs,
      now,
    });
    if (claim) this.leasedAt = now;
    this.position = claim?.position;
    return claim;
  }

  /**
   * Renews the lease when a third of it has gone, before a service runs: services with slow
   * forward URLs could otherwise outlast it, and another node would run them again.
   */
  private async keepLease(): Promise<void> {
    if (this.now() - this.leasedAt < this.leaseMs / 3) return;
    if (!(await this.claim())) throw new LeaseLostError(INBOX_FOLLOWER);
  }

  /**
   * One batch in order: runs of MOs that trigger nothing are written together; an MO that
   * triggers a service is written alone, with its hit. Stops at a gap that is still young.
   */
  private async take(
    mos: FollowedMo[],
    from: number,
  ): Promise<{ upTo: number; count: number; blocked: boolean }> {
    let upTo = from;
    let plain: FollowedMo[] = [];
    let count = 0;
    let blocked = false;
    const services = new Map<string, Promise<KeywordService[]>>();
    const flush = async () => {
      if (plain.length === 0) return;
      await this.o.inbox.applyMos({
        follower: INBOX_FOLLOWER,
        holder: this.holder,
        mos: plain,
        position: upTo,
      });
      count += plain.length;
      plain = [];
    };
    for (const m of mos) {
      if (m.seq !== upTo + 1 && !this.gapSettled(upTo + 1)) {
        blocked = true;
        break;
      }
      this.gaps.delete(upTo + 1);
      const match = await this.matchOf(m, services);
      if (!match) {
        plain.push(m);
        upTo = m.seq;
        continue;
      }
      await flush();
      await this.keepLease();
      const hit = await this.run(m, match).catch((err: unknown) => this.refused(m, match, err));
      const { hitRecorded } = await this.o.inbox.applyMos({
        follower: INBOX_FOLLOWER,
        holder: this.holder,
        mos: [m],
        position: m.seq,
        hit,
      });
      upTo = m.seq;
      count++;
      if (hitRecorded && hit.reply)
        await this.send({
          moId: m.id,
          userId: hit.userId,
          username: m.routedTo!,
          ...hit.reply,
          createdAt: hit.at,
        });
    }
    await flush();
    return { upTo, count, blocked };
  }

  /** Whether the gap starting at `missing` has waited long enough; arms a wake-up when not. */
  private gapSettled(missing: number): boolean {
    const now = this.now();
    const first = this.gaps.get(missing);
    if (first === undefined) this.gaps.set(missing, now);
    if (first !== undefined && now - first >= this.gapGraceMs) return true;
    if (!this.gapTimer && !this.stopped) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.wake();
      }, this.gapGraceMs);
      this.gapTimer.unref();
    }
    return false;
  }

  /** The service an MO triggers: only MOs routed to an account, never an opt-out keyword. */
  private async matchOf(
    m: FollowedMo,
    cache: Map<string, Promise<KeywordService[]>>,
  ): Promise<KeywordMatch | undefined> {
    if (m.userId === null) return undefined;
    const text = textOf(m.body, m.dataCoding);
    if (text === undefined) return undefined;
    // STOP/START/HELP: the gateway answered them already (mo.ts), before any service.
    if (this.o.optOut.match(m.destination, text) !== undefined) return undefined;
    const key = `${m.userId}|${m.destination}`;
    let services = cache.get(key);
    if (!services) {
      services = this.o.keywords.servicesFor({ userId: m.userId, number: m.destination });
      cache.set(key, services);
    }
    // A service answers MOs received since it exists: a backlog (the first start over an old
    // MO table, a node that was down) never feeds it messages written before it.
    return matchKeyword(
      text,
      (await services).filter((s) => s.createdAt <= m.receivedAt),
    );
  }

  /** What the service does with the MO (effects outside the database first), as its hit. */
  private async run(m: FollowedMo, match: KeywordMatch): Promise<KeywordHit> {
    const { service: s, action, args } = match;
    const userId = m.userId!;
    const at = this.now();
    const contact = await this.o.contacts.byNumber(userId, `+${m.source}`).catch(() => undefined);
    const values: Record<string, string | null> = {
      first_name: contact?.firstName ?? null,
      last_name: contact?.lastName ?? null,
      number: `+${m.source}`,
      keyword: s.keyword,
    };
    const hit = (
      a: KeywordHit['action'],
      text: string | null | undefined,
      extra: Partial<KeywordHit> = {},
      literal = false,
    ) => {
      const filled = text ? (literal ? text : renderReply(text, values)) : '';
      const rendered = filled.trim();
      return {
        moId: m.id,
        serviceId: s.id,
        userId,
        msisdn: m.source,
        action: a,
        at,
        ...extra,
        ...(rendered !== ''
          ? {
              reply: {
                messageId: newMessageId(),
                source: m.destination,
                destination: m.source,
                text: rendered,
              },
            }
          : {}),
      } satisfies KeywordHit;
    };
    switch (s.kind) {
      case 'reply':
        return hit('reply', s.settings.reply);
      case 'subscribe': {
        const groupId = s.settings.groupId!;
        const group = (await this.o.contacts.groups(userId)).find((g) => g.id === groupId);
        if (!group) {
          this.o.log?.warn({ service: s.id, groupId }, 'keyword subscription: its contact group is gone');
          return hit('invalid', null);
        }
        values.group = group.name;
        if (action === 'join') {
          // A set change: done again after a crash, it changes nothing.
          await this.o.contacts.save(userId, [{ msisdn: `+${m.source}` }], groupId);
          return hit('join', s.settings.reply);
        }
        if (contact) await this.o.contacts.removeFromGroup(userId, groupId, [contact.id]);
        return hit('leave', s.settings.leaveReply);
      }
      case 'poll': {
        const options = s.settings.options ?? [];
        values.options = options.join(', ');
        const answer = args[0];
        if (answer === undefined || !options.includes(answer))
          return hit('invalid', `Please reply {{keyword}} followed by one of: {{options}}.`);
        values.answer = answer;
        return hit('vote', s.settings.reply, { answer });
      }
      case 'forward': {
        const r = await this.o.forwarder.forward(s.settings.url!, {
          id: m.id,
          from: `+${m.source}`,
          to: m.destination,
          text: textOf(m.body, m.dataCoding) ?? '',
          keyword: s.keyword,
          receivedAt: new Date(m.receivedAt).toISOString(),
        });
        if (!r.ok) {
          this.o.log?.warn(
            { service: s.id, from: maskNumber(m.source), error: r.error },
            'keyword forward: no usable answer',
          );
          return hit('forward_failed', null);
        }
        if (r.reply.length > KEYWORD_LIMITS.replyChars) {
          this.o.log?.warn(
            { service: s.id, from: maskNumber(m.source), chars: r.reply.length },
            `keyword forward: the answer is longer than ${KEYWORD_LIMITS.replyChars} characters; not sent`,
          );
          return hit('forward_failed', null);
        }
        // The receiver's answer is sent as it is (no placeholders filled in it).
        return hit('forward', r.reply, {}, true);
      }
    }
  }

  /**
   * A service that cannot run on this MO for a reason that would not change on a retry (a
   * sender number the contacts refuse, a group gone): recorded as `invalid`, so the follower
   * moves on instead of stopping at it. Other errors (the store) are thrown: retried.
   */
  private refused(m: FollowedMo, match: KeywordMatch, err: unknown): KeywordHit {
    const status = (err as { httpStatus?: unknown }).httpStatus;
    if (typeof status !== 'number' || status >= 500) throw err;
    this.o.log?.warn(
      { service: match.service.id, from: maskNumber(m.source), err: (err as Error).message },
      'keyword service could not run on this MO',
    );
    return {
      moId: m.id,
      serviceId: match.service.id,
      userId: m.userId!,
      msisdn: m.source,
      action: 'invalid',
      at: this.now(),
    };
  }

  /** Replies left pending by a crash or a store error: sent again under their ids (at most once). */
  private async sendPending(): Promise<void> {
    for (const p of await this.o.keywords.pendingReplies({ limit: 100 })) await this.send(p);
  }

  /**
   * A reply through the accept door as the account (charged, routed, refused for an opted-out
   * number). A refusal settles it as failed; any other error leaves it pending for the next run.
   */
  private async send(p: PendingReply): Promise<void> {
    try {
      const user = await this.o.gateway.currentUser(p.username);
      if (!user) {
        await this.o.keywords.settleReply({
          moId: p.moId,
          state: 'failed',
          error: `no account ${p.username}`,
        });
        return;
      }
      const draft = draftOf({
        systemId: user.username,
        origin: 'rest',
        from: p.source,
        to: p.destination,
        content: { text: p.text },
        tags: ['keyword-reply'],
      });
      draft.messageId = p.messageId;
      await this.o.gateway.submitAccepted(user, draft);
      await this.o.keywords.settleReply({ moId: p.moId, state: 'sent' });
    } catch (err) {
      if (err instanceof RejectedError) {
        await this.o.keywords.settleReply({ moId: p.moId, state: 'failed', error: err.message });
        this.o.log?.warn(
          { moId: p.moId, to: maskNumber(p.destination), code: err.code },
          'keyword reply refused by the gateway',
        );
        return;
      }
      this.o.log?.warn({ err, moId: p.moId }, 'keyword reply not sent; retrying at the next run');
    }
  }
}
