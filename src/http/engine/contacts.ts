/** REST v1: contacts and contact groups (the account's address book). */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Contact, ContactGroup, ContactQuery } from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import { problems } from '../problem.js';
import type { EngineRouteOptions } from './index.js';

const contactInput = {
  type: 'object',
  required: ['number'],
  additionalProperties: false,
  properties: {
    number: { type: 'string', maxLength: 32, description: 'E.164, e.g. +447700900123' },
    first_name: { type: ['string', 'null'], maxLength: 100 },
    last_name: { type: ['string', 'null'], maxLength: 100 },
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
    first_name: { type: ['string', 'null'] },
    last_name: { type: ['string', 'null'] },
    fields: { type: 'object', additionalProperties: { type: 'string' } },
    notes: { type: ['string', 'null'] },
    groups: { type: 'array', items: { type: 'integer' } },
    opted_out: {
      type: 'boolean',
      description: 'opted out (STOP) of at least one sender, from the gateway opt-out list',
    },
    opt_outs: {
      type: 'array',
      description: 'the senders it opted out of, and when',
      items: {
        type: 'object',
        properties: { sender: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
      },
    },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const groupView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    members: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

type ContactBody = {
  number: string;
  first_name?: string | null;
  last_name?: string | null;
  fields?: Record<string, string>;
  notes?: string | null;
};

/** The body's names → the service's (only what was given: a PATCH changes what it names). */
function contactFields<F>(b: {
  first_name?: string | null;
  last_name?: string | null;
  fields?: F;
  notes?: string | null;
}) {
  return {
    ...(b.first_name !== undefined ? { firstName: b.first_name } : {}),
    ...(b.last_name !== undefined ? { lastName: b.last_name } : {}),
    ...(b.fields !== undefined ? { fields: b.fields } : {}),
    ...(b.notes !== undefined ? { notes: b.notes } : {}),
  };
}

export const viewOfContact = (c: Contact) => ({
  id: c.id,
  number: `+${c.msisdn}`,
  first_name: c.firstName,
  last_name: c.lastName,
  fields: c.fields,
  notes: c.notes,
  groups: c.groups,
  opted_out: c.optOuts.length > 0,
  opt_outs: c.optOuts.map((o) => ({ sender: o.sender, at: new Date(o.at).toISOString() })),
  created_at: new Date(c.createdAt).toISOString(),
  updated_at: new Date(c.updatedAt).toISOString(),
});

export const viewOfGroup = (g: ContactGroup) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  members: g.members,
  created_at: new Date(g.createdAt).toISOString(),
  updated_at: new Date(g.updatedAt).toISOString(),
});

/** A search: query string of GET /v1/contacts and the export, `filter` of bulk requests. */
const searchProperties = {
  number: {
    type: 'string',
    maxLength: 32,
    description: 'the start of the number: +4477, or national with the default country',
  },
  name: {
    type: 'string',
    maxLength: 100,
    description: 'the start of the first name, last name or "first last", any case',
  },
  field: { type: 'string', maxLength: 600, description: 'a custom field value, key:value' },
  group: { type: 'integer', minimum: 1, description: 'members of this group' },
  opted_out: { type: 'boolean', description: 'opted out of at least one sender (true) or of none (false)' },
} as const;

/** A search as the query string or `filter` names it (snake_case, like every REST v1 key). */
export type ContactSearch = Omit<ContactQuery, 'optedOut'> & { opted_out?: boolean };

/** A search of the API → the service's query. */
export const queryOf = ({ opted_out, ...q }: ContactSearch): ContactQuery =>
  opted_out === undefined ? q : { ...q, optedOut: opted_out };

const filterBody = {
  type: 'object',
  additionalProperties: false,
  properties: searchProperties,
  description: 'a search: every condition given must hold; {} is every contact',
} as const;

const countryOf = (req: FastifyRequest): string | null => req.apiUser!.settings.defaults.country ?? null;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

type Contacts = EngineRouteOptions['engine']['contacts'];

const members = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    contacts: { type: 'array', maxItems: 10_000, items: { type: 'integer', minimum: 1 } },
    filter: filterBody,
  },
  description: 'the contacts by id, or every contact a search matches (filter)',
} as const;
type MembersBody = { contacts?: number[]; filter?: ContactSearch };

