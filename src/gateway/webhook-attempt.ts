/**
 * One HTTP attempt of a webhook: the request on the wire and its verdict (`Outcome`). Shared
 * by the sender in the core thread (webhooks.ts) and by its delivery workers
 * (webhook-worker.ts), so both make the same request and judge the answer the same way.
 */
import http from 'node:http';
import https from 'node:https';
import { RefusedUrlError, type UrlGuard } from './url-guard.js';

export type Outcome<R = never> =
  { ok: true; status: number; reply?: R } | { ok: false; retry: boolean; error: string; status?: number };

/** What one attempt sends: plain data, so it can cross to a worker thread. */
export interface AttemptSpec {
  method: 'GET' | 'POST';
  /**
   * Header names and values, flat: node:http writes them as given (an object has each
   * validated and stored through setHeader, about 10 µs a request). Host is included.
   */
  headers: string[];
  body?: string | Uint8Array | undefined;
  /** Hard deadline from the request's start to the end of the answer. */
  timeoutMs: number;
}

export interface AttemptAgents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * Sends `spec` to `url` and judges the answer: 2xx delivered, 3xx refused (redirects are
 * not followed), anything else or no answer in time retried. `onOk`, when given, may take
 * over a 2xx answer (a Kannel sms-service reply's body); returning undefined leaves it here.
 */
export function sendAttempt<R>(
  url: URL,
  spec: AttemptSpec,
  agents: AttemptAgents,
  guard: UrlGuard,
  onOk?: (res: http.IncomingMessage, status: number) => Promise<Outcome<R>> | undefined,
): Promise<Outcome<R>> {
  const deadlineMs = spec.timeoutMs;
  return new Promise<Outcome<R>>((resolve) => {
    const lib = url.protocol === 'https:' ? https : http;
    // A hard deadline, not only the socket's idle timeout: a byte every few seconds keeps
    // a socket from idling but not this attempt from ending (issue 13 item 12).
    let answered = false;
    let finished = false;
    const deadline = setTimeout(() => {
      if (!finished) r.destroy(new Error(`no complete answer within ${deadlineMs} ms`));
    }, deadlineMs);
    // Cleared as soon as the answer has ended: a timer that fired later would destroy a
    // keep-alive socket already handed to the next request.
    const finish = () => {
      finished = true;
      clearTimeout(deadline);
    };
    const r = lib.request(
      url,
      {
        method: spec.method,
        headers: spec.headers,
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        lookup: guard.lookup as never,
        timeout: deadlineMs,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        answered = true;
        // The body still counts against the deadline: the socket is not free before its end.
        res.on('end', finish);
        res.on('close', finish);
        const taken = status >= 200 && status < 300 ? onOk?.(res, status) : undefined;
        if (taken) {
          taken.then(resolve, (err: Error) =>
            resolve({ ok: false, retry: true, error: err.message, status }),
          );
          return;
        }
        res.resume(); // the body does not matter (2xx is the acknowledgement)
        if (status >= 200 && status < 300) resolve({ ok: true, status });
        else if (status >= 300 && status < 400)
          resolve({ ok: false, retry: false, error: `HTTP ${status}: redirects are not followed`, status });
        else resolve({ ok: false, retry: true, error: `HTTP ${status}`, status });
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${deadlineMs} ms`)));
    r.on('close', () => {
      if (!answered) finish();
    });
    r.on('error', (err) => {
      finish();
      if (err instanceof RefusedUrlError) resolve({ ok: false, retry: false, error: err.message });
      else resolve({ ok: false, retry: true, error: err.message });
    });
    r.end(spec.body);
  });
}
