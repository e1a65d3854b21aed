// The Jasmin API and its DLR and MO webhooks on PostgreSQL (the webhook outbox on the
// scale-out store, with a receiver that fails first, so retries are
// exercised there too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { PostgresStore } from '../../src/store/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { startReceiver, until } from '../support/http-receiver.js';

test('Jasmin /send on PostgreSQL: DLRs (after the receiver recovers) and the MO webhook arrive, in order, once', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_http_${randomBytes(5).toString('hex')}`;
  const rx = await startReceiver();
  rx.mode = 'error';
  const config = parseConfig(
    {
      users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
      connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 5 } }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
      moRoutes: [{ prefixes: ['5555'], url: `${rx.url}/mo` }],
      webhooks: { allow: ['127.0.0.1'], backoff: { initialMs: 20, maxMs: 100 } },
    },
    {
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'h-')),
    },
    'test',
  );
  const h = await startHermod(config, { logger: pino({ level: 'warn' }) });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${h.httpPort}/send`, {
        method: 'POST',
        body: new URLSearchParams({
          username: 'shop',
          password: 'pw',
          to: `44770090020${i}`,
          content: 'pg',
          'dlr-url': `${rx.url}/dlr`,
          'dlr-level': '3',
        }),
      });
      assert.equal(r.status, 200);
      ids.push(((await r.json()) as { data: { messageid: string } }).data.messageid);
    }
    await until('failed attempts', () => rx.refused.length >= 6);
    rx.mode = 'ok';
    await until('six DLRs', () => rx.received.filter((r) => r.path === '/dlr').length === 6);
    for (const id of ids)
      assert.deepEqual(
        rx.received.filter((r) => r.form.id === id).map((r) => r.form.level),
        ['1', '2'],
      );
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    sim.sendMo('hermod', { from: '447700900123', to: '5555', text: 'hello over pg' });
    await until('the MO webhook', () => rx.received.some((r) => r.path === '/mo'));
    assert.equal(rx.received.find((r) => r.path === '/mo')!.form.content, 'hello over pg');
    await until('outbox empty', async () => (await h.store.webhookDepth()) === 0);
    assert.equal(rx.received.length, 7, 'each delivered once');
  } finally {
    await h.stop();
    await rx.close();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});
