// kill -9 mid-import (SQLite): Hermod restarted on the same data directory takes the job
// over once the dead runner's lease lapses and finishes it from its last committed batch:
// every row applied once (the counts are those of the file), nothing lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { until } from '../support/until.js';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

function start(dataDir: string): Promise<{ child: ChildProcess; api: string; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: {
      ...process.env,
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Hermod did not start: ${out}`));
    }, 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/REST API:\s+(http:\/\/[\d.]+:\d+)\/v1/);
      if (m) {
        clearTimeout(t);
        resolve({ child, api: m[1], exited });
      }
    });
  });
}

test('kill -9 during an import: after a restart the job finishes, every row once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-import-crash-'));
  const rows = 60_000;
  const lines = ['number,name'];
  for (let i = 0; i < rows; i++) lines.push(`+4477${String(10_000_000 + i)},N${i}`);
  lines.push('bad,row');
  const csv = lines.join('\n') + '\n';
  const get = async (api: string, path: string) =>
    (await fetch(api + path, { headers: { authorization: `Bearer ${DEMO_API_KEY}` } })).json() as Promise<
      Record<string, number | string>
    >;

  let h = await start(dataDir);
  let job: Record<string, number | string> = {};
  try {
    const res = await fetch(`${h.api}/v1/imports?group=Crash`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'text/csv' },
      body: csv,
    });
    assert.equal(res.status, 202);
    const id = ((await res.json()) as { id: number }).id;
    await until('the import has applied a batch', async () => {
      job = await get(h.api, `/v1/imports/${id}`);
      return Number(job.total) > 0;
    });
    h.child.kill('SIGKILL');
    await h.exited;
    assert.ok(Number(job.total) < rows, `killed before the end (${job.total} rows applied)`);

    h = await start(dataDir);
    await until(
      'the job is taken over and finishes',
      async () => {
        job = await get(h.api, `/v1/imports/${id}`);
        return job.state === 'completed' || job.state === 'failed';
      },
      120_000,
    );
    assert.equal(job.state, 'completed', String(job.error));
    assert.deepEqual([job.total, job.created, job.updated, job.invalid], [rows + 1, rows, 0, 1]);
    const group = ((await get(h.api, '/v1/contact-groups')) as unknown as { data: { members: number }[] })
      .data[0];
    assert.equal(group.members, rows);
  } finally {
    h.child.kill('SIGKILL');
    await h.exited;
  }
});
