/**
 * REST v1: campaigns. Create a draft, start it (402 when the estimate exceeds the balance),
 * pause, resume, cancel; its estimate, live statistics and per-recipient status (JSON pages,
 * or the whole list as CSV).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type {
  Campaign,
  CampaignEstimate,
  CampaignInput,
  CampaignStats,
  RecipientStatus,
} from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';
import { formatMicros } from '../../domain/money.js';

const STATES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'canceled'] as const;
const ids = { type: 'array', maxItems: 10_000, items: { type: 'integer', minimum: 1 } } as const;
const groupIds = { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1 } } as const;

const campaignInput = {
  type: 'object',
  required: ['name', 'from', 'audience'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    from: {
      type: 'string',
      minLength: 1,
      maxLength: 20,
      description: 'the sender: a number or up to 11 letters and digits',
    },
    text: {
      type: 'string',
      minLength: 1,
      maxLength: 1600,
      description: 'the text, with placeholders; or template_id',
    },
    template_id: { type: 'integer', minimum: 1 },
    audience: {
      type: 'object',
      additionalProperties: false,
      properties: {
        groups: groupIds,
        contacts: ids,
        exclude_groups: groupIds,
        numbers: {
          type: 'array',
          maxItems: 10_000,
          items: { type: 'string', maxLength: 32 },
          description:
            'numbers not in the address book (an uploaded list); invalid ones are skipped and counted',
        },
      },
    },
    schedule_at: {
      type: 'string',
      maxLength: 40,
      description:
        'an instant with an offset (2026-12-08T09:00:00Z), or a local time (2026-12-08T09:00) with time_zone',
    },
    time_zone: { type: 'string', maxLength: 64, description: 'IANA time zone, e.g. Europe/London' },
    quiet_hours: {
      type: 'object',
      required: ['from', 'to'],
      additionalProperties: false,
      description:
        "no message between from and to, in the recipient's time zone (by the country of the number)",
      properties: { from: { type: 'string', maxLength: 5 }, to: { type: 'string', maxLength: 5 } },
    },
    rate_per_second: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 },
    tags: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 50 } },
    send_what_balance_covers: {
      type: 'boolean',
      description: 'start even when the estimate exceeds the balance; recipients beyond it are skipped',
    },
    repeat: {
      type: 'object',
      required: ['every'],
      additionalProperties: false,
      description:
        'send again every day or week at the local time of schedule_at (needed); each occurrence is a campaign of its own, created when the one before completes; canceling one ends the series',
      properties: {
        every: { type: 'string', enum: ['day', 'week'] },
        times: {
          type: 'integer',
          minimum: 2,
          maximum: 1000,
          description: 'occurrences in all; absent: until canceled',
        },
      },
    },
  },
} as const;

/** The body of POST /v1/campaigns, in the API's names. */
interface CampaignBody {
  name: string;
  from: string;
  text?: string;
  template_id?: number;
  audience: { groups?: number[]; contacts?: number[]; exclude_groups?: number[]; numbers?: string[] };
  schedule_at?: string;
  time_zone?: string;
  quiet_hours?: CampaignInput['quietHours'];
  rate_per_second?: number;
  tags?: string[];
  send_what_balance_covers?: boolean;
  repeat?: CampaignInput['repeat'];
}

/** The body → the service's input, each name mapped (what was not given stays absent). */
function inputOf(b: CampaignBody): CampaignInput {
  const { exclude_groups, ...audience } = b.audience;
  const given = <K extends string, V>(k: K, v: V | undefined) =>
    (v === undefined ? {} : { [k]: v }) as Partial<Record<K, V>>;
  return {
    name: b.name,
    from: b.from,
    audience: { ...audience, ...given('excludeGroups', exclude_groups) },
    ...given('text', b.text),
    ...given('templateId', b.template_id),
    ...given('scheduleAt', b.schedule_at),
    ...given('timeZone', b.time_zone),
    ...given('quietHours', b.quiet_hours),
    ...given('ratePerSecond', b.rate_per_second),
    ...given('tags', b.tags),
    ...given('sendWhatBalanceCovers', b.send_what_balance_covers),
    ...given('repeat', b.repeat),
  };
}

const sample = {
  type: ['object', 'null'],
  properties: {
    text: { type: 'string' },
    encoding: { type: 'string' },
    segments: { type: 'integer' },
    price: { type: 'string' },
  },
} as const;

const estimateView = {
  type: ['object', 'null'],
  properties: {
    recipients: { type: 'integer' },
    parts: { type: 'integer' },
    cost: { type: 'string' },
    worst: sample,
    typical: sample,
  },
} as const;

