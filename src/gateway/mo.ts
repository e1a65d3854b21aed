/**
 * Mobile-originated messages: stored before the connector acknowledges them, concatenated
 * parts joined (or released incomplete after a timeout), routed to a customer's bind or a
 * webhook by the MO routes, and the opt-out keywords (STOP/START/HELP) with their replies.
 */
import { decodeText, parseUdh } from '../smpp/index.js';
import { newMessageId, OptOutRules, type OptOutKind, type User } from '../domain/index.js';
import type { InboundMessage, MoDelivery, MoRecord, StoredMo } from '../store/store.js';
import { reject } from './errors.js';
import type { InboundPdu } from './connector.js';
import { matchMoRoute, type MoRouteDef } from './router.js';
import { DEFAULT_WEBHOOK_RETENTION_MS, webhookForMo } from './webhook-items.js';
import { emailItemForMo } from './mms-email.js';
import { DEFAULT_LINK_TTL_S, textWithLinks } from './mms.js';
import type { SubmitDraft } from './draft.js';
import type { KannelReplyOrder } from './kannel-reply.js';
import { textMessage } from './accept.js';
import type { CustomerMo } from './notify.js';
import type { GatewayContext } from './options.js';

/** What the MO service needs of the accept step to send an opt-out reply. */
export interface ReplySender {
  currentUser(username: string): Promise<User | undefined>;
  submit(user: User, req: SubmitDraft): Promise<string>;
}

/** The parts of one inbound PDU: its body without UDH, and where it sits in a concatenated message. */
export function moPartOf(
  connectorId: string,
  pdu: InboundPdu,
): { groupKey: string; seq: number; total: number; source: string; destination: string; body: Buffer } {
  let body = pdu.shortMessage;
  let concat: { ref: number; total: number; seq: number } | undefined = pdu.sar;
  if (pdu.esmClass & 0x40) {
    const udh = parseUdh(pdu.shortMessage);
    if (udh) {
      body = Buffer.from(udh.body);
      if (udh.concat) concat = udh.concat;
    }
  }
  const source = pdu.source.replace(/^\+/, '');
  const destination = pdu.destination.replace(/^\+/, '');
  const multi = concat !== undefined && concat.total > 1;
  return {
    groupKey: multi
      ? `${connectorId}|${source}|${destination}|${concat!.ref}|${concat!.total}`
      : `single|${newMessageId()}`,
    seq: multi ? concat!.seq : 1,
    total: multi ? concat!.total : 1,
    source,
    destination,
    body,
  };
}

