/**
 * Hermod as a child process (`bin/hermod.js start`), for the tests that kill it with SIGKILL
 * and start it again on the same data directory. Resolves once the start banner has printed
 * the addresses the test reads; a child that does not start in 20 s is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

export interface ChildHermod {
  child: ChildProcess;
  /** Resolves when the process has exited (listened for from the start: after a kill -9 the
   * event may come before anyone awaits it). */
  exited: Promise<unknown>;
  /** The SMPP listener's port. */
  smppPort: number;
  /** The REST API's origin, e.g. http://127.0.0.1:41234 (paths start with /v1). */
  api: string;
  /** The SQLite file, when the store is SQLite. */
  db: string | undefined;
  /** What the child printed on stdout so far. */
  output(): string;
}

/** Starts Hermod in demo mode on `dataDir` with the upstream SMSC at 127.0.0.1:`upstreamPort`. */
export function startChildHermod(
  dataDir: string,
  upstreamPort: number,
  env: Record<string, string> = {},
): Promise<ChildHermod> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: {
      ...process.env,
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_UPSTREAM_SMPP: `127.0.0.1:${upstreamPort}`,
      // The demo's sample traffic would reach the test's SMSC among the messages it counts.
      HERMOD_SAMPLE_DATA: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started gateway behind
      reject(new Error(`Hermod did not start within 60 s: ${out}`));
      // A start compiles the sources (tsx) and migrates a fresh schema: slow on a loaded machine.
    }, 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const smpp = out.match(/SMPP:\s+127\.0\.0\.1:(\d+)/);
      const api = out.match(/REST API:\s+(http:\/\/[^/\s]+)\/v1/);
      const store = out.match(/store:\s+(SQLite at (\S+)|PostgreSQL)/);
      if (smpp && api && store) {
        clearTimeout(t);
        resolve({ child, exited, smppPort: Number(smpp[1]), api: api[1], db: store[2], output: () => out });
      }
    });
  });
}

/** Stops a child still running: SIGTERM, then SIGKILL after 10 s. */
export async function stopChildHermod(h: Pick<ChildHermod, 'child' | 'exited'>): Promise<void> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return;
  h.child.kill('SIGTERM');
  const t = setTimeout(() => h.child.kill('SIGKILL'), 10_000);
  await h.exited;
  clearTimeout(t);
}
