// Issue 13, item 14 (the seed's checklist: "simulate primary provider failure, verify
// automatic failover, verify failback"). 1,000 messages wait in the queue of a primary
// whose SMSC dies: once it has been down failover.downGraceMs they move to the route's
// backup and all go out there within seconds, each exactly once (counted at both
// simulators by body); the primary back, new traffic returns to it. Real sockets, the
// built-in simulator, SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/domain/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { Gateway } from '../../src/gateway/index.js';
import { SmppConnector } from '../../src/connectors/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { until } from '../support/until.js';

const N = 1000;

const simulator = (port = 0) => new SmscSimulator({ port, latencyMs: { min: 0, max: 0 } });
const connector = (id: string, port: number) =>
  new SmppConnector(id, {
    host: '127.0.0.1',
    port,
    systemId: 'hermod',
    password: 'x',
    windowSize: 50,
    // Quick to notice the SMSC is back (failback), quick to give up a dead one.
    reconnect: { initialMs: 100, maxMs: 300, factor: 2, jitter: 0 },
    connectTimeoutMs: 500,
  });

test('item 14: 1,000 queued for a primary whose SMSC dies move to the backup after the grace, each sent once; the primary back, new traffic returns to it', async () => {
  let primarySim = simulator();
  const primaryPort = await primarySim.listen();
  const backupSim = simulator();
  const backupPort = await backupSim.listen();
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-failover-')), 'hermod.db'));
  const gateway = new Gateway(store, {
    routes: [{ name: 'fo', prefixes: [], type: 'failover', connectors: ['primary', 'backup'], costs: {} }],
    failover: { downGraceMs: 1000, batch: 250 },
  });
  const moved: number[] = [];
  gateway.on('queue_moved', (_from, n) => moved.push(n));
  await gateway.addConnector(connector('primary', primaryPort));
  await gateway.addConnector(connector('backup', backupPort));
  await gateway.start();
  try {
    await store.upsertUser({
      username: 'shop',
      passwordHash: hashPassword('pw'),
      balanceMicros: 1_000_000_000,
      rateMicros: 0,
    });
    const user = (await store.getUserByName('shop'))!;
    const primary = gateway.getConnector('primary')!;
    await until('both bound', () => primary.ready && gateway.getConnector('backup')!.ready);
    const draft = (body: string, scheduleAt?: number) => ({
      systemId: 'shop',
      source: 'Shop',
      destination: '447700900123',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from(body),
      registeredDelivery: 1,
      meta: scheduleAt === undefined ? {} : { scheduleAt },
    });

    // Queued for the primary (healthy, first in the route), due in a moment.
    const due = Date.now() + 1500;
    const ids = await Promise.all(
      Array.from({ length: N }, (_, i) => gateway.submit(user, draft(`m${i}`, due))),
    );
    assert.equal(await store.queueDepth('primary'), N);

    // The primary's SMSC dies before any of them is due.
    const killedAt = Date.now();
    await primarySim.close();
    await until('primary down', () => !primary.ready);
    await until('all 1,000 out through the backup', async () => (await store.queueDepth()) === 0, 15_000);
    const tookMs = Date.now() - killedAt;
    const states = await Promise.all(ids.map((id) => store.getMessage(id)));
    assert.ok(
      states.every((m) => m?.connectorId === 'backup' && (m.state === 'sent' || m.state === 'delivered')),
      'every message sent through the backup',
    );
    const bodies = backupSim.submitted.map((s) => s.shortMessage.toString());
    assert.equal(primarySim.submitted.length, 0, 'none reached the dead primary');
    assert.equal(bodies.length, N, 'no duplicate submit');
    assert.equal(new Set(bodies).size, N, 'none lost, none twice');
    assert.equal(
      moved.reduce((a, b) => a + b, 0),
      N,
    );
    assert.ok(tookMs < 10_000, `failed over in ${tookMs} ms`);
    assert.ok(
      (await store.history(ids[0])).some((e) =>
        /failover from primary \(down \d+ s\): moved to backup/.test(e.detail ?? ''),
      ),
      'the move is in the history',
    );

    // Failback: the primary's SMSC returns on its port; new traffic goes to it again.
    primarySim = simulator(primaryPort);
    await primarySim.listen();
    await until('primary bound again', () => primary.ready, 10_000);
    const after = await gateway.submit(user, draft('after'));
    assert.equal((await store.getMessage(after))?.connectorId, 'primary', 'failback');
    await until('sent through the primary', () => primarySim.submitted.length === 1);
    assert.equal(primarySim.submitted[0].shortMessage.toString(), 'after');
  } finally {
    await gateway.stop();
    await store.close();
    await primarySim.close();
    await backupSim.close();
  }
});
