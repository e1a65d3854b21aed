// MMS pieces of the core as pure functions (docs/mms.md): the MMS price precedence and the
// `message.received` event of an inbound MMS with its signed media URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mmsPrice, webhookForMo } from '../../src/gateway/index.js';
import { DEFAULT_MMS_PRICE_FACTOR } from '../../src/domain/index.js';

const user = { rateMicros: 10_000 };
const card = (mmsMicros: number | null) =>
  new Map([['GB', { country: 'GB', smsMicros: 20_000, mmsMicros, inboundMicros: null }]]);

test('mmsPrice: the card MMS column, else the route mmsRate, else the factor × the SMS price', () => {
  assert.deepEqual(mmsPrice(card(55_000), '447700900123', { mmsRate: 0.07 }, user), {
    micros: 55_000,
    from: 'card',
  });
  assert.deepEqual(mmsPrice(card(null), '447700900123', { mmsRate: 0.07 }, user), {
    micros: 70_000,
    from: 'route',
  });
  assert.deepEqual(mmsPrice(card(null), '447700900123', undefined, user), { micros: 80_000, from: 'card' });
  assert.deepEqual(mmsPrice(undefined, '447700900123', { rate: 0.02 }, user), {
    micros: 80_000,
    from: 'route',
  });
  assert.deepEqual(mmsPrice(undefined, '447700900123', undefined, user), {
    micros: 10_000 * DEFAULT_MMS_PRICE_FACTOR,
    from: 'user',
  });
  assert.equal(mmsPrice(undefined, '447700900123', undefined, user, 3).micros, 30_000);
});

test('message.received of an inbound MMS lists its media with signed URLs; an SMS has no media field', () => {
  const mo = {
    id: 'mo1',
    connectorId: 'mmsc',
    source: '447700900123',
    destination: '12345',
    dataCoding: 8,
    body: Buffer.from('\u0000h\u0000i'),
    complete: true,
    routedTo: null,
    receivedAt: 1_700_000_000_000,
    media: [
      { id: 'med_a', contentType: 'image/png', size: 68, filename: 'a.png' },
      { id: 'med_b', contentType: 'image/jpeg', size: 1000 },
    ],
  };
  const target = { url: 'https://example.com/mo', method: 'POST' as const, format: 'rest' as const };
  const hook = webhookForMo(mo, target, undefined, (id) => `https://h.example/media/${id}?sig`);
  const payload = JSON.parse(hook.body).payload;
  assert.equal(payload.text, 'hi');
  assert.deepEqual(payload.media, [
    {
      id: 'med_a',
      content_type: 'image/png',
      size: 68,
      filename: 'a.png',
      url: 'https://h.example/media/med_a?sig',
    },
    { id: 'med_b', content_type: 'image/jpeg', size: 1000, url: 'https://h.example/media/med_b?sig' },
  ]);
  const { media: _m, ...sms } = mo;
  assert.equal(JSON.parse(webhookForMo(sms, target).body).payload.media, undefined);
});

test('an inbound MMS: its subject in message.received and the Telnyx MO; Jasmin MO fields gain media_count and media_url_<n>', () => {
  const mo = {
    id: 'mo2',
    connectorId: 'mmsc',
    source: '447700900123',
    destination: '12345',
    dataCoding: 8,
    body: Buffer.from('\u0000h\u0000i'),
    complete: true,
    routedTo: null,
    receivedAt: 1_700_000_000_000,
    subject: 'Holiday',
    media: [
      { id: 'med_a', contentType: 'image/png', size: 68, filename: 'a.png' },
      { id: 'med_b', contentType: 'image/jpeg', size: 1000 },
    ],
  };
  const url = (id: string) => `https://h.example/media/${id}?sig`;
  const rest = webhookForMo(
    mo,
    { url: 'https://x.example/mo', method: 'POST', format: 'rest' },
    undefined,
    url,
  );
  assert.equal(JSON.parse(rest.body).payload.subject, 'Holiday');
  const telnyx = webhookForMo(
    mo,
    { url: 'https://x.example/mo', method: 'POST', format: 'telnyx' },
    undefined,
    url,
  );
  assert.equal(JSON.parse(telnyx.body).payload.subject, 'Holiday');

  const jasmin = webhookForMo(mo, { url: 'https://x.example/mo', method: 'POST' }, undefined, url);
  const fields = JSON.parse(jasmin.body) as Record<string, string>;
  assert.equal(fields.content, 'hi');
  assert.deepEqual(
    [fields.media_count, fields.media_url_0, fields.media_type_0, fields.media_url_1, fields.media_type_1],
    ['2', url('med_a'), 'image/png', url('med_b'), 'image/jpeg'],
  );
  // An SMS, or a library that cannot sign: Jasmin's fields only.
  const { media: _m, subject: _s, ...sms } = mo;
  const plain = JSON.parse(
    webhookForMo(sms, { url: 'https://x.example/mo', method: 'GET' }, undefined, url).body,
  );
  assert.equal(plain.media_count, undefined);
  assert.equal(
    JSON.parse(webhookForMo(sms, { url: 'https://x.example/mo', method: 'GET', format: 'rest' }).body).payload
      ?.subject,
    undefined,
  );
  const unsigned = JSON.parse(webhookForMo(mo, { url: 'https://x.example/mo', method: 'GET' }).body);
  assert.equal(unsigned.media_url_0, undefined);
});
