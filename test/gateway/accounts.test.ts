// The account rules of the submit path (src/gateway/accounts.ts), as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSubmission,
  partsOf,
  RejectedError,
  Throttles,
  type Submission,
} from '../../src/gateway/index.js';
import { userSettings, type User, type UserSettingsSpec } from '../../src/domain/index.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const user = (settings: UserSettingsSpec = {}, extra: Partial<User> = {}): User => ({
  id: 1,
  username: 'u',
  passwordHash: 'x',
  balanceMicros: 0,
  rateMicros: 0,
  enabled: true,
  group: null,
  smsCount: null,
  settings: userSettings(settings),
  ...extra,
});
const sub = (extra: Partial<Submission> = {}): Submission => ({
  source: 'Shop',
  destination: '447700900123',
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hello'),
  priority: 0,
  meta: {},
  ...extra,
});
const refused = (code: string, http?: number) => (e: unknown) =>
  e instanceof RejectedError && e.code === code && (http === undefined || e.httpStatus === http);

test('parts: 160 septets or 140 octets in one SMS, then 153 / 134 per part; a customer UDH part is long', () => {
  assert.equal(partsOf({ esmClass: 0, dataCoding: 0, body: Buffer.alloc(160) }).parts, 1);
  assert.equal(partsOf({ esmClass: 0, dataCoding: 0, body: Buffer.alloc(161) }).parts, 2);
  assert.equal(partsOf({ esmClass: 0, dataCoding: 0, body: Buffer.alloc(307) }).parts, 3);
  assert.equal(partsOf({ esmClass: 0, dataCoding: 8, body: Buffer.alloc(140) }).parts, 1);
  assert.equal(partsOf({ esmClass: 0, dataCoding: 8, body: Buffer.alloc(141) }).parts, 2);
  assert.deepEqual(partsOf({ esmClass: 0x40, dataCoding: 0, body: Buffer.from([5, 0, 3, 1, 2, 1, 0x41]) }), {
    parts: 1,
    concatenated: true,
  });
});

test('defaults allow everything and keep the source; an empty source takes the default', () => {
  assert.deepEqual(
    checkSubmission(
      user(),
      undefined,
      sub({
        priority: 3,
        meta: {
          scheduleAt: NOW + 1000,
          validUntil: NOW + 60_000,
          dlr: { url: 'http://x', level: 3, method: 'GET' },
        },
      }),
      NOW,
    ),
    {
      source: 'Shop',
      parts: 1,
    },
  );
  assert.equal(
    checkSubmission(user({ defaults: { sourceAddr: 'Dflt' } }), undefined, sub({ source: '' }), NOW).source,
    'Dflt',
  );
  assert.equal(
    checkSubmission(
      user({ authorizations: { sourceAddr: false }, defaults: { sourceAddr: 'Dflt' } }),
      undefined,
      sub({ source: 'Dflt' }),
      NOW,
    ).source,
    'Dflt',
    'giving the default itself is not a choice',
  );
});

