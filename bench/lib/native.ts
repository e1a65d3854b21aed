/**
 * The native peers of `../shared/bench/` (Rust SMPP load generator, SMSC sink, HTTP sink):
 * where their sources are, and their binaries, built into /tmp (the shared directory is
 * read-only) when missing. Lives under bench/lib so that bench/run.ts does not list it.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../../test/support/ports.js';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TARGET = process.env.HERMOD_BENCH_TARGET ?? '/tmp/hermod-bench';

/** The crate each binary is built from. */
const CRATES: Record<string, string> = {
  'smpp-load': 'smpp-load',
  'http-load': 'smpp-load',
  'smsc-sink': 'smsc-sink',
  'http-sink': 'smsc-sink',
};

/** `../shared/bench` from the project root (or from the main checkout, for a worktree beside it). */
export function sharedBenchDir(): string | undefined {
  const candidates = [
    process.env.HERMOD_SHARED_BENCH,
    join(ROOT, '../shared/bench'),
    join(ROOT, '../../shared/bench'),
  ];
  return candidates.find((d): d is string => d !== undefined && existsSync(join(d, 'README.md')));
}

/**
 * The path of a native peer's binary (`smpp-load`, `smsc-sink`, `http-sink`, `http-load`),
 * built with cargo when missing; undefined when the shared directory or cargo is not there.
 */
export function nativeBinary(name: string): string | undefined {
  const bin = join(TARGET, 'release', name);
  if (existsSync(bin)) return bin;
  const shared = sharedBenchDir();
  if (!shared) return undefined;
  const crate = CRATES[name];
  if (!crate) return undefined;
  try {
    execFileSync(
      'cargo',
      ['build', '--release', '--manifest-path', join(shared, crate, 'Cargo.toml'), '--target-dir', TARGET],
      { stdio: 'inherit' },
    );
  } catch {
    return undefined;
  }
  return existsSync(bin) ? bin : undefined;
}

/** CPU time (user + system, µs) of this process's main thread alone (Linux /proc; 0 elsewhere). */
export function mainThreadCpuMicros(): number {
  return cpuMicrosOf([`${process.pid}/task/${process.pid}`]);
}

/** CPU time (user + system, µs) of the processes `pids` (Linux /proc; one that has ended counts 0). */
export function cpuMicrosOf(pids: (number | string)[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const f = stat.slice(close + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10_000; // USER_HZ = 100
}

/** A free TCP port on 127.0.0.1 (the tests' own helper). */
export { freePort };

/** Resolves once something listens on `port` (5 s at most). */
export async function listening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`native peer on port ${port} did not listen`);
}

/** A running `smsc-sink`: its SMPP port, its stats port (when asked for), and how to stop it. */
export interface SmscSink {
  port: number;
  statsPort: number | undefined;
  child: ChildProcess;
  stop(): void;
}

/**
 * The native SMSC sink at full speed (acknowledges at once, no pacing, quiet) on a free
 * port; `receipts`: a receipt for every submit that asks for one; `stats`: a stats port too.
 */
export async function startSmscSink(
  bin: string,
  opts: { receipts: boolean; stats?: boolean },
): Promise<SmscSink> {
  const port = await freePort();
  const statsPort = opts.stats ? await freePort() : undefined;
  const args = ['--port', String(port), '--quickack', '--interval-ms', '0', '--quiet'];
  if (opts.receipts) args.push('--receipts-requested');
  if (statsPort !== undefined) args.push('--stats-port', String(statsPort));
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await listening(port);
  return { port, statsPort, child, stop: () => void child.kill('SIGTERM') };
}

/** smsc-sink's counters: one JSON object per connection to its stats port, read until EOF. */
export function sinkStats(port: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1');
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, number>));
    s.on('error', reject);
  });
}

/** `smpp-load`'s arguments for `count` messages over one bind of window 100, receipts asked; paced at `rate`/s when given. */
export function smppLoadArgs(count: number, rate?: number): string[] {
  return [
    '--binds',
    '1',
    '--window',
    '100',
    '--count',
    String(count),
    ...(rate !== undefined ? ['--rate', String(rate)] : []),
    '--receipts',
  ];
}

/** One `smpp-load` run as account `systemId` (password `demo`): its JSON line, and its CPU (µs, read just before it is reaped). */
export function runSmppLoad(
  bin: string,
  port: number,
  args: string[],
  systemId = 'demo',
): Promise<{ out: Record<string, unknown>; cpuUs: number }> {
  return new Promise((resolve, reject) => {
    let cpuUs = 0;
    const child = execFile(
      bin,
      ['--port', String(port), '--system-id', systemId, '--password', 'demo', '--timeout-s', '300', ...args],
      { maxBuffer: 1 << 20 },
      (err, stdout) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve({ out: JSON.parse(line) as Record<string, unknown>, cpuUs });
        } catch {
          reject(err ?? new Error(`smpp-load printed no JSON: ${stdout}`));
        }
      },
    );
    const poll = setInterval(() => (cpuUs = Math.max(cpuUs, cpuMicrosOf([child.pid!]))), 50);
    child.on('exit', () => clearInterval(poll));
  });
}
