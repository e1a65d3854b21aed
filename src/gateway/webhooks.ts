/**
 * Outbound HTTP webhooks: the sender that delivers the durable outbox (Store.addWebhooks)
 * with retries. What is owed when a message changes state or an MO arrives is built in
 * webhook-items.ts.
 *
 * Delivery rules (docs/jasmin-http-api.md, "Delivery guarantees"): an item is retried with exponential back-off and
 * jitter until the receiver answers 2xx or the item expires; every attempt carries the
 * same event id; one message's items go out in order (the store never hands out an item
 * while an older one of the same message is pending). Jasmin wants the body `ACK/Jasmin`;
 * Hermod accepts any 2xx, so Jasmin receivers and ordinary ones both work. Redirects are
 * not followed (a 3xx drops the item), and URLs are checked again at delivery time
 * against the SSRF guard on the address actually connected to (docs/security.md).
 *
 * Every attempt is written to the webhook log (url, event id, attempt, status or error,
 * duration), pruned by count and age. A REST event whose message has a failover URL
 * (MessageMeta.callbackFailoverUrl) goes there once the primary has failed `failoverAfter`
 * attempts: the same event id and signature scheme, the same guard.
 */
import { EventEmitter } from 'node:events';
import type { KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Store, WebhookAttempt, WebhookItem } from '../store/store.js';
import { backoffDelay, type BackoffPolicy } from '../lib/backoff.js';
import { UrlGuard, redactQuery } from './url-guard.js';
import { DeliverySlots } from './webhook-slots.js';
import { sendAttempt, type AttemptSpec, type Outcome as AttemptOutcome } from './webhook-attempt.js';
import { WebhookWorkers } from './webhook-workers.js';
import { signWebhook } from './webhook-items.js';
import {
  KANNEL_REPLY_MAX_BYTES,
  kannelMoBody,
  readBounded,
  replyText,
  type KannelReplyOrder,
} from './kannel-reply.js';
import { telnyxSignature, telnyxWebhookBody } from './telnyx.js';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const silent: Logger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

export interface WebhookSenderOptions {
  guard?: UrlGuard;
  /** Signing secret of an account (REST events), else `secret`. */
  secretFor?: (owner: string) => string | undefined;
  secret?: string;
  /** Retry delays (default 1 s doubling to 10 min, 50 % jitter). */
  backoff?: BackoffPolicy;
  /**
   * Hard deadline of one attempt, from the request's start to the end of the answer
   * (default 10 s): a receiver that drips its answer a byte at a time is cut off here. An
   * item's lease is three times this, so no other node retries an attempt still running.
   */
  timeoutMs?: number;
  /** Requests in flight at once (default 100). */
  concurrency?: number;
  /**
   * Worker threads that make the HTTP attempts (webhook-workers.ts; default 0: the core
   * thread makes them). Claims, acks, retries and the log stay in the core thread.
   */
  workers?: number;
  /** Requests in flight to one host (host:port) at once (default 10). */
  perHost?: number;
  /** Requests in flight for one account's webhooks at once (default 20; REST events name their account). */
  perCustomer?: number;
  /** How often to look for due items (retries) when not woken by new ones (default 1 s). */
  pollMs?: number;
  log?: Logger;
  /**
   * The Ed25519 key Telnyx events (kind `telnyx`) are signed with (Telnyx's
   * `telnyx-signature-ed25519`); without one they go unsigned.
   */
  telnyxKey?: () => KeyObject | undefined;
  /** Attempts at the primary URL before a REST or Telnyx event goes to its failover URL (default 3). */
  failoverAfter?: number;
  /** The webhook log keeps at most this many attempts (default 100,000)... */
  logKeep?: number;
  /** ...and none older than this (default 7 days). */
  logRetentionMs?: number;
  /**
   * Sends the reply a `kannel_mo` item with `reply` was answered with (the composition root
   * wires it to the gateway: kannel-reply.ts `sendKannelReply`). Called before the item is
   * acknowledged; when it throws, the item is retried (the reply's id makes a second send a
   * duplicate). Without it, answers are not read.
   */
  kannelReply?: (order: KannelReplyOrder, text: string) => Promise<void>;
  /** Whether this node expires items and prunes the log now (the cluster's leader; default always). */
  singletons?: () => boolean;
  /** Sends an `email` item (an inbound MMS mailed, src/connectors/mms-email.ts); without it, they wait. */
  email?: (w: WebhookItem) => Promise<Outcome>;
}

