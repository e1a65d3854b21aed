/**
 * A provider-API simulator (docs/simulator.md): a local HTTP server that acts as Telnyx
 * (`POST /v2/messages`) or Twilio (`POST /2010-04-01/Accounts/<sid>/Messages.json`) for
 * development, demos and tests. It answers in the provider's shapes, fetches the media URLs
 * it was given (and records what it got: how a test proves signed media URLs work), then
 * sends the status webhooks signed as the provider signs them (Telnyx: Ed25519 with a key
 * pair of its own, the public key in `publicKey`; Twilio: HMAC-SHA1 with the auth token).
 * Outcomes are scripted by recipient prefix, like the SMSC simulator's. `inject()` sends an
 * inbound SMS or MMS, its media served by the simulator itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { formParams, telnyxKeyPair, telnyxSign, twilioSignature } from '../lib/provider-signatures.js';
import {
  telnyxError,
  telnyxEvent,
  telnyxMessageId,
  telnyxSendAnswer,
  twilioError,
  twilioInboundFields,
  twilioMessage,
  twilioSid,
  twilioStatusFields,
  type ProviderKind,
  type ProviderOutcome,
  type SimMessage,
} from './provider-shapes.js';

export type { ProviderKind, ProviderOutcome } from './provider-shapes.js';

/** What happens to messages whose recipient starts with `prefix` (first matching rule wins). */
export interface ProviderScript {
  /** Digits the recipient starts with (a leading `+` is ignored). */
  prefix: string;
  /** The final status webhook's outcome (default delivered). */
  outcome?: ProviderOutcome;
  /** Answer the submit with this HTTP status (429, 500, 400, …) and the provider's error body. */
  status?: number;
  /** Wait this long before the status webhooks. */
  delayMs?: number;
  /** The rule applies to its first `times` matches only, then lets them pass. */
  times?: number;
}

export interface ProviderSimulatorOptions {
  provider: ProviderKind;
  host?: string;
  /** 0 = any free port (default). */
  port?: number;
  /** Telnyx: the API key required as Bearer (default: any). */
  apiKey?: string;
  /** Twilio: the account (default a fixed test one) and its auth token (required as basic auth, and signs). */
  accountSid?: string;
  authToken?: string;
  /** Telnyx: the Ed25519 key that signs webhooks (default: a fresh pair). */
  privateKey?: KeyObject;
  scripts?: ProviderScript[];
  /** Delay before each message's status webhooks (default 0). */
  reportDelayMs?: number;
  /** Where status webhooks go when a message names none. */
  webhookUrl?: string;
}

/** One media URL the simulator fetched, and what it got. */
export interface FetchedMedia {
  messageId: string;
  url: string;
  status: number;
  contentType: string | null;
  bytes: Buffer;
}

/** One webhook the simulator sent, and how it was answered (0 = no answer). */
export interface SentWebhook {
  url: string;
  event: string;
  messageId: string;
  status: number;
  body: string;
}

export interface InboundMedia {
  bytes: Buffer;
  contentType: string;
  filename?: string;
}

const DEFAULT_ACCOUNT = 'AC00000000000000000000000000000000';

export class ProviderSimulator {
  readonly provider: ProviderKind;
  /** Telnyx: the public key (base64) to configure the connector with. */
  readonly publicKey: string | undefined;
  readonly accountSid: string;
  readonly submitted: SimMessage[] = [];
  readonly fetched: FetchedMedia[] = [];
  readonly webhooks: SentWebhook[] = [];
  readonly stats = { submits: 0, refused: 0, webhooks: 0, fetches: 0, inbound: 0 };
  private readonly privateKey: KeyObject | undefined;
  private readonly hits = new Map<ProviderScript, number>();
  private readonly served = new Map<string, InboundMedia>();
  private readonly pending = new Set<Promise<void>>();
  private server: Server | undefined;
  private origin = '';

  private constructor(private readonly o: ProviderSimulatorOptions) {
    this.provider = o.provider;
    this.accountSid = o.accountSid ?? DEFAULT_ACCOUNT;
    if (o.provider === 'telnyx') {
      if (o.privateKey) {
        this.privateKey = o.privateKey;
        const { x } = o.privateKey.export({ format: 'jwk' }) as { x: string };
        this.publicKey = Buffer.from(x, 'base64url').toString('base64');
      } else {
        const pair = telnyxKeyPair();
        this.privateKey = pair.privateKey;
        this.publicKey = pair.publicKey;
      }
    } else if (!o.authToken) throw new Error('the Twilio simulator needs an authToken');
  }

  static async start(o: ProviderSimulatorOptions): Promise<ProviderSimulator> {
    const sim = new ProviderSimulator(o);
    await sim.listen();
    return sim;
  }

  /** The simulator's origin: the connector's `baseUrl`. */
  get url(): string {
    return this.origin;
  }

