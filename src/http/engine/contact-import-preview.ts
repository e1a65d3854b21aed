/**
 * REST v1: POST /v1/imports/preview — what an import would make of a file, before running
 * it: each column's role (guessed from the header, or as mapped) and the first rows as the
 * contacts they would become, or the reason each would be reported. Nothing is stored; the
 * console's import wizard shows it between mapping the columns and importing.
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import {
  PREVIEW_MAX_BYTES,
  PREVIEW_MAX_ROWS,
  previewImport,
  type ImportPreview,
} from '../../engine/index.js';
import { problemResponses } from '../rest/schemas.js';
import { mappingInput, mappingOf } from './contact-imports.js';
import type { EngineRouteOptions } from './index.js';

const role = {
  type: ['string', 'null'],
  enum: ['number', 'first_name', 'last_name', 'notes', 'field', null],
};

const previewView = {
  type: 'object',
  properties: {
    header: { type: 'boolean', description: 'the first row is a header (detected, or as told)' },
    delimiter: { type: 'string' },
    columns: {
      type: 'array',
      description: 'every column, in file order, with what it would become',
      items: {
        type: 'object',
        properties: {
          position: { type: 'integer', description: '1 is the first' },
          name: { type: ['string', 'null'], description: 'its header, if the file has one' },
          role: { ...role, description: 'null: not imported' },
          field: { type: ['string', 'null'], description: 'the custom field key, for role field' },
        },
      },
    },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          line: { type: 'integer', description: 'its line in the file' },
          cells: { type: 'array', items: { type: 'string' } },
          contact: {
            type: ['object', 'null'],
            description: 'what would be saved (empty cells leave what a contact has)',
            properties: {
              number: { type: 'string' },
              first_name: { type: 'string' },
              last_name: { type: 'string' },
              notes: { type: 'string' },
              fields: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
          error: { type: ['string', 'null'], description: 'why the row would be reported, not imported' },
          repeat_of: {
            type: ['integer', 'null'],
            description: 'the line of an earlier row with the same number: merged into it',
          },
        },
      },
    },
  },
} as const;

export const viewOfPreview = (p: ImportPreview) => {
  const roleOf = (i: number): { role: string | null; field: string | null } => {
    const c = p.columns;
    if (c.number === i) return { role: 'number', field: null };
    if (c.firstName === i) return { role: 'first_name', field: null };
    if (c.lastName === i) return { role: 'last_name', field: null };
    if (c.notes === i) return { role: 'notes', field: null };
    const f = c.fields.find(([, j]) => j === i);
    return f ? { role: 'field', field: f[0] } : { role: null, field: null };
  };
  return {
    header: p.header,
    delimiter: p.delimiter,
    columns: Array.from({ length: p.width }, (_, i) => ({
      position: i + 1,
      name: p.header ? (p.headerNames[i] ?? null) : null,
      ...roleOf(i),
    })),
    rows: p.rows.map((r) => ({
      line: r.line,
      cells: r.cells,
      contact: r.contact && {
        number: `+${r.contact.msisdn}`,
        ...(r.contact.firstName != null ? { first_name: r.contact.firstName } : {}),
        ...(r.contact.lastName != null ? { last_name: r.contact.lastName } : {}),
        ...(r.contact.notes != null ? { notes: r.contact.notes } : {}),
        ...(r.contact.fields ? { fields: r.contact.fields } : {}),
      },
      error: r.error,
      repeat_of: r.repeatOf,
    })),
  };
};

interface PreviewQuery {
  country?: string | null;
  header?: boolean;
  map?: string;
  rows: number;
}

export async function contactImportPreviewRoutes(
  app: FastifyInstance,
  _opts: EngineRouteOptions,
): Promise<void> {
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.post<{ Querystring: PreviewQuery; Body: string }>(
    '/v1/imports/preview',
    {
      // The first part of the file is enough: a larger body is refused (413), send its start.
      bodyLimit: PREVIEW_MAX_BYTES,
      schema: {
        tags: ['contacts'],
        summary: 'What an import would make of a file: the columns and the first rows (nothing is stored)',
        description: `The body is the file, or its first part (Content-Type: text/csv, at most ${PREVIEW_MAX_BYTES} bytes; a row cut at the end is left out), with the import's options in the query string. Answers each column's role and the first \`rows\` rows as the contacts they would become, or why each would be reported.`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            country: {
              type: ['string', 'null'],
              pattern: '^[A-Z]{2}$',
              description: "default country of national numbers (default: the account's)",
            },
            header: { type: 'boolean', description: 'the first row is a header (default: detected)' },
            map: {
              type: 'string',
              maxLength: 4000,
              description: 'the column mapping, as for POST /v1/imports',
            },
            rows: { type: 'integer', minimum: 1, maximum: PREVIEW_MAX_ROWS, default: 20 },
          },
        },
        body: { type: 'string', description: 'text/csv' },
        response: { 200: previewView, ...problemResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const preview = await previewImport(Buffer.from(req.body, 'utf8'), {
        country: q.country !== undefined ? q.country : (req.apiUser!.settings.defaults.country ?? null),
        rows: q.rows,
        ...(q.header !== undefined ? { header: q.header } : {}),
        ...(q.map !== undefined ? { mapping: mappingInput(mappingOf(q.map)) } : {}),
      });
      return viewOfPreview(preview);
    },
  );
}
