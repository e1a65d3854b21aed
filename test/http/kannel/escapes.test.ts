// Kannel's dlr-url escapes and dlr-mask bits (src/gateway/kannel.ts), pure. The expected
// values are what a real Kannel 1.4.5 (Debian bookworm smsbox + bearerbox, sending to Hermod's
// simulator) called its dlr-url with: docs/kannel-http-api.md keeps the captured requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DLR_MASK,
  fillEscapes,
  kannelDlrOf,
  kannelDlrWebhook,
  kannelUrlEncode,
  maskWants,
  type EscapeValues,
} from '../../../src/gateway/kannel.js';
import type { StoredMessage } from '../../../src/domain/index.js';
import type { Receipt } from '../../../src/smpp/index.js';

const RECEIPT_TEXT =
  'id:0000000c sub:001 dlvrd:001 submit date:2612071522 done date:2612071522 stat:DELIVRD err:000 text:Hello world';

const values: EscapeValues = {
  type: 1,
  text: RECEIPT_TEXT,
  phone: '+447700900123',
  own: 'Hermod',
  at: Date.UTC(2026, 11, 7, 15, 22, 37),
  foreignId: '0000000c',
  messageId: '01m98hzwpsm1p1bw18c0x01m3x',
  service: 'ref',
  smscId: 'sim',
  account: 'acc 1',
  binfo: 'b/i',
  metaData: '?smpp?a=b',
  dlrUrl: 'http://x/d?a=%d',
};

// What Kannel 1.4.5 sent for the DELIVRD DLR of the captured request (its %I, a fresh UUID
// per DLR in Kannel, is Hermod's message id here; %o %B %D are what sendsms was given).
const cases: [string, string][] = [
  ['%d', '1'],
  ['%p', '%2B447700900123'],
  ['%P', 'Hermod'],
  ['%t', '2026-12-07+15:22:37'],
  ['%T', String(Date.UTC(2026, 11, 7, 15, 22, 37) / 1000)],
  [
    '%A',
    'id%3A0000000c+sub%3A001+dlvrd%3A001+submit+date%3A2612071522+done+date%3A2612071522+stat%3ADELIVRD+err%3A000+text%3AHello+world',
  ],
  ['%F', '0000000c'],
  ['%I', '01m98hzwpsm1p1bw18c0x01m3x'],
  ['%n', 'ref'],
  ['%q', '%2B447700900123'],
  ['%Q', 'Hermod'],
  ['%k', 'id%3A0000000c'],
  ['%s', 'sub%3A001'],
  ['%S', 'sub:001'],
  ['%s %S', 'sub%3A001 dlvrd:001'],
  ['%i', 'sim'],
  ['%b', kannelUrlEncode(RECEIPT_TEXT)],
  ['%a', kannelUrlEncode(RECEIPT_TEXT)],
  [
    '%r',
    'sub%3A001+dlvrd%3A001+submit+date%3A2612071522+done+date%3A2612071522+stat%3ADELIVRD+err%3A000+text%3AHello+world',
  ],
  ['%c', '-1'],
  ['%m', '-1'],
  ['%M', '-1'],
  ['%C', 'UTF-8'],
  ['%u', ''],
  ['%B', 'b%2Fi'],
  ['%o', 'acc+1'],
  ['%O', '00'],
  ['%f', ''],
  ['%R', 'http%3A%2F%2Fx%2Fd%3Fa%3D%25d'],
  ['%D', '%3Fsmpp%3Fa%3Db'],
  ['%v', ''],
  ['%V', ''],
  ['%%', '%'],
  // Unknown escapes are left as written, as Kannel 1.4.5 does (%x %X %h in the capture).
  ['%x', '%x'],
  ['%X', '%X'],
  ['%h', '%h'],
  ['100%', '100%'],
];

for (const [pattern, want] of cases) {
  test(`escape ${pattern} is filled as Kannel fills it in a DLR`, () => {
    assert.equal(fillEscapes(pattern, values), want);
  });
}

test('%q and %Q write a leading 00 as an encoded +', () => {
  const v = { ...values, phone: '00447700900123', own: '0044123' };
  assert.equal(fillEscapes('%q|%Q|%p', v), '%2B447700900123|%2B44123|00447700900123');
});

test("Kannel's URL encoding: letters, digits and -_.!~*'() stay, a space is +, the rest %XX of UTF-8", () => {
  assert.equal(kannelUrlEncode("a-b_c.d!e~f*g'h(i)j"), "a-b_c.d!e~f*g'h(i)j");
  assert.equal(kannelUrlEncode('a b/c:d&e=f+g'), 'a+b%2Fc%3Ad%26e%3Df%2Bg');
  assert.equal(kannelUrlEncode('é€'), '%C3%A9%E2%82%AC');
});

test('the ACK text: a PlaySMS-style dlr-url with the ACK of a submit (Kannel %A "ACK/")', () => {
  assert.equal(
    fillEscapes('http://p/index.php?type=%d&slid=42&A=%A&k=%k', { ...values, type: 8, text: 'ACK/' }),
    'http://p/index.php?type=8&slid=42&A=ACK%2F&k=ACK%2F',
  );
});

