/**
 * The core as a start runs it: the gateway with the store's connectors and routes, the
 * webhook sender, the admin API's runtime definitions, and (on PostgreSQL) the sync that
 * brings in what other nodes changed.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import {
  Gateway,
  RejectedError,
  UrlGuard,
  WebhookSender,
  sendKannelReply,
  type Cluster,
  type KannelReplyOrder,
  type WebhookSenderOptions,
} from '../gateway/index.js';
import type { Store } from '../store/index.js';
import type { Config } from '../config/index.js';
import { buildConnector } from './connectors.js';
import { newCluster } from './cluster.js';
import { openMedia } from './store.js';
import { MmsMailer } from '../connectors/mms-email.js';
import { RuntimeDefinitions, seedDefinitions, type EffectiveDefinitions } from './definitions.js';

/** What the interfaces are built on. */
export interface Core {
  config: Config;
  store: Store;
  gateway: Gateway;
  webhooks: WebhookSender;
  /** The one SSRF guard of every URL called on a customer's behalf. */
  guard: UrlGuard;
  definitions: RuntimeDefinitions;
  log: Logger;
  /** This node's membership of the cluster: leader, leases, shares of cluster-wide rates. */
  cluster: Cluster;
  /** Tells the loop guard the customer SMPP server's port, once it listens (it may be 0 = any). */
  setOwnSmppPort(port: number): void;
  /** Stops following other nodes' changes (before the definitions, the gateway and the store stop). */
  stopSync(): void;
  /** Where webhook signing secrets set through REST v1 are found (the engine's AccountService), before the file's. */
  setAccountSecrets(lookup: (username: string) => string | undefined): void;
  /** The Ed25519 key Telnyx events of /v2 are signed with (stored by the engine, docs/telnyx-api.md). */
  setTelnyxKey(key: KeyObject): void;
}

export interface BuildGatewayOptions {
  /** The clock routes' time windows read (default Date.now). */
  now?: (() => number) | undefined;
  log: Logger;
  /** This node's membership (started); a single node of its own when absent (tests). */
  cluster?: Cluster;
}

