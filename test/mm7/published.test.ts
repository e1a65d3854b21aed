// Messages other people published (test/fixtures/mm7/README.md names each source) parse to
// the values they carry: interop with relays we did not write, not agreement with ourselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMm7, reportState, type DeliverReq, type Mm7Message } from '../../src/mm7/index.js';
import { sniffMediaType } from '../../src/lib/media-type.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/mm7/${name}`, import.meta.url));

/** The stored files have LF line ends; MIME on the wire has CRLF (RFC 2046 §5.1.1). */
const crlf = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

function parse(
  name: string,
  contentType: string,
  wire: (b: Buffer) => Buffer = crlf,
): { message: Mm7Message; namespace?: string } {
  return parseMm7({ contentType, body: wire(fixture(name)) });
}

const REL6 = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';

test('the 3GPP TS 23.140 annex DeliverReq: one text/plain part, padded delimiters', () => {
  const { message, namespace } = parse(
    'annex-deliver-req.txt',
    'multipart/related; boundary="NextPart_000_0125_01C19839.7237929064"; type="text/xml"; start="</cmvt256/mm7-deliver>"',
  );
  assert.equal(namespace, REL6);
  const m = message as DeliverReq;
  const { content, ...rest } = m;
  assert.deepEqual(rest, {
    kind: 'DeliverReq',
    transactionId: 'vas00324-dlvr',
    version: '6.7.0',
    mmsRelayServerId: '240.110.75.34',
    vaspId: 'TNN',
    vasId: 'Reminder',
    linkedId: 'wthr8391',
    sender: { kind: 'email', value: '97254265781@OMMS.com' },
    timeStamp: '2002-04-15T14:35:21-05:00',
    priority: 'Normal',
    subject: 'Weather Forecast',
  });
  assert.equal(content?.parts.length, 1);
  assert.equal(content!.parts[0].contentId, 'forecast-location2000102-86453');
  assert.equal(content!.parts[0].contentType, 'text/plain;charset="utf-8"');
  assert.equal(Buffer.from(content!.parts[0].bytes).toString(), 'Los Angeles, Calif, USA ');
});

test("a Nokia relay's DeliverReq: mm7p6a0: prefixes, /TYPE=PLMN, a nested multipart/related of base64 SMIL and GIF", async () => {
  const { message } = parse(
    'nokia-deliver-req.txt',
    'multipart/related; boundary="Nokia-mm-messageHandler-BoUnDaRy-=_-735647067"; type=text/xml',
  );
  const m = message as DeliverReq;
  assert.equal(m.transactionId, '4E073C7AQ479306TW26785I371H3M1HA');
  assert.equal(m.mmsRelayServerId, 'Nokia MMS Center MC5.0');
  assert.deepEqual(m.sender, { kind: 'number', value: '+3859100010010/TYPE=PLMN' });
  assert.deepEqual(m.recipients, { to: [{ kind: 'number', value: '88888/TYPE=PLMN' }] });
  assert.equal(m.subject, 'Bomb');
  assert.equal(m.content?.start, 'AAAA');
  const [smil, gif] = m.content!.parts;
  assert.match(
    Buffer.from(smil.bytes).toString(),
    /^<smil><head><layout>.*<img src="Bomb.gif" region="Image">/s,
  );
  assert.equal(gif.contentLocation, 'Bomb.gif');
  assert.equal(gif.bytes.length, 4148);
  assert.deepEqual(await sniffMediaType(gif.bytes), { mime: 'image/gif', ext: 'gif' });
  assert.deepEqual(await sniffMediaType(smil.bytes), { mime: 'application/smil', ext: 'smil' });
});

test("a relay's DeliverReq with a raw binary JPEG, a folded boundary and a spaced cid: href", async () => {
  // Stored with its CRLFs and binary bytes as sent: parsed as is.
  const { message } = parse(
    'xmmc-deliver-req.txt',
    'multipart/related; boundary="----=_Part_15_16023213.1346680532641"; type=text/xml',
    (b) => b,
  );
  const m = message as DeliverReq;
  assert.equal(m.transactionId, '11398c6a2e9f00000010');
  assert.deepEqual(m.sender, { kind: 'number', value: '+381600001200' });
  assert.deepEqual(m.recipients, { to: [{ kind: 'shortCode', value: '121399' }] });
  assert.equal(m.subject, '(no subject)');
  assert.equal(m.content?.start, 'smil');
  const jpeg = m.content!.parts.find((p) => p.contentId === 'DCIM_11')!;
  assert.equal(jpeg.contentLocation, 'DCIM_11.jpg');
  assert.match(jpeg.contentType, /^image\/jpeg/);
  // The source repository stored this JPEG through a text decoder: every byte that is not
  // UTF-8 became U+FFFD (EF BF BD), so the bytes say "JFIF" but are no longer a JPEG. The
  // type comes from the bytes, not from the Content-Type: the sniffer does not call it one.
  assert.deepEqual([...jpeg.bytes.subarray(0, 3)], [0xef, 0xbf, 0xbd]);
  assert.ok(Buffer.from(jpeg.bytes).includes('JFIF'));
  assert.deepEqual(await sniffMediaType(jpeg.bytes), { mime: undefined, ext: undefined });
});

test('a SubmitRsp and an RSErrorRsp Fault as instantcom-mm7 publishes them', () => {
  assert.deepEqual(parse('submit-rsp.xml', 'text/xml').message, {
    kind: 'SubmitRsp',
    transactionId: 'vas00001-sub',
    version: '6.7.0',
    status: { code: 1000, text: 'Success' },
    messageId: '041502073667',
  });
  assert.deepEqual(parse('rs-error-fault.xml', 'text/xml').message, {
    kind: 'RSErrorRsp',
    transactionId: '123456',
    version: '6.8.0',
    status: { code: 4002, text: 'Unsupported version' },
    faultCode: 'Client',
    faultString: 'Client error',
  });
});

test("Skycore's delivery report (namespace on the Envelope) and its unqualified response", () => {
  const dr = parse('skycore-delivery-report.xml', 'text/xml');
  assert.equal(dr.namespace, REL6);
  assert.deepEqual(dr.message, {
    kind: 'DeliveryReportReq',
    transactionId: '10000001',
    version: '6.8.0',
    messageId: '369500617770864640',
    recipient: { kind: 'number', value: '16175550123' },
    sender: { kind: 'number', value: '111122' },
    date: '2015-03-16T14:03:51.749Z',
    mmStatus: 'Retrieved',
    statusText: 'Success',
  });
  assert.equal(reportState((dr.message as { mmStatus: string }).mmStatus), 'delivered');
  const rsp = parse('skycore-delivery-report-rsp.xml', 'text/xml');
  assert.equal(rsp.namespace, undefined);
  assert.deepEqual(rsp.message, {
    kind: 'DeliveryReportRsp',
    transactionId: '1000001',
    version: '6.8.0',
    status: { code: 1000, text: 'Successfully Received MMS.' },
  });
});