export const DEFAULT_FAILOVER_AFTER = 3;
export const DEFAULT_WEBHOOK_LOG_KEEP = 100_000;
export const DEFAULT_WEBHOOK_LOG_RETENTION_MS = 7 * 86_400_000;

/** One attempt's outcome: `status` the HTTP status (or, for `email`, the SMTP reply code). */
export type Outcome = AttemptOutcome<{ order: KannelReplyOrder; text: string }>;

/** Delivers the webhook outbox. One per node; several nodes share it through the store's leases. */
export class WebhookSender extends EventEmitter {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Wakes the run loop waiting for a delivery to end (set while it waits). */
  private ended: (() => void) | undefined;
  /** Per-receiver and per-account limits, and the items waiting for them (webhook-slots.ts). */
  private readonly slots: DeliverySlots;
  private readonly guard: UrlGuard;
  private readonly log: Logger;
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  /** The delivery workers, when `workers` ≥ 1. */
  private readonly workers: WebhookWorkers | undefined;
  private lastExpiry = 0;
  private lastPrune = 0;
  /** URLs that passed the guard's form check (`parse`), by their text: see `checked`. */
  private readonly parsed = new Map<string, URL>();
  /** Webhook log entries of the current turn, written together (see `logAttempt`). */
  private logBatch: { entries: WebhookAttempt[]; written: Promise<void> } | undefined;
  readonly stats = { delivered: 0, failedAttempts: 0, dropped: 0, expired: 0, deferred: 0 };
  /** Claimed items that may wait for their host's or account's slot at once. */
  private readonly maxWaiting: number;