async function startCluster(config: Config, store: Store): Promise<Cluster> {
  const cluster = newCluster(config, store, 'embedded');
  await cluster.start();
  return cluster;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;

/** Builds the core on an open store: nothing is started yet (the gateway, the webhook sender). */
export async function buildGateway(
  config: Config,
  store: Store,
  options: BuildGatewayOptions,
): Promise<Core> {
  const { log } = options;
  // Embedders and tests that build the core alone get a node of their own (no `leave` at stop).
  const cluster = options.cluster ?? (await startCluster(config, store));
  // Connectors and routes: the file's written into the store; what the admin API changed wins.
  const effective = await seedDefinitions(store, config);
  if (effective.overridden.length > 0)
    log.warn(
      { component: 'config', overridden: effective.overridden },
      `the store overrides the configuration file for ${effective.overridden.join(', ')}: changed through the admin API (docs/configuration.md, "Connectors and routes at runtime")`,
    );
  // Loop guard: an SMPP connector pointed at our own customer server binds as one of our
  // users. Known once the server listens.
  let ownPort = -1;
  // Filled in once the gateway exists: the definitions each connector runs with.
  const runtime: { definitions?: RuntimeDefinitions } = {};
  // One SSRF guard for every URL called on a customer's behalf: webhooks, callbacks, the Jasmin API's dlr-url,
  // and media URLs.
  const guard = new UrlGuard({
    allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
    allow: config.webhooks.allow,
  });
  const gateway = new Gateway(store, {
    rateShares: cluster,
    media: openMedia(store, config.store, { guard }, config.media),
    mms: {
      fallback: config.media.mmsFallback,
      priceFactor: config.media.mmsPriceFactor,
      linkTtlS: config.media.linkTtlS,
      retentionMs: config.media.retentionDays * 86_400_000,
    },
    routes: effective.routes,
    moRoutes: effective.moRoutes,
    dedupeWindowMs: config.dedupeWindowS * 1000,
    parkedReceiptRetentionMs: config.parkedReceiptRetentionS * 1000,
    selfBind: (id) => {
      const c = runtime.definitions?.get(id);
      if (c?.type !== 'smpp' || c.port !== ownPort) return undefined;
      return LOOPBACK.test(c.host) || c.host === config.server.host ? c.systemId : undefined;
    },
    receiptMatching: (id) => {
      const c = runtime.definitions?.get(id);
      if (!c || c.type === 'simulator') return undefined;
      return {
        ...(c.dlrScope !== undefined ? { scope: c.dlrScope } : {}),
        ...(c.type === 'smpp' && c.messageIdBase ? { base: c.messageIdBase } : {}),
      };
    },
    ...(options.now ? { now: options.now } : {}),
    webhookRetentionMs: config.webhooks.retentionS * 1000,
    optOut: config.optOut,
    refund: config.billing.refund,
    failover: {
      downGraceMs: config.failover.moveQueued ? config.failover.downGraceS * 1000 : -1,
      batch: config.failover.batch,
      afterTransient: config.failover.afterTransientFailures,
    },
    // Sweeps and expiries once per cluster, where the leader is (read at every tick).
    singletons: () => cluster.isLeader(),
    readyElsewhere: (id) => cluster.readyElsewhere(id),
  });
  const accountSecrets: AccountSecrets = {};
  // MO routes with `email` (MMS to email, docs/mms.md): their outbox items go through smtp:.
  const mailer = config.smtp ? new MmsMailer(config.smtp, gateway.media, config.media.linkTtlS) : undefined;
  const webhooks = webhookSender(config, store, guard, log.child({ component: 'webhooks' }), accountSecrets, {
    kannelReply: kannelReplier(gateway, log.child({ component: 'kannel-reply' })),
    singletons: () => cluster.isLeader(),
    ...(mailer ? { email: (w) => mailer.deliver(w) } : {}),
  });
  logGatewayEvents(gateway, log.child({ component: 'gateway' }));
  gateway.on('webhooks', () => webhooks.wake());
  // Delivery outcomes as one gateway event ('ok', 'failed' = will retry, 'expired', 'refused'), for metrics.
  webhooks.on('delivered', () => gateway.emit('webhook', 'ok'));
  webhooks.on('retry', () => gateway.emit('webhook', 'failed'));
  webhooks.on('expired', () => gateway.emit('webhook', 'expired'));
  webhooks.on('dropped', () => gateway.emit('webhook', 'refused'));
  // Provider connectors without hookBaseUrl: a written media.publicUrl, never the guessed one.
  const hookBase = config.media.publicUrlSet ? config.media.publicUrl : undefined;
  // SMPP binds are cluster leases where nodes share a store (PostgreSQL); SQLite is one node.
  const bindCluster = config.store.type === 'postgres' ? cluster : undefined;
  for (const { definition } of effective.connectors)
    await gateway.addConnector(
      buildConnector(definition, { media: gateway.media, hookBaseUrl: hookBase, cluster: bindCluster }),
    );
  const definitions = new RuntimeDefinitions(
    store,
    gateway,
    log.child({ component: 'admin' }),
    effective,
    hookBase,
    config.optOut.account !== undefined,
    bindCluster,
  );
  runtime.definitions = definitions;
  const stopSync = followOtherNodes(config, store, definitions, log.child({ component: 'admin' }));
  return {
    config,
    store,
    gateway,
    webhooks,
    guard,
    definitions,
    log,
    cluster,
    setOwnSmppPort: (port) => {
      ownPort = port;
    },
    stopSync,
    setAccountSecrets: (lookup) => {
      accountSecrets.lookup = lookup;
    },
    setTelnyxKey: (key) => {
      accountSecrets.telnyxKey = key;
    },
  };
}

/** Signing material the engine loads after the core is built. */
interface AccountSecrets {
  lookup?: (username: string) => string | undefined;
  telnyxKey?: KeyObject;
}

/** The customer webhooks (REST v1 callbacks, Jasmin dlr-url, MO webhooks), signed per account. */
function webhookSender(
  config: Config,
  store: Store,
  guard: UrlGuard,
  log: Logger,
  accountSecrets: AccountSecrets,
  extra: Pick<WebhookSenderOptions, 'kannelReply' | 'singletons' | 'email'> = {},
): WebhookSender {
  const secrets = new Map(
    config.users.filter((u) => u.webhookSecret).map((u) => [u.username, u.webhookSecret!]),
  );
  return new WebhookSender(store, {
    guard,
    secretFor: (owner) => accountSecrets.lookup?.(owner) ?? secrets.get(owner),
    telnyxKey: () => accountSecrets.telnyxKey,
    ...(config.webhooks.secret ? { secret: config.webhooks.secret } : {}),
    backoff: {
      initialMs: config.webhooks.backoff.initialMs,
      maxMs: config.webhooks.backoff.maxMs,
      factor: 2,
      jitter: 0.5,
    },
    timeoutMs: config.webhooks.timeoutS * 1000,
    perHost: config.webhooks.perHost,
    perCustomer: config.webhooks.perCustomer,
    workers: config.webhooks.workers,
    failoverAfter: config.webhooks.failoverAfter,
    logKeep: config.webhooks.logKeep,
    logRetentionMs: config.webhooks.logRetentionS * 1000,
    log,
    ...extra,
  });
}

/**
 * Kannel sms-service replies (an MO route's `reply`), sent through the gateway's submit. A
 * refusal (no balance, no route, the account gone) is logged and the MO's webhook counts as
 * delivered, as Kannel drops a reply it cannot send; any other failure (the store) throws, so
 * the webhook is retried and the reply, with its id derived from the MO's, sent once.
 */
function kannelReplier(
  gateway: Gateway,
  log: Logger,
): (order: KannelReplyOrder, text: string) => Promise<void> {
  return async (order, text) => {
    try {
      const r = await sendKannelReply(gateway, order, text);
      log.info({ mo: order.moId, message: r.id, duplicate: r.duplicate }, 'kannel reply sent');
    } catch (err) {
      if (!(err instanceof RejectedError)) throw err;
      log.warn(
        { mo: order.moId, account: order.account, code: err.code, err: err.message },
        'kannel reply refused',
      );
    }
  };
}

/** The gateway's events an operator reads in the log. */
function logGatewayEvents(gateway: Gateway, log: Logger): void {
  gateway.on('parked_expired', (n: number) =>
    log.info({ receipts: n }, 'parked receipts expired: no part of ours ever claimed them'),
  );
  gateway.on('optout_reply_failed', (moId: string, kind: string, err: unknown) =>
    log.warn(
      {
        mo: moId,
        keyword: kind,
        code: (err as { code?: string }).code,
        err: err instanceof Error ? err.message : String(err),
      },
      'opt-out auto-reply not sent',
    ),
  );
  gateway.on('dlr_expired', (n: number) =>
    log.info({ parts: n }, 'sent parts expired: no delivery receipt within dlrExpiryS'),
  );
  gateway.on('outbox_expired', (n: number) =>
    log.warn(
      { items: n },
      'customer outbox items expired undelivered: their SMPP customer did not bind within the hold time',
    ),
  );
  gateway.on('restart_requeued', (n: number) =>
    log.warn(
      { messages: n },
      'messages claimed by the previous process requeued at start: they may have been sent before, so a resend can duplicate them (each says so in its history)',
    ),
  );
  gateway.on('duplicate_submit', (id: string, seq: number, connector: string) =>
    log.warn(
      { message: id, part: seq, connector },
      'duplicate submit: a late submit_sm_resp accepted a part that had been resent and accepted again',
    ),
  );
  gateway.on('queue_moved', (from: string, n: number) =>
    log.warn(
      { connector: from, messages: n },
      'queued messages failed over: their connector is down past failover.downGraceS, they moved along their routes',
    ),
  );
  gateway.on('store_error', (err: unknown) => log.error({ err }, 'store write or sweep failed'));
}

/**
 * Several nodes on one PostgreSQL database: what another node's admin API changed reaches
 * this one, pushed by the store (NOTIFY) within moments, and read by a poll as the fallback
 * for a notification lost while the listening connection was down. Bursts share one sync.
 * Returns the function that stops following.
 */
function followOtherNodes(
  config: Config,
  store: Store,
  definitions: RuntimeDefinitions,
  log: Logger,
): () => void {
  const syncSoon = () =>
    void definitions
      .syncSoon()
      .catch((err: unknown) => log.error({ err }, 'sync of connectors and routes failed'));
  const pollS = config.store.type === 'postgres' ? config.store.definitionsPollS : 0;
  const poll = pollS > 0 ? setInterval(syncSoon, pollS * 1000) : undefined;
  poll?.unref();
  let listenerLost = false;
  const unsubscribe = store.onDefinitionsChanged?.((event) => {
    if (event.kind === 'lost') {
      listenerLost = true;
      log.warn(
        { err: event.error, retryInMs: event.retryInMs },
        "sync: the connection that hears other nodes' changes failed; reconnecting (the poll still runs)",
      );
      return;
    }
    if (event.kind === 'listening' && listenerLost) {
      listenerLost = false;
      log.info("sync: hearing other nodes' changes again; reading the store for what went by");
    }
    syncSoon(); // 'listening' too: a change may have gone by while it was down.
  });
  return () => {
    clearInterval(poll);
    unsubscribe?.();
  };
}

export type { EffectiveDefinitions };
