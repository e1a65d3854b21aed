/** The stores' tests' shared fixtures. */
import { newMessageId, type NewMessage } from '../../src/domain/index.js';

/** A new one-part SMS of `userId` (customer `shop`, connector `c1`, 0.01 charged), with `extra` over it. */
export const newMessage = (userId: number, extra: Partial<NewMessage> = {}): NewMessage => ({
  id: newMessageId(),
  userId,
  systemId: 'shop',
  source: 'Shop',
  destination: '447700900123',
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hello'),
  registeredDelivery: 1,
  priority: 0,
  connectorId: 'c1',
  priceMicros: 10_000,
  ...extra,
});
