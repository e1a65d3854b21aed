export { SmppClient, type SmppClientOptions, type ClientStatus } from './client.js';
