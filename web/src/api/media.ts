/**
 * Media (REST v1 /v1/media): an upload with its progress, the address of an item's bytes, and
 * signed URLs kept stable across the polls of a conversation thread (which carries them).
 */
import { ApiError, CSRF_HEADER, csrfToken, type Problem } from './client';
import type { MediaItem } from './messages';

export interface Upload {
  id: string;
  content_type: string;
  size: number;
  filename?: string;
  created_at: string;
}

/**
 * Uploads one file as multipart `file` (POST /v1/media), reporting the share sent (0–1).
 * XMLHttpRequest, not fetch: only it reports upload progress. Refusals are ApiErrors with
 * the problem's detail (415 a type Hermod does not send, 413 too large).
 */
export function uploadMedia(file: File, onProgress: (share: number) => void): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/media');
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = csrfToken();
    if (csrf) xhr.setRequestHeader(CSRF_HEADER, csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new Error('the upload was cut off'));
    xhr.onload = () => {
      let data: Partial<Problem> & Partial<Upload> = {};
      try {
        data = JSON.parse(xhr.responseText) as typeof data;
      } catch {
        // A proxy's HTML page: the status says enough.
      }
      if (xhr.status === 201 && data.id) return resolve(data as Upload);
      reject(
        new ApiError({
          status: xhr.status,
          code: data.code ?? 'HERMOD_ERR_HTTP',
          detail:
            data.detail ??
            (xhr.status === 413 ? 'The file is too large to send.' : `HTTP ${xhr.status} ${xhr.statusText}`),
        }),
      );
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/**
 * Where the browser reads an item: its signed URL, else the account's own copy by id. A
 * signed URL is read from the console's own origin (the API listener serves `/media/…`):
 * `media.publicUrl` names the address the outside world uses, which the console's CSP
 * (`img-src 'self'`) would refuse and which may not even be reachable from here.
 */
export function mediaSrc(m: MediaItem): string {
  if (!m.url) return `/v1/media/${encodeURIComponent(m.id)}/content`;
  try {
    const u = new URL(m.url, window.location.origin);
    const at = u.pathname.lastIndexOf('/media/');
    return at < 0 ? m.url : `${u.pathname.slice(at)}${u.search}`;
  } catch {
    return m.url;
  }
}

// Each poll of a thread signs new URLs; a picture keeps the first one for half an hour (they
// last an hour) so that it is not fetched again at every poll.
const signed = new Map<string, { url: string; at: number }>();
const KEEP_MS = 30 * 60_000;

/** The item with the signed URL it was first seen with (for half an hour). */
export function stableUrl(m: MediaItem): MediaItem {
  if (!m.url) return m;
  const had = signed.get(m.id);
  if (had && Date.now() - had.at < KEEP_MS) return { ...m, url: had.url };
  signed.set(m.id, { url: m.url, at: Date.now() });
  return m;
}
