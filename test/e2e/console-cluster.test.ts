// The console's Overview on two PostgreSQL nodes of one schema: an operator sees the Cluster
// panel with both nodes up and the leader marked; after the leader stops, the panel shows it
// `left` and the other node as the leader. (One node, the demo on SQLite: no panel, as the
// operator test's Overview shows.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod, type RunningHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { DESKTOP, openBrowser, signIn, unexpectedErrors, watchedPage } from '../support/browser.js';

async function node(schema: string, id: string): Promise<RunningHermod> {
  const config = parseConfig(
    {
      admin: { keys: ['cluster-console-key-0123'] },
      users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
      connectors: [{ id: 'sim', type: 'simulator' }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
      // Two nodes in one process share an event loop: room for a slow start on a loaded machine.
      cluster: { heartbeatMs: 200, deadAfterMs: 3000 },
    },
    {
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_NODE_ID: id,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'h-')),
    },
    'test',
  );
  return startHermod(config, { logger: pino({ level: 'warn' }) });
}

test('console: the Overview shows the Cluster panel with both nodes and the leader; a stopped leader shows as left', async (t) => {
  if (!(await requirePostgres(t))) return;
  const browser = await openBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const schema = `hermod_clc_${randomBytes(5).toString('hex')}`;
  const a = await node(schema, 'node-a');
  const b = await node(schema, 'node-b');
  let aStopped = false;
  t.after(async () => {
    if (!aStopped) await a.stop();
    await b.stop();
    await PostgresStore.dropSchema(PG_URL, schema);
  });
  await b.engine.people.createOperator({
    email: 'ops@hermod.example',
    password: 'operator pass 1',
    chosen: true,
  });

  const w = await watchedPage(browser, DESKTOP);
  const { page } = w;
  await signIn(page, `http://127.0.0.1:${b.apiPort}`, 'ops@hermod.example', 'operator pass 1');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const panel = page.getByRole('table', { name: 'Cluster' });
  await page.getByText('2 of 2 nodes up; leader node-a.').waitFor({ timeout: 10_000 });
  const row = (id: string) => panel.getByRole('row').filter({ hasText: id });
  await row('node-a').getByText('leader').waitFor();
  assert.equal(await row('node-b').getByText('leader').count(), 0, 'one leader');
  assert.equal(await row('node-a').getByText('up', { exact: true }).count(), 1);
  assert.equal(await row('node-b').getByText('up', { exact: true }).count(), 1);

  await a.stop();
  aStopped = true;
  await page.getByText('1 of 2 nodes up; leader node-b.').waitFor({ timeout: 10_000 });
  await row('node-a').getByText('left', { exact: true }).waitFor();
  await row('node-b').getByText('leader').waitFor();
  assert.deepEqual(unexpectedErrors(w.errors), []);
});
