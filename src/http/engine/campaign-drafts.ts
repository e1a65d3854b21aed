/**
 * REST v1, before a campaign starts: POST /v1/campaigns/audience, an audience counted and its
 * first recipients previewed before a campaign is created (the console's wizard asks it at
 * each step); DELETE /v1/campaigns/{id}, a draft deleted.
 */
import type { FastifyInstance } from 'fastify';
import type { RecipientPreview } from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';
import { previewView, viewOfPreview } from './templates.js';

const groupIds = { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1 } } as const;

interface AudienceBody {
  from: string;
  audience: { groups?: number[]; contacts?: number[]; exclude_groups?: number[]; numbers?: string[] };
  text?: string;
  template_id?: number;
  sample?: number;
}

const body = {
  type: 'object',
  required: ['from', 'audience'],
  additionalProperties: false,
  properties: {
    from: {
      type: 'string',
      minLength: 1,
      maxLength: 20,
      description: 'the sender (opt-outs are per sender)',
    },
    audience: {
      type: 'object',
      additionalProperties: false,
      description: 'as in POST /v1/campaigns',
      properties: {
        groups: groupIds,
        contacts: { type: 'array', maxItems: 10_000, items: { type: 'integer', minimum: 1 } },
        exclude_groups: groupIds,
        numbers: { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 32 } },
      },
    },
    text: {
      type: 'string',
      minLength: 1,
      maxLength: 1600,
      description: 'the text to preview, or template_id',
    },
    template_id: { type: 'integer', minimum: 1 },
    sample: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 3,
      description: 'how many recipients to preview',
    },
  },
} as const;

const answer = {
  type: 'object',
  properties: {
    recipients: { type: 'integer', description: 'distinct numbers, opted-out ones included' },
    opted_out: { type: 'integer', description: 'recipients who opted out of the sender: skipped' },
    duplicates: { type: 'integer', description: 'listed numbers given twice or already a contact’s' },
    samples: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          contact_id: { type: ['integer', 'null'] },
          number: { type: 'string' },
          first_name: { type: ['string', 'null'] },
          last_name: { type: ['string', 'null'] },
          message: { ...previewView, type: ['object', 'null'] },
          skipped: {
            type: ['string', 'null'],
            description:
              'why this recipient would be skipped (missing_field:<name>, no_route, invalid_number…)',
          },
        },
      },
    },
  },
} as const;

const viewOfSample = (s: RecipientPreview) => ({
  contact_id: s.contactId,
  number: /^\d+$/.test(s.msisdn) ? `+${s.msisdn}` : s.msisdn,
  first_name: s.firstName,
  last_name: s.lastName,
  message: s.message && viewOfPreview(s.message),
  skipped: s.skipped,
});

export async function campaignDraftRoutes(
  app: FastifyInstance,
  { engine }: EngineRouteOptions,
): Promise<void> {
  app.post<{ Body: AudienceBody }>(
    '/v1/campaigns/audience',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Count an audience and preview its first recipients’ messages, before creating a campaign',
        description:
          'Resolved like a campaign start (groups, contacts, exclusion groups, listed numbers, each number once, opted-out numbers counted), without storing anything. With text or template_id, each sampled recipient comes with the message they would get (rendered and priced) or why they would be skipped.',
        body,
        response: { 200: answer, ...problemResponses },
      },
    },
    async (req) => {
      const b = req.body;
      const a = await engine.campaigns.previewAudience(req.apiUser!, {
        from: b.from,
        audience: {
          ...(b.audience.groups ? { groups: b.audience.groups } : {}),
          ...(b.audience.contacts ? { contacts: b.audience.contacts } : {}),
          ...(b.audience.exclude_groups ? { excludeGroups: b.audience.exclude_groups } : {}),
          ...(b.audience.numbers ? { numbers: b.audience.numbers } : {}),
        },
        ...(b.text !== undefined ? { text: b.text } : {}),
        ...(b.template_id !== undefined ? { templateId: b.template_id } : {}),
        sample: b.sample ?? 3,
      });
      return {
        recipients: a.recipients,
        opted_out: a.optedOut,
        duplicates: a.duplicates,
        samples: a.samples.map(viewOfSample),
      };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/v1/campaigns/:id',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Delete a draft (409 HERMOD_ERR_CAMPAIGN_STATE once started: cancel it instead)',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (req, reply) => {
      await engine.campaigns.deleteDraft(req.apiUser!.id, req.params.id);
      return reply.code(204).send();
    },
  );
}
