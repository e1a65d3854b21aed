// Cluster-wide limits with several Hermod nodes in one process on one PostgreSQL schema
// (issue 18): a connector's binds are leases (one node binds per slot, another takes over when
// it stops), its throughput is shared by the nodes holding them, a customer's maxBinds counts
// every node's binds, and a receipt reaches the node where the customer's receiver is bound.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { CommandStatus, SmppClient, SmppStatusError } from '../../src/smpp/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { startHermod, type RunningHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { customerRateKey, type ClusterBoundConnector } from '../../src/gateway/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { collectReceipts } from '../support/hermod.js';
import { until } from '../support/until.js';

const quiet = pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'error' });

function node(schema: string, nodeId: string, doc: unknown): Promise<RunningHermod> {
  const config = parseConfig(
    doc,
    {
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_NODE_ID: nodeId,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'h-')),
    },
    'test',
  );
  return startHermod(config, { logger: quiet });
}

function definitions(smscPort: number, connector: Record<string, unknown> = {}) {
  return {
    users: [
      {
        username: 'shop',
        password: 'pw',
        balance: 100,
        rate: 0.01,
        access: { maxBinds: 1 },
      },
      { username: 'bulk', password: 'pw', balance: 100, rate: 0.01 },
      { username: 'paced', password: 'pw', balance: 100, rate: 0.01, throughput: { smpp: 50 } },
    ],
    connectors: [
      {
        id: 'up',
        type: 'smpp',
        host: '127.0.0.1',
        port: smscPort,
        systemId: 'hermod',
        password: 'pw',
        reconnectDelayS: { min: 0.05, max: 0.5 },
        ...connector,
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['up'] }],
  };
}

function customer(port: number, systemId = 'shop', bindType?: 'transmitter' | 'receiver') {
  return new SmppClient({
    host: '127.0.0.1',
    port,
    systemId,
    password: 'pw',
    reconnect: false,
    windowSize: 50,
    ...(bindType ? { bindType } : {}),
  });
}

const slotsOf = (h: RunningHermod) => (h.connectors.get('up') as ClusterBoundConnector).heldSlots();

