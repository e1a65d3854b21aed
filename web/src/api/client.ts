/**
 * The one way the console talks to Hermod: same-origin fetch of REST v1 and the admin API,
 * the session cookie sent by the browser, the CSRF token (from GET /v1/session) on every
 * change, and problem+json answers turned into an ApiError that names the field when the
 * API did (`detail` of a validation problem starts with the field's path).
 */

export const CSRF_HEADER = 'x-hermod-csrf';

let csrf: string | undefined;

/** The session's CSRF token, for a request made without `api` (an upload with progress). */
export const csrfToken = (): string | undefined => csrf;

/** Remembers the session's CSRF token (set on sign-in and on reading the session). */
export function setCsrf(token: string | undefined): void {
  csrf = token;
}

export interface Problem {
  status: number;
  code: string;
  detail: string;
  title?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field the problem names (`to`, `contacts[0].msisdn`), when it names one. */
  readonly field: string | undefined;

  constructor(p: Problem) {
    super(p.detail || p.title || `HTTP ${p.status}`);
    this.status = p.status;
    this.code = p.code;
    this.field = fieldOf(p.detail);
  }
}

/** `body/to must match …` (Ajv) or `to: …` (Hermod's own) → `to`. */
function fieldOf(detail: string | undefined): string | undefined {
  if (!detail) return undefined;
  const ajv = /^(?:body|querystring|params)\/([\w/[\].-]+)/.exec(detail);
  if (ajv) return ajv[1].replace(/\//g, '.');
  const required = /must have required property '([\w.-]+)'/.exec(detail);
  if (required) return required[1];
  const own = /^([a-zA-Z][\w[\].]*): /.exec(detail);
  return own?.[1];
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers[CSRF_HEADER] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const p = (typeof data === 'object' && data !== null ? data : {}) as Partial<Problem>;
    throw new ApiError({
      status: res.status,
      code: p.code ?? 'HERMOD_ERR_HTTP',
      detail: p.detail ?? (typeof data === 'string' && data ? data : res.statusText),
    });
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});

/**
 * A file as the request body with its own type (an import's text/csv), not JSON: the
 * browser streams it, so a large file is never copied into a string here.
 */
export async function upload<T>(path: string, body: Blob | string, contentType: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType };
  if (csrf) headers[CSRF_HEADER] = csrf;
  const res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body });
  const data: unknown = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : {};
  if (!res.ok) {
    const p = data as Partial<Problem>;
    throw new ApiError({
      status: res.status,
      code: p.code ?? 'HERMOD_ERR_HTTP',
      detail:
        p.detail ?? (res.status === 413 ? 'The file is too large for Hermod: split it.' : res.statusText),
    });
  }
  return data as T;
}
