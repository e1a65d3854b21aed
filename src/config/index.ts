export { loadConfig, parseConfig, DEMO_API_KEY, DEMO_ADMIN_KEY, KNOWN_PLACEHOLDERS } from './load.js';
export { isLoopbackHost } from './server.js';
export {
  ConfigError,
  type Config,
  type ConfigIssue,
  type ConnectorConfig,
  type UserConfig,
  type SmppConnectorConfig,
  type SimulatorConnectorConfig,
  type JasminResponseFormat,
  type WebhooksConfig,
  type SecurityConfig,
  type AlertsConfig,
  type SmppTlsConfig,
  type EngineConfig,
} from './schema.js';
export {
  InvalidDefinitionError,
  validateConnector,
  validateRoutes,
  validateMoRoutes,
  routeInput,
  moRouteInput,
  connectorInput,
  redactConnector,
} from './validate.js';
export type { RetentionConfig, BackupConfig } from './lifecycle.js';
export type { ClusterConfig } from './cluster.js';
export { keepMm7Secrets, type Mm7ConnectorConfig } from './connector-mm7.js';
export { isEmailAddress, type SmtpConfig } from './mms-email.js';
export {
  keepProviderSecrets,
  type ProviderConnectorConfig,
  type TelnyxConnectorConfig,
  type TwilioConnectorConfig,
} from './connector-providers.js';
