/**
 * Metrics (/metrics) and the alert rules evaluated in Hermod, read from the running core.
 */
import { AlertEvaluator, AlertWebhook, HermodMetrics } from '../observability/index.js';
import type { Core } from './gateway.js';

export interface Observability {
  metrics: HermodMetrics;
  alerts: AlertEvaluator;
  /** The connectors as metrics, alerts and /readyz see them: up while their binds are. */
  connectors: () => { id: string; ready: boolean }[];
}

export function buildObservability(
  { config, store, gateway, cluster }: Core,
  version: string,
): Observability {
  // A receive-only connector is never `ready` (it sends nothing); it is up while bound.
  const connectors = () => gateway.listConnectors().map((c) => ({ id: c.id, ready: c.up ?? c.ready }));
  const metrics = new HermodMetrics({
    version,
    connectors,
    queueDepth: (id) => store.queueDepth(id),
    queueOldestDue: () => store.queueOldestDue(),
    webhookPending: () => store.webhookDepth(),
  });
  metrics.attach(gateway);
  const a = config.alerts;
  // Alerts: connector_down and queue_backlog are about the cluster (the leader evaluates them,
  // a connector being down when no live node has it up); the rates and spend are this node's.
  const alerts = new AlertEvaluator({
    metrics,
    connectors: () => connectors().map((c) => ({ id: c.id, ready: c.ready || cluster.readyElsewhere(c.id) })),
    clusterWide: () => cluster.isLeader(),
    queueDepth: () => store.queueDepth(),
    thresholds: {
      deliveryRateMin: a.deliveryRateMin,
      errorRateMax: a.errorRateMax,
      queueBacklogMax: a.queueBacklogMax,
      spendMaxMicros: a.spendMax === null ? null : Math.round(a.spendMax * 1_000_000),
      connectorDownMs: a.connectorDownS * 1000,
      windowMs: a.windowS * 1000,
      minSamples: a.minSamples,
    },
  });
  if (a.webhookUrl)
    new AlertWebhook({ url: a.webhookUrl }, (ok) =>
      metrics.webhookDeliveries.inc({ result: ok ? 'alert_ok' : 'alert_failed' }),
    ).attach(alerts);
  return { metrics, alerts, connectors };
}
