/**
 * The configuration: one YAML file plus environment overrides, validated once at start.
 * Every problem is reported with the key path that caused it, all at once.
 */
import { HermodError } from '../lib/errors.js';

export interface UserConfig {
  username: string;
  password: string;
  /** Credit in currency units. */
  balance: number;
  /** Price per message part in currency units. */
  rate: number;
  enabled: boolean;
}

export interface SimulatorConnectorConfig {
  id: string;
  type: 'simulator';
  latencyMs: { min: number; max: number };
  outcomes: { delivered: number; undelivered: number; expired: number; rejected: number };
  /** Destination prefixes this simulator refuses with ESME_RINVDSTADR (to test failover). */
  failPrefixes: string[];
  throttle?: number;
  /** Share of submits answered ESME_RMSGQFUL (a temporary error), to test retries. */
  errorRate?: number;
  receiptBeforeResponse: boolean;
}

export interface SmppConnectorConfig {
  id: string;
  type: 'smpp';
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  systemType: string;
  window: number;
  throughput?: number;
  enquireLinkS: number;
  responseTimeoutS: number;
}

export type ConnectorConfig = SimulatorConnectorConfig | SmppConnectorConfig;

export interface RouteConfig {
  name: string;
  /** Destination prefixes (E.164 digits); empty = any destination. */
  prefixes: string[];
  type: 'static' | 'failover' | 'roundrobin' | 'leastcost';
  connectors: string[];
  /** Per connector, per prefix cost (least-cost routing). */
  costs: Record<string, Record<string, number>>;
  /** Price per part charged to the customer on this route (else the user's rate). */
  rate?: number;
}

export interface Config {
  demo: boolean;
  server: { host: string; smppPort: number };
  store: { type: 'sqlite'; path: string; synchronous: 'NORMAL' | 'FULL' } | { type: 'postgres'; url: string; schema: string; nodeId?: string };
  users: UserConfig[];
  connectors: ConnectorConfig[];
  routes: RouteConfig[];
  /** MO routes: our destination numbers / short codes → the customer that receives them. */
  moRoutes: { prefixes: string[]; user: string }[];
  /** Seconds within which an identical resend returns the first message's id (0 = off). */
  dedupeWindowS: number;
}

export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends HermodError {
  constructor(
    readonly issues: ConfigIssue[],
    source: string,
  ) {
    super('HERMOD_ERR_CONFIG', `invalid configuration (${source}):\n` + issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'));
  }
}
