export {
  SmppServer,
  type SmppServerOptions,
  type BindRequest,
  type Authenticate,
  type LockoutPolicy,
} from './server.js';
export { readProxyHeader, ProxyHeaderError } from '../transport/proxy-protocol.js';
