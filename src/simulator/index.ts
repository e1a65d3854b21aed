export {
  SmscSimulator,
  type SimulatorOptions,
  type SimulatorStats,
  type ScriptRule,
  type Outcome,
} from './simulator.js';