export class MoService {
  private readonly optOut: OptOutRules;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly replies: ReplySender,
  ) {
    this.optOut = new OptOutRules(ctx.opts.optOut);
  }

  /** The MO route of a joined MO (pure router; the loop guard skips routes back to its origin). */
  route(m: Omit<InboundMessage, 'routedTo'>): MoRouteDef | undefined {
    let text: string | undefined;
    // An email route takes MMS only, unless it says `emailSms`: an SMS passes on (docs/mms.md).
    const all = this.ctx.opts.moRoutes ?? [];
    const routes = m.media?.length ? all : all.filter((r) => r.email === undefined || r.emailSms === true);
    return matchMoRoute(routes, {
      source: m.source,
      destination: m.destination,
      text: () => (text ??= decodeText(m.body, m.dataCoding)),
      connector: m.connectorId,
      now: this.ctx.now(),
      originUser: this.ctx.opts.selfBind?.(m.connectorId),
    });
  }

  /**
   * How the store records an MO: a fresh id, and the pure decision on the joined message
   * (MO routes may filter on its whole text) of who receives it: a customer's bind through
   * the outbox, or a webhook, written in the MO's own transaction (an MO stored is an MO
   * whose webhook is queued).
   */
  private record(): MoRecord {
    return { id: newMessageId(), route: (m) => this.delivery(m) };
  }

  /** Signed URLs of inbound media (valid `mms.linkTtlS`), when the library signs. */
  mediaUrl(): ((id: string) => string) | undefined {
    const media = this.ctx.opts.media;
    if (!media?.canSign) return undefined;
    const ttl = this.ctx.opts.mms?.linkTtlS ?? DEFAULT_LINK_TTL_S;
    return (id) => media.signedUrl(id, ttl);
  }

  /** Who a joined MO goes to, as its MO route says (pure). */
  delivery(base: Omit<InboundMessage, 'routedTo' | 'routedUrl'>): MoDelivery {
    const route = this.route(base);
    const routedTo = route?.user ?? null;
    const m: InboundMessage = { ...base, routedTo };
    if (route?.email !== undefined) {
      const item = emailItemForMo(
        m,
        route.email,
        this.ctx.opts.webhookRetentionMs ?? DEFAULT_WEBHOOK_RETENTION_MS,
      );
      return { routedTo, webhooks: [item], target: { url: item.url, method: 'POST' } };
    }
    const target = route?.url !== undefined ? { url: route.url, method: route.method ?? 'POST' } : undefined;
    return {
      routedTo,
      ...(routedTo !== null ? { payload: moPayload(this.forBind(m, route)) } : {}),
      webhooks: target
        ? [
            webhookForMo(
              m,
              {
                ...target,
                format: route?.format,
                ...(route?.name ? { name: route.name } : {}),
                ...this.replyOf(route, m),
              },
              this.ctx.opts.webhookRetentionMs,
              this.mediaUrl(),
            ),
          ]
        : [],
      ...(target ? { target } : {}),
    };
  }

  /**
   * An inbound MMS as a customer's SMPP bind gets it: an SMS of its subject, text and a signed
   * link per item (valid `media.linkTtlS`), unless the MO route says `mmsAsLinks: false` (the
   * text alone) or the library cannot sign (the text alone). An SMS is as it came.
   */
  private forBind(m: InboundMessage, route: MoRouteDef | undefined): InboundMessage {
    const media = this.ctx.opts.media;
    if (!m.media?.length || route?.mmsAsLinks === false || !media?.canSign) return m;
    const text = textWithLinks(
      decodeText(m.body, m.dataCoding),
      m.subject,
      m.media,
      media,
      this.ctx.opts.mms?.linkTtlS,
    );
    const { body, dataCoding } = textMessage(text);
    return { ...m, body, dataCoding };
  }

  /**
   * The Kannel sms-service reply an MO route asks for (`reply`, format kannel only): sent as
   * the route's `reply.account`, else the receiving number's opt-out account. None when
   * neither is set (the config refuses that; an admin-API route may still have it).
   */
  private replyOf(route: MoRouteDef | undefined, m: InboundMessage): { reply?: KannelReplyOrder } {
    const r = route?.reply;
    if (!r || route?.format !== 'kannel' || r.maxMessages < 1) return {};
    const account = r.account ?? this.optOut.policy(m.destination).account;
    if (account === undefined) return {};
    return {
      reply: { moId: m.id, account, from: m.destination, to: m.source, maxMessages: r.maxMessages },
    };
  }

  /**
   * An inbound message or part: stored before the connector acknowledges it; a
   * concatenated message is joined once all its parts are stored (or released incomplete).
   */
  async onMo(connectorId: string, pdu: InboundPdu): Promise<void> {
    const { groupKey, seq, total, source, destination, body } = moPartOf(connectorId, pdu);
    const stored = await this.ctx.store.addMoPart(
      {
        groupKey,
        seq,
        total,
        connectorId,
        source,
        destination,
        dataCoding: pdu.dataCoding,
        body,
        ...(pdu.media ? { media: pdu.media } : {}),
        ...(pdu.subject ? { subject: pdu.subject } : {}),
      },
      this.record(),
    );
    if (stored) await this.afterMo(stored);
  }

  /** Incomplete concatenated MOs older than `olderThanMs`, released as they are. */
  async releaseStale(olderThanMs: number): Promise<void> {
    const released = await this.ctx.store.releaseStaleMoParts(olderThanMs, () => this.record());
    for (const stored of released) await this.afterMo(stored);
  }

  /** Starts the release of incomplete MOs after `moPartTimeoutMs`. */
  start(): void {
    const timeout = this.ctx.opts.moPartTimeoutMs ?? 60_000;
    this.sweep = setInterval(
      // Once per cluster: on the leader (options.singletons).
      () => {
        if (this.ctx.opts.singletons?.() ?? true) void this.releaseStale(timeout);
      },
      Math.max(50, Math.min(5000, timeout / 4)),
    );
    this.sweep.unref();
  }

  stop(): void {
    if (this.sweep) clearInterval(this.sweep);
  }

  /** Opt-out keywords, then the MO route's target: the customer's bind or a webhook. */
  private async afterMo({ mo, delivery }: StoredMo): Promise<void> {
    const { emit, store } = this.ctx;
    const kind = this.optOut.match(mo.destination, decodeText(mo.body, mo.dataCoding));
    if (kind === 'stop') {
      await store.setOptOut(mo.source, mo.destination, true);
      emit('optout', mo.source, mo.destination);
    } else if (kind === 'start') {
      await store.setOptOut(mo.source, mo.destination, false);
      emit('optin', mo.source, mo.destination);
    }
    if (kind) void this.autoReply(mo, kind);
    emit('mo', mo);
    if (mo.routedTo) emit('outbox', mo.routedTo);
    if (delivery.target) {
      // The webhook item was stored with the MO (record); this wakes its sender.
      emit('mo_webhook', mo, delivery.target);
      emit('webhooks');
    }
  }

  /**
   * The keyword's auto-reply, from the number the handset texted, sent (routed, charged) as
   * the number's opt-out account or else the customer the MO is routed to. A STOP's
   * confirmation goes although the number just opted out. Never fails the MO: a reply that
   * cannot be sent is reported as `optout_reply_failed` (no account, a refusal).
   */
  private async autoReply(mo: InboundMessage, kind: OptOutKind): Promise<void> {
    const policy = this.optOut.policy(mo.destination);
    const text = policy.replies[kind];
    if (text === null) return;
    const account = policy.account ?? mo.routedTo ?? undefined;
    try {
      const user = account === undefined ? undefined : await this.replies.currentUser(account);
      if (!user)
        throw reject.noReplyAccount(
          account === undefined
            ? `no account to send the ${kind.toUpperCase()} reply as (set optOut.account)`
            : `opt-out account ${account} does not exist`,
        );
      const id = await this.replies.submit(user, {
        systemId: user.username,
        source: mo.destination,
        destination: mo.source,
        ...textMessage(text),
        registeredDelivery: 0,
        meta: { tags: [`opt-out-${kind}-reply`] },
        ignoreOptOut: kind === 'stop',
      });
      this.ctx.emit('optout_reply', mo.id, kind, id);
    } catch (err) {
      this.ctx.emit('optout_reply_failed', mo.id, kind, err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** The outbox item of an MO for a customer's SMPP bind. */
function moPayload(m: InboundMessage): string {
  return JSON.stringify({
    kind: 'mo',
    id: m.id,
    source: m.source,
    destination: m.destination,
    dataCoding: m.dataCoding,
    body: m.body.toString('base64'),
    complete: m.complete,
  } satisfies CustomerMo);
}