  /** Resolves when every message's media fetches and webhooks so far are done. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.idle();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /**
   * Sends an inbound SMS (no media) or MMS to `url` (the connector's webhook URL), signed;
   * its media are served by the simulator. Resolves to the HTTP status Hermod answered.
   */
  async inject(
    url: string,
    m: { from: string; to: string; text?: string; media?: InboundMedia[]; subject?: string },
  ): Promise<SentWebhook> {
    this.stats.inbound++;
    const id = this.provider === 'telnyx' ? telnyxMessageId() : twilioSid(m.media?.length ? 'MM' : 'SM');
    const media = (m.media ?? []).map((x, i) => {
      const mediaId = this.provider === 'telnyx' ? `${id}-${i}` : twilioSid('ME');
      const path =
        this.provider === 'telnyx'
          ? `/media/${mediaId}/${encodeURIComponent(x.filename ?? `part${i}`)}`
          : `/2010-04-01/Accounts/${this.accountSid}/Messages/${id}/Media/${mediaId}`;
      this.served.set(path, x);
      return { url: this.origin + path, contentType: x.contentType };
    });
    const msg: SimMessage = {
      id,
      from: m.from,
      to: m.to,
      text: m.text ?? '',
      mediaUrls: media.map((x) => x.url),
      // Telnyx's message.received carries it; Twilio's inbound parameters have no subject.
      ...(m.subject !== undefined ? { subject: m.subject } : {}),
      createdAt: new Date(),
    };
    if (this.provider === 'telnyx')
      return this.postTelnyx(url, 'message.received', msg, telnyxEvent('message.received', msg, 'received'));
    return this.postTwilio(url, 'received', msg, twilioInboundFields(msg, this.accountSid, media));
  }

