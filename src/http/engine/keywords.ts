/**
 * REST v1: keyword services (auto-reply, subscribe to a contact group, poll, forward to a
 * URL) per receiving number and keyword, and a poll's results.
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import {
  KEYWORD_LIMITS,
  type KeywordServices,
  type KeywordService,
  type KeywordServiceInput,
  type KeywordServiceUpdate,
} from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import type { EngineRouteOptions } from './index.js';

const word = { type: 'string', minLength: 1, maxLength: 30 } as const;
const replyText = { type: ['string', 'null'], maxLength: KEYWORD_LIMITS.replyChars } as const;

/** The fields a service is given by (create) or changed by (update). */
const editable = {
  keyword: { ...word, description: 'one word, any case (matched in upper case)' },
  aliases: { type: 'array', maxItems: KEYWORD_LIMITS.aliases, items: word },
  reply: {
    ...replyText,
    description:
      'reply: the auto-reply; subscribe: the join confirmation; poll: the vote confirmation. Placeholders {{first_name}}, {{last_name}}, {{number}}, {{keyword}}, {{group}}, {{answer}}, {{options}}, with a fallback: {{first_name|there}}. null: no reply',
  },
  leave_reply: { ...replyText, description: 'subscribe: the leave confirmation; null: none' },
  options: {
    type: 'array',
    minItems: 2,
    maxItems: KEYWORD_LIMITS.pollOptions,
    items: word,
    description: 'poll: the answers (VOTE A)',
  },
  url: {
    type: 'string',
    minLength: 1,
    maxLength: KEYWORD_LIMITS.urlChars,
    description: 'forward: where the MO is posted',
  },
  enabled: { type: 'boolean' },
} as const;

/** A body in the API's names (leave_reply, group_id). */
type KeywordBody = Omit<KeywordServiceInput, 'leaveReply' | 'groupId'> & {
  leave_reply?: string | null;
  group_id?: number;
};
type KeywordPatch = Omit<KeywordServiceUpdate, 'leaveReply'> & { leave_reply?: string | null };

/** A body → the service's input: the two names that differ mapped, the rest as given. */
function inputOf<B extends KeywordPatch & { group_id?: number }>({ leave_reply, group_id, ...rest }: B) {
  return {
    ...rest,
    ...(leave_reply !== undefined ? { leaveReply: leave_reply } : {}),
    ...(group_id !== undefined ? { groupId: group_id } : {}),
  };
}

const serviceView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    number: {
      type: ['string', 'null'],
      description: 'the receiving number; null: any number routed to the account',
    },
    keyword: { type: 'string' },
    aliases: { type: 'array', items: { type: 'string' } },
    kind: { type: 'string', enum: ['reply', 'subscribe', 'poll', 'forward'] },
    reply: { type: ['string', 'null'] },
    leave_reply: { type: ['string', 'null'] },
    group_id: { type: ['integer', 'null'] },
    options: { type: ['array', 'null'], items: { type: 'string' } },
    url: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const viewOfKeywordService = (s: KeywordService) => ({
  id: s.id,
  number: s.number === '' ? null : s.number,
  keyword: s.keyword,
  aliases: s.aliases,
  kind: s.kind,
  reply: s.settings.reply ?? null,
  leave_reply: s.kind === 'subscribe' ? (s.settings.leaveReply ?? null) : null,
  group_id: s.settings.groupId ?? null,
  options: s.settings.options ?? null,
  url: s.settings.url ?? null,
  enabled: s.enabled,
  created_at: new Date(s.createdAt).toISOString(),
  updated_at: new Date(s.updatedAt).toISOString(),
});

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

export async function keywordRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const keywords = engine.keywords;
  listRoute(app, keywords);
  createRoute(app, keywords);
  showRoute(app, keywords);
  updateRoute(app, keywords);
  removeRoute(app, keywords);
  resultsRoute(app, keywords);
}