/** POST /v1/contacts (add or update by number) and GET /v1/contacts/:id. */
function contactSaveRoutes(app: FastifyInstance, contacts: Contacts): void {
  app.post<{ Body: ContactBody }>(
    '/v1/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Add a contact, or update the one with the same number',
        description:
          "A national number (07700 900123) is read in the account's default country (settings.defaults.country).",
        body: contactInput,
        response: { 200: contactView, 201: contactView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const user = req.apiUser!;
      let r: Awaited<ReturnType<typeof contacts.save>>;
      try {
        r = await contacts.save(
          user.id,
          [{ msisdn: req.body.number, ...contactFields(req.body) }],
          undefined,
          {
            defaultCountry: countryOf(req),
          },
        );
      } catch (err) {
        // The service names the row of its batch; this request has one contact: its `number`.
        if (err instanceof Error) err.message = err.message.replace(/^contacts\[0\]\.msisdn: /, 'number: ');
        throw err;
      }
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
}

/** List the contact groups and create one. */
function groupCollectionRoutes(app: FastifyInstance, contacts: Contacts): void {
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

  app.post<{ Body: { name: string; description?: string | null } }>(
    '/v1/contact-groups',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Create a contact group',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            description: { type: ['string', 'null'], maxLength: 500 },
          },
        },
        response: { 201: groupView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const g = await contacts.createGroup(req.apiUser!.id, req.body.name, req.body.description);
      return reply.code(201).send(viewOfGroup(g));
    },
  );
}

/** Add contacts to a group and remove them: by id or by search. */
function groupMemberRoutes(app: FastifyInstance, contacts: Contacts): void {
  app.post<{ Params: { id: number }; Body: MembersBody }>(
    '/v1/contact-groups/:id/members',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Add contacts to a contact group: by id, or everyone a search matches',
        params: idParams,
        body: members,
        response: {
          200: { type: 'object', properties: { added: { type: 'integer' } } },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const user = req.apiUser!;
      const filter = req.body.filter
        ? contacts.filterOf(queryOf(req.body.filter), countryOf(req))
        : { ids: req.body.contacts ?? [] };
      return { added: await contacts.addMatchingToGroup(user.id, req.params.id, filter) };
    },
  );

  app.post<{ Params: { id: number }; Body: MembersBody }>(
    '/v1/contact-groups/:id/members/remove',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Remove contacts from a contact group: by id, or every member a search matches',
        params: idParams,
        body: members,
        response: {
          200: { type: 'object', properties: { removed: { type: 'integer' } } },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const user = req.apiUser!;
      const filter = req.body.filter
        ? contacts.filterOf(queryOf(req.body.filter), countryOf(req))
        : { ids: req.body.contacts ?? [] };
      return { removed: await contacts.removeMatchingFromGroup(user.id, req.params.id, filter) };
    },
  );
}

/** Read, change and delete one contact group. */
function groupItemRoutes(app: FastifyInstance, contacts: Contacts): void {
  app.get<{ Params: { id: number } }>(
    '/v1/contact-groups/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'A contact group',
        params: idParams,
        response: { 200: groupView, ...problemResponses },
      },
    },
    async (req) => {
      const g = await contacts.group(req.apiUser!.id, req.params.id);
      if (!g) throw problems.notFound(`no contact group ${req.params.id}`);
      return viewOfGroup(g);
    },
  );

  app.patch<{ Params: { id: number }; Body: { name?: string; description?: string | null } }>(
    '/v1/contact-groups/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Rename or describe a contact group',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            description: { type: ['string', 'null'], maxLength: 500 },
          },
        },
        response: { 200: groupView, ...problemResponses },
      },
    },
    async (req) => viewOfGroup(await contacts.updateGroup(req.apiUser!.id, req.params.id, req.body)),
  );

  app.delete<{ Params: { id: number } }>(
    '/v1/contact-groups/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Delete a contact group (its members stay contacts)',
        params: idParams,
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (req, reply) => {
      await contacts.deleteGroup(req.apiUser!.id, req.params.id);
      return reply.code(204).send();
    },
  );
}

