export { SmppServer, type SmppServerOptions, type BindRequest, type Authenticate, type LockoutPolicy } from './server.js';
