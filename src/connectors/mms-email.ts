/**
 * MMS to email (docs/mms.md, "MMS to email"): sends the outbox's `email` items (an inbound
 * MMS, or an SMS for a route with `emailSms`) through the configured SMTP server with
 * nodemailer. The media are attached from the media library up to `maxAttachmentBytes` in
 * all; the rest are signed links. The number is in the mail (it is the customer's own
 * traffic) and masked in the default subject; it is never logged.
 */
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { maskNumber } from '../lib/redact.js';
import { DEFAULT_LINK_TTL_S } from '../gateway/mms.js';
import { parseEmailItem, type EmailItem } from '../gateway/mms-email.js';
import type { MediaLibrary } from '../gateway/media.js';
import type { Outcome } from '../gateway/webhooks.js';
import { locationOf } from './mm7-content.js';

/** The `smtp:` settings the mailer needs (config/mms-email.ts SmtpConfig). */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  starttls: 'required' | 'auto' | 'never';
  user: string | null;
  password: string | null;
  from: string;
  maxAttachmentBytes: number;
  timeoutS: number;
}

/** SMTP replies that mean "this mail will never be taken" (RFC 5321 §4.2.1: 5yz), except a login refused (fixable: retried). */
const isPermanent = (code: number | undefined) =>
  code !== undefined && code >= 500 && code < 600 && ![530, 534, 535, 538].includes(code);

type Attachment = { filename: string; content: Buffer; contentType: string };

export class MmsMailer {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(
    private readonly smtp: SmtpSettings,
    private readonly media: MediaLibrary | undefined,
    /** Validity of the links of media too large to attach (s); default a week. */
    private readonly linkTtlS = DEFAULT_LINK_TTL_S,
  ) {
    const ms = smtp.timeoutS * 1000;
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.starttls === 'required',
      ignoreTLS: smtp.starttls === 'never',
      ...(smtp.user !== null && smtp.password !== null
        ? { auth: { user: smtp.user, pass: smtp.password } }
        : {}),
      connectionTimeout: ms,
      greetingTimeout: ms,
      socketTimeout: ms,
    });
  }

  /** One attempt at an `email` item: ok with the SMTP reply code, or why not and whether to retry. */
  async deliver(w: { eventId: string; body: string }): Promise<Outcome> {
    let item: EmailItem;
    try {
      item = parseEmailItem(w.body);
    } catch (err) {
      return { ok: false, retry: false, error: `unreadable email item: ${(err as Error).message}` };
    }
    try {
      const mail = await this.compose(item, w.eventId);
      const info = await this.transport.sendMail(mail);
      return { ok: true, status: Number(/^\d{3}/.exec(info.response ?? '')?.[0] ?? 250) };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      const error = `SMTP: ${(err as Error).message}`;
      return { ok: false, retry: !isPermanent(code), error, ...(code !== undefined ? { status: code } : {}) };
    }
  }

  /** The mail of an item: headers, a text body, the media attached (or linked). */
  async compose(item: EmailItem, eventId: string): Promise<SendMailOptions> {
    const attachments: Attachment[] = [];
    const notes: string[] = [];
    let attached = 0;
    for (const [i, ref] of item.media.entries()) {
      const name = locationOf(ref, i + 1);
      const fits = attached + ref.size <= this.smtp.maxAttachmentBytes;
      const got = fits && this.media ? await this.media.get(ref.id).catch(() => undefined) : undefined;
      if (got) {
        attached += got.bytes.length;
        attachments.push({ filename: name, content: got.bytes, contentType: ref.contentType });
        notes.push(`Attached: ${name} (${ref.contentType}, ${ref.size} bytes)`);
      } else if (!fits && this.media?.canSign) {
        const url = this.media.signedUrl(ref.id, this.linkTtlS);
        notes.push(`Too large to attach: ${name} (${ref.contentType}, ${ref.size} bytes): ${url}`);
      } else {
        const why = fits ? 'No longer available' : 'Too large to attach (no link can be signed here)';
        notes.push(`${why}: ${name} (${ref.contentType}, ${ref.size} bytes)`);
      }
    }
    const from = `+${item.from}`;
    const kind = item.media.length > 0 ? 'MMS' : 'SMS';
    const text = [
      `${kind} from ${from} to +${item.number}, received ${new Date(item.receivedAt).toISOString()}.`,
      '',
      ...(item.subject !== undefined ? [`Subject: ${item.subject}`] : []),
      ...(item.text !== '' ? [item.text] : []),
      ...(notes.length > 0 ? ['', ...notes] : []),
      '',
    ].join('\n');
    return {
      from: this.smtp.from,
      to: item.to,
      subject: item.subject ?? `${kind} from ${maskNumber(from)}`,
      text,
      attachments,
      // The same on every attempt: a mail system that got it twice can tell.
      messageId: `<${eventId}@hermod>`,
      date: new Date(item.receivedAt),
      headers: { 'X-Hermod-Mo-Id': item.moId, 'Auto-Submitted': 'auto-generated' },
    };
  }

  close(): void {
    this.transport.close();
  }
}
