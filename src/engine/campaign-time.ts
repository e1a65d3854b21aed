/**
 * Time for campaigns: a local date and time in an IANA time zone as an instant (schedules),
 * the local time of day in a zone (quiet hours), and the time zone of a recipient's country.
 * Node's Intl knows every zone's rules; it does not map countries to zones, so the table
 * below gives each country its most populous zone: quiet hours in a country spanning zones
 * (US, Canada, Russia, Brazil, Australia…) are kept in that one zone, and a number whose
 * country is not listed falls back to the campaign's time zone (else UTC).
 */
import { countryOf } from '../domain/index.js';

const COUNTRY_ZONES: Record<string, string> = {
  AE: 'Asia/Dubai',
  AR: 'America/Argentina/Buenos_Aires',
  AT: 'Europe/Vienna',
  AU: 'Australia/Sydney',
  BD: 'Asia/Dhaka',
  BE: 'Europe/Brussels',
  BG: 'Europe/Sofia',
  BR: 'America/Sao_Paulo',
  CA: 'America/Toronto',
  CH: 'Europe/Zurich',
  CL: 'America/Santiago',
  CN: 'Asia/Shanghai',
  CO: 'America/Bogota',
  CZ: 'Europe/Prague',
  DE: 'Europe/Berlin',
  DK: 'Europe/Copenhagen',
  EG: 'Africa/Cairo',
  ES: 'Europe/Madrid',
  FI: 'Europe/Helsinki',
  FR: 'Europe/Paris',
  GB: 'Europe/London',
  GG: 'Europe/London',
  GH: 'Africa/Accra',
  GR: 'Europe/Athens',
  HK: 'Asia/Hong_Kong',
  HU: 'Europe/Budapest',
  ID: 'Asia/Jakarta',
  IE: 'Europe/Dublin',
  IL: 'Asia/Jerusalem',
  IM: 'Europe/London',
  IN: 'Asia/Kolkata',
  IS: 'Atlantic/Reykjavik',
  IT: 'Europe/Rome',
  JE: 'Europe/London',
  JP: 'Asia/Tokyo',
  KE: 'Africa/Nairobi',
  KR: 'Asia/Seoul',
  MA: 'Africa/Casablanca',
  MX: 'America/Mexico_City',
  MY: 'Asia/Kuala_Lumpur',
  NG: 'Africa/Lagos',
  NL: 'Europe/Amsterdam',
  NO: 'Europe/Oslo',
  NZ: 'Pacific/Auckland',
  PE: 'America/Lima',
  PH: 'Asia/Manila',
  PK: 'Asia/Karachi',
  PL: 'Europe/Warsaw',
  PT: 'Europe/Lisbon',
  RO: 'Europe/Bucharest',
  RS: 'Europe/Belgrade',
  RU: 'Europe/Moscow',
  SA: 'Asia/Riyadh',
  SE: 'Europe/Stockholm',
  SG: 'Asia/Singapore',
  TH: 'Asia/Bangkok',
  TR: 'Europe/Istanbul',
  TW: 'Asia/Taipei',
  UA: 'Europe/Kyiv',
  US: 'America/New_York',
  VN: 'Asia/Ho_Chi_Minh',
  ZA: 'Africa/Johannesburg',
};

/** True when Intl knows the zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(
  at: number,
  zone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(at)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(at: number, zone: string): number {
  const w = wallClock(at, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(at / 1000) * 1000;
}

/**
 * "2026-12-08T09:00" (no offset) in `zone` → ms since the epoch. A local time skipped by a
 * DST change lands an hour later; one that happens twice is the first.
 */
export function localToInstant(local: string, zone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return undefined;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  // Two rounds: the offset at the guess, then at the corrected instant (DST boundaries).
  let at = asUtc - offsetAt(asUtc, zone);
  at = asUtc - offsetAt(at, zone);
  return at;
}

/** Minutes since local midnight in `zone` at `at`. */
export function minuteOfDay(at: number, zone: string): number {
  const w = wallClock(at, zone);
  return w.h * 60 + w.mi;
}

/** "HH:MM" → minutes since midnight, or undefined. */
export function parseClock(s: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** The zone quiet hours are kept in for a number: its country's, else the fallback, else UTC. */
export function zoneOfNumber(msisdn: string, fallback: string | null): string {
  const country = countryOf(msisdn);
  return (country && COUNTRY_ZONES[country]) ?? fallback ?? 'UTC';
}

/**
 * When quiet hours hold at `now` in `zone`, the instant they end (to the minute); else
 * undefined. `from` and `to` are "HH:MM"; from > to spans midnight (21:00 → 08:00).
 */
export function quietUntil(
  now: number,
  quiet: { from: string; to: string },
  zone: string,
): number | undefined {
  const from = parseClock(quiet.from)!;
  const to = parseClock(quiet.to)!;
  const t = minuteOfDay(now, zone);
  const inside = from <= to ? t >= from && t < to : t >= from || t < to;
  if (!inside) return undefined;
  const minutes = (to - t + 1440) % 1440;
  return now - (now % 60_000) + minutes * 60_000;
}

/** The same local wall-clock time `days` later in `zone` (a day is 23 or 25 hours across DST). */
export function addLocalDays(at: number, days: number, zone: string): number {
  const w = wallClock(at, zone);
  const d = new Date(Date.UTC(w.y, w.mo - 1, w.d + days));
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
  return localToInstant(local, zone)!;
}