/** GET /v1/keywords: the account's keyword services. */
function listRoute(app: FastifyInstance, keywords: KeywordServices): void {
  app.get(
    '/v1/keywords',
    {
      schema: {
        tags: ['keywords'],
        summary: 'The keyword services',
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: serviceView } } },
          ...problemResponses,
        },
      },
    },
    async (req) => ({ data: (await keywords.list(req.apiUser!.id)).map(viewOfKeywordService) }),
  );
}

/** POST /v1/keywords: a new keyword service. */
function createRoute(app: FastifyInstance, keywords: KeywordServices): void {
  app.post<{ Body: KeywordBody }>(
    '/v1/keywords',
    {
      schema: {
        tags: ['keywords'],
        summary: 'Create a keyword service',
        body: {
          type: 'object',
          required: ['keyword', 'kind'],
          additionalProperties: false,
          properties: {
            number: {
              type: ['string', 'null'],
              maxLength: 32,
              description:
                'the receiving number (E.164 or a short code); absent: any number routed to the account',
            },
            kind: { type: 'string', enum: ['reply', 'subscribe', 'poll', 'forward'] },
            group: {
              type: 'string',
              minLength: 1,
              maxLength: 100,
              description: 'subscribe: the contact group by name (created if missing)',
            },
            group_id: { type: 'integer', minimum: 1, description: 'subscribe: the contact group by id' },
            ...editable,
          },
        },
        response: { 201: serviceView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const s = await keywords.create(req.apiUser!.id, inputOf(req.body));
      return reply.code(201).send(viewOfKeywordService(s));
    },
  );
}

/** GET /v1/keywords/{id}. */
function showRoute(app: FastifyInstance, keywords: KeywordServices): void {
  app.get<{ Params: { id: number } }>(
    '/v1/keywords/:id',
    {
      schema: {
        tags: ['keywords'],
        summary: 'A keyword service',
        params: idParams,
        response: { 200: serviceView, ...problemResponses },
      },
    },
    async (req) => viewOfKeywordService(await keywords.get(req.apiUser!.id, req.params.id)),
  );
}

/** PATCH /v1/keywords/{id}: its editable fields. */
function updateRoute(app: FastifyInstance, keywords: KeywordServices): void {
  app.patch<{ Params: { id: number }; Body: KeywordPatch }>(
    '/v1/keywords/:id',
    {
      schema: {
        tags: ['keywords'],
        summary: 'Change a keyword service (its number, kind and group stay)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: editable },
        response: { 200: serviceView, ...problemResponses },
      },
    },
    async (req) =>
      viewOfKeywordService(await keywords.update(req.apiUser!.id, req.params.id, inputOf(req.body))),
  );
}

/** DELETE /v1/keywords/{id} (and a poll's votes). */
function removeRoute(app: FastifyInstance, keywords: KeywordServices): void {
  app.delete<{ Params: { id: number } }>(
    '/v1/keywords/:id',
    {
      schema: {
        tags: ['keywords'],
        summary: "Delete a keyword service (and a poll's votes)",
        params: idParams,
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (req, reply) => {
      await keywords.remove(req.apiUser!.id, req.params.id);
      return reply.code(204).send();
    },
  );
}

/** GET /v1/keywords/{id}/results: a poll's votes per answer. */
function resultsRoute(app: FastifyInstance, keywords: KeywordServices): void {
  app.get<{ Params: { id: number } }>(
    '/v1/keywords/:id/results',
    {
      schema: {
        tags: ['keywords'],
        summary: "A poll's votes per answer (one vote per number: the latest counts)",
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              keyword: { type: 'string' },
              total: { type: 'integer' },
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { answer: { type: 'string' }, votes: { type: 'integer' } },
                },
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const { service, results } = await keywords.results(req.apiUser!.id, req.params.id);
      return {
        id: service.id,
        keyword: service.keyword,
        total: results.reduce((n, r) => n + r.votes, 0),
        results,
      };
    },
  );
}
