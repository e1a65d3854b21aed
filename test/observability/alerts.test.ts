import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  AlertEvaluator,
  AlertWebhook,
  HermodMetrics,
  evaluateAlerts,
  type AlertThresholds,
  type Totals,
} from '../../src/observability/index.js';

const zero: Totals = { accepted: 0, sent: 0, failed: 0, delivered: 0, finals: 0, spendMicros: 0 };
const t: AlertThresholds = {
  deliveryRateMin: 0.95,
  errorRateMax: 0.05,
  queueBacklogMax: 100,
  spendMaxMicros: 5_000_000,
  connectorDownMs: 1000,
  windowMs: 60_000,
  minSamples: 20,
};

test('alert rules: each fires on its condition only, rates need enough samples', () => {
  const quiet = evaluateAlerts({ now: zero, windowStart: zero, queueDepth: 0, connectorsDown: [] }, t);
  assert.deepEqual(quiet, {
    delivery_rate_low: false,
    connector_down: false,
    error_rate_high: false,
    queue_backlog: false,
    spend_high: false,
  });
  const bad = evaluateAlerts(
    {
      now: { accepted: 100, sent: 90, failed: 10, delivered: 80, finals: 90, spendMicros: 6_000_000 },
      windowStart: zero,
      queueDepth: 101,
      connectorsDown: ['smsc'],
    },
    t,
  );
  assert.deepEqual(bad, {
    delivery_rate_low: true,
    connector_down: true,
    error_rate_high: true,
    queue_backlog: true,
    spend_high: true,
  });
  const few = evaluateAlerts(
    { now: { ...zero, sent: 1, failed: 1, finals: 2 }, windowStart: zero, queueDepth: 0, connectorsDown: [] },
    t,
  );
  assert.equal(few.delivery_rate_low, false, 'two receipts are not a rate');
  assert.equal(few.error_rate_high, false);
  const old = {
    accepted: 1000,
    sent: 1000,
    failed: 100,
    delivered: 500,
    finals: 600,
    spendMicros: 100_000_000,
  };
  const recent = evaluateAlerts(
    {
      now: { ...old, sent: 1100, delivered: 599, finals: 700, spendMicros: 101_000_000 },
      windowStart: old,
      queueDepth: 0,
      connectorsDown: [],
    },
    t,
  );
  assert.equal(recent.delivery_rate_low, false, 'only the window counts: 99 of 100');
  assert.equal(recent.error_rate_high, false);
  assert.equal(recent.spend_high, false, 'spend in the window: 1 unit');
  assert.equal(
    evaluateAlerts(
      { now: { ...zero, spendMicros: 9e9 }, windowStart: zero, queueDepth: 0, connectorsDown: [] },
      { ...t, spendMaxMicros: null },
    ).spend_high,
    false,
  );
});

test('AlertEvaluator: connector down only after the grace time; gauges follow; change events', async () => {
  const metrics = new HermodMetrics({
    version: 't',
    connectors: () => [],
    queueDepth: async () => 0,
    processMetrics: false,
  });
  let ready = false;
  const ev = new AlertEvaluator({
    metrics,
    thresholds: t,
    connectors: () => [{ id: 'smsc', ready }],
    queueDepth: async () => 0,
  });
  const changes: [string, boolean][] = [];
  ev.on('change', (a: string, on: boolean) => changes.push([a, on]));
  const t0 = Date.now();
  assert.equal((await ev.evaluate(t0)).connector_down, false, 'just went down');
  assert.equal((await ev.evaluate(t0 + 1500)).connector_down, true);
  assert.match(await metrics.metrics(), /hermod_alert_active\{alert="connector_down"\} 1/);
  ready = true;
  assert.equal((await ev.evaluate(t0 + 2000)).connector_down, false);
  assert.deepEqual(changes, [
    ['connector_down', true],
    ['connector_down', false],
  ]);
  metrics.totals.sent = 100;
  metrics.totals.failed = 50;
  assert.equal((await ev.evaluate(t0 + 3000)).error_rate_high, true);
});

test('AlertWebhook: each change POSTed as JSON; a receiver answering 500 first is retried until 2xx', async () => {
  const got: unknown[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls++;
      if (calls === 1) return res.writeHead(500).end();
      got.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as import('node:net').AddressInfo).port;
    const metrics = new HermodMetrics({
      version: 't',
      connectors: () => [],
      queueDepth: async () => 0,
      processMetrics: false,
    });
    const results: boolean[] = [];
    let ready = false;
    const ev = new AlertEvaluator({
      metrics,
      thresholds: { ...t, connectorDownMs: 0 },
      connectors: () => [{ id: 'smsc', ready }],
      queueDepth: async () => 0,
    });
    const hook = new AlertWebhook({ url: `http://127.0.0.1:${port}/alerts`, initialDelayMs: 10 }, (ok) =>
      results.push(ok),
    );
    hook.attach(ev);
    await ev.evaluate();
    await hook.drain();
    ready = true;
    await ev.evaluate();
    await hook.drain();
    assert.deepEqual(
      got.map((n) => [(n as { alert: string }).alert, (n as { status: string }).status]),
      [
        ['connector_down', 'firing'],
        ['connector_down', 'resolved'],
      ],
    );
    assert.deepEqual(results, [false, true, true], 'the 500 was retried');
  } finally {
    server.close();
  }
});
