/**
 * Errors as RFC 9457 problem details (`application/problem+json`), one shape for every
 * JSON API of Hermod: `{type, title, status, detail, code, permanent}`. `code` is the
 * stable HERMOD_ERR_* code (docs/errors.md); `permanent` says whether the same request can
 * ever succeed when retried (Infobip's flag; research Checklist 2, "HTTP API").
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HermodError } from '../lib/errors.js';
import { RejectedError, UnencodableCharacterError } from '../gateway/index.js';
import { validationDetail } from './validation.js';

export const PROBLEM_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  permanent: boolean;
}

/** Whether retrying the same request can never succeed, by default from the status. */
const permanentFor = (status: number) => status < 500 && status !== 409 && status !== 429 && status !== 402;

/** An error an HTTP route throws on purpose: its status and stable code go to the client. */
export class HttpProblem extends HermodError {
  constructor(
    readonly status: number,
    code: string,
    detail: string,
    readonly permanent = permanentFor(status),
  ) {
    super(code, detail);
  }
}

export const problems = {
  unauthorized: (why = 'a valid API key is required (Authorization: Bearer <key>)') =>
    new HttpProblem(401, 'HERMOD_ERR_UNAUTHORIZED', why),
  /** settings.access.allowFrom does not list the caller's address. */
  addressNotAllowed: (address: string | undefined) =>
    new HttpProblem(
      403,
      'HERMOD_ERR_ADDRESS_NOT_ALLOWED',
      `requests for this account are not accepted from ${address ?? 'an unknown address'} (settings.access.allowFrom)`,
    ),
  notFound: (what: string) => new HttpProblem(404, 'HERMOD_ERR_NOT_FOUND', what),
  notCancelable: (id: string) =>
    new HttpProblem(
      409,
      'HERMOD_ERR_NOT_CANCELABLE',
      `message ${id} has been sent or is being sent, or is final already: it can no longer be canceled`,
    ),
  badRequest: (why: string) => new HttpProblem(400, 'HERMOD_ERR_BAD_REQUEST', why),
  idempotencyMismatch: () =>
    new HttpProblem(
      422,
      'HERMOD_ERR_IDEMPOTENCY_MISMATCH',
      'this Idempotency-Key was already used with a different request body',
    ),
  idempotencyInFlight: () =>
    new HttpProblem(
      409,
      'HERMOD_ERR_IDEMPOTENCY_IN_FLIGHT',
      'a request with this Idempotency-Key is still being processed; retry later',
    ),
};

/** `type` of a problem: this base plus the code in kebab case (HERMOD_ERR_NO_BALANCE → no-balance). */
export const PROBLEM_BASE = 'https://hermod.dev/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  permanent = permanentFor(status),
): Problem {
  return {
    type: `${PROBLEM_BASE}${code
      .replace(/^HERMOD_ERR_/, '')
      .toLowerCase()
      .replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    permanent,
  };
}

/** Any thrown value → a problem. Unknown errors become a 500 without their message. */
export function problemOf(err: unknown): Problem {
  if (err instanceof HttpProblem) return problem(err.status, err.code, err.message, err.permanent);
  if (err instanceof RejectedError) return problem(err.httpStatus, err.code, err.message);
  const httpStatus = (err as { httpStatus?: unknown } | undefined)?.httpStatus;
  if (err instanceof HermodError && typeof httpStatus === 'number')
    return problem(httpStatus, err.code, err.message);
  if (err instanceof UnencodableCharacterError) return problem(400, err.code, err.message);
  const fe = err as Partial<FastifyError> | undefined;
  if (fe?.validation)
    return problem(
      400,
      'HERMOD_ERR_VALIDATION',
      validationDetail({
        message: fe.message ?? 'invalid request',
        validation: fe.validation,
        validationContext: fe.validationContext,
      }),
    );
  switch (fe?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'HERMOD_ERR_BAD_JSON', fe.message ?? 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'HERMOD_ERR_UNSUPPORTED_MEDIA_TYPE', fe.message ?? 'unsupported content type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'HERMOD_ERR_BODY_TOO_LARGE', fe.message ?? 'request body too large');
  }
  if (err instanceof SyntaxError && (fe?.statusCode ?? 0) === 400)
    return problem(400, 'HERMOD_ERR_BAD_JSON', err.message);
  if (err instanceof HermodError) return problem(500, err.code, err.message, false);
  const status = fe?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return problem(status, 'HERMOD_ERR_BAD_REQUEST', fe?.message ?? 'bad request');
  return problem(500, 'HERMOD_ERR_INTERNAL', 'internal error', false);
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(p.status).type(PROBLEM_TYPE).send(JSON.stringify(p));
}

/** A Fastify error handler: every error as a problem; 5xx logged without reaching the client. */
export function problemErrorHandler(
  err: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const p = problemOf(err);
  if (p.status >= 500) req.log.error({ err }, 'unhandled error in an HTTP route');
  return sendProblem(reply, p);
}

/** Error and not-found handlers of an app (or an encapsulated plugin). */
export function useProblems(app: FastifyInstance): void {
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problem(404, 'HERMOD_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`),
    ),
  );
}

/** The JSON schema of a problem document (route `response` schemas and OpenAPI). */
export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, sent as application/problem+json',
  required: ['type', 'title', 'status', 'detail', 'code', 'permanent'],
  properties: {
    type: { type: 'string', description: 'https://hermod.dev/problems/<code in kebab case>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'stable HERMOD_ERR_* code (docs/errors.md)' },
    permanent: { type: 'boolean', description: 'true when retrying the same request cannot succeed' },
  },
} as const;
