export { loadConfig, parseConfig } from './load.js';
export { ConfigError, type Config, type ConfigIssue, type ConnectorConfig, type RouteConfig, type UserConfig, type SmppConnectorConfig, type SimulatorConnectorConfig, type JasminResponseFormat, type WebhooksConfig } from './schema.js';
