// The gateway's runtime connector and route changes on their own (real SQLite store, the
// built-in simulator connector): each refusal is a typed error with its HTTP status and
// reason, and what is added while the gateway runs gets a dispatcher and carries messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/domain/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { ConnectorChangeError, Gateway, type RouteDef } from '../../src/gateway/index.js';
import { SimulatorConnector, SmppConnector } from '../../src/connectors/index.js';
import { until } from '../support/until.js';
import { freePort } from '../support/ports.js';

const route = (name: string, connectors: string[], prefixes: string[] = []): RouteDef => ({
  name,
  type: 'static',
  connectors,
  prefixes,
  costs: {},
});
const sim = (id: string) => new SimulatorConnector(id, { latencyMs: { min: 0, max: 0 } });

async function refused(
  p: Promise<unknown> | (() => unknown),
  code: string,
  httpStatus: number,
): Promise<ConnectorChangeError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(err instanceof ConnectorChangeError, String(err));
    assert.deepEqual([err.code, err.httpStatus], [code, httpStatus]);
    return err;
  }
  assert.fail(`not refused (${code})`);
}

test('addConnector, setRoutes and removeConnector while the gateway runs; every refusal typed with its status and reason', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-gw-rt-')), 'hermod.db'));
  const user = await store.upsertUser({
    username: 'shop',
    passwordHash: hashPassword('pw'),
    balanceMicros: 1_000_000,
    rateMicros: 10_000,
  });
  const gateway = new Gateway(store, { routes: [route('default', ['a'])] });
  await gateway.addConnector(sim('a'));
  await gateway.start();
  try {
    await refused(gateway.addConnector(sim('a')), 'HERMOD_ERR_CONNECTOR_EXISTS', 409);
    await refused(gateway.replaceConnector(sim('ghost')), 'HERMOD_ERR_UNKNOWN_CONNECTOR', 404);
    await refused(gateway.removeConnector('ghost'), 'HERMOD_ERR_UNKNOWN_CONNECTOR', 404);
    const unknown = await refused(
      () => gateway.setRoutes([route('fr', ['b'], ['33']), route('default', ['a'])]),
      'HERMOD_ERR_INVALID_DEFINITION',
      400,
    );
    assert.equal(unknown.message, 'routes[0].connectors[0]: unknown connector "b"');
    assert.deepEqual(
      gateway.routes().map((r) => r.name),
      ['default'],
      'a refused table changes nothing',
    );

    // Added while running: started, with a dispatcher that sends once a route names it.
    await gateway.addConnector(sim('b'));
    await until('b bound', () => gateway.getConnector('b')?.ready === true);
    gateway.setRoutes([route('fr', ['b'], ['33']), route('default', ['a'])]);
    const id = await gateway.submit(user, {
      systemId: 'shop',
      source: 'Shop',
      destination: '33612345678',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('hi'),
      registeredDelivery: 0,
    });
    await until('sent through b', async () =>
      ['sent', 'delivered'].includes((await store.getMessage(id))?.state ?? ''),
    );
    assert.equal((await store.getMessage(id))?.connectorId, 'b');

    const inUse = await refused(gateway.removeConnector('b'), 'HERMOD_ERR_CONNECTOR_IN_USE', 409);
    assert.equal(inUse.reason, 'route "fr" names it');
    gateway.setRoutes([route('default', ['a'])]);
    await gateway.removeConnector('b');
    assert.equal(gateway.getConnector('b'), undefined);
    assert.deepEqual(
      gateway.listConnectors().map((c) => c.id),
      ['a'],
    );
    await refused(gateway.removeConnector('b'), 'HERMOD_ERR_UNKNOWN_CONNECTOR', 404);
  } finally {
    await gateway.stop();
    await store.close();
  }
});

test('a connector added at runtime with a shorter dlrExpiry shortens the running sweep; one an MO route names is not removed', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-gw-rt-')), 'hermod.db'));
  const gateway = new Gateway(store, {
    routes: [route('default', ['a'])],
    moRoutes: [{ name: 'replies', prefixes: [], originConnectors: ['b'], url: 'http://127.0.0.1:9/mo' }],
  });
  // SMPP connectors towards a port nobody listens on: they never bind, and need not to here.
  const closed = await freePort();
  const smpp = (id: string, dlrExpiryMs: number) =>
    new SmppConnector(id, {
      host: '127.0.0.1',
      port: closed,
      systemId: 'x',
      password: 'y',
      dlrExpiryMs,
      reconnect: { initialMs: 60_000, maxMs: 60_000, factor: 1, jitter: 0 },
    });
  await gateway.addConnector(sim('a'));
  await gateway.start();
  try {
    assert.equal(gateway.receiptSweepInterval(), 0, 'no connector expires receipts: no sweep');
    await gateway.addConnector(smpp('slow', 3_600_000));
    assert.equal(gateway.receiptSweepInterval(), 60_000, 'a tenth of the expiry, at most a minute');
    await gateway.addConnector(smpp('fast', 2_000));
    assert.equal(gateway.receiptSweepInterval(), 200, 'the shorter expiry restarted the sweep');
    await gateway.addConnector(smpp('slower', 7_200_000));
    assert.equal(gateway.receiptSweepInterval(), 200, 'a longer one leaves it');

    await gateway.addConnector(sim('b'));
    const inUse = await refused(gateway.removeConnector('b'), 'HERMOD_ERR_CONNECTOR_IN_USE', 409);
    assert.equal(inUse.reason, 'MO route "replies" names it in originConnectors');
    assert.ok(gateway.getConnector('b'), 'still there');
  } finally {
    await gateway.stop();
    await store.close();
  }
});
