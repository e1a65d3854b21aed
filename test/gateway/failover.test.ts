// Failover of messages already queued (issue 13, item 14): which connector a down
// connector's messages move to (pure), when (the grace), and the sweep against a real
// SQLite store with a fake clock passed to each look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMessageId } from '../../src/domain/index.js';
import { decideFailure } from '../../src/gateway/dispatcher.js';
import { moveTargets, pastGrace, QueuedFailover } from '../../src/gateway/failover.js';
import type { Connector, RouteDef } from '../../src/gateway/index.js';
import { testContext } from './context.js';

const route = (name: string, type: RouteDef['type'], connectors: string[]): RouteDef =>
  ({ name, prefixes: [], type, connectors, costs: {} }) as RouteDef;
const detail = (to: string) => `moved to ${to}`;

test('moveTargets: per route through the down connector, the first healthy other connector in accept’s order; static routes and routes with no healthy alternative left out', () => {
  const routes = [
    route('fo', 'failover', ['a', 'b', 'c']),
    route('rr', 'roundrobin', ['c', 'a']),
    route('st', 'static', ['a']),
    route('none', 'failover', ['a', 'd']),
    route('other', 'failover', ['b', 'c']),
  ];
  const healthy = (id: string) => id === 'b' || id === 'c';
  assert.deepEqual(moveTargets(routes, 'a', healthy, detail), [
    { route: 'fo', to: 'b', detail: 'moved to b' },
    { route: 'rr', to: 'c', detail: 'moved to c' },
  ]);
  // The backup is the own-Hermod connector (loop guard): the next one takes it.
  assert.deepEqual(
    moveTargets(routes.slice(0, 1), 'a', healthy, detail, (id) => id === 'b'),
    [{ route: 'fo', to: 'c', detail: 'moved to c' }],
  );
  assert.deepEqual(
    moveTargets(routes, 'a', () => false, detail),
    [],
    'nothing healthy: all stay',
  );
});

test('pastGrace: only a connector down at least the grace; a negative grace never', () => {
  assert.equal(pastGrace(undefined, 10_000, 5000), false, 'up');
  assert.equal(pastGrace(6000, 10_000, 5000), false);
  assert.equal(pastGrace(5000, 10_000, 5000), true);
  assert.equal(pastGrace(0, 10_000, -1), false);
  assert.equal(pastGrace(10_000, 10_000, 0), true, 'grace 0: at once');
});

test('decideFailure: transient failures on a connector that is down fail over after failover.afterTransient attempts (not with a part upstream, not while it is up)', () => {
  const lost = [Object.assign(new Error('connection lost'), { transient: true })];
  const opts = { retry: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } };
  const base = { failures: lost, total: 1, anyAccepted: false, opts };
  assert.equal(decideFailure({ ...base, attempts: 2, connectorDown: true }).kind, 'retry', 'fewer than 3');
  assert.deepEqual(decideFailure({ ...base, attempts: 3, connectorDown: true }), {
    kind: 'failover',
    detail: 'connection lost (3 transient failures, the connector is down)',
    retryMs: 400,
  });
  assert.equal(
    decideFailure({ ...base, attempts: 3, connectorDown: false }).kind,
    'retry',
    'up: retry there',
  );
  assert.equal(
    decideFailure({ ...base, attempts: 3, connectorDown: true, anyAccepted: true }).kind,
    'retry',
    'a part upstream: it stays',
  );
  assert.equal(
    decideFailure({
      ...base,
      attempts: 9,
      connectorDown: true,
      opts: { ...opts, failover: { afterTransient: 0 } },
    }).kind,
    'retry',
    '0 = never',
  );
});

test('QueuedFailover: after the grace a down connector’s queue moves in batches to the route’s healthy connector, with history and events; back up, nothing more moves', async () => {
  const t = await testContext({
    routes: [route('fo', 'failover', ['a', 'b']), route('st', 'static', ['a'])],
    failover: { downGraceMs: 5000, batch: 4 },
  });
  try {
    const state = { a: true, b: true };
    const fake = (id: 'a' | 'b') =>
      ({
        id,
        get ready() {
          return state[id];
        },
      }) as unknown as Connector;
    t.connectors.set('a', fake('a'));
    t.connectors.set('b', fake('b'));
    const woken: string[] = [];
    const mover = new QueuedFailover(t.ctx, (id) => woken.push(id));
    const accept = async (r: string) => {
      const id = newMessageId();
      await t.store.accept({
        id,
        userId: t.user.id,
        systemId: 'shop',
        source: 'Shop',
        destination: '447700900001',
        esmClass: 0,
        dataCoding: 0,
        body: Buffer.from('hi'),
        registeredDelivery: 1,
        priority: 0,
        connectorId: 'a',
        priceMicros: 0,
        meta: { segments: 1, route: r },
      });
      return id;
    };
    const moving = await Promise.all(Array.from({ length: 10 }, () => accept('fo')));
    const pinned = await accept('st');
    assert.equal(await mover.tick(0), 0, 'up: nothing');
    state.a = false;
    assert.equal(await mover.tick(1000), 0, 'down since 1 s');
    assert.equal(await mover.tick(5999), 0, 'within the grace');
    assert.equal(await mover.tick(6000), 10, 'past the grace: all of route fo, in batches of 4');
    assert.equal(t.of('queue_moved').length, 3);
    assert.deepEqual(
      t.of('failover').map(([id, from, to]) => [from, to, moving.includes(id)]),
      Array.from({ length: 10 }, () => ['a', 'b', true]),
    );
    assert.ok(woken.every((id) => id === 'b') && woken.length > 0);
    assert.equal(await t.store.queueDepth('a'), 1, 'the static route’s message stays');
    assert.equal((await t.store.getMessage(pinned))?.connectorId, 'a');
    assert.match(
      (await t.store.history(moving[0])).at(-1)?.detail ?? '',
      /failover from a \(down 5 s\): moved to b/,
    );
    // Back up (failback is routing's: accept prefers it again); down again restarts the grace.
    state.a = true;
    await accept('fo');
    assert.equal(await mover.tick(7000), 0);
    state.a = false;
    assert.equal(await mover.tick(8000), 0, 'a new grace');
    assert.equal(await mover.tick(13_000), 1);
    // The backup down too: nothing healthy, everything stays.
    state.b = false;
    await accept('fo');
    assert.equal(await mover.tick(20_000), 0);
  } finally {
    await t.close();
  }
});
