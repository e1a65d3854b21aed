/**
 * Fetching a media URL a customer gave (docs/mms.md): through the SSRF guard (scheme and
 * literal address by `parse`, every address connected to by `lookup`), with a hard deadline
 * and a byte cap that aborts the download as soon as it is passed; at most 3 redirects, each
 * checked again. Nothing else in the gateway downloads from customer-given URLs.
 */
import http from 'node:http';
import https from 'node:https';
import { CommandStatus } from '../smpp/index.js';
import { RejectedError } from './errors.js';
import { RefusedUrlError, type UrlGuard } from './url-guard.js';

export interface FetchOptions {
  guard: UrlGuard;
  maxBytes: number;
  /** The whole download, redirects included (default 15 s). */
  deadlineMs?: number;
  maxRedirects?: number;
}

export interface Fetched {
  bytes: Buffer;
  /** The last path segment of the URL, when it has one. */
  filename?: string;
}

const fetchFailed = (url: string, why: string) =>
  new RejectedError(
    'HERMOD_ERR_MEDIA_FETCH',
    `media_url ${redactedUrl(url)} could not be fetched: ${why}`,
    CommandStatus.ESME_RINVOPTPARAMVAL,
    422,
  );

/** The URL without its query (which may carry a token) for messages and logs. */
function redactedUrl(raw: string): string {
  const q = raw.indexOf('?');
  return q < 0 ? raw : `${raw.slice(0, q)}?…`;
}

export async function fetchMedia(raw: string, o: FetchOptions): Promise<Fetched> {
  const deadlineAt = Date.now() + (o.deadlineMs ?? 15_000);
  let current = raw;
  for (let hop = 0; hop <= (o.maxRedirects ?? 3); hop++) {
    let url: URL;
    try {
      url = o.guard.parse(current);
    } catch (err) {
      throw fetchFailed(raw, (err as Error).message);
    }
    const answer = await get(url, o, deadlineAt, raw);
    if ('redirect' in answer) {
      current = new URL(answer.redirect, url).toString();
      continue;
    }
    const name = decodeURIComponent(url.pathname.split('/').pop() ?? '').slice(0, 200);
    return { bytes: answer.bytes, ...(name ? { filename: name } : {}) };
  }
  throw fetchFailed(raw, `more than ${o.maxRedirects ?? 3} redirects`);
}

function get(
  url: URL,
  o: FetchOptions,
  deadlineAt: number,
  raw: string,
): Promise<{ bytes: Buffer } | { redirect: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const ms = Math.max(1, deadlineAt - Date.now());
    const req = lib.request(url, { method: 'GET', lookup: o.guard.lookup as never, timeout: ms }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        resolve({ redirect: res.headers.location });
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(fetchFailed(raw, `HTTP ${status}`));
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes) {
        req.destroy();
        reject(tooLarge(raw, declared, o.maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > o.maxBytes) {
          req.destroy();
          reject(tooLarge(raw, size, o.maxBytes));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ bytes: Buffer.concat(chunks) }));
      res.on('error', (err) => reject(fetchFailed(raw, err.message)));
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete answer within the deadline`)), ms);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error('no answer within the deadline')));
    req.on('error', (err) =>
      reject(
        err instanceof RejectedError
          ? err
          : fetchFailed(raw, err instanceof RefusedUrlError ? err.message : err.message),
      ),
    );
    req.end();
  });
}

function tooLarge(raw: string, size: number, max: number): RejectedError {
  return new RejectedError(
    'HERMOD_ERR_MEDIA_TOO_LARGE',
    `media_url ${redactedUrl(raw)} is larger than ${max} bytes (at least ${size})`,
    CommandStatus.ESME_RINVMSGLEN,
    413,
  );
}
