// MM7 encode → parse: every message type, both schema namespaces, the envelope with binary
// attachments (fast-check properties), and the status and MMStatus tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MM7_NAMESPACES,
  encodeMm7,
  encodeSoap,
  parseMm7,
  parseSoap,
  reportState,
  statusOutcome,
  statusText,
  type SubmitReq,
} from '../../src/mm7/index.js';
import { comparable, message } from './arbitraries.js';

const namespaces = fc.constantFrom(...Object.values(MM7_NAMESPACES).map((n) => n.uri));

test('every message type survives encodeMm7 → parseMm7, in REL-5 and REL-6', () => {
  fc.assert(
    fc.property(message, namespaces, (m, ns) => {
      const { contentType, body } = encodeMm7(m, { namespace: ns });
      const parsed = parseMm7({ contentType, body });
      assert.deepEqual(comparable(parsed.message), comparable(m));
      assert.equal(parsed.namespace, ns);
    }),
    { numRuns: 120 },
  );
});

test('the SOAP part alone survives encodeSoap → parseSoap, and names its content by cid:', () => {
  fc.assert(
    fc.property(message, (m) => {
      const xml = encodeSoap(m, { contentHref: 'cid:x@y' });
      const { message: back, contentHref } = parseSoap(xml);
      const { content: _c, ...rest } = m as SubmitReq;
      assert.deepEqual(structuredClone(back), structuredClone(rest));
      if (m.kind === 'SubmitReq' || m.kind === 'DeliverReq') assert.equal(contentHref, 'cid:x@y');
    }),
    { numRuns: 100 },
  );
});

test('a message with content is multipart/related with start = the SOAP part, binary parts', () => {
  const m: SubmitReq = {
    kind: 'SubmitReq',
    transactionId: 't-1',
    version: '6.8.0',
    recipients: { to: [{ kind: 'number', value: '+15551230000' }] },
    content: {
      parts: [
        { contentType: 'image/jpeg', contentId: 'p1', bytes: Buffer.from([0xff, 0xd8, 0xff, 0x0d, 0x0a]) },
      ],
    },
  };
  const { contentType, body } = encodeMm7(m);
  assert.match(
    contentType,
    /^multipart\/related; boundary="[^"]+"; type="text\/xml"; start="<mm7-soap@hermod>"$/,
  );
  const text = body.toString('latin1');
  assert.match(text, /Content-ID: <mm7-soap@hermod>/);
  assert.match(text, /<Content href="cid:p1"\/>/);
  assert.match(
    text,
    /Content-Type: image\/jpeg\r\nContent-ID: <p1>\r\nContent-Transfer-Encoding: binary\r\n\r\n\xff\xd8\xff\r\n\r\n--/,
  );
  // Without content: the envelope alone, text/xml.
  const rsp = encodeMm7({
    kind: 'SubmitRsp',
    transactionId: 't-1',
    version: '6.8.0',
    status: { code: 1000 },
  });
  assert.equal(rsp.contentType, 'text/xml; charset=utf-8');
});

test('status codes: outcome by the table, else by class; text by the table', () => {
  assert.equal(statusOutcome(1000), 'accepted');
  assert.equal(statusOutcome(1100), 'accepted');
  assert.equal(statusOutcome(2002), 'permanent');
  assert.equal(statusOutcome(3000), 'temporary');
  assert.equal(statusOutcome(3002), 'permanent');
  assert.equal(statusOutcome(4006), 'temporary');
  assert.equal(statusOutcome(4001), 'permanent');
  assert.equal(statusOutcome(2999), 'permanent');
  assert.equal(statusOutcome(3999), 'temporary');
  assert.equal(statusOutcome(9999), 'permanent');
  assert.equal(statusText(4002), 'Unsupported version');
  assert.equal(statusText(2042), 'Client error');
});

test('MMStatus → Hermod state', () => {
  const expected = {
    Retrieved: 'delivered',
    Forwarded: 'delivered',
    Expired: 'expired',
    Rejected: 'rejected',
    Deferred: 'enroute',
    Indeterminate: 'unknown',
    DeliveryConditionNotMet: 'undelivered',
    Unrecognised: 'undelivered',
    Read: 'delivered',
    Deleted: 'delivered',
    'Something-Else': 'unknown',
  };
  for (const [mm, state] of Object.entries(expected)) assert.equal(reportState(mm), state, mm);
});
