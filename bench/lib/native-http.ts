/**
 * The native peers of the HTTP benches (`../shared/bench/`: `http-load` as the client,
 * `smsc-sink` as the SMSC, `http-sink` as the DLR receiver), behind the same `LoadPeers`
 * face as the Node ones (bench/lib/load.ts), so that bench/http.ts runs either. They cost
 * almost no CPU, so they do not bound the rate they measure (the Node client caps Kannel at
 * ~2,200 requests/s on this machine; `http-load` drives it past 12,000).
 *
 * `http-load` sends GETs only: a command's body becomes the query string (Jasmin `/send`
 * and Kannel's sendsms take both). `{i}` becomes 10,000 + its number, `{dlr}` the
 * receiver's URL, URL-encoded. One message and one callback per request.
 * Lives under bench/lib so that bench/run.ts does not list it as a bench.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { LoadCommand, LoadResult } from '../_http_peers.js';
import type { LoadPeers } from './load.js';
import { cpuMicrosOf, freePort, listening, nativeBinary, sinkStats, startSmscSink } from './native.js';

interface HttpLoadLine {
  ok: number;
  bad: number;
  io_err: number;
  codes: Record<string, number>;
  http_elapsed_s: number;
  http_lat_us: { p50: number; p99: number };
  sink: { seen: number; tps: number } | null;
  dlr: { seen: number; tps: number } | null;
}

/** The native peers, or undefined (said by the caller) when their binaries cannot be had. */
export async function startNativeHttpPeers(): Promise<(LoadPeers & { describe: string }) | undefined> {
  const loadBin = nativeBinary('http-load');
  const sinkBin = nativeBinary('smsc-sink');
  const dlrBin = nativeBinary('http-sink');
  if (!loadBin || !sinkBin || !dlrBin) return undefined;
  const sink = await startSmscSink(sinkBin, { receipts: true, stats: true });
  const { port: simPort, statsPort } = sink as { port: number; statsPort: number };
  const dlrPort = await freePort();
  const children: ChildProcess[] = [
    sink.child,
    spawn(dlrBin, ['--port', String(dlrPort), '--interval-ms', '0', '--quiet'], { stdio: 'ignore' }),
  ];
  await Promise.all([listening(statsPort), listening(dlrPort)]);
  const dlrUrl = `http://127.0.0.1:${dlrPort}/dlr`;
  let binds0 = (await sinkStats(statsPort)).binds;
  const run = (cmd: LoadCommand) => runHttpLoad(loadBin, cmd, { dlrUrl, statsPort, dlrPort });
  return {
    describe: `native (${loadBin}, ${sinkBin}, ${dlrBin})`,
    simPort,
    dlrUrl,
    run,
    // smsc-sink does not name its sessions: a bind since the last question counts.
    bound: async () => {
      const { binds } = await sinkStats(statsPort);
      const grew = binds > binds0;
      if (grew) binds0 = binds;
      return grew;
    },
    cpuMicros: () => cpuMicrosOf(children.map((c) => c.pid ?? 0)),
    close: async () => {
      for (const c of children) c.kill('SIGKILL');
    },
  } as LoadPeers & { describe: string; cpuMicros(): number };
}

async function runHttpLoad(
  bin: string,
  cmd: LoadCommand,
  at: { dlrUrl: string; statsPort: number; dlrPort: number },
): Promise<LoadResult> {
  // {dst} is 10,000 + the request's number: five digits, as the Node client's {i}.
  const query = cmd.body.replaceAll('{i}', '{dst}').replaceAll('{dlr}', encodeURIComponent(at.dlrUrl));
  const args = [
    '--url',
    `http://127.0.0.1:${cmd.port}${cmd.path}?${query}`,
    '--conns',
    String(cmd.concurrency),
    '--count',
    String(cmd.n),
    '--ok-codes',
    String(cmd.expectStatus),
    '--timeout-s',
    '170',
    '--dst-base',
    '10000',
  ];
  if (cmd.waitSubmits) args.push('--sink-stats', `127.0.0.1:${at.statsPort}`);
  if (cmd.waitCallbacks) args.push('--dlr-stats', `127.0.0.1:${at.dlrPort}`);
  const out = await new Promise<string>((resolve, reject) =>
    execFile(bin, args, { maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  const r = JSON.parse(out.trim().split('\n').pop()!) as HttpLoadLine;
  const errorKinds: Record<string, number> = {};
  for (const [code, n] of Object.entries(r.codes))
    if (code !== String(cmd.expectStatus)) errorKinds[`HTTP ${code}`] = n;
  if (r.io_err > 0) errorKinds.io = r.io_err;
  return {
    rps: r.http_elapsed_s > 0 ? Math.round(r.ok / r.http_elapsed_s) : 0,
    p50_ms: Math.round(r.http_lat_us.p50) / 1000,
    p99_ms: Math.round(r.http_lat_us.p99) / 1000,
    errors: r.bad + r.io_err,
    errorKinds,
    accepted: r.ok,
    at_smsc: r.sink?.seen ?? 0,
    callbacks: r.dlr?.seen ?? 0,
    end_to_end_per_s: Math.round(r.sink?.tps ?? 0),
    callbacks_per_s: Math.round(r.dlr?.tps ?? 0),
  };
}
