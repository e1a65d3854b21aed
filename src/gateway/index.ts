export { Gateway, type SubmitRequest, type CustomerReceipt, type CustomerMo, type GatewayOptions } from './gateway.js';
export { RejectedError, reject } from './errors.js';
export { isTransient, type Connector, type ConnectorFailure, type SubmitOutcome, type InboundPdu } from './connector.js';
export { matchRoute, candidates, costOf, type RouteDef } from './router.js';