test('each authorization refuses with its own code', () => {
  const no = (k: keyof ReturnType<typeof userSettings>['authorizations']) =>
    user({ authorizations: { [k]: false } });
  const dlr = { url: 'http://x', level: 1, method: 'POST' } as const;
  assert.throws(
    () => checkSubmission(no('dlrLevel'), undefined, sub({ meta: { dlr }, given: { dlrLevel: true } }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_DLR_LEVEL', 403),
  );
  checkSubmission(no('dlrLevel'), undefined, sub({ meta: { dlr } }), NOW); // a DLR at the default level is not setting one
  assert.throws(
    () =>
      checkSubmission(no('dlrMethod'), undefined, sub({ meta: { dlr }, given: { dlrMethod: true } }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_DLR_METHOD', 403),
  );
  checkSubmission(no('dlrMethod'), undefined, sub({ meta: { dlr } }), NOW);
  assert.throws(
    () => checkSubmission(no('hexContent'), undefined, sub({ given: { hexContent: true } }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_HEX_CONTENT'),
    'hex content with data_coding 0',
  );
  assert.throws(
    () => checkSubmission(no('priority'), undefined, sub({ priority: 1 }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_PRIORITY'),
  );
  assert.throws(
    () => checkSubmission(no('schedule'), undefined, sub({ meta: { scheduleAt: NOW } }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_SCHEDULE'),
  );
  assert.throws(
    () => checkSubmission(no('validityPeriod'), undefined, sub({ meta: { validUntil: NOW + 1 } }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_VALIDITY'),
  );
  assert.throws(
    () => checkSubmission(no('hexContent'), undefined, sub({ dataCoding: 0xf6 }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_HEX_CONTENT'),
  );
  assert.throws(
    () => checkSubmission(no('longContent'), undefined, sub({ body: Buffer.alloc(200) }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_LONG_CONTENT'),
  );
  assert.throws(
    () => checkSubmission(no('sourceAddr'), undefined, sub({ source: 'Mine' }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_SOURCE'),
  );
  assert.throws(
    () => checkSubmission(no('smppsSend'), undefined, sub({ meta: { origin: 'smpp' } }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_INTERFACE'),
  );
  assert.throws(
    () => checkSubmission(no('httpSend'), undefined, sub({ meta: { origin: 'rest' } }), NOW),
    refused('HERMOD_ERR_FORBIDDEN_INTERFACE'),
  );
  checkSubmission(no('httpSend'), undefined, sub({ meta: { origin: 'smpp' } }), NOW);
});

test('value filters: source, destination, content (decoded text), priority, validity in minutes', () => {
  const f = user({
    valueFilters: {
      sourceAddr: '^Shop$',
      destinationAddr: '^44',
      content: '^[^!]*$',
      priority: '^[01]$',
      validityPeriod: '^([1-9]|[1-5][0-9]|60)$',
    },
  });
  checkSubmission(f, undefined, sub({ priority: 1, meta: { validUntil: NOW + 60 * 60_000 } }), NOW);
  assert.throws(
    () => checkSubmission(f, undefined, sub({ source: 'Other' }), NOW),
    refused('HERMOD_ERR_FILTER_SOURCE'),
  );
  assert.throws(
    () => checkSubmission(f, undefined, sub({ destination: '33612345678' }), NOW),
    refused('HERMOD_ERR_FILTER_DESTINATION'),
  );
  assert.throws(
    () => checkSubmission(f, undefined, sub({ body: Buffer.from('win!!!') }), NOW),
    refused('HERMOD_ERR_FILTER_CONTENT'),
  );
  const ucs2 = Buffer.from('price 5!', 'utf16le').swap16();
  assert.throws(
    () => checkSubmission(f, undefined, sub({ dataCoding: 8, body: ucs2 }), NOW),
    refused('HERMOD_ERR_FILTER_CONTENT'),
    'UCS-2 is decoded before matching',
  );
  assert.throws(
    () => checkSubmission(f, undefined, sub({ priority: 2 }), NOW),
    refused('HERMOD_ERR_FILTER_PRIORITY'),
  );
  assert.throws(
    () => checkSubmission(f, undefined, sub({ meta: { validUntil: NOW + 61 * 60_000 } }), NOW),
    refused('HERMOD_ERR_FILTER_VALIDITY'),
  );
});

test('state and times: disabled user or group, priority out of range, validity already over or before the schedule', () => {
  assert.throws(
    () => checkSubmission(user({}, { enabled: false }), undefined, sub(), NOW),
    refused('HERMOD_ERR_USER_DISABLED', 403),
  );
  assert.throws(
    () =>
      checkSubmission(
        user(),
        { id: 'g', description: null, enabled: false, createdAt: 0, updatedAt: 0 },
        sub(),
        NOW,
      ),
    refused('HERMOD_ERR_GROUP_DISABLED', 403),
  );
  assert.throws(
    () => checkSubmission(user(), undefined, sub({ priority: 4 }), NOW),
    refused('HERMOD_ERR_INVALID_PRIORITY', 400),
  );
  assert.throws(
    () => checkSubmission(user(), undefined, sub({ meta: { validUntil: NOW } }), NOW),
    refused('HERMOD_ERR_INVALID_VALIDITY', 400),
  );
  assert.throws(
    () =>
      checkSubmission(
        user(),
        undefined,
        sub({ meta: { scheduleAt: NOW + 10_000, validUntil: NOW + 5000 } }),
        NOW,
      ),
    refused('HERMOD_ERR_INVALID_VALIDITY'),
  );
});

test('throughput: one second’s worth passes, the next is refused with HTTP 429 / ESME_RTHROTTLED; unlimited never', () => {
  const t = new Throttles();
  const limited = user({ throughput: { http: 2 } });
  t.check(limited, 'http');
  t.check(limited, 'http');
  assert.throws(
    () => t.check(limited, 'http'),
    (e: unknown) =>
      e instanceof RejectedError &&
      e.code === 'HERMOD_ERR_THROTTLED' &&
      e.httpStatus === 429 &&
      e.smppStatus === 0x58,
  );
  for (let i = 0; i < 100; i++) t.check(limited, 'smpp'); // no smpp limit
  for (let i = 0; i < 100; i++) t.check(user({}, { username: 'other' }), 'http');
});
