export { SmppClient, type SmppClientOptions, type ClientStatus } from './client.js';
export { OutbindListener, type OutbindListenerOptions } from './outbind.js';
