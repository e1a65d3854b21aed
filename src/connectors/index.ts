export {
  SmppConnector,
  type SmppConnectorOptions,
  type SmppAddressing,
  type ConnectorBind,
} from './smpp-connector.js';
export { SimulatorConnector, type SimulatorConnectorOptions } from './simulator-connector.js';
export {
  HttpConnector,
  type HttpConnectorOptions,
  type HttpDlrMapping,
  type HttpMoMapping,
} from './http-connector.js';
export { Mm7Connector, Mm7SubmitError, type Mm7ConnectorOptions } from './mm7-connector.js';