const campaignView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    from: { type: 'string' },
    text: { type: ['string', 'null'] },
    template_id: { type: ['integer', 'null'] },
    audience: {
      type: 'object',
      properties: {
        groups: { type: 'array', items: { type: 'integer' } },
        contacts: { type: 'array', items: { type: 'integer' } },
        exclude_groups: { type: 'array', items: { type: 'integer' } },
        numbers: { type: 'integer', description: 'how many numbers were listed' },
      },
    },
    schedule_at: { type: ['string', 'null'], format: 'date-time' },
    time_zone: { type: ['string', 'null'] },
    quiet_hours: {
      type: ['object', 'null'],
      properties: { from: { type: 'string' }, to: { type: 'string' } },
    },
    rate_per_second: { type: ['number', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    send_what_balance_covers: { type: 'boolean' },
    repeat: {
      type: ['object', 'null'],
      properties: { every: { type: 'string' }, times: { type: ['integer', 'null'] } },
    },
    occurrence: { type: 'integer', description: 'which occurrence of a repeated campaign' },
    next_id: { type: ['integer', 'null'], description: 'the next occurrence, once created' },
    state: { type: 'string', enum: STATES },
    state_reason: { type: ['string', 'null'] },
    estimate: estimateView,
    created_at: { type: 'string', format: 'date-time' },
    started_at: { type: ['string', 'null'], format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;
const statsView = {
  type: 'object',
  properties: {
    state: { type: 'string' },
    recipients: { type: 'integer' },
    skipped: counts,
    refused: counts,
    pending: { type: 'integer' },
    queued: { type: 'integer' },
    sent: { type: 'integer' },
    delivered: { type: 'integer' },
    failed: { type: 'integer' },
    expired: { type: 'integer' },
    parts: { type: 'integer' },
    cost: { type: 'string' },
    replies: { type: 'integer' },
    opt_outs: { type: 'integer' },
  },
} as const;

const recipientView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    number: { type: 'string' },
    contact_id: { type: ['integer', 'null'] },
    state: { type: 'string', description: 'new, pending, skipped, submitted or refused' },
    reason: { type: ['string', 'null'] },
    message_id: { type: ['string', 'null'] },
    message_state: {
      type: ['string', 'null'],
      description: 'the message in the gateway: queued, sent, delivered…',
    },
    price: { type: ['string', 'null'] },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const shown = (n: string) => (/^\d+$/.test(n) ? `+${n}` : n);

const viewOfSample = (m: NonNullable<CampaignEstimate['worst']>) => ({
  text: m.text,
  encoding: m.encoding,
  segments: m.segments,
  price: formatMicros(m.priceMicros),
});

const viewOfEstimate = (e: CampaignEstimate | null) =>
  e && {
    recipients: e.recipients,
    parts: e.parts,
    cost: formatMicros(e.costMicros),
    worst: e.worst && viewOfSample(e.worst),
    typical: e.typical && viewOfSample(e.typical),
  };

export const viewOfCampaign = (c: Campaign) => ({
  id: c.id,
  name: c.name,
  from: c.sender,
  text: c.text,
  template_id: c.templateId,
  audience: {
    groups: c.audience.groups,
    contacts: c.audience.contacts,
    exclude_groups: c.audience.excludeGroups,
    numbers: c.audience.numbers.length,
  },
  schedule_at: iso(c.scheduleAt),
  time_zone: c.timeZone,
  quiet_hours: c.quietHours,
  rate_per_second: c.ratePerSecond,
  tags: c.tags,
  send_what_balance_covers: c.sendWhatBalanceCovers,
  repeat: c.repeat,
  occurrence: c.occurrence,
  next_id: c.nextId,
  state: c.state,
  state_reason: c.stateReason,
  estimate: viewOfEstimate(c.estimate),
  created_at: iso(c.createdAt),
  started_at: iso(c.startedAt),
  finished_at: iso(c.finishedAt),
});

const viewOfStats = (state: string, s: CampaignStats) => ({
  state,
  recipients: s.recipients,
  skipped: s.skipped,
  refused: s.refused,
  pending: s.pending,
  queued: s.queued,
  sent: s.sent,
  delivered: s.delivered,
  failed: s.failed,
  expired: s.expired,
  parts: s.parts,
  cost: formatMicros(s.costMicros),
  replies: s.replies,
  opt_outs: s.optOuts,
});

const viewOfRecipient = (r: RecipientStatus) => ({
  id: r.id,
  number: shown(r.msisdn),
  contact_id: r.contactId,
  state: r.state,
  reason: r.reason,
  message_id: r.messageId,
  message_state: r.messageState,
  price: r.priceMicros === null ? null : formatMicros(r.priceMicros),
  updated_at: iso(r.updatedAt)!,
});

/** A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180). */
const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const CSV_COLUMNS = [
  'number',
  'contact_id',
  'state',
  'reason',
  'message_id',
  'message_state',
  'price',
  'updated_at',
] as const;

type Campaigns = EngineRouteOptions['engine']['campaigns'];

const oneCampaign = { 200: campaignView, ...problemResponses };

/** Create a campaign, and list them newest first. */
function campaignCollectionRoutes(app: FastifyInstance, campaigns: Campaigns): void {
  app.post<{ Body: CampaignBody }>(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Create a campaign (a draft: start it to send)',
        body: campaignInput,
        response: { 201: campaignView, ...problemResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(viewOfCampaign(await campaigns.create(req.apiUser!, inputOf(req.body)))),
  );

  app.get<{ Querystring: { before?: number; limit?: number; state?: (typeof STATES)[number] } }>(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'The campaigns, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            before: { type: 'integer', minimum: 1, description: 'the last id of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            state: { type: 'string', enum: STATES },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { data: { type: 'array', items: campaignView }, next: { type: ['integer', 'null'] } },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const page = await campaigns.list(req.apiUser!.id, {
        limit,
        ...(req.query.before !== undefined ? { before: req.query.before } : {}),
        ...(req.query.state !== undefined ? { state: req.query.state } : {}),
      });
      return {
        data: page.map(viewOfCampaign),
        next: page.length === limit ? page[page.length - 1].id : null,
      };
    },
  );
}

/** Read one campaign, and start, pause, resume or cancel it. */
function campaignItemRoutes(app: FastifyInstance, campaigns: Campaigns): void {
  app.get<{ Params: { id: number } }>(
    '/v1/campaigns/:id',
    { schema: { tags: ['campaigns'], summary: 'A campaign', params: idParams, response: oneCampaign } },
    async (req) => viewOfCampaign(await campaigns.require(req.apiUser!.id, req.params.id)),
  );

  const action = (verb: 'start' | 'pause' | 'resume' | 'cancel', summary: string) =>
    app.post<{ Params: { id: number } }>(
      `/v1/campaigns/:id/${verb}`,
      { schema: { tags: ['campaigns'], summary, params: idParams, response: oneCampaign } },
      async (req) => {
        const user = req.apiUser!;
        const id = req.params.id;
        const c =
          verb === 'start'
            ? await campaigns.start(user, id)
            : verb === 'resume'
              ? await campaigns.resume(user, id)
              : verb === 'pause'
                ? await campaigns.pause(user.id, id)
                : await campaigns.cancel(user.id, id);
        return viewOfCampaign(c);
      },
    );
  action(
    'start',
    'Start a draft: scheduled, or resolved, priced and sent now (402 HERMOD_ERR_CAMPAIGN_BALANCE when the estimate exceeds the balance)',
  );
  action('pause', 'Pause a running or scheduled campaign (between batches)');
  action('resume', 'Resume a paused campaign');
  action('cancel', 'Cancel a campaign: what was not sent is skipped');
}

/** Estimate a draft's audience and cost, and a campaign's live statistics. */
function campaignReportRoutes(app: FastifyInstance, campaigns: Campaigns): void {
  app.post<{ Params: { id: number } }>(
    '/v1/campaigns/:id/estimate',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          'Resolve and price the audience of a draft: recipients, parts, cost, the worst and a typical message',
        params: idParams,
        response: { 200: estimateView, ...problemResponses },
      },
    },
    async (req) => viewOfEstimate(await campaigns.estimate(req.apiUser!, req.params.id)),
  );

  app.get<{ Params: { id: number } }>(
    '/v1/campaigns/:id/stats',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          'Live statistics: recipients, skipped and refused by reason, queued, sent, delivered, failed, expired, cost, replies, opt-outs',
        params: idParams,
        response: { 200: statsView, ...problemResponses },
      },
    },
    async (req) => {
      const c = await campaigns.require(req.apiUser!.id, req.params.id);
      return viewOfStats(c.state, await campaigns.stats(req.apiUser!.id, req.params.id));
    },
  );
}

