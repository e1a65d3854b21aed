export {
  SmscSimulator,
  type SimulatorOptions,
  type SimulatorStats,
  type ScriptRule,
  type Outcome,
} from './simulator.js';
// The provider-API simulator (provider-simulator.ts) is not part of @hermod/smpp: import it by
// its own path (packages/smpp/tsconfig.build.json leaves it out).
