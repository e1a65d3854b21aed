/** Runs the `hermod` binary as a child process (the operator CLI against a running Hermod). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// At most 2 children at once: the suite runs other tests beside this one (the crash test
// among them), and a burst of CLI processes would starve them of CPU.
let running = 0;
const waiting: (() => void)[] = [];
export async function hermod(
  args: string[],
  env: Record<string, string> = {},
  onStderr?: (s: string) => void,
): Promise<Run> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await spawnHermod(args, env, onStderr);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function spawnHermod(
  args: string[],
  env: Record<string, string>,
  onStderr?: (s: string) => void,
): Promise<Run> {
  return new Promise((resolve) => {
    const { HERMOD_ADMIN_KEY: _k, HERMOD_URL: _u, ...rest } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...rest, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export const ok = (r: Run, what: string): Run => {
  assert.equal(r.code, 0, `${what} exits 0; stderr: ${r.stderr}`);
  return r;
};
export const json = <T = Record<string, unknown>>(r: Run): T => JSON.parse(r.stdout) as T;
