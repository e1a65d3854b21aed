// The Telnyx-compatible /v2 on the PostgreSQL store: two nodes on one database sign with one
// key (made once, stored), a message sent on one node is read on the other in Telnyx's
// shape, and its events verify with the key either node shows; no balance is 402 in
// Telnyx's error shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Telnyx from 'telnyx';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { startReceiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';

test('/v2 on PostgreSQL: two nodes, one signing key; send on one, read on the other; events verify; 402 when broke', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_telnyx_${randomBytes(5).toString('hex')}`;
  const key = 'hk_pg_telnyx_key_000000000';
  const hooks = await startReceiver();
  const node = () =>
    startHermod(
      parseConfig(
        {
          users: [{ username: 'shop', password: 'pw', balance: 0.02, rate: 0.01, apiKeys: [key] }],
          connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
          routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
          webhooks: { allow: ['127.0.0.1'] },
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
      ),
    );
  // One after the other (a fresh schema is created by the first); the second offers its own
  // key and gets the stored one (two offers at once: test/engine/account-store.test.ts).
  const a = await node();
  let b: Awaited<ReturnType<typeof node>> | undefined;
  try {
    b = await node();
    const auth = { authorization: `Bearer ${key}` };
    const pkOf = async (h: Awaited<ReturnType<typeof node>>) =>
      (await h.api.inject({ method: 'GET', url: '/v2/public_key', headers: auth })).json().data
        .public_key as string;
    const publicKey = await pkOf(a);
    assert.equal(await pkOf(b), publicKey);

    const sent = await a.api.inject({
      method: 'POST',
      url: '/v2/messages',
      headers: auth,
      payload: {
        from: '+15550001111',
        to: '+447700900123',
        text: 'on PostgreSQL',
        webhook_url: `${hooks.url}/t`,
      },
    });
    assert.equal(sent.statusCode, 200, sent.body);
    const id = sent.json().data.id as string;
    const read = await b.api.inject({ method: 'GET', url: `/v2/messages/${id}`, headers: auth });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().data.webhook_url, `${hooks.url}/t`);
    await until('finalized', () =>
      hooks.received.some(
        (r) => (r.json as { data: { event_type: string } }).data.event_type === 'message.finalized',
      ),
    );
    const client = new Telnyx({ apiKey: key, publicKey });
    for (const r of hooks.received) {
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
      await client.webhooks.unwrap(r.raw, { headers });
    }

    await a.api.inject({
      method: 'POST',
      url: '/v2/messages',
      headers: auth,
      payload: { from: '+15550001111', to: '+447700900124', text: 'second' },
    });
    const broke = await b.api.inject({
      method: 'POST',
      url: '/v2/messages',
      headers: auth,
      payload: { from: '+15550001111', to: '+447700900125', text: 'third' },
    });
    assert.equal(broke.statusCode, 402, broke.body);
    assert.equal(broke.json().errors[0].meta.hermod_code, 'HERMOD_ERR_NO_BALANCE');
  } finally {
    await a.stop();
    await b?.stop();
    await hooks.close();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});