  constructor(
    private readonly store: Store,
    private readonly opts: WebhookSenderOptions = {},
  ) {
    super();
    this.guard = opts.guard ?? new UrlGuard();
    this.log = opts.log ?? silent;
    this.maxWaiting = (opts.concurrency ?? 100) * 10;
    this.slots = new DeliverySlots(
      {
        perHost: opts.perHost ?? 10,
        perCustomer: opts.perCustomer ?? 20,
        maxWaiting: this.maxWaiting,
        maxWaitMs: (opts.timeoutMs ?? 10_000) * 1.5,
      },
      () => this.running,
    );
    if ((opts.workers ?? 0) > 0) this.workers = new WebhookWorkers(opts.workers!, this.guard.options);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New items were committed: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.slots.drain(); // the waiters go back to the outbox
    await Promise.allSettled(this.inFlight);
    await this.workers?.close();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakeUp = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    const concurrency = this.opts.concurrency ?? 100;
    const leaseMs = (this.opts.timeoutMs ?? 10_000) * 3;
    while (this.running) {
      try {
        const sweeps = this.opts.singletons?.() ?? true;
        if (sweeps && Date.now() - this.lastExpiry > 10_000) {
          this.lastExpiry = Date.now();
          for (const w of await this.store.expireWebhooks()) {
            this.stats.expired++;
            this.log.warn(
              { event: w.eventId, message: w.messageId, url: redactQuery(w.url), attempts: w.attempts },
              'webhook expired undelivered',
            );
            this.emit('expired', w);
          }
        }
        if (sweeps && Date.now() - this.lastPrune > 60_000) {
          this.lastPrune = Date.now();
          await this.store.pruneWebhookLog({
            keep: this.opts.logKeep ?? DEFAULT_WEBHOOK_LOG_KEEP,
            olderThan: Date.now() - (this.opts.logRetentionMs ?? DEFAULT_WEBHOOK_LOG_RETENTION_MS),
          });
        }
        this.slots.expire();
        // Items waiting for their host's or account's slot do not take a slot of their own
        // (a slow receiver's backlog does not hold back the others), but no more are claimed
        // than may wait: a claim beyond that was handed back at once, due again only a second
        // later, and a burst to one receiver went out in spurts with the sender idle between
        // them (1,650 callbacks/s to one fast receiver at 10 slots, 0.3 of a core).
        const waiting = this.slots.waitingCount;
        const room = Math.min(concurrency - (this.inFlight.size - waiting), this.maxWaiting - waiting);
        // A room of a few is left to fill up as deliveries end (a claim costs a store write
        // whatever it takes), unless nothing is in flight to end.
        if (room <= 0 || (room < concurrency / 4 && this.inFlight.size > 0)) {
          // One waiter, woken by the next delivery to end (a race over every delivery in
          // flight would add a reaction to each of them, every time round).
          await new Promise<void>((resolve) => (this.ended = resolve));
          continue;
        }
        const items = await this.store.claimWebhooks(room, leaseMs);
        for (const w of items) {
          const p = this.deliver(w).finally(() => {
            this.inFlight.delete(p);
            const ended = this.ended;
            this.ended = undefined;
            ended?.();
          });
          this.inFlight.add(p);
        }
        // A full batch means more may be due; otherwise wait for a wake-up or the poll.
        if (items.length < room) await this.sleep(this.opts.pollMs ?? 1000);
      } catch (err) {
        if (!this.running) break;
        this.log.warn({ err: (err as Error).message }, 'webhook sender: store error, retrying');
        await this.sleep(1000);
      }
    }
  }

  /**
   * Where this attempt goes: the item's URL, or the message's failover URL once the
   * primary has had its `failoverAfter` attempts (REST events only: Jasmin has none).
   * Synchronous when no failover is due, which is nearly always.
   */
  private target(w: WebhookItem): WebhookItem | Promise<WebhookItem> {
    if (
      (w.kind !== 'rest' && w.kind !== 'telnyx') ||
      w.attempts <= (this.opts.failoverAfter ?? DEFAULT_FAILOVER_AFTER)
    )
      return w;
    return this.store.getMessage(w.messageId).then((m) => {
      const failover = m?.meta.callbackFailoverUrl;
      return failover ? { ...w, url: failover } : w;
    });
  }

