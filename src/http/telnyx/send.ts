/**
 * `POST /v2/messages` as Telnyx takes it: the request's fields turned into Hermod's draft
 * (one door: `draftOf` + `Gateway.submit`), the answer in Telnyx's message shape. Which
 * fields are honoured, ignored or refused: docs/telnyx-api.md.
 */
import {
  CheckedUrls,
  RefusedUrlError,
  UrlGuard,
  draftOf,
  type Gateway,
  type MessageViews,
} from '../../gateway/index.js';
import { telnyxMessage } from '../../gateway/telnyx.js';
import type { MediaRef, TelnyxMeta, User } from '../../domain/index.js';
import { HttpProblem } from '../problem.js';
import { TelnyxFieldError, fieldError } from './errors.js';

/** Telnyx's `MessageSendParams` (the fields Hermod reads; others are ignored). */
export interface TelnyxSendInput {
  to?: string;
  from?: string;
  text?: string;
  media_urls?: string[];
  subject?: string;
  webhook_url?: string;
  webhook_failover_url?: string;
  use_profile_webhooks?: boolean;
  type?: 'SMS' | 'MMS';
  messaging_profile_id?: string;
  auto_detect?: boolean;
  encoding?: 'auto' | 'gsm7' | 'ucs2';
  send_at?: string | null;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** Sender: E.164 (the '+' dropped), a short code, or an alphanumeric id of 1–11 characters. */
function sourceOf(from: string | undefined): string {
  // None: the account's default sender (settings.defaults.sourceAddr), as Telnyx takes the profile's.
  if (from === undefined || from === '') return '';
  if (/^\+\d{3,15}$/.test(from)) return from.slice(1);
  if (/^\d{3,15}$/.test(from)) return from;
  if (/^[A-Za-z0-9 ]{1,11}$/.test(from) && /[A-Za-z]/.test(from)) return from;
  throw new TelnyxFieldError(
    '10002',
    '/from',
    'HERMOD_ERR_INVALID_SOURCE',
    `"${from}" is not a valid sender: a +E.164 number, a short code, or 1–11 letters, digits and spaces with at least one letter`,
  );
}

export class TelnyxSender {
  private readonly guard: CheckedUrls;

  constructor(
    private readonly gateway: Gateway,
    private readonly messages: Pick<MessageViews, 'get'>,
    guard: UrlGuard = new UrlGuard(),
    /** The account's webhook URL (PUT /v1/webhook): Telnyx's "profile webhooks". */
    private readonly accountWebhook?: (userId: number) => Promise<string | undefined>,
  ) {
    this.guard = new CheckedUrls(guard);
  }

  /** Checks, submits and answers one message: `data` as Telnyx answers it (status `queued`). */
  async send(user: User, input: TelnyxSendInput, now = Date.now()): Promise<Record<string, unknown>> {
    if (input.to === undefined || input.to === '') throw fieldError.missing('to');
    if (!E164.test(input.to))
      throw new TelnyxFieldError(
        '10016',
        '/to',
        'HERMOD_ERR_INVALID_DESTINATION',
        `"${input.to}" is not a +E.164 number`,
      );
    const from = sourceOf(input.from);
    const urls = input.media_urls ?? [];
    const mms = urls.length > 0;
    if (input.type === 'MMS' && !mms) throw fieldError.missing('media_urls', 'type MMS needs media_urls');
    if (input.type === 'SMS' && mms)
      throw fieldError.invalid(
        'type',
        'type SMS cannot carry media_urls: send it as MMS (or leave type out)',
      );
    const text = input.text ?? '';
    if (!mms && text === '') throw fieldError.missing('text', 'text is required for an SMS');
    const callbacks = await this.callbacks(user, input);
    const scheduleAt = scheduleOf(input.send_at, now);
    const { media, telnyx } = await this.media(user, urls, input.messaging_profile_id);
    const id = await this.gateway.submit(
      user,
      draftOf({
        systemId: user.username,
        origin: 'rest',
        from,
        to: input.to.slice(1),
        content: { text, encoding: input.encoding ?? 'auto' },
        ...callbacks,
        ...(scheduleAt !== undefined ? { scheduleAt } : {}),
        ...(media.length > 0 ? { media } : {}),
        ...(mms && input.subject !== undefined ? { subject: input.subject } : {}),
        telnyx,
      }),
    );
    const stored = await this.messages.get(id);
    if (!stored) throw new HttpProblem(500, 'HERMOD_ERR_INTERNAL', 'accepted message not found');
    return telnyxMessage(stored, { status: 'queued', errors: [] });
  }

