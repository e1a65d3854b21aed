/**
 * A webhook delivery worker thread (`webhooks.workers` ≥ 1; webhook-workers.ts starts it):
 * makes the HTTP attempts the sender in the core thread hands it, with its own keep-alive
 * agents and its own copy of the SSRF guard (the addresses connected to are checked here,
 * as in the core thread), and hands back their outcomes. It touches no store: claiming,
 * acknowledging, retrying and the webhook log stay with the sender in the core thread.
 *
 * Messages, batched per turn of either event loop (one postMessage for a burst):
 *   in  { attempts: [{ n, url, spec }] }     out { outcomes: [{ n, outcome }] }
 */
import http from 'node:http';
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';
import { UrlGuard, type UrlGuardOptions } from './url-guard.js';
import { sendAttempt, type AttemptSpec, type Outcome } from './webhook-attempt.js';

export interface WorkerAttempt {
  /** The sender's number for this attempt, echoed in its outcome. */
  n: number;
  url: string;
  spec: AttemptSpec;
}

export interface WorkerOutcome {
  n: number;
  outcome: Outcome;
}

const port = parentPort!;
const guard = new UrlGuard(workerData as UrlGuardOptions);
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

let done: WorkerOutcome[] = [];
const flush = () => {
  const batch = done;
  done = [];
  port.postMessage({ outcomes: batch });
};

function settle(n: number, outcome: Outcome): void {
  if (done.length === 0) setImmediate(flush);
  done.push({ n, outcome });
}

port.on('message', (msg: { attempts: WorkerAttempt[] }) => {
  for (const a of msg.attempts) {
    let url: URL;
    try {
      url = new URL(a.url);
    } catch (err) {
      settle(a.n, { ok: false, retry: false, error: (err as Error).message });
      continue;
    }
    void sendAttempt<never>(url, a.spec, agents, guard).then((o) => settle(a.n, o));
  }
});
