export { HermodMetrics, type MetricsOptions, type Totals, type EventSource } from './metrics.js';
export {
  AlertEvaluator,
  AlertWebhook,
  evaluateAlerts,
  ALERTS,
  type AlertName,
  type AlertThresholds,
  type AlertInputs,
  type AlertNotification,
  type AlertWebhookOptions,
} from './alerts.js';
export { ClusterMetrics, type ClusterView, type ReapedCounts } from './cluster-metrics.js';
