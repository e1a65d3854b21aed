/**
 * Session benchmark: submit_sm → submit_sm_resp over loopback TCP.
 *
 * 1. Client→server pairs at window 1, 10 and 100: Hermod's SmppClient→SmppServer and the
 *    npm `smpp` client→server, measured in the same run (throughput, p50/p99 latency).
 * 2. Server capacity: a load generator in a worker thread (4 binds, window 100 each,
 *    pre-encoded submit_sm frames, responses counted without decoding) against
 *    Hermod's SmppServer — which decodes every PDU into typed objects and encodes every
 *    response — and against the npm `smpp` server.
 * Ends with one JSON line; ratios are Hermod ÷ npm smpp.
 */
import { Worker } from 'node:worker_threads';
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';
import { SmppClient, SmppServer, type Pdu, type Session } from '../src/smpp/index.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 2000);
const text = Buffer.from('Your verification code is 482913.');

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0;
}

interface PairResult {
  per_s: number;
  p50_ms: number;
  p99_ms: number;
}

async function windowed(send: () => Promise<unknown>, window: number): Promise<PairResult> {
  const lat: number[] = [];
  let done = 0;
  const end = performance.now() + DURATION_MS;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        await send();
        lat.push(performance.now() - s);
        done++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    per_s: Math.round(done / secs),
    p50_ms: round(percentile(lat, 0.5)),
    p99_ms: round(percentile(lat, 0.99)),
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function hermodPair(window: number): Promise<PairResult> {
  const server = new SmppServer({ host: '127.0.0.1', port: 0, lockout: false });
  let n = 0;
  server.on('session', (s: Session) =>
    s.on('pdu', (pdu: Pdu) => s.respond(pdu, { messageId: (++n).toString(16) })),
  );
  const port = await server.listen();
  const c = new SmppClient({
    host: '127.0.0.1',
    port,
    systemId: 'bench',
    reconnect: false,
    windowSize: window,
  });
  await c.connect();
  const r = await windowed(
    () => c.submitSm({ sourceAddr: 'Hermod', destinationAddr: '447700900123', shortMessage: text }),
    window,
  );
  await c.close();
  await server.close();
  return r;
}

function npmServer(): Promise<{ port: number; close: () => void }> {
  let n = 0;
  const server = smpp.createServer((session: TheirSession) => {
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: PduObject) => session.send(pdu.response()));
    session.on('submit_sm', (pdu: PduObject) =>
      session.send(pdu.response({ message_id: (++n).toString(16) })),
    );
    session.on('enquire_link', (pdu: PduObject) => session.send(pdu.response()));
    session.on('unbind', (pdu: PduObject) => {
      session.send(pdu.response());
      session.close();
    });
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ port: server.address().port, close: () => server.close() })),
  );
}

async function npmPair(window: number): Promise<PairResult> {
  const server = await npmServer();
  const their = smpp.connect({ url: `smpp://127.0.0.1:${server.port}` });
  their.on('error', () => undefined);
  await new Promise((r) => their.on('connect', r));
  await new Promise<void>((r) =>
    (their.bind_transceiver as (o: object, cb: () => void) => void)({ system_id: 'bench' }, () => r()),
  );
  const submit = () =>
    new Promise((r) =>
      (their.submit_sm as (o: object, cb: (p: PduObject) => void) => void)(
        { source_addr: 'Hermod', destination_addr: '447700900123', short_message: text },
        r,
      ),
    );
  const res = await windowed(submit, window);
  their.close();
  server.close();
  return res;
}

const GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { port, binds, window, ms, frame, bind } = workerData;
let responses = 0;
let started = 0;
const sockets = [];
let ready = 0;
for (let b = 0; b < binds; b++) {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.setNoDelay(true);
  sockets.push(s);
  let buf = Buffer.alloc(0);
  let bound = false;
  let seq = 1;
  const sendBatch = (n) => {
    const out = Buffer.allocUnsafe(frame.length * n);
    for (let i = 0; i < n; i++) {
      Buffer.from(frame).copy(out, i * frame.length);
      out.writeUInt32BE(seq = seq >= 0x7fffffff ? 1 : seq + 1, i * frame.length + 12);
    }
    s.write(out);
  };
  s.on('connect', () => s.write(Buffer.from(bind)));
  s.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let off = 0, got = 0;
    while (buf.length - off >= 16) {
      const len = buf.readUInt32BE(off);
      if (buf.length - off < len) break;
      off += len;
      got++;
    }
    buf = buf.subarray(off);
    if (!bound) { bound = true; got--; ready++; if (ready === binds) { started = Date.now(); for (const x of sockets) x.emit('go'); } }
    if (started) { responses += got; if (got > 0) sendBatch(got); }
  });
  s.on('go', () => sendBatch(window));
  s.on('error', () => {});
}
const check = setInterval(() => {
  if (started && Date.now() - started >= ms) {
    clearInterval(check);
    const secs = (Date.now() - started) / 1000;
    for (const s of sockets) s.destroy();
    parentPort.postMessage({ per_s: Math.round(responses / secs) });
  }
}, 20);
`;

async function capacity(port: number): Promise<number> {
  const { encodePdu } = await import('../src/smpp/codec/index.js');
  const frame = encodePdu({
    command: 'submit_sm',
    sequenceNumber: 1,
    sourceAddr: 'Hermod',
    destinationAddr: '447700900123',
    shortMessage: text,
    registeredDelivery: 1,
  });
  const bind = encodePdu({
    command: 'bind_transceiver',
    sequenceNumber: 0x7fffffff,
    systemId: 'load',
    password: 'x',
  });
  const w = new Worker(GENERATOR, {
    eval: true,
    workerData: { port, binds: 4, window: 100, ms: DURATION_MS + 1000, frame, bind },
  });
  const r = await new Promise<{ per_s: number }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  return r.per_s;
}

const results: Record<string, number> = {};
const ratios: Record<string, number> = {};
for (const window of [1, 10, 100]) {
  const h = await hermodPair(window);
  const n = await npmPair(window);
  console.log(
    `window ${window}: hermod ${h.per_s}/s p50 ${h.p50_ms} ms p99 ${h.p99_ms} ms | npm smpp ${n.per_s}/s p50 ${n.p50_ms} ms p99 ${n.p99_ms} ms`,
  );
  results[`hermod_w${window}_per_s`] = h.per_s;
  results[`hermod_w${window}_p50_ms`] = h.p50_ms;
  results[`hermod_w${window}_p99_ms`] = h.p99_ms;
  results[`npm_smpp_w${window}_per_s`] = n.per_s;
  results[`npm_smpp_w${window}_p50_ms`] = n.p50_ms;
  results[`npm_smpp_w${window}_p99_ms`] = n.p99_ms;
  ratios[`pair_w${window}`] = Math.round((h.per_s / n.per_s) * 100) / 100;
}

{
  const server = new SmppServer({ host: '127.0.0.1', port: 0, lockout: false, enquireLinkMs: 0 });
  let n = 0;
  server.on('session', (s: Session) =>
    s.on('pdu', (pdu: Pdu) => s.respond(pdu, { messageId: (++n).toString(16) })),
  );
  const port = await server.listen();
  results.hermod_server_capacity_per_s = await capacity(port);
  await server.close(500);
  const npm = await npmServer();
  results.npm_smpp_server_capacity_per_s = await capacity(npm.port);
  npm.close();
  ratios.server_capacity =
    Math.round((results.hermod_server_capacity_per_s / results.npm_smpp_server_capacity_per_s) * 100) / 100;
  console.log(
    `server capacity (4 binds × window 100, load generator in a worker thread): hermod ${results.hermod_server_capacity_per_s}/s, npm smpp ${results.npm_smpp_server_capacity_per_s}/s`,
  );
}

console.log(JSON.stringify({ bench: 'session', results, ratios }));
process.exit(0);
