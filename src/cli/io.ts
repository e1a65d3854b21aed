/**
 * Where a CLI run writes and what it reads: the streams, the environment and the exit code
 * of one `runCli` call. The binary passes the process's own; a test passes its buffers and
 * runs commands in-process, several at once, so the context is carried by AsyncLocalStorage
 * rather than by globals.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin?: Readable & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** One run's context: its streams and the exit code a command sets without failing. */
export interface CliRun {
  readonly stdout: CliIo['stdout'];
  readonly stderr: CliIo['stderr'];
  readonly stdin: Readable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  exitCode: number;
}

const current = new AsyncLocalStorage<CliRun>();

/** Runs fn with io as the context of the commands it calls. */
export function withIo<T>(io: CliIo, fn: (run: CliRun) => Promise<T>): Promise<T> {
  const run: CliRun = {
    stdout: io.stdout,
    stderr: io.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    exitCode: 0,
  };
  return current.run(run, () => fn(run));
}

/** The context of the running command (the process's own outside runCli). */
export function cliIo(): CliRun {
  return current.getStore() ?? processRun;
}

const processRun: CliRun = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  get env() {
    return process.env;
  },
  get cwd() {
    return process.cwd();
  },
  exitCode: 0,
};

/** Prints one line on the run's stdout (console.log's formatting of a single string). */
export const say = (line: string): void => void cliIo().stdout.write(`${line}\n`);

/** Prints one line on the run's stderr. */
export const warn = (line: string): void => void cliIo().stderr.write(`${line}\n`);

/** Sets the exit code the run ends with, without stopping it (like process.exitCode). */
export const setExitCode = (code: number): void => void (cliIo().exitCode = code);
