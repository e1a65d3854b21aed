/**
 * Twilio's Programmable Messaging API as an upstream (docs/providers.md): `POST
 * /2010-04-01/Accounts/<AccountSid>/Messages.json` with basic auth (AccountSid:AuthToken), a
 * form of `From`, `To`, `Body`, `MediaUrl` (repeated), `StatusCallback` and an optional
 * `MessagingServiceSid`; the message id in `sid`. Its requests come to
 * `/v1/hooks/connectors/<id>/twilio`: status callbacks (`MessageStatus`, `ErrorCode`) become
 * receipts, inbound messages (`Body`, `NumMedia`, `MediaUrl<n>`) an MO with its media. Every
 * one is checked first: `X-Twilio-Signature` must be the HMAC-SHA1 (AuthToken) of the
 * public URL Twilio requested and the sorted POST parameters, so the connector must know
 * that URL exactly (`hookBaseUrl`).
 */
import type { ReceiptStat } from '../smpp/index.js';
import { stateOfStat } from '../smpp/index.js';
import type { StoredMessage } from '../domain/index.js';
import type { InboundHttpAnswer, InboundHttpRequest } from '../gateway/index.js';
import { formParams, twilioVerify } from '../lib/provider-signatures.js';
import {
  ProviderConnector,
  answer,
  e164,
  failure,
  type ProviderConnectorOptions,
} from './provider-connector.js';

export interface TwilioConnectorOptions extends ProviderConnectorOptions {
  accountSid: string;
  authToken: string;
  messagingServiceSid?: string;
}

/** `MessageStatus` → the receipt's stat; statuses not listed (queued, sending, sent, …) are not final. */
const TWILIO_STATUS: Readonly<Record<string, ReceiptStat>> = {
  delivered: 'DELIVRD',
  read: 'DELIVRD',
  undelivered: 'UNDELIV',
  failed: 'REJECTD',
  canceled: 'DELETED',
};

/** Twilio takes an empty TwiML document as "nothing to do". */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export class TwilioConnector extends ProviderConnector {
  readonly type = 'twilio';

  constructor(
    id: string,
    private readonly opts: TwilioConnectorOptions,
  ) {
    super(id, opts);
  }

  protected async send(m: StoredMessage, text: string, mediaUrls: string[]): Promise<string> {
    const o = this.opts;
    const form = new URLSearchParams();
    form.append('To', e164(m.destination));
    if (o.messagingServiceSid) form.append('MessagingServiceSid', o.messagingServiceSid);
    form.append('From', e164(m.source));
    if (text !== '' || mediaUrls.length === 0) form.append('Body', text);
    for (const url of mediaUrls) form.append('MediaUrl', url);
    const hook = this.hookUrl;
    if (hook) form.append('StatusCallback', hook);
    const path = `/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`;
    const res = await this.call(
      path,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
      },
      'POST Messages.json',
    );
    const sid = (res.body as { sid?: unknown } | null)?.sid;
    if (typeof sid !== 'string' || sid === '')
      throw failure(
        `POST Messages.json: the provider answered ${res.status} without a sid`,
        false,
        res.status,
      );
    return sid;
  }

  /** A Twilio request: signature first, then a status callback or an inbound message. */
  async inboundHttp(req: InboundHttpRequest): Promise<InboundHttpAnswer> {
    if (req.kind !== 'twilio') return answer(404, `connector ${this.id} takes webhooks at .../twilio`);
    if (req.method !== 'POST') return answer(405, 'POST only');
    const base = this.opts.hookBaseUrl;
    if (base === undefined)
      return answer(403, 'refused: without hookBaseUrl the public URL Twilio signed is unknown');
    const params = formParams(req.body.toString('utf8'));
    const sig = req.headers['x-twilio-signature'];
    const url = `${base.replace(/\/+$/, '')}${req.url}`;
    if (!twilioVerify(this.opts.authToken, url, params, Array.isArray(sig) ? sig[0] : sig))
      return answer(403, 'refused: X-Twilio-Signature does not sign this request');
    const one = (k: string) => {
      const v = params[k];
      return Array.isArray(v) ? v[0] : v;
    };
    if (one('AccountSid') !== undefined && one('AccountSid') !== this.opts.accountSid)
      return answer(403, 'refused: another account');
    const status = one('MessageStatus') ?? one('SmsStatus');
    const sid = one('MessageSid') ?? one('SmsSid');
    if (status !== undefined && status !== 'received') {
      if (!sid) return answer(400, 'a status callback needs MessageSid');
      const stat = TWILIO_STATUS[status];
      if (!stat) return twiml(200);
      const err = one('ErrorCode');
      const refused = await this.receipt({
        id: sid,
        stat,
        state: stateOfStat(stat),
        ...(err ? { err } : {}),
        raw: JSON.stringify({ MessageStatus: status, ErrorCode: err ?? null }),
      });
      return refused ?? twiml(200);
    }
    const from = one('From');
    const to = one('To');
    if (!from || !to) return answer(400, 'an inbound message needs From and To');
    const n = Math.min(Number(one('NumMedia') ?? 0) || 0, 10);
    const urls: string[] = [];
    for (let i = 0; i < n; i++) {
      const u = one(`MediaUrl${i}`);
      if (u) urls.push(u);
    }
    // `Subject`: not in Twilio's documented inbound parameters; taken when a request has it.
    return (await this.inbound(from, to, one('Body') ?? '', urls, one('Subject'))) ?? twiml(200);
  }
}

function twiml(status: number): InboundHttpAnswer {
  return { status, contentType: 'text/xml', body: EMPTY_TWIML };
}
