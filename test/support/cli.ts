/**
 * Runs the `hermod` CLI against a running Hermod: `hermod` in-process through runCli (what
 * the binary does, without a Node process and a TypeScript compile per command), and
 * `hermodProcess` as a child process of bin/hermod.js, for the tests of the binary itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/program.js';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hermod args` in this process, with env in place of the variables a shell would pass. */
export function hermod(
  args: string[],
  env: Record<string, string> = {},
  onStderr?: (s: string) => void,
): Promise<Run> {
  return inProcess(args, env, { onStderr });
}

/** Runs `hermod args` in this process with input on its stdin (a piped password). */
export function hermodWithStdin(
  args: string[],
  input: string,
  env: Record<string, string> = {},
): Promise<Run> {
  return inProcess(args, env, { input });
}

async function inProcess(
  args: string[],
  env: Record<string, string>,
  o: { onStderr?: (s: string) => void; input?: string },
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        write(String(chunk));
        done();
      },
    });
  const code = await runCli(['node', 'hermod', ...args], {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => {
      stderr += s;
      o.onStderr?.(stderr);
    }),
    // Like the child process's: empty unless given, never the test runner's terminal.
    stdin: Readable.from(o.input === undefined ? [] : [o.input]),
    env: { ...inherited(), ...env },
  });
  return { code, stdout, stderr };
}

/** The test's environment without the variables that would point a command elsewhere. */
function inherited(): NodeJS.ProcessEnv {
  const { HERMOD_ADMIN_KEY: _k, HERMOD_URL: _u, ...rest } = process.env;
  return rest;
}

// At most 2 children at once: the suite runs other tests beside this one (the crash test
// among them), and a burst of CLI processes would starve them of CPU.
let running = 0;
const waiting: (() => void)[] = [];
/** Runs `bin/hermod.js args` as a child process (a new Node, tsx compiling src/). */
export async function hermodProcess(
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
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...inherited(), ...env },
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
