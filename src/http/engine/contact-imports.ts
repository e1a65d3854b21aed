/**
 * REST v1: CSV imports of contacts. POST /v1/imports takes the file as a text/csv body
 * (options in the query string) or as JSON ({csv, ...}); the import runs in the background
 * and GET /v1/imports/{id} shows its progress, /v1/imports/{id}/errors its invalid rows as CSV.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ColumnMapping, ContactImports, ImportJob } from '../../engine/index.js';

type ColumnRef = NonNullable<ColumnMapping['number']>;
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
    invalid: { type: 'integer', description: 'rows not imported: see errors_url' },
    group: { type: ['integer', 'null'] },
    country: { type: ['string', 'null'] },
    header: { type: 'boolean' },
    delimiter: { type: 'string', description: 'detected: , ; tab or |' },
    columns: {
      type: 'object',
      description: 'which column (by header name, or "column N") became what',
      properties: {
        number: { type: 'string' },
        first_name: { type: ['string', 'null'] },
        last_name: { type: ['string', 'null'] },
        notes: { type: ['string', 'null'] },
        fields: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    file_name: { type: ['string', 'null'] },
    size_bytes: { type: 'integer' },
    error: { type: ['string', 'null'], description: 'why a failed import failed' },
    errors_url: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
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
      first_name: name(j.columns.firstName),
      last_name: name(j.columns.lastName),
      notes: name(j.columns.notes),
      fields: Object.fromEntries(j.columns.fields.map(([k, i]) => [k, name(i)!])),
    },
    file_name: j.fileName,
    size_bytes: j.sizeBytes,
    error: j.error,
    errors_url: `/v1/imports/${j.id}/errors`,
    created_at: new Date(j.createdAt).toISOString(),
    updated_at: new Date(j.updatedAt).toISOString(),
    finished_at: j.finishedAt === null ? null : new Date(j.finishedAt).toISOString(),
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
  group_id: { type: 'integer', minimum: 1, description: 'an existing group by id' },
  country: {
    type: ['string', 'null'],
    pattern: '^[A-Z]{2}$',
    description: "default country of national numbers (default: the account's settings.defaults.country)",
  },
  header: { type: 'boolean', description: 'the first row is a header (default: detected)' },
  file_name: { type: 'string', maxLength: 200 },
} as const;

/** A column mapping in the API's names. */
interface MappingBody {
  number?: ColumnRef;
  first_name?: ColumnRef | null;
  last_name?: ColumnRef | null;
  notes?: ColumnRef | null;
  fields?: Record<string, ColumnRef>;
}

export const mappingInput = ({ first_name, last_name, ...m }: MappingBody): ColumnMapping => ({
  ...m,
  ...(first_name !== undefined ? { firstName: first_name } : {}),
  ...(last_name !== undefined ? { lastName: last_name } : {}),
});

interface ImportOptions {
  group?: string;
  group_id?: number;
  country?: string | null;
  header?: boolean;
  file_name?: string;
}

/**
 * `--map`/`map=` as a mapping: "number=Phone,first_name=Given,last_name=-,field.code=Code"
 * (a column by header name or position; "-" for a role not imported; firstName and lastName
 * are read too, as the CLI's --map has always said them; fields=- for no custom fields but
 * those named).
 */
export function mappingOf(spec: string): MappingBody {
  const m: MappingBody = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw problems.badRequest(`map: "${part}" is not role=column`);
    const role = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const ref = /^\d+$/.test(value) ? Number(value) : value;
    const named = role === 'firstName' ? 'first_name' : role === 'lastName' ? 'last_name' : role;
    if (named === 'number') m.number = ref;
    else if (named === 'first_name' || named === 'last_name' || named === 'notes')
      m[named] = value === '-' ? null : ref;
    else if (role === 'fields' && value === '-') m.fields ??= {};
    else if (role.startsWith('field.') && role.length > 6) (m.fields ??= {})[role.slice(6)] = ref;
    else
      throw problems.badRequest(
        `map: unknown role "${role}" (number, first_name, last_name, notes, field.<key>)`,
      );
  }
  return m;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

export async function contactImportRoutes(
  app: FastifyInstance,
  { engine }: EngineRouteOptions,
): Promise<void> {
  const imports = engine.contactImports;
  // The file as a string (the idempotency hash reads the body as JSON: a string, not a Buffer).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  createRoute(app, imports);
  listRoute(app, imports);
  showRoute(app, imports);
  errorsRoute(app, imports);
}

/** POST /v1/imports: the file (text/csv) or JSON with `csv`; answers 202 with the job. */
function createRoute(app: FastifyInstance, imports: ContactImports): void {
  app.post<{
    Querystring: ImportOptions & { map?: string };
    Body: string | (ImportOptions & { csv: string; mapping?: MappingBody });
  }>(
    '/v1/imports',
    {
      // JSON escapes make the body longer than the file: the file's own cap is checked after.
      bodyLimit: Math.ceil(imports.maxUploadBytes * 1.2) + 65_536,
      schema: {
        tags: ['contacts'],
        summary: 'Import contacts from a CSV file (a background job)',
        description:
          'The body is the file (Content-Type: text/csv, UTF-8, options in the query string; `map` as number=Phone,first_name=Given,field.code=Code) or JSON with `csv` and the options. Answers 202 with the job: follow GET /v1/imports/{id}.',
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
                    first_name: { anyOf: [...column.anyOf, { type: 'null' }] },
                    last_name: { anyOf: [...column.anyOf, { type: 'null' }] },
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
      const o: ImportOptions & { csv: string; mapping?: MappingBody } =
        typeof body === 'string'
          ? {
              ...req.query,
              csv: body,
              ...(req.query.map !== undefined ? { mapping: mappingOf(req.query.map) } : {}),
            }
          : body;
      if (o.group !== undefined && o.group_id !== undefined)
        throw problems.badRequest('group, group_id: give one of them');
      const job = await imports.create(user.id, user.settings.defaults.country ?? null, {
        csv: Buffer.from(o.csv, 'utf8'),
        fileName: o.file_name ?? null,
        ...(o.group_id !== undefined ? { groupId: o.group_id } : {}),
        ...(o.group !== undefined ? { groupName: o.group } : {}),
        ...(o.country !== undefined ? { country: o.country } : {}),
        ...(o.header !== undefined ? { header: o.header } : {}),
        ...(o.mapping !== undefined ? { mapping: mappingInput(o.mapping) } : {}),
      });
      return reply.code(202).header('location', `/v1/imports/${job.id}`).send(viewOfImport(job));
    },
  );
}

/** GET /v1/imports: the imports, newest first. */
function listRoute(app: FastifyInstance, imports: ContactImports): void {
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
}

/** GET /v1/imports/{id}: its state, progress and counts. */
function showRoute(app: FastifyInstance, imports: ContactImports): void {
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
}

/** GET /v1/imports/{id}/errors: the invalid rows as CSV. */
function errorsRoute(app: FastifyInstance, imports: ContactImports): void {
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
