// The dispatcher's decisions alone: retry, fail over or fail (a pure function of the
// failures and the settings), and the service against a real SQLite store with a
// scripted connector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideFailure, DispatchService } from '../../src/gateway/dispatcher.js';
import { Notifier } from '../../src/gateway/notify.js';
import { ReceiptService } from '../../src/gateway/receipts.js';
import type { Connector, SubmitOutcome } from '../../src/gateway/index.js';
import type { StoredMessage } from '../../src/domain/index.js';
import { testContext } from './context.js';

const failure = (message: string, transient: boolean) => Object.assign(new Error(message), { transient });
const noJitter = { retry: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } };

test('decideFailure: transient failures retry with back-off until the attempts run out, then fail refunded by refund.failed', () => {
  const transient = [failure('throttled', true)];
  assert.deepEqual(
    decideFailure({ failures: transient, total: 1, attempts: 1, anyAccepted: false, opts: noJitter }),
    {
      kind: 'retry',
      delayMs: 100,
      detail: 'throttled',
    },
  );
  assert.deepEqual(
    decideFailure({ failures: transient, total: 1, attempts: 3, anyAccepted: false, opts: noJitter }),
    {
      kind: 'retry',
      delayMs: 400,
      detail: 'throttled',
    },
  );
  const multi = decideFailure({
    failures: transient,
    total: 3,
    attempts: 1,
    anyAccepted: true,
    opts: noJitter,
  });
  assert.equal(multi.kind === 'retry' && multi.detail, '1 of 3 parts: throttled');
  assert.deepEqual(
    decideFailure({
      failures: transient,
      total: 1,
      attempts: 5,
      anyAccepted: false,
      opts: { ...noJitter, maxAttempts: 5, refund: { failed: false } },
    }),
    { kind: 'fail', detail: 'throttled', refund: false, permanent: false },
  );
});

test('decideFailure: a permanent error fails over while no part was accepted, else fails the rest refunded by refund.rejected', () => {
  const failures = [failure('throttled', true), failure('invalid destination', false)];
  assert.deepEqual(decideFailure({ failures, total: 2, attempts: 1, anyAccepted: false, opts: {} }), {
    kind: 'failover',
    detail: 'invalid destination',
  });
  assert.deepEqual(
    decideFailure({
      failures,
      total: 2,
      attempts: 1,
      anyAccepted: true,
      opts: { refund: { rejected: false } },
    }),
    { kind: 'fail', detail: 'invalid destination', refund: false, permanent: true },
  );
});

