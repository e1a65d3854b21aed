/**
 * Telnyx's Messaging API v2 as an upstream (docs/providers.md): `POST /v2/messages` with a
 * Bearer API key, JSON `{ from, to, text, media_urls, subject, webhook_url,
 * messaging_profile_id }`, the message id in `data.id`. Its webhooks come to
 * `/v1/hooks/connectors/<id>/telnyx`: `message.sent` / `message.finalized` (the recipient's
 * `to[].status`) become receipts, `message.received` an MO with its media. Every webhook is
 * checked first against the account's Ed25519 public key (`telnyx-signature-ed25519` over
 * `<telnyx-timestamp>|<raw body>`, the timestamp within 5 minutes); a refused one stores
 * nothing.
 */
import type { KeyObject } from 'node:crypto';
import type { ReceiptStat } from '../smpp/index.js';
import { stateOfStat } from '../smpp/index.js';
import type { StoredMessage } from '../domain/index.js';
import type { InboundHttpAnswer, InboundHttpRequest } from '../gateway/index.js';
import { telnyxPublicKey, telnyxRefusal } from '../lib/provider-signatures.js';
import {
  ProviderConnector,
  answer,
  e164,
  failure,
  type ProviderConnectorOptions,
} from './provider-connector.js';

export interface TelnyxConnectorOptions extends ProviderConnectorOptions {
  apiKey: string;
  /** The account's webhook public key (base64, Mission Control → Keys & Credentials → Public Key). */
  publicKey: string;
  messagingProfileId?: string;
}

/** `to[].status` of a Telnyx message → the receipt's stat; statuses not listed are not final. */
const TELNYX_STATUS: Readonly<Record<string, ReceiptStat>> = {
  delivered: 'DELIVRD',
  delivery_failed: 'UNDELIV',
  sending_failed: 'UNDELIV',
  // Finalized without a handset report: the gateway keeps waiting, then `expired`.
  delivery_unconfirmed: 'UNKNOWN',
  expired: 'EXPIRED',
};

interface TelnyxEvent {
  data?: {
    event_type?: string;
    payload?: {
      id?: string;
      text?: string | null;
      subject?: string | null;
      from?: { phone_number?: string };
      to?: { phone_number?: string; status?: string }[];
      media?: { url?: string }[];
      errors?: { code?: string | number; title?: string }[];
    };
  };
}

export class TelnyxConnector extends ProviderConnector {
  readonly type = 'telnyx';
  private readonly key: KeyObject;

  constructor(
    id: string,
    private readonly opts: TelnyxConnectorOptions,
  ) {
    super(id, opts);
    this.key = telnyxPublicKey(opts.publicKey);
  }

  protected async send(m: StoredMessage, text: string, mediaUrls: string[]): Promise<string> {
    const o = this.opts;
    const hook = this.hookUrl;
    const body = {
      from: e164(m.source),
      to: e164(m.destination),
      ...(text !== '' || mediaUrls.length === 0 ? { text } : {}),
      ...(mediaUrls.length > 0 ? { media_urls: mediaUrls } : {}),
      ...(m.meta.subject ? { subject: m.meta.subject } : {}),
      ...(hook ? { webhook_url: hook } : {}),
      ...(o.messagingProfileId ? { messaging_profile_id: o.messagingProfileId } : {}),
    };
    const res = await this.call(
      '/v2/messages',
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${o.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
      },
      'POST /v2/messages',
    );
    const id = (res.body as { data?: { id?: unknown } } | null)?.data?.id;
    if (typeof id !== 'string' || id === '')
      throw failure(
        `POST /v2/messages: the provider answered ${res.status} without data.id`,
        false,
        res.status,
      );
    return id;
  }

  /** A Telnyx webhook: signature first, then the event. */
  async inboundHttp(req: InboundHttpRequest): Promise<InboundHttpAnswer> {
    if (req.kind !== 'telnyx') return answer(404, `connector ${this.id} takes webhooks at .../telnyx`);
    if (req.method !== 'POST') return answer(405, 'POST only');
    const header = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    const refusal = telnyxRefusal(
      this.key,
      req.body,
      header('telnyx-signature-ed25519'),
      header('telnyx-timestamp'),
      Math.floor(this.now() / 1000),
    );
    if (refusal) return answer(401, `refused: ${refusal}`);
    let event: TelnyxEvent;
    try {
      event = JSON.parse(req.body.toString('utf8')) as TelnyxEvent;
    } catch {
      return answer(400, 'the body is not JSON');
    }
    const type = event.data?.event_type;
    const p = event.data?.payload;
    if (!p) return answer(400, 'no data.payload');
    if (type === 'message.received') {
      const from = p.from?.phone_number;
      const to = p.to?.[0]?.phone_number;
      if (!from || !to) return answer(400, 'message.received needs from.phone_number and to[0].phone_number');
      const urls = (p.media ?? []).map((x) => x.url).filter((u): u is string => typeof u === 'string');
      const subject = typeof p.subject === 'string' ? p.subject : undefined;
      return (await this.inbound(from, to, p.text ?? '', urls, subject)) ?? answer(200, 'OK');
    }
    if (type === 'message.sent' || type === 'message.finalized') {
      const status = p.to?.[0]?.status;
      if (!p.id || !status) return answer(400, `${type} needs payload.id and to[0].status`);
      const stat = TELNYX_STATUS[status];
      if (!stat) return answer(200, `status "${status}" is not final: nothing changes`);
      const err = p.errors?.[0]?.code;
      return (
        (await this.receipt({
          id: p.id,
          stat,
          state: stateOfStat(stat),
          ...(err !== undefined ? { err: String(err) } : {}),
          raw: JSON.stringify({ event_type: type, status, errors: p.errors ?? [] }),
        })) ?? answer(200, 'OK')
      );
    }
    return answer(200, `event "${String(type)}" is not used: nothing changes`);
  }
}
