/** REST v1: contacts and contact groups (the account's address book). */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import type { Contact, ContactGroup } from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import { problems } from '../problem.js';
import type { EngineRouteOptions } from './index.js';

const contactInput = {
  type: 'object',
  required: ['number'],
  additionalProperties: false,
  properties: {
    number: { type: 'string', maxLength: 32, description: 'E.164, e.g. +447700900123' },
    firstName: { type: ['string', 'null'], maxLength: 100 },
    lastName: { type: ['string', 'null'], maxLength: 100 },
    fields: {
      type: 'object',
      maxProperties: 50,
      additionalProperties: { type: 'string', maxLength: 500 },
      description: 'custom fields, {{custom.<key>}} in templates',
    },
    notes: { type: ['string', 'null'], maxLength: 2000 },
  },
} as const;

const contactView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    number: { type: 'string', description: 'E.164 with +' },
    firstName: { type: ['string', 'null'] },
    lastName: { type: ['string', 'null'] },
    fields: { type: 'object', additionalProperties: { type: 'string' } },
    notes: { type: ['string', 'null'] },
    groups: { type: 'array', items: { type: 'integer' } },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const groupView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    members: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

type ContactBody = {
  number: string;
  firstName?: string | null;
  lastName?: string | null;
  fields?: Record<string, string>;
  notes?: string | null;
};

export const viewOfContact = (c: Contact) => ({
  id: c.id,
  number: `+${c.msisdn}`,
  firstName: c.firstName,
  lastName: c.lastName,
  fields: c.fields,
  notes: c.notes,
  groups: c.groups,
  createdAt: new Date(c.createdAt).toISOString(),
  updatedAt: new Date(c.updatedAt).toISOString(),
});

export const viewOfGroup = (g: ContactGroup) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  members: g.members,
  createdAt: new Date(g.createdAt).toISOString(),
  updatedAt: new Date(g.updatedAt).toISOString(),
});

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

export async function contactRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const contacts = engine.contacts;

  app.post<{ Body: ContactBody }>(
    '/v1/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Add a contact, or update the one with the same number',
        body: contactInput,
        response: { 200: contactView, 201: contactView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const { number, ...rest } = req.body;
      const user = req.apiUser!;
      const r = await contacts.save(user.id, [{ msisdn: number, ...rest }]);
      const c = (await contacts.get(user.id, r.ids[0]))!;
      return reply.code(r.created === 1 ? 201 : 200).send(viewOfContact(c));
    },
  );

  app.get<{ Params: { id: number } }>(
    '/v1/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'A contact',
        params: idParams,
        response: { 200: contactView, ...problemResponses },
      },
    },
    async (req) => {
      const c = await contacts.get(req.apiUser!.id, req.params.id);
      if (!c) throw problems.notFound(`no contact ${req.params.id}`);
      return viewOfContact(c);
    },
  );

  app.get(
    '/v1/contact-groups',
    {
      schema: {
        tags: ['contacts'],
        summary: 'The contact groups, with their member counts',
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: groupView } } },
          ...problemResponses,
        },
      },
    },
    async (req) => ({ data: (await contacts.groups(req.apiUser!.id)).map(viewOfGroup) }),
  );

  app.post<{ Body: { name: string } }>(
    '/v1/contact-groups',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Create a contact group',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: { 201: groupView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const g = await contacts.createGroup(req.apiUser!.id, req.body.name);
      return reply.code(201).send(viewOfGroup(g));
    },
  );

  app.post<{ Params: { id: number }; Body: { contacts: number[] } }>(
    '/v1/contact-groups/:id/members',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Add contacts to a contact group',
        params: idParams,
        body: {
          type: 'object',
          required: ['contacts'],
          additionalProperties: false,
          properties: {
            contacts: { type: 'array', maxItems: 10_000, items: { type: 'integer', minimum: 1 } },
          },
        },
        response: {
          200: { type: 'object', properties: { added: { type: 'integer' } } },
          ...problemResponses,
        },
      },
    },
    async (req) => ({ added: await contacts.addToGroup(req.apiUser!.id, req.params.id, req.body.contacts) }),
  );
}
