/**
 * What a campaign's audience would be, asked before the campaign exists (the console's
 * wizard): how many recipients, how many of them opted out of the sender, and the first few
 * recipients with the message each would get, rendered from the text or template and priced
 * by the gateway's quote. Counted in the database like the start resolves it; nothing stored.
 */
import type { User } from '../domain/index.js';
import { RejectedError, UnencodableCharacterError, type Gateway } from '../gateway/index.js';
import type { CampaignStore, ContactStore, TemplateStore } from '../store/engine-store/index.js';
import { reasonOf } from './campaign-runner.js';
import { audienceNumbers, CAMPAIGN_LIMITS, checkSender, type CampaignInput } from './campaign-input.js';
import { invalid } from './errors.js';
import { checked, previewOf, render, type MessagePreview } from './templates.js';

export interface AudienceQuestion {
  from: string;
  audience: CampaignInput['audience'];
  /** The text (or templateId) to preview; without either, recipients are listed without a message. */
  text?: string;
  templateId?: number;
  /** How many recipients to preview (0–10). */
  sample: number;
}

export interface RecipientPreview {
  contactId: number | null;
  /** E.164 digits (as written when it is not a number). */
  msisdn: string;
  firstName: string | null;
  lastName: string | null;
  /** The message this recipient would get; null when skipped or when no text was given. */
  message: MessagePreview | null;
  /** Why this recipient would be skipped (`missing_field:<name>`, `no_route`, `invalid_number`…). */
  skipped: string | null;
}

export interface AudienceAnswer {
  recipients: number;
  optedOut: number;
  duplicates: number;
  samples: RecipientPreview[];
}

export interface AudienceDeps {
  store: CampaignStore;
  templates: TemplateStore;
  contacts: ContactStore;
  gateway: Gateway;
}

/** Checks the audience like CampaignService.create (each refusal names its field), then counts it. */
export async function previewAudience(
  d: AudienceDeps,
  user: User,
  q: AudienceQuestion,
): Promise<AudienceAnswer> {
  checkSender(q.from);
  const a = q.audience;
  const audience = {
    groups: a.groups ?? [],
    contacts: a.contacts ?? [],
    excludeGroups: a.excludeGroups ?? [],
    numbers: audienceNumbers(a.numbers ?? []),
  };
  for (const [field, list] of [
    ['audience.groups', audience.groups],
    ['audience.exclude_groups', audience.excludeGroups],
  ] as const) {
    if (list.length > CAMPAIGN_LIMITS.groups)
      throw invalid(field, `at most ${CAMPAIGN_LIMITS.groups} groups`);
    for (const [i, id] of list.entries())
      if (!(await d.contacts.getGroup({ userId: user.id, id })))
        throw invalid(`${field}[${i}]`, `no contact group ${id}`);
  }
  let text = q.text;
  if (q.templateId !== undefined) {
    const t = await d.templates.getTemplate({ userId: user.id, id: q.templateId });
    if (!t) throw invalid('template_id', `no template ${q.templateId}`);
    text = t.text;
  }
  const parsed = text === undefined ? undefined : checked(text);
  const found = await d.store.previewAudience({
    userId: user.id,
    sender: q.from,
    audience,
    sample: q.sample,
  });
  const samples: RecipientPreview[] = [];
  for (const r of found.sample) {
    const who = { contactId: r.contactId, msisdn: r.msisdn, firstName: r.firstName, lastName: r.lastName };
    if (!parsed) {
      samples.push({ ...who, message: null, skipped: null });
      continue;
    }
    const rendered = render(parsed, r);
    if (!rendered.ok) {
      samples.push({ ...who, message: null, skipped: `missing_field:${rendered.missing}` });
      continue;
    }
    try {
      samples.push({
        ...who,
        message: await previewOf(d.gateway, user, r.msisdn, rendered.text, q.from),
        skipped: null,
      });
    } catch (err) {
      if (err instanceof UnencodableCharacterError)
        samples.push({ ...who, message: null, skipped: 'unencodable' });
      else if (err instanceof RejectedError) {
        const reason = reasonOf(err.code);
        samples.push({
          ...who,
          message: null,
          skipped: reason === 'invalid_destination' ? 'invalid_number' : reason,
        });
      } else throw err;
    }
  }
  return { recipients: found.recipients, optedOut: found.optedOut, duplicates: found.duplicates, samples };
}
