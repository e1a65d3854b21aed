// REST v1 on the PostgreSQL store: API key from the configuration, concurrent
// Idempotency-Key retries → one message and identical responses, listing with a cursor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';

test('REST v1 on PostgreSQL: idempotent concurrent retries, listing, problem on no balance', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_rest_${randomBytes(5).toString('hex')}`;
  const key = 'hk_pg_test_key_0000000000';
  const config = parseConfig(
    {
      users: [{ username: 'shop', password: 'pw', balance: 0.05, rate: 0.01, apiKeys: [key] }],
      connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
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
  const h = await startHermod(config);
  try {
    const headers = { authorization: `Bearer ${key}`, 'idempotency-key': 'pg-once' };
    const body = { to: '+447700900123', from: 'Shop', text: 'once on PostgreSQL' };
    const rs = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.api.inject({ method: 'POST', url: '/v1/messages', headers, payload: body }),
      ),
    );
    assert.deepEqual(
      rs.map((r) => r.statusCode),
      [202, 202, 202, 202, 202],
    );
    assert.equal(new Set(rs.map((r) => r.body)).size, 1);
    const conflict = await h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers,
      payload: { ...body, text: 'different' },
    });
    assert.equal(conflict.statusCode, 422);
    for (let i = 0; i < 3; i++)
      assert.equal(
        (
          await h.api.inject({
            method: 'POST',
            url: '/v1/messages',
            headers: { authorization: headers.authorization },
            payload: { ...body, text: `m${i}` },
          })
        ).statusCode,
        202,
      );
    const p1 = (
      await h.api.inject({
        method: 'GET',
        url: '/v1/messages?limit=3',
        headers: { authorization: headers.authorization },
      })
    ).json();
    assert.deepEqual(
      p1.data.map((m: { text: string }) => m.text),
      ['m2', 'm1', 'm0'],
    );
    const p2 = (
      await h.api.inject({
        method: 'GET',
        url: `/v1/messages?limit=3&cursor=${p1.next_cursor}`,
        headers: { authorization: headers.authorization },
      })
    ).json();
    assert.deepEqual(
      p2.data.map((m: { text: string }) => m.text),
      ['once on PostgreSQL'],
      'the five retries made one message',
    );
    assert.equal(p2.next_cursor, null);
    assert.equal(
      (
        await h.api.inject({
          method: 'POST',
          url: '/v1/messages',
          headers: { authorization: headers.authorization },
          payload: { ...body, text: 'fifth' },
        })
      ).statusCode,
      202,
    );
    const poor = await h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: headers.authorization },
      payload: { ...body, text: 'sixth' },
    });
    assert.equal(poor.statusCode, 402, 'balance 0.05 at 0.01 pays for five');
    assert.equal(poor.json().code, 'HERMOD_ERR_NO_BALANCE');
  } finally {
    await h.stop();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});

test('MMS on PostgreSQL: an upload sent as an MMS to the MMS-capable connector, delivered, charged once; the fallback link serves the bytes', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_mms_${randomBytes(5).toString('hex')}`;
  const key = 'hk_pg_mms_key_00000000000';
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
  const config = parseConfig(
    {
      users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01, apiKeys: [key] }],
      connectors: [
        { id: 'sms', type: 'simulator', latencyMs: { min: 0, max: 0 } },
        { id: 'mms', type: 'simulator', latencyMs: { min: 0, max: 0 }, mms: true },
      ],
      routes: [
        {
          name: 'links',
          prefixes: ['4477009003'],
          type: 'static',
          connectors: ['sms'],
          mmsFallback: 'sms_link',
        },
        { name: 'default', type: 'failover', connectors: ['sms', 'mms'] },
      ],
    },
    {
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'h-')),
      HERMOD_MEDIA_KEY: 'a-shared-key-for-every-node-0001',
    },
    'test',
  );
  const h = await startHermod(config);
  const authorization = `Bearer ${key}`;
  try {
    const up = await h.api.inject({
      method: 'POST',
      url: '/v1/media?filename=dot.png',
      headers: { authorization, 'content-type': 'image/png' },
      payload: png,
    });
    assert.equal(up.statusCode, 201, up.body);
    const id = up.json().id as string;
    const res = await h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization },
      payload: { to: '+447700900123', from: 'Shop', text: 'pic', media_urls: [id] },
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().type, 'mms');
    assert.equal(res.json().cost, '0.04');
    const m = res.json().id as string;
    const end = Date.now() + 10_000;
    while ((await h.store.getMessage(m))?.state !== 'delivered') {
      if (Date.now() > end) assert.fail('the MMS was not delivered');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await h.store.getMessage(m))!.connectorId, 'mms');
    const fb = await h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization },
      payload: { to: '+447700900301', from: 'Shop', text: 'pic', media_urls: [id] },
    });
    assert.equal(fb.json().fallback, 'sms_link');
    const link = new URL((fb.json().text as string).split('\n')[1]);
    const got = await h.api.inject({ method: 'GET', url: link.pathname + link.search });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.rawPayload, png);
    assert.match((await h.store.history(fb.json().id))[0].detail ?? '', /^MMS sent as an SMS/);
  } finally {
    await h.stop();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});