/** A campaign's recipients, as JSON pages or a CSV download. */
function campaignRecipientRoutes(app: FastifyInstance, campaigns: Campaigns): void {
  app.get<{
    Params: { id: number };
    Querystring: { after?: number; limit?: number; format?: 'json' | 'csv' };
  }>(
    '/v1/campaigns/:id/recipients',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Each recipient with its state and its message’s (format=csv: all of them, as a download)',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: recipientView },
              next: { type: ['integer', 'null'] },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req, reply) => {
      const user = req.apiUser!;
      const id = req.params.id;
      if (req.query.format === 'csv') {
        await campaigns.require(user.id, id);
        // Streamed a page at a time: the list is never whole in memory.
        async function* lines(): AsyncGenerator<string> {
          yield CSV_COLUMNS.join(',') + '\n';
          let after = req.query.after ?? 0;
          for (;;) {
            const page = await campaigns.recipients(user.id, id, after, 1000);
            if (page.length === 0) return;
            yield page
              .map(viewOfRecipient)
              .map((r) => CSV_COLUMNS.map((k) => cell(r[k])).join(',') + '\n')
              .join('');
            after = page[page.length - 1].id;
          }
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="campaign-${id}-recipients.csv"`)
          .send(Readable.from(lines()));
      }
      const limit = req.query.limit ?? 100;
      const page = await campaigns.recipients(user.id, id, req.query.after ?? 0, limit);
      return {
        data: page.map(viewOfRecipient),
        next: page.length === limit ? page[page.length - 1].id : null,
      };
    },
  );
}

export async function campaignRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const campaigns = engine.campaigns;
  campaignCollectionRoutes(app, campaigns);
  campaignItemRoutes(app, campaigns);
  campaignReportRoutes(app, campaigns);
  campaignRecipientRoutes(app, campaigns);
}
