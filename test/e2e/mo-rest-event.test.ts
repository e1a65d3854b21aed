// An MO route to a URL with `format: rest`: the handset's message reaches the receiver as
// a REST v1 `message.received` event (the envelope and the Standard Webhooks signature of
// the status events), a long one joined first; a `jasmin` route beside it still gets
// Jasmin's MO fields; `format` on a user route, or GET with rest, is refused naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';

test('MO to a webhook as a REST message.received event, signed; Jasmin fields on a jasmin route; format mistakes named', async () => {
  const rx = await startReceiver();
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [
      { name: 'app', prefixes: ['12345'], url: `${rx.url}/inbound`, format: 'rest' },
      { name: 'legacy', prefixes: ['5555'], url: `${rx.url}/jasmin` },
    ],
    webhooks: { allow: ['127.0.0.1'], secret: 'whsec_' + Buffer.from('global-secret').toString('base64') },
  });
  try {
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    const long = 'Ciao! '.repeat(40); // two parts, joined before it is reported
    assert.equal(sim.sendMo('hermod', { from: '393331234567', to: '12345', text: long }), 2);
    sim.sendMo('hermod', { from: '447700900123', to: '5555', text: 'old style' });
    await until('both delivered', () => rx.received.length === 2);

    const event = rx.received.find((r) => r.path === '/inbound')!;
    assert.equal(event.method, 'POST');
    assert.equal(event.headers['content-type'], 'application/json');
    const sig = createHmac('sha256', Buffer.from('global-secret'))
      .update(`${event.headers['webhook-id']}.${event.headers['webhook-timestamp']}.${event.raw}`)
      .digest('base64');
    assert.equal(event.headers['webhook-signature'], `v1,${sig}`, 'signed with the webhooks secret');
    const body = event.json as {
      data: { id: string; event_type: string; payload: Record<string, unknown> };
      meta: { attempt: number };
    };
    assert.equal(body.data.event_type, 'message.received');
    assert.equal(body.data.id, event.headers['webhook-id'], 'the event id is the webhook-id');
    assert.equal(body.meta.attempt, 1);
    const stored = (await h.store.listMo(10)).find((m) => m.destination === '12345')!;
    assert.deepEqual(
      { ...body.data.payload, received_at: undefined },
      {
        id: stored.id,
        direction: 'inbound',
        from: '393331234567',
        to: '12345',
        text: long,
        encoding: 'gsm7',
        connector: 'sim',
        complete: true,
        received_at: undefined,
      },
    );

    const legacy = rx.received.find((r) => r.path === '/jasmin')!;
    assert.equal(legacy.form.content, 'old style');
    assert.equal(legacy.form['origin-connector'], 'sim');
    assert.equal(legacy.headers['webhook-signature'], undefined, 'Jasmin callbacks are not signed');
  } finally {
    await h.stop();
    await rx.close();
  }

  const issues = (doc: unknown) => {
    try {
      parseConfig(doc);
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(
    issues({
      users: [{ username: 'u', password: 'p' }],
      moRoutes: [{ prefixes: [], user: 'u', format: 'rest' }],
    }),
    ['moRoutes[0].format: only webhook (url) routes have a format'],
  );
  assert.deepEqual(
    issues({ moRoutes: [{ prefixes: [], url: 'https://x.example/in', method: 'GET', format: 'rest' }] }),
    ['moRoutes[0].method: REST events (format: rest) are POSTed as JSON'],
  );
  assert.deepEqual(issues({ moRoutes: [{ prefixes: [], url: 'https://x.example/in', format: 'xml' }] }), [
    'moRoutes[0].format: expected one of jasmin, rest, kannel, telnyx, got "xml"',
  ]);
});
