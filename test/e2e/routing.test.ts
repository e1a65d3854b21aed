// Routing over real sockets: prefix routes to separate simulators, failover on a permanent
// error, failover while a connector is down and failback when it returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppClient } from '../../src/smpp/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const doc = {
  users: [{ username: 'shop', password: 'pw', balance: 100, rate: 0.01 }],
  connectors: [
    { id: 'italy', type: 'simulator', latencyMs: { min: 0, max: 0 } },
    { id: 'france', type: 'simulator', latencyMs: { min: 0, max: 0 }, failPrefixes: ['3361'] },
    { id: 'backup', type: 'simulator', latencyMs: { min: 0, max: 0 } },
  ],
  routes: [
    { name: 'it', prefixes: ['39'], type: 'static', connectors: ['italy'] },
    { name: 'fr', prefixes: ['33'], type: 'failover', connectors: ['france', 'backup'], rate: 0.02 },
  ],
};

const out = (state: string | undefined) => state === 'sent' || state === 'delivered';

test('prefix routes, failover on a permanent error and on a dead connector, failback', async () => {
  const h = await configuredHermod(doc);
  try {
    const sim = (id: string) => (h.connectors.get(id) as SimulatorConnector).simulator;
    await until('all connectors bound', () => [...h.connectors.values()].every((c) => c.ready));
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    await c.connect();
    const send = async (to: string) =>
      (await c.submitSm({ destinationAddr: to, shortMessage: Buffer.from(to) })).messageId;

    const it = await send('393331234567');
    const fr = await send('33712345678');
    await until(
      'both sent',
      async () => out((await h.store.getMessage(it))?.state) && out((await h.store.getMessage(fr))?.state),
    );
    assert.equal(sim('italy').stats.submits, 1);
    assert.equal(sim('france').stats.submits, 1);
    assert.equal((await h.store.getMessage(fr))?.priceMicros, 20_000, 'the route’s rate');

    // France refuses 3361… permanently (ESME_RINVDSTADR): the message fails over to backup.
    const refused = await send('33612345678');
    await until(
      'failover to backup',
      async () =>
        (await h.store.getMessage(refused))?.connectorId === 'backup' &&
        out((await h.store.getMessage(refused))?.state),
    );
    assert.equal(sim('backup').submitted[0].destination, '33612345678');
    assert.ok((await h.store.history(refused)).some((e) => /failover from france/.test(e.detail ?? '')));

    // France goes down: new French traffic goes to backup; when it is back, to France again.
    await h.connectors.get('france')!.stop();
    await until('france down', () => !h.connectors.get('france')!.ready);
    const whileDown = await send('33712345679');
    assert.equal((await h.store.getMessage(whileDown))?.connectorId, 'backup');
    await h.connectors.get('france')!.start();
    await until('france back', () => h.connectors.get('france')!.ready);
    const after = await send('33712345670');
    assert.equal((await h.store.getMessage(after))?.connectorId, 'france', 'failback');
    await until('sent after failback', async () => out((await h.store.getMessage(after))?.state));

    // No route for Germany: a precise refusal.
    await assert.rejects(
      send('4915112345678'),
      (e: unknown) => (e as { commandStatus?: number }).commandStatus === 0x0b,
    );
    await c.close();
  } finally {
    await h.stop();
  }
});
