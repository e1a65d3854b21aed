/**
 * The HTTP benchmarks' peers, in their own process (bench/http.ts, bench/rest.ts): the
 * load generator (bench/lib/load.ts), the DLR callback receiver and the upstream SMSC (our
 * simulator, which Hermod binds as an `smpp` connector). Hermod runs in the parent alone,
 * so on 2 cores it has a core to itself, as it would beside real customers and a real SMSC.
 *
 * Protocol on stdio, one JSON object per line:
 *   out {"simPort":N,"dlrUrl":"http://…"}    once the simulator and the receiver listen
 *   in  {"run":{…LoadCommand}}               send n requests, then wait as asked (below)
 *   out {…LoadResult}                        when done
 *   in  {"bound":"<system_id>"}              is such a session bound to the SMSC?
 *   out {"bound":true|false}
 * Request bodies are templates, since functions do not cross a pipe: `{i}` is the request's
 * number as five digits (0-padded, modulo 100,000), `{dlr}` the receiver's URL, URL-encoded.
 */
import http from 'node:http';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { load } from './lib/load.js';
import { SmscSimulator } from '../src/simulator/index.js';

export interface LoadCommand {
  port: number;
  path: string;
  concurrency: number;
  n: number;
  body: string;
  contentType: string;
  expectStatus: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  /** Wait until the simulator has a submit_sm for every message of every accepted request. */
  waitSubmits?: boolean;
  /** Wait until the receiver has `callbacksPerMessage` callbacks for every message accepted. */
  waitCallbacks?: boolean;
  /** Messages in one request (a batch; default 1). */
  messagesPerRequest?: number;
  /** Callbacks each message owes (default 1). */
  callbacksPerMessage?: number;
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** Messages accepted (requests answered as expected × messagesPerRequest). */
  accepted: number;
  at_smsc: number;
  callbacks: number;
  /** Accepted messages ÷ time from the first request until the SMSC had them all. */
  end_to_end_per_s: number;
  callbacks_per_s: number;
}

let callbacks = 0;
let lastCallback = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    callbacks++;
    lastCallback = performance.now();
    res.end('ACK/Jasmin');
  });
});
// As many keep-alive connections as the sender opens, without Node's default limits.
receiver.keepAliveTimeout = 60_000;
await new Promise<void>((r) => receiver.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
const dlrUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/dlr`;

const sim = new SmscSimulator({ port: 0 });
const simPort = await sim.listen();
console.log(JSON.stringify({ simPort, dlrUrl }));

const pause = () => new Promise((r) => setTimeout(r, 5));

async function run(cmd: LoadCommand): Promise<LoadResult> {
  const submits0 = sim.stats.submits;
  const callbacks0 = callbacks;
  const dlr = encodeURIComponent(dlrUrl);
  const body = (i: number) =>
    cmd.body.replaceAll('{i}', String(i % 100_000).padStart(5, '0')).replaceAll('{dlr}', dlr);
  const r = await load({ ...cmd, body });
  const accepted = (cmd.n - r.errors) * (cmd.messagesPerRequest ?? 1);
  const owed = accepted * (cmd.callbacksPerMessage ?? 1);
  const deadline = performance.now() + 120_000;
  while (cmd.waitSubmits && sim.stats.submits - submits0 < accepted && performance.now() < deadline)
    await pause();
  const tSmsc = performance.now();
  while (cmd.waitCallbacks && callbacks - callbacks0 < owed && performance.now() < deadline) await pause();
  const got = callbacks - callbacks0;
  return {
    rps: r.rps,
    p50_ms: r.p50_ms,
    p99_ms: r.p99_ms,
    errors: r.errors,
    errorKinds: r.errorKinds,
    accepted,
    at_smsc: sim.stats.submits - submits0,
    callbacks: got,
    end_to_end_per_s: cmd.waitSubmits ? Math.round(accepted / ((tSmsc - r.t0) / 1000)) : 0,
    callbacks_per_s: got > 0 ? Math.round(got / ((lastCallback - r.t0) / 1000)) : 0,
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  const msg = JSON.parse(line) as { run?: LoadCommand; bound?: string };
  if (msg.bound !== undefined)
    console.log(JSON.stringify({ bound: sim.sessions.some((s) => s.systemId === msg.bound && s.bound) }));
  else if (msg.run) console.log(JSON.stringify(await run(msg.run)));
}
await sim.close();
await new Promise((r) => receiver.close(r));
process.exit(0);
