/** REST v1: message templates (CRUD) and the preview of one recipient's message. */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { EngineError, type MessagePreview, type Template } from '../../engine/index.js';
import { normalizeMsisdn } from '../../domain/index.js';
import { formatMicros } from '../../domain/money.js';
import { problemResponses } from '../rest/schemas.js';
import { problems } from '../problem.js';
import type { EngineRouteOptions } from './index.js';

const templateView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    text: { type: 'string' },
    fields: { type: 'array', items: { type: 'string' }, description: 'the placeholders it uses' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const previewView = {
  type: 'object',
  properties: {
    to: { type: 'string' },
    text: { type: 'string' },
    encoding: { type: 'string', description: 'gsm7 or ucs2' },
    characters: { type: 'integer' },
    segments: { type: 'integer' },
    price_per_part: { type: 'string', description: 'in the account currency' },
    price: { type: 'string' },
  },
} as const;

const name = { type: 'string', minLength: 1, maxLength: 100 } as const;
const text = {
  type: 'string',
  minLength: 1,
  maxLength: 1600,
  description:
    'placeholders: {{first_name}}, {{last_name}}, {{number}}, {{custom.<key>}}; defaults {{first_name|there}}',
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const badRequest = (why: string) => new EngineError(400, 'HERMOD_ERR_VALIDATION', why);

const viewOf = (t: Template) => ({
  id: t.id,
  name: t.name,
  text: t.text,
  fields: t.fields,
  created_at: new Date(t.createdAt).toISOString(),
  updated_at: new Date(t.updatedAt).toISOString(),
});

export const viewOfPreview = (p: MessagePreview) => ({
  to: p.to,
  text: p.text,
  encoding: p.encoding,
  characters: p.characters,
  segments: p.segments,
  price_per_part: formatMicros(p.pricePerPartMicros),
  price: formatMicros(p.priceMicros),
});

type PreviewBody = {
  text?: string;
  template_id?: number;
  contact_id?: number;
  number?: string;
  first_name?: string;
  last_name?: string;
  fields?: Record<string, string>;
  from?: string;
};

type Templates = EngineRouteOptions['engine']['templates'];

/** Create a template, and list them a page at a time. */
function templateCollectionRoutes(app: FastifyInstance, templates: Templates): void {
  app.post<{ Body: { name: string; text: string } }>(
    '/v1/templates',
    {
      schema: {
        tags: ['templates'],
        summary: 'Create a template (unknown placeholders are refused, named)',
        body: {
          type: 'object',
          required: ['name', 'text'],
          additionalProperties: false,
          properties: { name, text },
        },
        response: { 201: templateView, ...problemResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(viewOf(await templates.create(req.apiUser!.id, req.body.name, req.body.text))),
  );

  app.get<{ Querystring: { after?: number; limit?: number } }>(
    '/v1/templates',
    {
      schema: {
        tags: ['templates'],
        summary: 'The templates, by id',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0, description: 'the last id of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: templateView },
              next: { type: ['integer', 'null'], description: 'after= for the next page' },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const page = await templates.list(req.apiUser!.id, req.query.after ?? 0, limit);
      return { data: page.map(viewOf), next: page.length === limit ? page[page.length - 1].id : null };
    },
  );
}

/** Read, change and delete one template. */
function templateItemRoutes(app: FastifyInstance, templates: Templates): void {
  app.get<{ Params: { id: number } }>(
    '/v1/templates/:id',
    {
      schema: {
        tags: ['templates'],
        summary: 'A template',
        params: idParams,
        response: { 200: templateView, ...problemResponses },
      },
    },
    async (req) => {
      const t = await templates.get(req.apiUser!.id, req.params.id);
      if (!t) throw problems.notFound(`no template ${req.params.id}`);
      return viewOf(t);
    },
  );

  app.patch<{ Params: { id: number }; Body: { name?: string; text?: string } }>(
    '/v1/templates/:id',
    {
      schema: {
        tags: ['templates'],
        summary: 'Rename a template or change its text (campaigns already started keep their copy)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name, text } },
        response: { 200: templateView, ...problemResponses },
      },
    },
    async (req) => viewOf(await templates.update(req.apiUser!.id, req.params.id, req.body)),
  );

  app.delete<{ Params: { id: number } }>(
    '/v1/templates/:id',
    {
      schema: {
        tags: ['templates'],
        summary: 'Delete a template',
        params: idParams,
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (req, reply) => {
      await templates.delete(req.apiUser!.id, req.params.id);
      return reply.code(204).send();
    },
  );
}

/** Preview a text or template for a contact: rendered text, encoding, parts. */
function templatePreviewRoute(app: FastifyInstance, engine: EngineRouteOptions['engine']): void {
  app.post<{ Body: PreviewBody }>(
    '/v1/templates/preview',
    {
      schema: {
        tags: ['templates'],
        summary: "One recipient's message: rendered text, encoding, segments and price",
        description:
          'Give text or template_id, and a contact_id or a number (with optional names and fields). A missing field without a default answers 422 HERMOD_ERR_TEMPLATE_FIELD_MISSING: that recipient would be skipped.',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            text,
            template_id: { type: 'integer', minimum: 1 },
            contact_id: { type: 'integer', minimum: 1 },
            number: { type: 'string', maxLength: 32 },
            first_name: { type: 'string', maxLength: 100 },
            last_name: { type: 'string', maxLength: 100 },
            fields: {
              type: 'object',
              maxProperties: 50,
              additionalProperties: { type: 'string', maxLength: 500 },
            },
            from: { type: 'string', maxLength: 20 },
          },
        },
        response: { 200: previewView, ...problemResponses },
      },
    },
    async (req) => {
      const user = req.apiUser!;
      const b = req.body;
      let body = b.text;
      if (b.template_id !== undefined) {
        const t = await engine.templates.get(user.id, b.template_id);
        if (!t) throw problems.notFound(`no template ${b.template_id}`);
        body = t.text;
      }
      if (body === undefined) throw badRequest('text: give text or template_id');
      if (b.contact_id !== undefined) {
        const c = await engine.contacts.get(user.id, b.contact_id);
        if (!c) throw problems.notFound(`no contact ${b.contact_id}`);
        return viewOfPreview(await engine.templates.preview(user, body, c, b.from));
      }
      if (b.number === undefined) throw badRequest('number: give contact_id or number');
      let msisdn: string;
      try {
        msisdn = normalizeMsisdn(b.number);
      } catch (err) {
        throw badRequest(`number: ${(err as Error).message}`);
      }
      return viewOfPreview(
        await engine.templates.preview(
          user,
          body,
          { msisdn, firstName: b.first_name ?? null, lastName: b.last_name ?? null, fields: b.fields ?? {} },
          b.from,
        ),
      );
    },
  );
}

export async function templateRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const templates = engine.templates;
  templateCollectionRoutes(app, templates);
  templateItemRoutes(app, templates);
  templatePreviewRoute(app, engine);
}
