export { SmppConnector } from './smpp-connector.js';
export { SimulatorConnector } from './simulator-connector.js';
export { HttpConnector, type HttpConnectorOptions, type HttpDlrMapping } from './http-connector.js';
