/**
 * REST v1: CSV imports of contacts. POST /v1/imports takes the file as a text/csv body
 * (options in the query string) or as JSON ({csv, ...}); the import runs in the background
 * and GET /v1/imports/{id} shows its progress, /v1/imports/{id}/errors its invalid rows as CSV.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ColumnMapping, ImportJob } from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import { problems } from '../problem.js';
import type { EngineRouteOptions } from './index.js';

const importView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    state: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    progress: { type: 'number', description: 'the share of the file applied, 0 to 1' },
    total: { type: 'integer', description: 'rows read so far (blank lines are not rows)' },
    created: { type: 'integer', description: 'new contacts' },
    updated: { type: 'integer', description: 'rows merged into a contact that existed (or an earlier row)' },
    invalid: { type: 'integer', description: 'rows not imported: see errorsUrl' },
    group: { type: ['integer', 'null'] },
    country: { type: ['string', 'null'] },
    header: { type: 'boolean' },
    delimiter: { type: 'string', description: 'detected: , ; tab or |' },
    columns: {
      type: 'object',
      description: 'which column (by header name, or "column N") became what',
      properties: {
        number: { type: 'string' },
        firstName: { type: ['string', 'null'] },
        lastName: { type: ['string', 'null'] },
        notes: { type: ['string', 'null'] },
        fields: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    fileName: { type: ['string', 'null'] },
    sizeBytes: { type: 'integer' },
    error: { type: ['string', 'null'], description: 'why a failed import failed' },
    errorsUrl: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const viewOfImport = (j: ImportJob) => {
  const name = (i: number | null): string | null =>
    i === null ? null : j.header && j.headerNames[i] ? j.headerNames[i] : `column ${i + 1}`;
  return {
    id: j.id,
    state: j.state,
    progress: j.state === 'completed' ? 1 : j.sizeBytes === 0 ? 0 : Math.min(1, j.bytesDone / j.sizeBytes),
    total: j.total,
    created: j.created,
    updated: j.updated,
    invalid: j.invalid,
    group: j.groupId,
    country: j.country,
    header: j.header,
    delimiter: j.delimiter,
    columns: {
      number: name(j.columns.number)!,
      firstName: name(j.columns.firstName),
      lastName: name(j.columns.lastName),
      notes: name(j.columns.notes),
      fields: Object.fromEntries(j.columns.fields.map(([k, i]) => [k, name(i)!])),
    },
    fileName: j.fileName,
    sizeBytes: j.sizeBytes,
    error: j.error,
    errorsUrl: `/v1/imports/${j.id}/errors`,
    createdAt: new Date(j.createdAt).toISOString(),
    updatedAt: new Date(j.updatedAt).toISOString(),
    finishedAt: j.finishedAt === null ? null : new Date(j.finishedAt).toISOString(),
  };
};

const column = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 200 },
    { type: 'integer', minimum: 1 },
  ],
};

const options = {
  group: { type: 'string', minLength: 1, maxLength: 100, description: 'a group by name (created if none)' },
  groupId: { type: 'integer', minimum: 1, description: 'an existing group by id' },
  country: {
    type: ['string', 'null'],
    pattern: '^[A-Z]{2}$',
    description: "default country of national numbers (default: the account's settings.defaults.country)",
  },
  header: { type: 'boolean', description: 'the first row is a header (default: detected)' },
  fileName: { type: 'string', maxLength: 200 },
} as const;

interface ImportOptions {
  group?: string;
  groupId?: number;
  country?: string | null;
  header?: boolean;
  fileName?: string;
}

/**
 * `--map`/`map=` as a mapping: "number=Phone,firstName=Given,lastName=-,field.code=Code"
 * (a column by header name or position; "-" for a role not imported; fields=- for no custom
 * fields but those named).
 */
export function mappingOf(spec: string): ColumnMapping {
  const m: ColumnMapping = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw problems.badRequest(`map: "${part}" is not role=column`);
    const role = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const ref = /^\d+$/.test(value) ? Number(value) : value;
    if (role === 'number') m.number = ref;
    else if (role === 'firstName' || role === 'lastName' || role === 'notes')
      m[role] = value === '-' ? null : ref;
    else if (role === 'fields' && value === '-') m.fields ??= {};
    else if (role.startsWith('field.') && role.length > 6) (m.fields ??= {})[role.slice(6)] = ref;
    else
      throw problems.badRequest(
        `map: unknown role "${role}" (number, firstName, lastName, notes, field.<key>)`,
      );
  }
  return m;
}

