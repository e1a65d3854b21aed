export { CustomerSmppServer } from './customer-server.js';
