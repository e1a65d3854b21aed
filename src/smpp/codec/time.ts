/**
 * SMPP time fields (schedule_delivery_time, validity_period), SMPP 3.4 §7.1.1: a 16-character
 * C-octet string "YYMMDDhhmmsstnnp", or empty (NULL: not set).
 * - Absolute (p = '+' or '-'): local time of the sender, t = tenths of a second, nn = the
 *   difference between that local time and UTC in quarter hours (00–48); '+' means local
 *   time is ahead of UTC.
 * - Relative (p = 'R'): YY years, MM months, DD days, hh hours, mm minutes, ss seconds from
 *   now; "tnn" is 000 (§7.1.1.2; other digits are tolerated and ignored).
 * Pure: no clock of its own, the caller passes `now`.
 */
import { HermodError } from '../../lib/errors.js';

export class SmppTimeError extends HermodError {
  constructor(
    readonly value: string,
    message: string,
  ) {
    super('HERMOD_ERR_SMPP_TIME', `invalid SMPP time "${value}": ${message}`);
  }
}

export type SmppTime =
  | { kind: 'absolute'; at: number }
  | {
      kind: 'relative';
      at: number;
      years: number;
      months: number;
      days: number;
      hours: number;
      minutes: number;
      seconds: number;
    };

const FORMAT = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/;

/**
 * Parses an SMPP time field into milliseconds since the epoch (relative times are added to
 * `now`, in UTC calendar arithmetic for years and months). Returns undefined for an empty
 * field. Throws SmppTimeError for anything else that is not a valid time.
 */
export function parseSmppTime(value: string, now: number): SmppTime | undefined {
  if (value === '') return undefined;
  const m = FORMAT.exec(value);
  if (!m) throw new SmppTimeError(value, 'expected 16 characters "YYMMDDhhmmsstnnp" (p one of +, -, R)');
  const [yy, mo, dd, hh, mi, ss, t, nn] = m.slice(1, 9).map(Number);
  const p = m[9];
  if (p === 'R') {
    const d = new Date(now);
    // Years and months move the calendar date (31 Jan + 1 month = 3 Mar, as Date does); the
    // rest is a fixed duration.
    if (yy || mo) d.setUTCFullYear(d.getUTCFullYear() + yy, d.getUTCMonth() + mo);
    const at = d.getTime() + ((dd * 24 + hh) * 60 + mi) * 60_000 + ss * 1000;
    return { kind: 'relative', at, years: yy, months: mo, days: dd, hours: hh, minutes: mi, seconds: ss };
  }
  if (mo < 1 || mo > 12) throw new SmppTimeError(value, `month ${mo} is not 01–12`);
  const year = 2000 + yy; // SMPP has a two-digit year; every date Hermod sees is after 2000.
  const daysInMonth = new Date(Date.UTC(year, mo, 0)).getUTCDate();
  if (dd < 1 || dd > daysInMonth)
    throw new SmppTimeError(value, `day ${dd} is not in ${year}-${String(mo).padStart(2, '0')}`);
  if (hh > 23 || mi > 59 || ss > 59) throw new SmppTimeError(value, 'hour, minute or second out of range');
  if (nn > 48) throw new SmppTimeError(value, `UTC offset ${nn} quarter hours is over 48`);
  const local = Date.UTC(year, mo - 1, dd, hh, mi, ss, t * 100);
  const offsetMs = nn * 15 * 60_000 * (p === '+' ? 1 : -1);
  return { kind: 'absolute', at: local - offsetMs };
}

const two = (n: number) => String(n).padStart(2, '0');

/** An absolute SMPP time for `at` (ms since the epoch), written in UTC ("…t00+"). */
export function formatSmppTime(at: number): string {
  const d = new Date(at);
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${Math.floor(d.getUTCMilliseconds() / 100)}00+`;
}

/** A relative SMPP time for a duration in milliseconds (days up to 99, rounded down to seconds). */
export function formatRelativeSmppTime(durationMs: number): string {
  let s = Math.max(0, Math.floor(durationMs / 1000));
  const days = Math.min(99, Math.floor(s / 86_400));
  s -= days * 86_400;
  const h = Math.floor(s / 3600);
  const mi = Math.floor((s % 3600) / 60);
  return `0000${two(days)}${two(Math.min(23, h))}${two(mi)}${two(s % 60)}000R`;
}
