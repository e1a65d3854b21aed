/**
 * MMS-to-email (docs/mms.md, "MMS to email"; docs/configuration.md): the `smtp:` block (the
 * server inbound MMS are mailed through) and an MO route's `email` target.
 */
import type { Checker, Obj } from './checker.js';

export interface SmtpConfig {
  host: string;
  /** Default 465 with `secure`, else 587. */
  port: number;
  /** TLS from the first byte (SMTPS, port 465); else plain, upgraded by STARTTLS as `starttls` says. */
  secure: boolean;
  /** `required`: refuse a server without STARTTLS; `auto`: use it when offered; `never`: plain text. */
  starttls: 'required' | 'auto' | 'never';
  /** Login (HERMOD_SMTP_USER / HERMOD_SMTP_PASSWORD override); none: no AUTH. */
  user: string | null;
  password: string | null;
  /** The From: address. */
  from: string;
  /** Media attached up to this many bytes in all (default 5 MiB); the rest as signed links. */
  maxAttachmentBytes: number;
  /** Deadline of one delivery attempt (s, default 30). */
  timeoutS: number;
}

const KEYS = [
  'host',
  'port',
  'secure',
  'starttls',
  'user',
  'password',
  'from',
  'maxAttachmentBytes',
  'timeoutS',
];

/** An address as SMTP takes it: local part, @, a domain with a dot (or an IP literal); no spaces or brackets. */
const ADDRESS = /^[^\s@<>(),;:"]+@(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9a-fA-F:.]+\])$/;

export function isEmailAddress(v: string): boolean {
  return ADDRESS.test(v);
}

/** `smtp:` (null when absent); the login from HERMOD_SMTP_USER / HERMOD_SMTP_PASSWORD when set. */
export function smtpOf(c: Checker, root: Obj, env: NodeJS.ProcessEnv): SmtpConfig | null {
  if (root.smtp === undefined || root.smtp === null) return null;
  const p = 'smtp';
  const o = c.obj(root.smtp, p, KEYS);
  if (!o) return null;
  const host = c.str(o, 'host', p) ?? '';
  const secure = c.bool(o, 'secure', p, false);
  const port = c.num(o, 'port', p, { def: secure ? 465 : 587, min: 1, max: 65535, int: true }) ?? 587;
  const starttls = c.oneOf(o, 'starttls', p, ['required', 'auto', 'never'] as const, 'auto') ?? 'auto';
  if (secure && o.starttls !== undefined)
    c.fail(`${p}.starttls`, 'secure: true is TLS from the start; starttls is for a plain connection');
  const user = env.HERMOD_SMTP_USER ?? (o.user === undefined ? null : (c.str(o, 'user', p) ?? null));
  const password =
    env.HERMOD_SMTP_PASSWORD ?? (o.password === undefined ? null : (c.str(o, 'password', p) ?? null));
  if ((user === null) !== (password === null))
    c.fail(`${p}.${user === null ? 'user' : 'password'}`, 'user and password go together (AUTH needs both)');
  const from = c.str(o, 'from', p) ?? '';
  if (from !== '' && !isEmailAddress(from))
    c.fail(`${p}.from`, `expected an email address, got ${JSON.stringify(from)}`);
  const maxAttachmentBytes =
    c.num(o, 'maxAttachmentBytes', p, { def: 5 * 2 ** 20, min: 0, max: 50 * 2 ** 20, int: true }) ?? 0;
  const timeoutS = c.num(o, 'timeoutS', p, { def: 30, min: 1, max: 600 }) ?? 30;
  return { host, port, secure, starttls, user, password, from, maxAttachmentBytes, timeoutS };
}

/**
 * An MO route's `email` target (a list of addresses, or one) and `emailSms` (also an SMS
 * MO; default false: only MMS). `smtp` false (known to be absent) refuses an email target.
 */
export function moEmailOf(
  c: Checker,
  o: Obj,
  p: string,
  smtp: boolean | undefined,
): { email?: string[]; emailSms?: boolean } {
  if (o.email === undefined) {
    if (o.emailSms !== undefined) c.fail(`${p}.emailSms`, 'only email routes have emailSms');
    return {};
  }
  const raw = typeof o.email === 'string' ? [o.email] : o.email;
  if (!Array.isArray(raw) || raw.length === 0) {
    c.fail(`${p}.email`, 'expected an email address or a non-empty list of them');
    return {};
  }
  const email: string[] = [];
  raw.forEach((a, i) => {
    if (typeof a === 'string' && isEmailAddress(a)) email.push(a);
    else c.fail(`${p}.email[${i}]`, `expected an email address, got ${JSON.stringify(a)}`);
  });
  if (smtp === false) c.fail(`${p}.email`, 'needs the smtp: block (the server the mail goes through)');
  const emailSms = o.emailSms === undefined ? undefined : c.bool(o, 'emailSms', p, false);
  return { email, ...(emailSms !== undefined ? { emailSms } : {}) };
}
