/**
 * The native peers of `../shared/bench/` (Rust SMPP load generator, SMSC sink, HTTP sink):
 * where their sources are, and their binaries, built into /tmp (the shared directory is
 * read-only) when missing. Lives under bench/lib so that bench/run.ts does not list it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