const message = (meta: StoredMessage['meta'] = {}): StoredMessage => ({
  id: 'm1',
  userId: 1,
  systemId: 'ref',
  source: 'Hermod',
  destination: '447700900123',
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hi'),
  registeredDelivery: 0,
  priority: 0,
  connectorId: 'sim',
  priceMicros: 0,
  meta,
  state: 'sent',
  upstreamId: '0000000c',
  error: null,
  createdAt: Date.UTC(2026, 11, 7, 15, 22),
  updatedAt: Date.UTC(2026, 11, 7, 15, 22),
});

const receipt = (stat: Receipt['stat'], state: Receipt['state']): Receipt => ({
  id: '0000000c',
  stat,
  state,
  sub: 1,
  dlvrd: state === 'delivered' ? 1 : 0,
  err: '000',
  raw: `id:0000000c sub:001 dlvrd:000 submit date:2612071522 done date:2612071522 stat:${stat} err:000 text:`,
});

test('every dlr-mask bit: the state change that is it, and its %A text', () => {
  const at = Date.now();
  const m = message();
  assert.deepEqual(kannelDlrOf(m, { state: 'sent', at, upstreamId: '0000000c' }), {
    type: DLR_MASK.smscSubmit,
    text: 'ACK/',
    foreignId: '0000000c',
  });
  const nack = kannelDlrOf(m, { state: 'failed', at, error: 'ESME_RINVDSTADR (0x0000000b)' });
  assert.equal(nack?.type, DLR_MASK.smscReject);
  assert.equal(nack?.text, 'NACK/0x0000000b/ESME_RINVDSTADR (0x0000000b)');
  for (const [stat, state] of [
    ['ENROUTE', 'enroute'],
    ['ACCEPTD', 'accepted'],
  ] as const) {
    const d = kannelDlrOf(m, { state: 'sent', at, receipt: receipt(stat, state) });
    assert.equal(d?.type, DLR_MASK.buffered, stat);
    assert.match(d!.text, new RegExp(`stat:${stat}`));
  }
  assert.equal(
    kannelDlrOf(m, { state: 'delivered', at, receipt: receipt('DELIVRD', 'delivered') })?.type,
    DLR_MASK.delivered,
  );
  for (const [stat, state, mstate] of [
    ['UNDELIV', 'undelivered', 'undelivered'],
    ['EXPIRED', 'expired', 'expired'],
    ['REJECTD', 'rejected', 'rejected'],
  ] as const)
    assert.equal(
      kannelDlrOf(m, { state: mstate, at, receipt: receipt(stat, state) })?.type,
      DLR_MASK.undelivered,
      stat,
    );
  // Expired in Hermod's queue (no receipt): undelivered, with a receipt text Hermod writes.
  const expired = kannelDlrOf(m, { state: 'expired', at, error: 'validity ended' });
  assert.equal(expired?.type, DLR_MASK.undelivered);
  assert.match(expired!.text, /^id:0000000c sub:001 dlvrd:000 .* stat:EXPIRED err:000 text:$/);
  assert.equal(kannelDlrOf(m, { state: 'queued', at }), undefined);
});

test('maskWants: each bit alone, and a submit failure for mask 2 too (as Kannel)', () => {
  for (const bit of [1, 2, 4, 8, 16]) {
    assert.equal(maskWants(bit, bit), true);
    for (const other of [1, 2, 4, 8].filter((b) => b !== bit)) assert.equal(maskWants(bit, other), false);
  }
  assert.equal(maskWants(2, DLR_MASK.smscReject), true);
  assert.equal(maskWants(1, DLR_MASK.smscReject), false);
  assert.equal(maskWants(31, DLR_MASK.buffered), true);
});

test('kannelDlrWebhook: a GET of the filled URL, only for the bits the mask asks for', () => {
  const m = message({ kannel: { dlrUrl: 'http://p/dlr?type=%d&id=%I&smsc=%F', dlrMask: 9 } });
  const at = Date.now();
  const ack = kannelDlrWebhook(m, { state: 'sent', at, upstreamId: '0000000c' }, at + 1000);
  assert.equal(ack?.kind, 'kannel_dlr');
  assert.equal(ack?.method, 'GET');
  assert.equal(ack?.url, 'http://p/dlr?type=8&id=m1&smsc=0000000c');
  assert.equal(ack?.expiresAt, at + 1000);
  const done = kannelDlrWebhook(m, { state: 'delivered', at, receipt: receipt('DELIVRD', 'delivered') }, at);
  assert.equal(done?.url, 'http://p/dlr?type=1&id=m1&smsc=0000000c');
  // Mask 9 asks for neither undelivered (2) nor buffered (4).
  assert.equal(
    kannelDlrWebhook(m, { state: 'undelivered', at, receipt: receipt('UNDELIV', 'undelivered') }, at),
    undefined,
  );
  assert.equal(
    kannelDlrWebhook(m, { state: 'sent', at, receipt: receipt('ENROUTE', 'enroute') }, at),
    undefined,
  );
  assert.equal(kannelDlrWebhook(message(), { state: 'sent', at }, at), undefined);
});
