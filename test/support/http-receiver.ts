/**
 * A real HTTP server on an ephemeral port that records what webhooks it receives. `mode`
 * says how it behaves: 'ok' answers 200, 'error' answers 503 (after reading the request),
 * 'reset' drops every connection before reading anything (a receiver that is down).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Form fields (urlencoded body) or, for JSON, the parsed body. */
  form: Record<string, string>;
  json: unknown;
  raw: string;
  headers: IncomingHttpHeaders;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Requests answered with an error (mode 'error'), with their headers. */
  refused: Received[];
  mode: 'ok' | 'error' | 'reset';
  /** Override the answer for a path: status and headers. */
  answer?: (r: Received) => { status: number; headers?: Record<string, string>; body?: string } | undefined;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const state = { received: [] as Received[], refused: [] as Received[], mode: 'ok' as Receiver['mode'] };
  let answer: Receiver['answer'];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const ct = req.headers['content-type'] ?? '';
      const r: Received = {
        method: req.method ?? '',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        form: ct.includes('urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : {},
        json: ct.includes('json') ? (JSON.parse(raw) as unknown) : undefined,
        raw,
        headers: req.headers,
      };
      if (state.mode === 'error') {
        state.refused.push(r);
        res.writeHead(503).end('down');
        return;
      }
      const custom = answer?.(r);
      state.received.push(r);
      if (custom) res.writeHead(custom.status, custom.headers).end(custom.body ?? '');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ACK/Jasmin');
    });
  });
  server.on('connection', (s) => {
    if (state.mode === 'reset') s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get received() {
      return state.received;
    },
    get refused() {
      return state.refused;
    },
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    get answer() {
      return answer;
    },
    set answer(f) {
      answer = f;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export { until } from './until.js';
