export { SmppConnector } from './smpp-connector.js';
export { SimulatorConnector } from './simulator-connector.js';
