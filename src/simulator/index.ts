export {
  SmscSimulator,
  type SimulatorOptions,
  type SimulatorStats,
  type ScriptRule,
  type Outcome,
} from './simulator.js';
export {
  ProviderSimulator,
  type ProviderSimulatorOptions,
  type ProviderScript,
  type ProviderKind,
  type ProviderOutcome,
  type FetchedMedia,
  type SentWebhook,
  type InboundMedia,
} from './provider-simulator.js';