  /** `media_urls` into the media library (URLs fetched through the SSRF guard, or upload ids). */
  private async media(
    user: User,
    urls: readonly string[],
    profile: string | undefined,
  ): Promise<{ media: MediaRef[]; telnyx: TelnyxMeta }> {
    const telnyx: TelnyxMeta = profile !== undefined ? { messagingProfileId: profile } : {};
    if (urls.length === 0) return { media: [], telnyx };
    const library = this.gateway.media;
    if (!library)
      throw new TelnyxFieldError(
        '10015',
        '/media_urls',
        'HERMOD_ERR_MEDIA_UNAVAILABLE',
        'this gateway has no media store: MMS cannot be sent',
      );
    const media = await library.resolve(urls, { userId: user.id });
    const records = await Promise.all(media.map((m) => library.find(m.id)));
    telnyx.media = media.map((_, i) => ({ url: urls[i], sha256: records[i]?.sha256 ?? '' }));
    return { media, telnyx };
  }

  /**
   * webhook_url and webhook_failover_url, checked against the SSRF guard now. Without a
   * webhook_url, the account's webhook (Telnyx's profile webhooks) unless
   * `use_profile_webhooks` is false; with one, the account's webhook is its failover when no
   * failover URL is given (Telnyx tries the message's webhooks first, then the profile's).
   */
  private async callbacks(
    user: User,
    input: TelnyxSendInput,
  ): Promise<{ callbackUrl?: string; callbackFailoverUrl?: string }> {
    const profile = input.use_profile_webhooks === false ? undefined : await this.accountWebhook?.(user.id);
    const primary =
      input.webhook_url !== undefined && input.webhook_url !== ''
        ? await this.checked(input.webhook_url, 'webhook_url')
        : undefined;
    const failover =
      input.webhook_failover_url !== undefined && input.webhook_failover_url !== ''
        ? await this.checked(input.webhook_failover_url, 'webhook_failover_url')
        : undefined;
    if (primary === undefined) {
      if (failover !== undefined && profile === undefined)
        throw fieldError.missing('webhook_url', 'webhook_failover_url needs a webhook_url');
      return profile === undefined
        ? {}
        : { callbackUrl: profile, ...(failover !== undefined ? { callbackFailoverUrl: failover } : {}) };
    }
    const second = failover ?? (profile !== primary ? profile : undefined);
    return { callbackUrl: primary, ...(second !== undefined ? { callbackFailoverUrl: second } : {}) };
  }

  private async checked(url: string, field: string): Promise<string> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TelnyxFieldError(
        '10003',
        `/${field}`,
        'HERMOD_ERR_INVALID_CALLBACK_URL',
        `${field} is not a URL`,
      );
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new TelnyxFieldError(
        '10003',
        `/${field}`,
        'HERMOD_ERR_INVALID_CALLBACK_URL',
        `${field} must be http or https`,
      );
    try {
      await this.guard.check(u.toString());
    } catch (err) {
      if (err instanceof RefusedUrlError)
        throw new TelnyxFieldError(
          '10003',
          `/${field}`,
          'HERMOD_ERR_URL_REFUSED',
          `${field} refused: ${err.reason}`,
        );
      throw err;
    }
    return u.toString();
  }
}

/** `send_at` (ISO 8601) → the schedule; a time already past sends now. */
function scheduleOf(sendAt: string | null | undefined, now: number): number | undefined {
  if (sendAt === undefined || sendAt === null || sendAt === '') return undefined;
  const at = Date.parse(sendAt);
  if (!Number.isFinite(at)) throw fieldError.invalid('send_at', 'send_at must be an ISO 8601 date-time');
  return at > now ? at : undefined;
}