  private async deliver(item: WebhookItem): Promise<void> {
    const next = this.target(item);
    const w = next instanceof Promise ? await next : next;
    const slot = await this.slots.acquire(w);
    if (!slot) {
      // Its host or account is at its limit and waited too long, or too many wait: back in the
      // outbox for a moment, without an HTTP request and without a line in the webhook log.
      this.stats.deferred++;
      await this.store.retryWebhook(w.id, 500 + Math.floor(Math.random() * 1000), 'deferred: receiver busy');
      return;
    }
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await this.attempt(w);
    } finally {
      slot.release();
    }
    // The log is for operators: losing an entry must not fail or repeat the delivery. It is
    // requested in the same turn as the item's outcome below, so both share one commit.
    const logged = this.logAttempt({
      eventId: w.eventId,
      messageId: w.messageId,
      url: w.url,
      attempt: w.attempts,
      status: outcome.ok ? outcome.status : (outcome.status ?? null),
      error: outcome.ok ? null : outcome.error,
      durationMs: performance.now() - started,
      at: Date.now(),
    });
    try {
      await this.settleAttempt(w, outcome);
    } finally {
      await logged;
    }
  }

  /**
   * One row of the webhook log. The attempts that end in the same turn of the event loop
   * (a burst of answers read together) go to the store as one write: the same rows, one
   * request and one promise instead of one each. Never rejects.
   */
  private logAttempt(entry: WebhookAttempt): Promise<void> {
    if (this.logBatch) {
      this.logBatch.entries.push(entry);
      return this.logBatch.written;
    }
    const entries = [entry];
    // Requested at the end of this turn's microtasks: still before the store's group
    // commit (a later macrotask), so the rows commit with the outcomes of the same turn.
    const written = new Promise<void>((resolve) =>
      queueMicrotask(() => {
        this.logBatch = undefined;
        this.store
          .logWebhookAttempts(entries)
          .catch((err: unknown) =>
            this.log.warn(
              { err: (err as Error).message, entries: entries.length },
              'webhook log: not written',
            ),
          )
          .finally(resolve);
      }),
    );
    this.logBatch = { entries, written };
    return written;
  }

  /** The item after an attempt: removed when delivered or refused, else due again after its back-off. */
  private async settleAttempt(w: WebhookItem, outcome: Outcome): Promise<void> {
    if (outcome.ok && outcome.reply && this.opts.kannelReply) {
      try {
        await this.opts.kannelReply(outcome.reply.order, outcome.reply.text);
      } catch (err) {
        outcome = { ok: false, retry: true, error: `reply not sent: ${(err as Error).message}` };
      }
    }
    if (outcome.ok) {
      this.stats.delivered++;
      await this.store.ackWebhook(w.id);
      this.emit('delivered', w, outcome.status);
      return;
    }
    if (!outcome.retry) {
      this.stats.dropped++;
      this.log.warn(
        {
          event: w.eventId,
          message: w.messageId,
          url: redactQuery(w.url),
          reason: redactQuery(outcome.error),
        },
        'webhook refused, dropped',
      );
      await this.store.dropWebhook(w.id);
      this.emit('dropped', w, outcome.error);
      return;
    }
    this.stats.failedAttempts++;
    const delay = backoffDelay(
      this.opts.backoff ?? { initialMs: 1000, maxMs: 600_000, factor: 2, jitter: 0.5 },
      w.attempts - 1,
    );
    this.log.debug(
      {
        event: w.eventId,
        url: redactQuery(w.url),
        attempt: w.attempts,
        error: outcome.error,
        retryInMs: delay,
      },
      'webhook attempt failed',
    );
    await this.store.retryWebhook(w.id, delay, outcome.error);
    this.emit('retry', w, outcome.error, delay);
  }

  /** The request of one attempt: method, URL, headers and body. Exposed for tests. */
  request(w: WebhookItem): {
    method: 'GET' | 'POST';
    url: string;
    headers: Record<string, string>;
    body: string | undefined;
    /** A body of bytes (a Kannel post-url of an 8-bit MO), sent instead of `body`. */
    bytes?: Buffer;
  } {
    // The event id on every kind, so any receiver can drop a retry it already processed.
    const headers: Record<string, string> = { 'user-agent': 'Hermod-Webhooks/1', 'webhook-id': w.eventId };
    if (w.kind === 'rest') {
      const body = JSON.stringify({
        data: JSON.parse(w.body) as unknown,
        meta: { attempt: w.attempts, delivered_to: w.url },
      });
      const ts = Math.floor(Date.now() / 1000);
      headers['content-type'] = 'application/json';
      headers['webhook-timestamp'] = String(ts);
      const secret = this.opts.secretFor?.(w.owner) ?? this.opts.secret;
      if (secret) headers['webhook-signature'] = signWebhook(secret, w.eventId, ts, body);
      return { method: 'POST', url: w.url, headers, body };
    }
    if (w.kind === 'telnyx') {
      const body = telnyxWebhookBody(w.body, w.attempts, w.url);
      headers['content-type'] = 'application/json';
      const key = this.opts.telnyxKey?.();
      if (key) Object.assign(headers, telnyxSignature(key, body, Math.floor(Date.now() / 1000)));
      return { method: 'POST', url: w.url, headers, body };
    }
    // Kannel's dlr-url and get-url are called as written, their escapes filled when the item
    // was made; a post-url also has the MO as its body (kannel-reply.ts).
    if (w.kind === 'kannel_dlr' || w.kind === 'kannel_mo') {
      const post = w.kind === 'kannel_mo' && w.method === 'POST' ? kannelMoBody(w.body).post : undefined;
      if (!post) return { method: 'GET', url: w.url, headers, body: undefined };
      Object.assign(headers, post.headers);
      return {
        method: 'POST',
        url: w.url,
        headers,
        body: undefined,
        bytes: Buffer.from(post.body, 'base64'),
      };
    }
    const form = new URLSearchParams(JSON.parse(w.body) as Record<string, string>).toString();
    if (w.method === 'GET')
      return {
        method: 'GET',
        url: w.url + (w.url.includes('?') ? '&' : '?') + form,
        headers,
        body: undefined,
      };
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return { method: 'POST', url: w.url, headers, body: form };
  }

  /**
   * The URL of an attempt (`full`: `base` with a GET's query added), after the guard's form
   * check of `base`. A receiver gets every callback at the same URL, and the check (URL
   * parse, address-space lists) would otherwise run per attempt; its verdict depends only on
   * the scheme, credentials and host, which a query string does not change. Passes only are
   * kept, and the addresses connected to are still checked on every new connection (lookup).
   */
  private checked(base: string, full: string): URL {
    let url = this.parsed.get(base);
    if (!url) {
      url = this.guard.parse(base);
      if (this.parsed.size >= 1000) this.parsed.clear();
      this.parsed.set(base, url);
    }
    // A fresh object for a GET's query; node:http only reads the one it is given.
    return full === base ? url : new URL(full);
  }

  /** The reply a `kannel_mo` item asks for, when this sender can send replies. */
  private replyOrder(w: WebhookItem): KannelReplyOrder | undefined {
    if (w.kind !== 'kannel_mo' || !this.opts.kannelReply || w.body === '') return undefined;
    return kannelMoBody(w.body).reply;
  }

  private attempt(w: WebhookItem): Promise<Outcome> {
    if (w.kind === 'email')
      return (
        this.opts.email?.(w) ??
        Promise.resolve({ ok: false, retry: true, error: 'no smtp: block: the mail waits' })
      );
    let req: ReturnType<WebhookSender['request']>;
    let url: URL;
    try {
      req = this.request(w);
      url = this.checked(w.url, req.url);
    } catch (err) {
      return Promise.resolve({ ok: false, retry: false, error: (err as Error).message });
    }
    // The headers as one flat list (webhook-attempt.ts). So Host is ours to add: url.host is
    // what node:http would send (brackets for IPv6, no default port). The guard refuses
    // credentials in a URL, so there is no Authorization.
    const headers = ['host', url.host];
    for (const name in req.headers) headers.push(name, req.headers[name]);
    const body = req.bytes ?? req.body;
    if (body !== undefined) headers.push('content-length', String(Buffer.byteLength(body)));
    const spec: AttemptSpec = { method: req.method, headers, body, timeoutMs: this.opts.timeoutMs ?? 10_000 };
    const order = this.replyOrder(w);
    // A worker makes the attempt unless the answer's body is wanted here (a Kannel reply).
    if (this.workers && !order) return this.workers.send(url.href, spec);
    return sendAttempt(url, spec, this.agents, this.guard, (res, status) =>
      order
        ? // A Kannel sms-service reply: the answer's body, read to its end within the deadline.
          readBounded(res, KANNEL_REPLY_MAX_BYTES).then((text) => {
            const reply = replyText(res.headers['content-type'], text, order.maxMessages);
            return {
              ok: true as const,
              status,
              ...(reply !== undefined ? { reply: { order, text: reply } } : {}),
            };
          })
        : undefined,
    );
  }
}