/** Search the contacts a page at a time, and export them as CSV. */
function contactSearchRoutes(app: FastifyInstance, contacts: Contacts): void {
  app.get<{ Querystring: ContactSearch & { limit: number; cursor?: string } }>(
    '/v1/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Search the contacts, a page at a time',
        description:
          'Pages in id order, or in number order when `number` is given; `next_cursor` gives the next page (null on the last).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...searchProperties,
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: contactView },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const { limit, cursor, ...q } = req.query;
      const user = req.apiUser!;
      const page = await contacts.list(user.id, contacts.filterOf(queryOf(q), countryOf(req)), limit, cursor);
      return { data: page.contacts.map(viewOfContact), next_cursor: page.nextCursor };
    },
  );

  app.get<{ Querystring: ContactSearch & { fields?: string } }>(
    '/v1/contacts/export',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Export the contacts a search matches as CSV (streamed)',
        description:
          'Columns: number, first_name, last_name, notes, groups (names, ;-separated), opted_out, created_at, updated_at, then a column per custom field (`fields`, default: every key in use, at most 100). An import reads the file back.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...searchProperties,
            fields: {
              type: 'string',
              maxLength: 2000,
              description: 'the custom field columns, comma-separated',
            },
          },
        },
        produces: ['text/csv'],
        response: { 200: { type: 'string', description: 'text/csv' }, ...problemResponses },
      },
    },
    async (req, reply) => {
      const { fields, ...q } = req.query;
      const user = req.apiUser!;
      const filter = contacts.filterOf(queryOf(q), countryOf(req));
      const keys = fields
        ?.split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="contacts.csv"')
        .send(Readable.from(contacts.exportCsv(user.id, filter, keys)));
    },
  );
}

/** Change or delete one contact, and delete in bulk. */
function contactChangeRoutes(app: FastifyInstance, contacts: Contacts): void {
  app.patch<{
    Params: { id: number };
    Body: Partial<Omit<ContactBody, 'fields'>> & { fields?: Record<string, string | null> };
  }>(
    '/v1/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Change a contact: what is given changes, the rest stays',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            ...contactInput.properties,
            fields: {
              type: 'object',
              maxProperties: 50,
              additionalProperties: { type: ['string', 'null'], maxLength: 500 },
              description: 'custom fields to set; null removes a key',
            },
          },
        },
        response: { 200: contactView, ...problemResponses },
      },
    },
    async (req) => {
      const { number } = req.body;
      const c = await contacts.update(
        req.apiUser!.id,
        req.params.id,
        { ...contactFields(req.body), ...(number !== undefined ? { msisdn: number } : {}) },
        { defaultCountry: countryOf(req) },
      );
      return viewOfContact(c);
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/v1/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Delete a contact (and its group memberships)',
        params: idParams,
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (req, reply) => {
      await contacts.delete(req.apiUser!.id, req.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { contacts?: number[]; filter?: ContactSearch; all?: boolean } }>(
    '/v1/contacts/delete',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Delete contacts in bulk: by id, or every contact a search matches',
        description: 'An empty filter deletes nothing unless `all` is true.',
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            contacts: { type: 'array', maxItems: 10_000, items: { type: 'integer', minimum: 1 } },
            filter: filterBody,
            all: { type: 'boolean', description: 'with an empty or absent filter: every contact' },
          },
        },
        response: {
          200: { type: 'object', properties: { deleted: { type: 'integer' } } },
          ...problemResponses,
        },
      },
    },
    async (req) => {
      const user = req.apiUser!;
      const { contacts: ids, filter, all } = req.body;
      if (ids !== undefined && filter !== undefined)
        throw problems.badRequest('contacts, filter: give one of them');
      if (ids !== undefined) return { deleted: await contacts.deleteMatching(user.id, { ids }) };
      const f = contacts.filterOf(queryOf(filter ?? {}), countryOf(req));
      if (Object.keys(f).length === 0 && all !== true)
        throw problems.badRequest('filter: empty (every contact); say all: true to delete every contact');
      return { deleted: await contacts.deleteMatching(user.id, f) };
    },
  );
}

export async function contactRoutes(app: FastifyInstance, { engine }: EngineRouteOptions): Promise<void> {
  const contacts = engine.contacts;
  contactSaveRoutes(app, contacts);
  groupCollectionRoutes(app, contacts);
  groupMemberRoutes(app, contacts);
  groupItemRoutes(app, contacts);
  contactSearchRoutes(app, contacts);
  contactChangeRoutes(app, contacts);
}
