/**
 * What a customer gives to create a campaign, and the checks that need nothing but the input
 * and the time: the sender, the listed numbers, the schedule (an instant, or a local time in
 * a time zone), quiet hours, repetition and the rate cap. Each refusal names its field. The
 * checks that read the store (templates, groups) stay in CampaignService.create.
 */
import { InvalidNumberError, normalizeMsisdn } from '../domain/index.js';
import type { QuietHours } from '../store/engine-store/index.js';
import { isTimeZone, localToInstant, parseClock } from './campaign-time.js';
import { invalid } from './errors.js';

/** What a customer gives to create a campaign (REST v1 body, numbers as written). */
export interface CampaignInput {
  name: string;
  from: string;
  text?: string;
  templateId?: number;
  audience: { groups?: number[]; contacts?: number[]; excludeGroups?: number[]; numbers?: string[] };
  /** An instant with an offset ("2026-12-08T09:00:00Z"), or a local time with `timeZone`. */
  scheduleAt?: string;
  timeZone?: string;
  quietHours?: QuietHours;
  ratePerSecond?: number;
  tags?: string[];
  sendWhatBalanceCovers?: boolean;
  /** Sent again every day or week at the same local time as `scheduleAt` (which it needs). */
  repeat?: { every: 'day' | 'week'; times?: number };
}

export const CAMPAIGN_LIMITS = { numbers: 10_000, groups: 100, tags: 10, rate: 10_000 } as const;

/** A sender the gateway would take: digits (a number, ≤ 20) or alphanumeric (≤ 11, 3GPP TS 23.040). */
export function checkSender(from: string): void {
  if (from.length === 0) throw invalid('from', 'must not be empty');
  if (/[A-Za-z]/.test(from) ? from.length > 11 : from.length > 20)
    throw invalid('from', 'an alphanumeric sender is at most 11 characters, a number at most 20 digits');
}

/** The listed numbers, normalised; one that is not a number kept as written (counted invalid_number when prepared). */
export function audienceNumbers(given: string[]): string[] {
  const numbers = given.map((n) => {
    try {
      return normalizeMsisdn(n);
    } catch (err) {
      if (err instanceof InvalidNumberError) return n.slice(0, 32);
      throw err;
    }
  });
  if (numbers.length > CAMPAIGN_LIMITS.numbers)
    throw invalid('audience.numbers', `at most ${CAMPAIGN_LIMITS.numbers}`);
  return numbers;
}

/** Checks the time zone, schedule, quiet hours, repetition and rate; returns the schedule (ms) or null. */
export function checkTiming(input: CampaignInput, now: number): number | null {
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone))
    throw invalid('timeZone', `unknown time zone "${input.timeZone}"`);
  let scheduleAt: number | null = null;
  if (input.scheduleAt !== undefined) {
    const explicit = /(Z|[+-]\d{2}:?\d{2})$/.test(input.scheduleAt);
    const at = explicit
      ? Date.parse(input.scheduleAt)
      : input.timeZone !== undefined
        ? localToInstant(input.scheduleAt, input.timeZone)
        : undefined;
    if (at === undefined || !Number.isFinite(at))
      throw invalid(
        'scheduleAt',
        explicit
          ? 'not a date and time'
          : 'a local time ("2026-12-08T09:00") needs timeZone, or give an offset',
      );
    // The gateway's own bound on a message's schedule (DRAFT_BOUNDS.aheadMaxMs).
    if (at - now > 366 * 86_400_000) throw invalid('scheduleAt', 'at most 366 days ahead');
    scheduleAt = at;
  }
  if (input.quietHours) {
    for (const k of ['from', 'to'] as const)
      if (parseClock(input.quietHours[k]) === undefined)
        throw invalid(`quietHours.${k}`, 'expected HH:MM (00:00-23:59)');
    if (input.quietHours.from === input.quietHours.to)
      throw invalid('quietHours', 'from and to are the same');
  }
  if (input.repeat !== undefined) {
    if (scheduleAt === null)
      throw invalid('repeat', 'a repeated campaign needs schedule_at (its first time)');
    if (
      input.repeat.times !== undefined &&
      !(Number.isInteger(input.repeat.times) && input.repeat.times >= 2)
    )
      throw invalid('repeat.times', 'an integer of at least 2 (absent: until canceled)');
  }
  if (
    input.ratePerSecond !== undefined &&
    !(input.ratePerSecond > 0 && input.ratePerSecond <= CAMPAIGN_LIMITS.rate)
  )
    throw invalid('ratePerSecond', `between 0 and ${CAMPAIGN_LIMITS.rate} messages per second`);
  return scheduleAt;
}