export async function contactImportRoutes(
  app: FastifyInstance,
  { engine }: EngineRouteOptions,
): Promise<void> {
  const imports = engine.contactImports;
  // The file as a string (the idempotency hash reads the body as JSON: a string, not a Buffer).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.post<{
    Querystring: ImportOptions & { map?: string };
    Body: string | (ImportOptions & { csv: string; mapping?: ColumnMapping });
  }>(
    '/v1/imports',
    {
      // JSON escapes make the body longer than the file: the file's own cap is checked after.
      bodyLimit: Math.ceil(imports.maxUploadBytes * 1.2) + 65_536,
      schema: {
        tags: ['contacts'],
        summary: 'Import contacts from a CSV file (a background job)',
        description:
          'The body is the file (Content-Type: text/csv, UTF-8, options in the query string; `map` as number=Phone,firstName=Given,field.code=Code) or JSON with `csv` and the options. Answers 202 with the job: follow GET /v1/imports/{id}.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...options,
            map: { type: 'string', maxLength: 4000, description: 'the column mapping, role=column,…' },
          },
        },
        body: {
          anyOf: [
            { type: 'string', description: 'text/csv' },
            {
              type: 'object',
              required: ['csv'],
              additionalProperties: false,
              properties: {
                csv: { type: 'string', description: 'the file' },
                ...options,
                mapping: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    number: column,
                    firstName: { anyOf: [...column.anyOf, { type: 'null' }] },
                    lastName: { anyOf: [...column.anyOf, { type: 'null' }] },
                    notes: { anyOf: [...column.anyOf, { type: 'null' }] },
                    fields: { type: 'object', maxProperties: 50, additionalProperties: column },
                  },
                },
              },
            },
          ],
        },
        response: { 202: importView, ...problemResponses },
      },
    },
    async (req, reply) => {
      const user = req.apiUser!;
      const body = req.body;
      const o: ImportOptions & { csv: string; mapping?: ColumnMapping } =
        typeof body === 'string'
          ? {
              ...req.query,
              csv: body,
              ...(req.query.map !== undefined ? { mapping: mappingOf(req.query.map) } : {}),
            }
          : body;
      if (o.group !== undefined && o.groupId !== undefined)
        throw problems.badRequest('group, groupId: give one of them');
      const job = await imports.create(user.id, user.settings.defaults.country ?? null, {
        csv: Buffer.from(o.csv, 'utf8'),
        fileName: o.fileName ?? null,
        ...(o.groupId !== undefined ? { groupId: o.groupId } : {}),
        ...(o.group !== undefined ? { groupName: o.group } : {}),
        ...(o.country !== undefined ? { country: o.country } : {}),
        ...(o.header !== undefined ? { header: o.header } : {}),
        ...(o.mapping !== undefined ? { mapping: o.mapping } : {}),
      });
      return reply.code(202).header('location', `/v1/imports/${job.id}`).send(viewOfImport(job));
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/v1/imports',
    {
      schema: {
        tags: ['contacts'],
        summary: 'The imports, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: importView } } },
          ...problemResponses,
        },
      },
    },
    async (req) => ({ data: (await imports.list(req.apiUser!.id, req.query.limit)).map(viewOfImport) }),
  );

  const idParams = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'integer', minimum: 1 } },
  } as const;

  app.get<{ Params: { id: number } }>(
    '/v1/imports/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'An import: its state, progress and counts',
        params: idParams,
        response: { 200: importView, ...problemResponses },
      },
    },
    async (req) => {
      const job = await imports.get(req.apiUser!.id, req.params.id);
      if (!job) throw problems.notFound(`no import ${req.params.id}`);
      return viewOfImport(job);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/v1/imports/:id/errors',
    {
      schema: {
        tags: ['contacts'],
        summary: "An import's invalid rows as CSV: line, number, reason, row",
        params: idParams,
        produces: ['text/csv'],
        response: { 200: { type: 'string', description: 'text/csv' }, ...problemResponses },
      },
    },
    async (req, reply) => {
      const user = req.apiUser!;
      const job = await imports.get(user.id, req.params.id);
      if (!job) throw problems.notFound(`no import ${req.params.id}`);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${job.id}-errors.csv"`)
        .send(Readable.from(imports.errorsCsv(user.id, job.id)));
    },
  );
}
