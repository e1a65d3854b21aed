/**
 * One node of a test cluster: `hermod start` as a child process (as test/support/child-hermod.ts
 * does), with a longer start allowance for a loaded machine (three nodes compile and start at
 * once) and a start that fails as soon as the child exits, with what it printed.
 */
import { spawn } from 'node:child_process';
import type { ChildHermod } from '../support/child-hermod.js';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;
const START_WITHIN_MS = 120_000;

/** Starts `hermod start` on `dataDir` with `env` (ports 0: each node picks its own). */
export function startNode(dataDir: string, env: Record<string, string>): Promise<ChildHermod> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: {
      ...process.env,
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_SAMPLE_DATA: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`node ${env.HERMOD_NODE_ID} did not start within ${START_WITHIN_MS} ms: ${out}${err}`),
      );
    }, START_WITHIN_MS);
    void exited.then(() => {
      clearTimeout(t);
      reject(new Error(`node ${env.HERMOD_NODE_ID} exited at start: ${out}${err}`));
    });
    child.stdout!.on('data', (d) => {
      out += d;
      const smpp = out.match(/SMPP:\s+127\.0\.0\.1:(\d+)/);
      const api = out.match(/REST API:\s+(http:\/\/[^/\s]+)\/v1/);
      if (smpp && api) {
        clearTimeout(t);
        resolve({
          child,
          exited,
          smppPort: Number(smpp[1]),
          api: api[1],
          db: undefined,
          output: () => out + err,
        });
      }
    });
  });
}