async function cluster(
  t: TestContext,
  connector: Record<string, unknown>,
  n: number,
  body: (nodes: RunningHermod[], sim: SmscSimulator) => Promise<void>,
): Promise<void> {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_cl_${randomBytes(5).toString('hex')}`;
  const sim = new SmscSimulator({ latencyMs: { min: 0, max: 5 } });
  const port = await sim.listen();
  const nodes: RunningHermod[] = [];
  try {
    for (let i = 0; i < n; i++) nodes.push(await node(schema, `node-${i}`, definitions(port, connector)));
    await body(nodes, sim);
  } finally {
    for (const h of nodes) await h.stop().catch(() => undefined);
    await sim.close();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
}

test('a connector allowed one bind binds once across two nodes; a message taken on the other node is sent by the holder; the other binds when the holder stops', async (t) => {
  await cluster(t, { binds: 1 }, 2, async ([a, b], sim) => {
    await until('bound somewhere', () => sim.sessions.length === 1);
    // Two beats: the node that did not take the slot had its chances and still has none.
    await new Promise((r) => setTimeout(r, 2 * a.cluster.heartbeatMs + 500));
    assert.equal(sim.sessions.length, 1, 'the SMSC sees one bind');
    assert.equal(sim.stats.binds, 1);
    assert.equal(slotsOf(a).length + slotsOf(b).length, 1);
    const [holder, other] = slotsOf(a).length === 1 ? [a, b] : [b, a];
    assert.equal(other.connectors.get('up')!.ready, false, 'no session on the other node');
    assert.equal(other.connectors.get('up')!.healthy, true, 'bound elsewhere: routing keeps it');
    assert.equal(other.connectors.get('up')!.up, true, 'and no alert or /readyz failure on this node');

    const c = customer(other.smppPort, 'bulk');
    await c.connect();
    const { messageId } = await c.submitSm({
      destinationAddr: '447700900123',
      shortMessage: Buffer.from('x'),
    });
    await until(
      'sent by the holder',
      async () => (await other.store.getMessage(messageId))?.state === 'delivered',
    );
    assert.equal(sim.submitted.length, 1);
    await c.close();

    const stoppedAt = Date.now();
    await holder.stop();
    await until(
      'the other node binds',
      () => slotsOf(other).length === 1 && other.connectors.get('up')!.ready,
      15_000,
    );
    const tookMs = Date.now() - stoppedAt;
    assert.ok(tookMs < 15_000, `took over in ${tookMs} ms`);
    assert.equal(sim.sessions.length, 1);
  });
});

test('a connector with two binds and 100 msg/s on two nodes: one bind each, shares summing to the rate, measured at the SMSC', async (t) => {
  await cluster(t, { binds: 2, throughput: 100, window: 20 }, 2, async ([a, b], sim) => {
    await until('one slot each', () => slotsOf(a).length === 1 && slotsOf(b).length === 1, 15_000);
    await until('both bound', () => sim.sessions.length === 2);
    // Queue on both nodes, then measure the SMSC's rate once both nodes send.
    const load = [customer(a.smppPort, 'bulk'), customer(b.smppPort, 'bulk')];
    await Promise.all(load.map((c) => c.connect()));
    await Promise.all(
      load.flatMap((c) =>
        Array.from({ length: 1500 }, (_, i) =>
          c.submitSm({
            destinationAddr: `4477009${String(i).padStart(5, '0')}`,
            shortMessage: Buffer.from('x'),
          }),
        ),
      ),
    );
    // Two beats for the offered rates to reach the shares.
    await new Promise((r) => setTimeout(r, 2 * a.cluster.heartbeatMs + 500));
    const shares = [a, b].map((h) => h.connectors.get('up')!.status().cluster!.share!);
    const sum = shares[0]! + shares[1]!;
    assert.ok(Math.abs(sum - 100) < 1, `shares ${shares.join(' + ')} sum to the rate`);
    const from = sim.submitted.length;
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    const rate = ((sim.submitted.length - from) * 1000) / (Date.now() - started);
    const perNode = [a, b].map((h) => h.connectors.get('up')!.status().counters.submits);
    t.diagnostic(
      `measured ${rate.toFixed(1)} msg/s at the SMSC (limit 100), shares ${shares.map((s) => s.toFixed(1))}, submits per node ${perNode}, ${sim.submitted.length} of 3000 sent`,
    );
    assert.ok(sim.submitted.length < 3000, 'the queue did not run dry while measuring');
    assert.ok(rate <= 110 && rate >= 80, `measured ${rate.toFixed(1)} msg/s`);
    await Promise.all(load.map((c) => c.close()));
  });
});

test("a customer's maxBinds counts binds on every node: bound on one node, refused on the other until it unbinds", async (t) => {
  await cluster(t, {}, 2, async ([a, b]) => {
    const first = customer(a.smppPort);
    await first.connect();
    const second = customer(b.smppPort);
    await assert.rejects(
      second.connect(),
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RBINDFAIL,
    );
    await first.close();
    const again = customer(b.smppPort);
    await again.connect();
    assert.equal(again.bound, true, 'the lease came back with the unbind');
    await again.close();
  });
});

test('a receipt for a message submitted on one node reaches the receiver bound on another node', async (t) => {
  await cluster(t, {}, 2, async ([a, b]) => {
    const tx = customer(a.smppPort, 'bulk', 'transmitter');
    const rx = customer(b.smppPort, 'bulk', 'receiver');
    const receipts = collectReceipts(rx);
    await Promise.all([tx.connect(), rx.connect()]);
    const { messageId } = await tx.submitSm({
      destinationAddr: '447700900123',
      shortMessage: Buffer.from('hi'),
      registeredDelivery: 1,
    });
    await until('the receipt on node b', () => receipts.some((r) => r.id === messageId), 15_000);
    await Promise.all([tx.close(), rx.close()]);
  });
});

test('shares of a customer rate: two nodes with demand split it fairly, summing to the rate', async (t) => {
  await cluster(t, {}, 2, async ([a, b]) => {
    const key = customerRateKey('smpp', 'shop');
    a.cluster.setDemand(key, 60);
    b.cluster.setDemand(key, 10);
    await new Promise((r) => setTimeout(r, 2 * a.cluster.heartbeatMs + 500));
    const [sa, sb] = [a.cluster.share(key, 50), b.cluster.share(key, 50)];
    assert.ok(Math.abs(sa + sb - 50) < 0.01, `${sa} + ${sb}`);
    assert.ok(Math.abs(sb - 11) < 0.01, `the quieter node gets what it asks and a tenth more: ${sb}`);
  });
});

test('a customer limited to 50 msg/s offering 120 msg/s over two nodes gets 50 ± 5 in all', async (t) => {
  await cluster(t, {}, 2, async ([a, b]) => {
    const clients = [a, b].map(
      (h) =>
        new SmppClient({
          host: '127.0.0.1',
          port: h.smppPort,
          systemId: 'paced',
          password: 'pw',
          reconnect: false,
          windowSize: 100,
          adaptiveThrottle: false,
        }),
    );
    await Promise.all(clients.map((c) => c.connect()));
    const accepted: number[][] = [[], []];
    let offering = true;
    const offer = clients.map((c, i) =>
      (async () => {
        // 60 a second from each node's customer, throttled answers counted out.
        for (let n = 0; offering; n++) {
          void c
            .submitSm({
              destinationAddr: `4477009${String(n % 99999).padStart(5, '0')}`,
              shortMessage: Buffer.from('x'),
            })
            .then(
              () => accepted[i]!.push(Date.now()),
              () => undefined,
            );
          await new Promise((r) => setTimeout(r, 1000 / 60));
        }
      })(),
    );
    // Two beats for both nodes' demand to reach the shares, then eight seconds measured.
    await new Promise((r) => setTimeout(r, 2 * a.cluster.heartbeatMs + 1000));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 8000));
    const to = Date.now();
    offering = false;
    await Promise.all(offer);
    const counted = accepted.map((xs) => xs.filter((x) => x >= from && x < to).length);
    const rate = ((counted[0]! + counted[1]!) * 1000) / (to - from);
    t.diagnostic(`accepted ${rate.toFixed(1)} msg/s across the nodes (limit 50), per node ${counted}`);
    assert.ok(rate >= 45 && rate <= 55, `accepted ${rate.toFixed(1)} msg/s`);
    assert.ok(counted[0]! > 0 && counted[1]! > 0, 'both nodes took a part');
    await Promise.all(clients.map((c) => c.close()));
  });
});
