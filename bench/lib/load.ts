/**
 * The keep-alive HTTP load generator the HTTP benches share (bench/http.ts, bench/rest.ts),
 * so that Hermod and each reference endpoint are measured by the same client: `n` POSTs
 * with `concurrency` in flight, one keep-alive connection per concurrent client. It runs
 * in the peers process (bench/_http_peers.ts), which `startLoadPeers` starts and drives.
 * Lives under bench/lib so that bench/run.ts does not list it as a bench.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadCommand, LoadResult } from '../_http_peers.js';

export interface LoadOptions {
  port: number;
  path: string;
  concurrency: number;
  n: number;
  /** Request body number `i`. */
  body: (i: number) => string;
  contentType: string;
  /** The answer that counts as success (anything else is an error). */
  expectStatus: number;
  headers?: Record<string, string>;
  /** GET sends the body as the query string instead (Kannel's sendsms); default POST. */
  method?: 'GET' | 'POST';
}

export interface LoadRun {
  /** Successful requests per second over the whole run. */
  rps: number;
  /** Latency of the successful requests, in ms. */
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Unexpected answers and socket errors, by status code or error code. */
  errorKinds: Record<string, number>;
  /** performance.now() when the first request went out (for end-to-end rates). */
  t0: number;
}

export async function load(o: LoadOptions): Promise<LoadRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const fail = (kind: string) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    // stderr: in the peers process stdout carries the protocol.
    if (errors === 1) console.error(`first error: ${kind}`);
  };
  // Counted, never retried: a retried send could be a second message.
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const get = o.method === 'GET';
      const payload = get ? '' : o.body(i);
      const s = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: o.port,
          path: get ? `${o.path}?${o.body(i)}` : o.path,
          method: get ? 'GET' : 'POST',
          agent,
          headers: get
            ? { ...o.headers }
            : { ...o.headers, 'content-type': o.contentType, 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === o.expectStatus) lat.push(performance.now() - s);
            else fail(`HTTP ${res.statusCode}`);
            resolve();
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        fail(err.code ?? err.message);
        resolve();
      });
      req.end(payload);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.n) await one(next++);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) =>
    lat.length === 0
      ? 0
      : Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] * 1000) / 1000;
  return { rps: Math.round(lat.length / secs), p50_ms: q(0.5), p99_ms: q(0.99), errors, errorKinds, t0 };
}

/**
 * The peers process of the HTTP benches (bench/_http_peers.ts: this load generator, the
 * DLR receiver and the SMSC simulator), driven over stdin/stdout JSON lines, so that the
 * bench process holds only what it measures.
 */
export interface LoadPeers {
  simPort: number;
  /** Where the peers' DLR callback receiver listens. */
  dlrUrl: string;
  run(cmd: LoadCommand): Promise<LoadResult>;
  /** Whether a session of `systemId` is bound to the peers' SMSC. */
  bound(systemId: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function startLoadPeers(): Promise<LoadPeers> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../_http_peers.ts', import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the bench peers process ended early');
    return JSON.parse(String(value)) as T;
  };
  const { simPort, dlrUrl } = await next<{ simPort: number; dlrUrl: string }>();
  return {
    simPort,
    dlrUrl,
    run: async (cmd) => {
      child.stdin.write(JSON.stringify({ run: cmd }) + '\n');
      return next<LoadResult>();
    },
    bound: async (systemId) => {
      child.stdin.write(JSON.stringify({ bound: systemId }) + '\n');
      return (await next<{ bound: boolean }>()).bound;
    },
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    },
  };
}
