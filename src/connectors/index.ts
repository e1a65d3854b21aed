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
export { TelnyxConnector, type TelnyxConnectorOptions } from './telnyx-connector.js';
export { TwilioConnector, type TwilioConnectorOptions } from './twilio-connector.js';
export { ProviderConnector, type ProviderConnectorOptions } from './provider-connector.js';