/** A connector whose submits answer as scripted, in order. */
function scripted(
  id: string,
  outcomes: (SubmitOutcome | Error)[],
): Connector & { submitted: StoredMessage[] } {
  const submitted: StoredMessage[] = [];
  return {
    id,
    ready: true,
    capacity: 1,
    submitted,
    async submit(m: StoredMessage) {
      submitted.push(m);
      const next = outcomes.shift() ?? new Error('script ran out');
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as Connector & { submitted: StoredMessage[] };
}

test("send: a permanent refusal fails over to the route's next connector and wakes it; there it is sent", async () => {
  const t = await testContext({
    routes: [{ name: 'r', type: 'failover', connectors: ['a', 'b'], prefixes: [], costs: {} }],
  });
  try {
    const a = scripted('a', [failure('refused', false)]);
    const b = scripted('b', [{ upstreamId: 'up-b' }]);
    t.connectors.set('a', a).set('b', b);
    const notifier = new Notifier(t.ctx);
    const dispatch = new DispatchService(t.ctx, new ReceiptService(t.ctx, notifier), notifier);
    const m = await t.message({ connectorId: 'a' });
    await dispatch.send(a, { ...m, meta: { ...m.meta, route: 'r' } }, 1);
    assert.deepEqual(t.of('failover'), [[m.id, 'a', 'b']]);
    const [claim] = await t.store.claim('b', 10, 1000);
    assert.equal(claim.message.id, m.id, 'queued for b now');
    await dispatch.send(b, claim.message, claim.attempts);
    assert.deepEqual(t.of('sent'), [[m.id, 1, 'b']]);
    assert.deepEqual(t.of('part_sent'), [[m.id, 1, 'up-b']]);
    assert.equal((await t.store.getMessage(m.id))?.state, 'sent');
  } finally {
    await t.close();
  }
});

test("send: a transient failure requeues with back-off; a static route's permanent one fails the message and refunds it", async () => {
  const t = await testContext({ ...noJitter });
  try {
    const c = scripted('c1', [failure('queue full', true), failure('refused', false)]);
    t.connectors.set('c1', c);
    const notifier = new Notifier(t.ctx);
    const dispatch = new DispatchService(t.ctx, new ReceiptService(t.ctx, notifier), notifier);
    const m = await t.message({ registeredDelivery: 1 });
    const before = await t.store.getBalance(t.user.id);
    await dispatch.send(c, m, 1);
    assert.deepEqual(t.of('retry'), [[m.id, 'queue full', 'c1']]);
    assert.equal((await t.store.claim('c1', 10, 1000)).length, 0, 'not due before its back-off');
    await dispatch.send(c, m, 2);
    assert.deepEqual(t.of('failed'), [[m.id, 'refused', 'failed', 'c1']]);
    assert.deepEqual(t.of('outbox'), [['shop']], "the customer's receipt");
    assert.equal(await t.store.getBalance(t.user.id), before + 10_000, 'refunded');
  } finally {
    await t.close();
  }
});

test('send: transient failures on a connector that is down fail over to a healthy connector of the route after failover.afterTransient attempts; with none healthy, back-off there', async () => {
  const t = await testContext({
    ...noJitter,
    routes: [{ name: 'r', type: 'failover', connectors: ['a', 'b', 'c'], prefixes: [], costs: {} }],
    failover: { afterTransient: 3 },
  });
  try {
    const lost = () => failure('connection lost', true);
    const a = Object.assign(scripted('a', [lost(), lost(), lost()]), { ready: false });
    const b = Object.assign(scripted('b', []), { ready: false });
    const c = scripted('c', []);
    t.connectors.set('a', a).set('b', b).set('c', c);
    const notifier = new Notifier(t.ctx);
    const dispatch = new DispatchService(t.ctx, new ReceiptService(t.ctx, notifier), notifier);
    const m = await t.message({ connectorId: 'a' });
    const routed = { ...m, meta: { ...m.meta, route: 'r' } };
    await dispatch.send(a, routed, 2);
    assert.deepEqual(t.of('retry'), [[m.id, 'connection lost', 'a']], 'two attempts: back-off');
    await dispatch.send(a, routed, 3);
    assert.deepEqual(
      t.of('failover'),
      [[m.id, 'a', 'c']],
      'the third: to c, the healthy one (b is down too)',
    );
    assert.equal((await t.store.getMessage(m.id))?.connectorId, 'c');
    // Nothing healthy: it waits out its back-off where it is.
    Object.assign(c, { ready: false });
    const m2 = await t.message({ connectorId: 'a' });
    await dispatch.send(a, { ...m2, meta: { ...m2.meta, route: 'r' } }, 3);
    assert.equal(t.of('failover').length, 1);
    assert.equal(t.of('retry').at(-1)?.[0], m2.id);
    assert.equal((await t.store.getMessage(m2.id))?.connectorId, 'a');
  } finally {
    await t.close();
  }
});

test('expire: a message past its validity ends expired, refunded, with its receipt', async () => {
  const t = await testContext();
  try {
    const notifier = new Notifier(t.ctx);
    const dispatch = new DispatchService(t.ctx, new ReceiptService(t.ctx, notifier), notifier);
    const m = await t.message({ registeredDelivery: 1 });
    await dispatch.expire(m);
    assert.equal((await t.store.getMessage(m.id))?.state, 'expired');
    assert.deepEqual(
      t.events.map((e) => e[0]),
      ['expired', 'outbox'],
    );
  } finally {
    await t.close();
  }
});
