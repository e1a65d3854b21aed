/**
 * Errors of the Telnyx-compatible `/v2` in Telnyx's shape:
 * `{ errors: [{ code, title, detail, source: { pointer }, meta: { hermod_code } }] }`.
 * Hermod's coded errors are mapped once here (docs/telnyx-api.md, "Errors"): `code` is
 * Telnyx's general API code where one means the same (10009 authentication failed, 10004
 * missing parameter, …), else the Hermod code itself; `meta.hermod_code` always carries the
 * stable HERMOD_ERR_* code (docs/errors.md). HTTP statuses follow Telnyx: a parameter
 * refused is 422, not 400.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HermodError } from '../../lib/errors.js';
import { problemOf } from '../problem.js';

/** Telnyx's general API error codes Hermod answers with, and their titles. */
export const TELNYX_CODES = {
  '10002': 'Invalid phone number',
  '10003': 'Invalid URL',
  '10004': 'Missing required parameter',
  '10005': 'Resource not found',
  '10007': 'Unexpected error',
  '10009': 'Authentication failed',
  '10010': 'Authorization failed',
  '10011': 'Too many requests',
  '10014': 'Unsupported Media Type',
  '10015': 'Bad Request',
  '10016': 'Phone number must be in +E.164 format',
  '10023': 'Invalid JSON',
} as const;

export type TelnyxCode = keyof typeof TELNYX_CODES;

export interface TelnyxErrorItem {
  code: string;
  title: string;
  detail: string;
  source?: { pointer: string };
  meta: { hermod_code: string };
}

/** A request field refused by the /v2 door itself: its Telnyx code, the field and Hermod's code. */
export class TelnyxFieldError extends HermodError {
  constructor(
    readonly telnyxCode: TelnyxCode,
    readonly pointer: string,
    code: string,
    detail: string,
    readonly status = 422,
  ) {
    super(code, detail);
  }
}

export const fieldError = {
  missing: (field: string, detail = `${field} is required`) =>
    new TelnyxFieldError('10004', `/${field}`, 'HERMOD_ERR_TELNYX_MISSING_PARAMETER', detail),
  invalid: (field: string, detail: string) =>
    new TelnyxFieldError('10015', `/${field}`, 'HERMOD_ERR_TELNYX_INVALID_PARAMETER', detail),
};

/** Hermod codes with a Telnyx equivalent (the rest keep their own code). */
const EQUIVALENT: Record<string, TelnyxCode> = {
  HERMOD_ERR_UNAUTHORIZED: '10009',
  HERMOD_ERR_ADDRESS_NOT_ALLOWED: '10010',
  HERMOD_ERR_USER_DISABLED: '10010',
  HERMOD_ERR_GROUP_DISABLED: '10010',
  HERMOD_ERR_FORBIDDEN_ROLE: '10010',
  HERMOD_ERR_NOT_FOUND: '10005',
  HERMOD_ERR_THROTTLED: '10011',
  HERMOD_ERR_BAD_REQUEST: '10015',
  HERMOD_ERR_BAD_JSON: '10023',
  HERMOD_ERR_JSON_TOO_DEEP: '10023',
  HERMOD_ERR_UNSUPPORTED_MEDIA_TYPE: '10014',
  HERMOD_ERR_INVALID_DESTINATION: '10002',
  HERMOD_ERR_INVALID_SOURCE: '10002',
  HERMOD_ERR_INVALID_CALLBACK_URL: '10003',
  HERMOD_ERR_URL_REFUSED: '10003',
  HERMOD_ERR_INTERNAL: '10007',
};

/** The request field a refusal is about, by its Hermod code. */
function pointerOf(code: string): string | undefined {
  if (/DESTINATION|OPTED_OUT|NO_ROUTE/.test(code)) return '/to';
  if (/SOURCE/.test(code)) return '/from';
  if (code.startsWith('HERMOD_ERR_MEDIA_') || code === 'HERMOD_ERR_NO_MMS_ROUTE') return '/media_urls';
  if (/TOO_LONG|CONTENT|UNENCODABLE/.test(code)) return '/text';
  if (/SCHEDULE/.test(code)) return '/send_at';
  if (/VALIDITY/.test(code)) return '/valid_until';
  return undefined;
}

/**
 * The status Telnyx would answer: a parameter refused is 422 (Hermod says 400, or 413/415
 * for a text or media too large or of the wrong type); a body that is not JSON stays 400, and
 * a request body too large or of another content type keeps 413/415.
 */
function statusOf(status: number, code: string): number {
  if (status === 400)
    return code === 'HERMOD_ERR_BAD_JSON' || code === 'HERMOD_ERR_JSON_TOO_DEEP' ? 400 : 422;
  if ((status === 413 || status === 415) && !REQUEST_LEVEL.has(code)) return 422;
  return status;
}

/** Refusals of the HTTP request itself rather than of a field. */
const REQUEST_LEVEL: ReadonlySet<string> = new Set([
  'HERMOD_ERR_BODY_TOO_LARGE',
  'HERMOD_ERR_UNSUPPORTED_MEDIA_TYPE',
]);

/** Ajv's complaint as a field error: the missing or the offending property. */
function validationError(err: FastifyError): TelnyxFieldError | undefined {
  const first = err.validation?.[0];
  if (!first) return undefined;
  const missing = (first.params as { missingProperty?: unknown }).missingProperty;
  if (first.keyword === 'required' && typeof missing === 'string')
    return fieldError.missing(first.instancePath ? `${first.instancePath.slice(1)}/${missing}` : missing);
  const field = first.instancePath.replace(/^\//, '') || 'body';
  return fieldError.invalid(field, `${field} ${first.message ?? 'is invalid'}`);
}

/** Any thrown value as Telnyx's status and error body. */
export function telnyxErrorOf(err: unknown): { status: number; body: { errors: TelnyxErrorItem[] } } {
  const field =
    err instanceof TelnyxFieldError
      ? err
      : (err as FastifyError | undefined)?.validation
        ? validationError(err as FastifyError)
        : undefined;
  if (field)
    return {
      status: field.status,
      body: {
        errors: [
          {
            code: field.telnyxCode,
            title: TELNYX_CODES[field.telnyxCode],
            detail: field.message,
            source: { pointer: field.pointer },
            meta: { hermod_code: field.code },
          },
        ],
      },
    };
  const p = problemOf(err);
  const telnyx = EQUIVALENT[p.code] ?? (p.code.startsWith('HERMOD_ERR_FORBIDDEN_') ? '10010' : undefined);
  const pointer = pointerOf(p.code);
  return {
    status: statusOf(p.status, p.code),
    body: {
      errors: [
        {
          code: telnyx ?? p.code,
          title: telnyx ? TELNYX_CODES[telnyx] : p.title,
          detail: p.detail,
          ...(pointer ? { source: { pointer } } : {}),
          meta: { hermod_code: p.code },
        },
      ],
    },
  };
}

function sendTelnyxError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body } = telnyxErrorOf(err);
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).type('application/json').send(JSON.stringify(body));
}

/** Error and not-found handlers of the /v2 plugin: every error in Telnyx's shape. */
export function useTelnyxErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const { status } = telnyxErrorOf(err);
    if (status >= 500) req.log.error({ err }, 'unhandled error in a /v2 route');
    return sendTelnyxError(reply, err);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(
        JSON.stringify({
          errors: [
            {
              code: '10005',
              title: TELNYX_CODES['10005'],
              detail: `no route ${req.method} ${req.url.split('?')[0]}`,
              meta: { hermod_code: 'HERMOD_ERR_NOT_FOUND' },
            },
          ],
        }),
      ),
  );
}
