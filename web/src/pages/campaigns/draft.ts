/**
 * What the campaign wizard collects, step by step, and how it becomes the body of
 * POST /v1/campaigns; which step shows an API error that names a field.
 */
import type { AudienceQuestion, CampaignInput } from '../../api/campaigns';

export interface Draft {
  name: string;
  from: string;
  groups: number[];
  excludeGroups: number[];
  /** Numbers pasted, one per line (or separated by commas). */
  numbers: string;
  source: 'text' | 'template';
  text: string;
  templateId: number | null;
  when: 'now' | 'later';
  /** A local time (datetime-local) in `timeZone`. */
  scheduleAt: string;
  timeZone: string;
  repeat: '' | 'day' | 'week';
  repeatTimes: string;
  quiet: boolean;
  quietFrom: string;
  quietTo: string;
  rate: string;
  sendWhatBalanceCovers: boolean;
}

export const STEPS = ['Audience', 'Message', 'Schedule', 'Review'] as const;

export const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export const emptyDraft = (): Draft => ({
  name: '',
  from: '',
  groups: [],
  excludeGroups: [],
  numbers: '',
  source: 'text',
  text: '',
  templateId: null,
  when: 'now',
  scheduleAt: '',
  timeZone: localZone(),
  repeat: '',
  repeatTimes: '',
  quiet: false,
  quietFrom: '21:00',
  quietTo: '08:00',
  rate: '',
  sendWhatBalanceCovers: false,
});

export const numbersOf = (s: string) =>
  s
    .split(/[\n,;]+/)
    .map((n) => n.trim())
    .filter(Boolean);

export function audienceOf(d: Draft): CampaignInput['audience'] {
  const numbers = numbersOf(d.numbers);
  return {
    ...(d.groups.length ? { groups: d.groups } : {}),
    ...(d.excludeGroups.length ? { exclude_groups: d.excludeGroups } : {}),
    ...(numbers.length ? { numbers } : {}),
  };
}

export const hasAudience = (d: Draft) => d.groups.length > 0 || numbersOf(d.numbers).length > 0;

/** The message part of a request: the text, or the saved template. */
export function messageOf(d: Draft): { text?: string; template_id?: number } {
  if (d.source === 'template') return d.templateId === null ? {} : { template_id: d.templateId };
  return d.text ? { text: d.text } : {};
}

export function audienceQuestion(d: Draft, withMessage: boolean): AudienceQuestion {
  return {
    from: d.from.trim() || 'preview',
    audience: audienceOf(d),
    ...(withMessage ? messageOf(d) : {}),
    sample: 3,
  };
}

export function toInput(d: Draft): CampaignInput {
  return {
    name: d.name.trim(),
    from: d.from.trim(),
    ...messageOf(d),
    audience: audienceOf(d),
    ...(d.when === 'later' ? { schedule_at: d.scheduleAt, time_zone: d.timeZone.trim() } : {}),
    ...(d.when === 'later' && d.repeat
      ? { repeat: { every: d.repeat, ...(d.repeatTimes ? { times: Number(d.repeatTimes) } : {}) } }
      : {}),
    ...(d.quiet ? { quiet_hours: { from: d.quietFrom, to: d.quietTo } } : {}),
    ...(d.rate ? { rate_per_second: Number(d.rate) } : {}),
    send_what_balance_covers: d.sendWhatBalanceCovers,
  };
}

/** The step (0–3) whose field an API error names; Review when it names none of theirs. */
export function stepOfField(field: string | undefined): number {
  const top = (field ?? '').split(/[.[]/)[0];
  if (['name', 'audience', 'from'].includes(top)) return 0;
  if (['text', 'template_id'].includes(top)) return 1;
  if (['schedule_at', 'time_zone', 'quiet_hours', 'rate_per_second', 'repeat'].includes(top)) return 2;
  return 3;
}
