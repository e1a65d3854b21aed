// The one door in (src/gateway/draft.ts): every interface builds its SubmitDraft with draftOf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { draftOf } from '../../src/gateway/index.js';

test('text is encoded, and the defaults are those of an HTTP door', () => {
  const d = draftOf({
    systemId: 'acme',
    origin: 'rest',
    from: 'Shop',
    to: '447700900123',
    content: { text: 'Hi' },
  });
  assert.deepEqual(d, {
    systemId: 'acme',
    source: 'Shop',
    destination: '447700900123',
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from('Hi'),
    registeredDelivery: 0,
    priority: 0,
    meta: { origin: 'rest' },
  });
});

test('an SMPP submit keeps its bytes, esm_class (UDH) and registered_delivery', () => {
  const udh = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x41]);
  const d = draftOf({
    systemId: 'acme',
    origin: 'smpp',
    from: '123',
    to: '447700900123',
    content: { body: udh, dataCoding: 0 },
    esmClass: 0x40,
    registeredDelivery: 1,
    priority: 2,
    scheduleAt: 1000,
    validUntil: 2000,
    smppMessageId: 'first',
  });
  assert.equal(d.body, udh);
  assert.equal(d.esmClass, 0x40);
  assert.equal(d.registeredDelivery, 1);
  assert.equal(d.priority, 2);
  assert.deepEqual(d.meta, { origin: 'smpp', scheduleAt: 1000, validUntil: 2000, smppMessageId: 'first' });
});

test('delivery requests, references and given arguments are carried; empty tags are not', () => {
  const d = draftOf({
    systemId: 'acme',
    origin: 'http',
    from: 'Shop',
    to: '447700900123',
    content: { text: 'Привет' },
    dlr: { url: 'https://example.com/dlr', level: 2, method: 'GET' },
    callbackUrl: 'https://example.com/cb',
    callbackFailoverUrl: 'https://example.com/cb2',
    clientRef: 'r1',
    tags: [],
    given: { dlrLevel: true },
  });
  assert.equal(d.dataCoding, 8);
  assert.deepEqual(d.meta, {
    origin: 'http',
    dlr: { url: 'https://example.com/dlr', level: 2, method: 'GET' },
    callbackUrl: 'https://example.com/cb',
    callbackFailoverUrl: 'https://example.com/cb2',
    clientRef: 'r1',
  });
  assert.deepEqual(d.given, { dlrLevel: true });
});