  /** One line of counters, for the CLI. */
  statsLine(): string {
    const s = this.stats;
    return `submits=${s.submits} refused=${s.refused} media_fetched=${s.fetches} webhooks=${s.webhooks} inbound=${s.inbound}`;
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    this.origin = `http://${host}:${a.port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    const served = this.served.get(path);
    if (req.method === 'GET' && served) {
      res.writeHead(200, { 'content-type': served.contentType, 'content-length': served.bytes.length });
      res.end(served.bytes);
      return;
    }
    if (this.provider === 'telnyx' && req.method === 'POST' && path === '/v2/messages')
      return this.telnyxSend(req, body, res);
    if (
      this.provider === 'twilio' &&
      req.method === 'POST' &&
      /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(path)
    )
      return this.twilioSend(req, path, body, res);
    json(
      res,
      404,
      this.provider === 'telnyx'
        ? telnyxError('10005', 'Resource not found', path)
        : twilioError(404, 20404, 'The requested resource was not found'),
    );
  }

  private telnyxSend(req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || (this.o.apiKey !== undefined && !same(auth.slice(7), this.o.apiKey))) {
      this.stats.refused++;
      return json(
        res,
        401,
        telnyxError('10009', 'Authentication failed', 'The API key is missing or wrong.'),
      );
    }
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return json(res, 400, telnyxError('10015', 'Bad request', 'The body is not JSON.'));
    }
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
    const media = Array.isArray(b.media_urls)
      ? b.media_urls.filter((u): u is string => typeof u === 'string')
      : [];
    const to = str('to');
    if (!to || !str('from') || (!str('text') && media.length === 0)) {
      this.stats.refused++;
      return json(
        res,
        422,
        telnyxError('10015', 'Invalid value', 'to, from and text or media_urls are required.'),
      );
    }
    const rule = this.rule(to);
    if (rule?.status) {
      this.stats.refused++;
      return json(
        res,
        rule.status,
        telnyxError(String(rule.status), 'Simulated refusal', `scripted for prefix ${rule.prefix}`),
      );
    }
    const m: SimMessage = {
      id: telnyxMessageId(),
      from: str('from')!,
      to,
      text: str('text') ?? '',
      ...(str('subject') ? { subject: str('subject')! } : {}),
      mediaUrls: media,
      ...((str('webhook_url') ?? this.o.webhookUrl)
        ? { webhookUrl: str('webhook_url') ?? this.o.webhookUrl! }
        : {}),
      ...(str('messaging_profile_id') ? { messagingProfileId: str('messaging_profile_id')! } : {}),
      createdAt: new Date(),
    };
    this.accept(m, rule);
    json(res, 200, telnyxSendAnswer(m));
  }

  private twilioSend(req: IncomingMessage, path: string, raw: Buffer, res: ServerResponse): void {
    const want = `Basic ${Buffer.from(`${this.accountSid}:${this.o.authToken}`).toString('base64')}`;
    if (!same(req.headers.authorization ?? '', want) || !path.includes(`/Accounts/${this.accountSid}/`)) {
      this.stats.refused++;
      return json(res, 401, twilioError(401, 20003, 'Authenticate'));
    }
    const p = formParams(raw.toString('utf8'));
    const one = (k: string) => (Array.isArray(p[k]) ? p[k][0] : (p[k] as string | undefined));
    const mediaUrls = p.MediaUrl === undefined ? [] : Array.isArray(p.MediaUrl) ? p.MediaUrl : [p.MediaUrl];
    const to = one('To');
    if (!to) {
      this.stats.refused++;
      return json(res, 400, twilioError(400, 21604, "A 'To' phone number is required."));
    }
    if (!one('From') && !one('MessagingServiceSid')) {
      this.stats.refused++;
      return json(res, 400, twilioError(400, 21603, "A 'From' phone number is required."));
    }
    if (!one('Body') && mediaUrls.length === 0) {
      this.stats.refused++;
      return json(res, 400, twilioError(400, 21602, 'Message body is required.'));
    }
    const rule = this.rule(to);
    if (rule?.status) {
      this.stats.refused++;
      return json(
        res,
        rule.status,
        twilioError(
          rule.status,
          rule.status === 429 ? 20429 : 20500,
          `Simulated refusal for prefix ${rule.prefix}`,
        ),
      );
    }
    const m: SimMessage = {
      id: twilioSid(mediaUrls.length > 0 ? 'MM' : 'SM'),
      from: one('From') ?? '',
      to,
      text: one('Body') ?? '',
      mediaUrls,
      ...((one('StatusCallback') ?? this.o.webhookUrl)
        ? { webhookUrl: one('StatusCallback') ?? this.o.webhookUrl! }
        : {}),
      ...(one('MessagingServiceSid') ? { messagingServiceSid: one('MessagingServiceSid')! } : {}),
      createdAt: new Date(),
    };
    this.accept(m, rule);
    json(res, 201, twilioMessage(m, this.accountSid));
  }

  /** The first rule for `to` that still applies; counts the hit. */
  private rule(to: string): ProviderScript | undefined {
    const digits = to.replace(/^\+/, '');
    for (const r of this.o.scripts ?? []) {
      if (!digits.startsWith(r.prefix.replace(/^\+/, ''))) continue;
      const n = (this.hits.get(r) ?? 0) + 1;
      if (r.times !== undefined && n > r.times) continue;
      this.hits.set(r, n);
      return r;
    }
    return undefined;
  }

  /** Records the message, then (in the background) fetches its media and reports on it. */
  private accept(m: SimMessage, rule: ProviderScript | undefined): void {
    this.stats.submits++;
    this.submitted.push(m);
    const run = this.followUp(m, rule).finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  private async followUp(m: SimMessage, rule: ProviderScript | undefined): Promise<void> {
    let mediaFailed = false;
    for (const url of m.mediaUrls) {
      const got = await fetchOnce(url);
      this.stats.fetches++;
      this.fetched.push({ messageId: m.id, url, ...got });
      if (got.status !== 200) mediaFailed = true;
    }
    const delay = rule?.delayMs ?? this.o.reportDelayMs ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (!m.webhookUrl) return;
    const outcome: ProviderOutcome = mediaFailed ? 'failed' : (rule?.outcome ?? 'delivered');
    if (this.provider === 'telnyx') {
      await this.postTelnyx(m.webhookUrl, 'message.sent', m, telnyxEvent('message.sent', m, 'sent'));
      const extra = mediaFailed ? [{ code: '40008', title: 'Media could not be fetched (simulated)' }] : [];
      await this.postTelnyx(
        m.webhookUrl,
        'message.finalized',
        m,
        telnyxEvent('message.finalized', m, outcome, extra),
      );
      return;
    }
    await this.postTwilio(m.webhookUrl, 'sent', m, twilioStatusFields(m, this.accountSid, 'sent'));
    if (outcome === 'unconfirmed') return;
    // 11200: HTTP retrieval failure (Twilio's code when it cannot fetch a media URL).
    const fields = twilioStatusFields(m, this.accountSid, outcome, mediaFailed ? '11200' : undefined);
    await this.postTwilio(m.webhookUrl, outcome, m, fields);
  }

  private postTelnyx(url: string, event: string, m: SimMessage, payload: object): Promise<SentWebhook> {
    const body = JSON.stringify(payload);
    const headers = {
      'content-type': 'application/json',
      ...telnyxSign(this.privateKey!, body, Math.floor(Date.now() / 1000)),
    };
    return this.post(url, event, m.id, body, headers);
  }

  private postTwilio(
    url: string,
    event: string,
    m: SimMessage,
    fields: Record<string, string>,
  ): Promise<SentWebhook> {
    const body = new URLSearchParams(fields).toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(this.o.authToken!, url, fields),
      'i-twilio-idempotency-token': twilioSid(''),
    };
    return this.post(url, event, m.id, body, headers);
  }

  private async post(
    url: string,
    event: string,
    messageId: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<SentWebhook> {
    this.stats.webhooks++;
    let sent: SentWebhook;
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
      sent = { url, event, messageId, status: res.status, body: await res.text() };
    } catch (err) {
      sent = { url, event, messageId, status: 0, body: (err as Error).message };
    }
    this.webhooks.push(sent);
    return sent;
  }
}

async function fetchOnce(
  url: string,
): Promise<{ status: number; contentType: string | null; bytes: Buffer }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  } catch {
    return { status: 0, contentType: null, bytes: Buffer.alloc(0) };
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
