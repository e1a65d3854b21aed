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
import { money } from './templates.js';

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
      description: 'the text, with placeholders; or templateId',
    },
    templateId: { type: 'integer', minimum: 1 },
    audience: {
      type: 'object',
      additionalProperties: false,
      properties: {
        groups: groupIds,
        contacts: ids,
        excludeGroups: groupIds,
        numbers: {
          type: 'array',
          maxItems: 10_000,
          items: { type: 'string', maxLength: 32 },
          description:
            'numbers not in the address book (an uploaded list); invalid ones are skipped and counted',
        },
      },
    },
    scheduleAt: {
      type: 'string',
      maxLength: 40,
      description:
        'an instant with an offset (2026-12-08T09:00:00Z), or a local time (2026-12-08T09:00) with timeZone',
    },
    timeZone: { type: 'string', maxLength: 64, description: 'IANA time zone, e.g. Europe/London' },
    quietHours: {
      type: 'object',
      required: ['from', 'to'],
      additionalProperties: false,
      description:
        "no message between from and to, in the recipient's time zone (by the country of the number)",
      properties: { from: { type: 'string', maxLength: 5 }, to: { type: 'string', maxLength: 5 } },
    },
    ratePerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 },
    tags: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 50 } },
    sendWhatBalanceCovers: {
      type: 'boolean',
      description: 'start even when the estimate exceeds the balance; recipients beyond it are skipped',
    },
    repeat: {
      type: 'object',
      required: ['every'],
      additionalProperties: false,
      description:
        'send again every day or week at the local time of scheduleAt (needed); each occurrence is a campaign of its own, created when the one before completes; canceling one ends the series',
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
    templateId: { type: ['integer', 'null'] },
    audience: {
      type: 'object',
      properties: {
        groups: { type: 'array', items: { type: 'integer' } },
        contacts: { type: 'array', items: { type: 'integer' } },
        excludeGroups: { type: 'array', items: { type: 'integer' } },
        numbers: { type: 'integer', description: 'how many numbers were listed' },
      },
    },
    scheduleAt: { type: ['string', 'null'], format: 'date-time' },
    timeZone: { type: ['string', 'null'] },
    quietHours: {
      type: ['object', 'null'],
      properties: { from: { type: 'string' }, to: { type: 'string' } },
    },
    ratePerSecond: { type: ['number', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    sendWhatBalanceCovers: { type: 'boolean' },
    repeat: {
      type: ['object', 'null'],
      properties: { every: { type: 'string' }, times: { type: ['integer', 'null'] } },
    },
    occurrence: { type: 'integer', description: 'which occurrence of a repeated campaign' },
    nextId: { type: ['integer', 'null'], description: 'the next occurrence, once created' },
    state: { type: 'string', enum: STATES },
    stateReason: { type: ['string', 'null'] },
    estimate: estimateView,
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
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
    optOuts: { type: 'integer' },
  },
} as const;

const recipientView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    number: { type: 'string' },
    contactId: { type: ['integer', 'null'] },
    state: { type: 'string', description: 'new, pending, skipped, submitted or refused' },
    reason: { type: ['string', 'null'] },
    messageId: { type: ['string', 'null'] },
    messageState: {
      type: ['string', 'null'],
      description: 'the message in the gateway: queued, sent, delivered…',
    },
    price: { type: ['string', 'null'] },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const shown = (n: string) => (/^\d+$/.test(n) ? `+${n}` : n);

const viewOfEstimate = (e: CampaignEstimate | null) =>
  e && {
    recipients: e.recipients,
    parts: e.parts,
    cost: money(e.costMicros),
    worst: e.worst && { ...e.worst, price: money(e.worst.priceMicros) },
    typical: e.typical && { ...e.typical, price: money(e.typical.priceMicros) },
  };

export const viewOfCampaign = (c: Campaign) => ({
  id: c.id,
  name: c.name,
  from: c.sender,
  text: c.text,
  templateId: c.templateId,
  audience: { ...c.audience, numbers: c.audience.numbers.length },
  scheduleAt: iso(c.scheduleAt),
  timeZone: c.timeZone,
  quietHours: c.quietHours,
  ratePerSecond: c.ratePerSecond,
  tags: c.tags,
  sendWhatBalanceCovers: c.sendWhatBalanceCovers,
  repeat: c.repeat,
  occurrence: c.occurrence,
  nextId: c.nextId,
  state: c.state,
  stateReason: c.stateReason,
  estimate: viewOfEstimate(c.estimate),
  createdAt: iso(c.createdAt),
  startedAt: iso(c.startedAt),
  finishedAt: iso(c.finishedAt),
});

const viewOfStats = (state: string, s: CampaignStats) => {
  const { costMicros, ...rest } = s;
  return { state, ...rest, cost: money(costMicros) };
};

const viewOfRecipient = (r: RecipientStatus) => ({
  id: r.id,
  number: shown(r.msisdn),
  contactId: r.contactId,
  state: r.state,
  reason: r.reason,
  messageId: r.messageId,
  messageState: r.messageState,
  price: r.priceMicros === null ? null : money(r.priceMicros),
  updatedAt: iso(r.updatedAt)!,
});

/** A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180). */
const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const CSV_COLUMNS = [
  'number',
  'contactId',
  'state',
  'reason',
  'messageId',
  'messageState',
  'price',
  'updatedAt',
] as const;

export async function campaignRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const campaigns = engine.campaigns;
  const one = { 200: campaignView, ...problemResponses };

  app.post<{ Body: CampaignInput }>(
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
      reply.code(201).send(viewOfCampaign(await campaigns.create(req.apiUser!, req.body))),
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

  app.get<{ Params: { id: number } }>(
    '/v1/campaigns/:id',
    { schema: { tags: ['campaigns'], summary: 'A campaign', params: idParams, response: one } },
    async (req) => viewOfCampaign(await campaigns.require(req.apiUser!.id, req.params.id)),
  );

  const action = (verb: 'start' | 'pause' | 'resume' | 'cancel', summary: string) =>
    app.post<{ Params: { id: number } }>(
      `/v1/campaigns/:id/${verb}`,
      { schema: { tags: ['campaigns'], summary, params: idParams, response: one } },
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
