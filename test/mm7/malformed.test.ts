// Input MM7 must refuse, each with its typed error and the MM7 status to answer with; and
// random or mutated input never ends in anything but a message or an Mm7ParseError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  answerMm7,
  encodeMm7,
  Mm7ParseError,
  parseMm7,
  responseTo,
  status,
  type Mm7Limits,
  type SubmitReq,
} from '../../src/mm7/index.js';
import { message } from './arbitraries.js';

const NS = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';

function envelope(body: string, ns = NS): string {
  return `<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header><mm7:TransactionID xmlns:mm7="${ns}" env:mustUnderstand="1">t-9</mm7:TransactionID></env:Header><env:Body>${body}</env:Body></env:Envelope>`;
}

const xml = (s: string) => ({ contentType: 'text/xml', body: Buffer.from(s) });

function refuses(
  input: { contentType: string; body: Uint8Array },
  code: string,
  mm7Status: number,
  limits?: Mm7Limits,
) {
  assert.throws(
    () => parseMm7(input, limits),
    (err: unknown) => {
      assert.ok(err instanceof Mm7ParseError, `not an Mm7ParseError: ${String(err)}`);
      assert.equal(err.code, code, err.message);
      assert.equal(err.status, mm7Status, err.message);
      return true;
    },
  );
}

const submit: SubmitReq = {
  kind: 'SubmitReq',
  transactionId: 't-1',
  version: '6.8.0',
  recipients: { to: [{ kind: 'number', value: '15551230000' }] },
  content: {
    parts: [
      { contentType: 'text/plain', contentId: 'a', bytes: Buffer.from('one') },
      { contentType: 'text/plain', contentId: 'b', bytes: Buffer.from('two') },
      { contentType: 'text/plain', contentId: 'c', bytes: Buffer.from('three') },
    ],
  },
};

test('XML that is not well-formed: 2007', () => {
  refuses(xml('<env:Envelope xmlns:env="x"><a></env:Envelope>'), 'HERMOD_ERR_MM7_XML', 2007);
  refuses(xml(''), 'HERMOD_ERR_MM7_XML', 2007);
  refuses(
    xml(envelope('<SubmitReq xmlns="' + NS + '"><MM7Version>&nbsp;</MM7Version></SubmitReq>')),
    'HERMOD_ERR_MM7_XML',
    2007,
  );
  refuses(xml(envelope('<x:SubmitReq/>')), 'HERMOD_ERR_MM7_XML', 2007);
  refuses(xml('<a>'.repeat(200) + '</a>'.repeat(200)), 'HERMOD_ERR_MM7_XML', 2007);
});

test('a DOCTYPE (entity expansion, external entities) is refused before parsing: 2007', () => {
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';
  refuses(
    xml(
      laughs +
        envelope('<SubmitReq xmlns="' + NS + '"><MM7Version>&lol3;</MM7Version></SubmitReq>').replace(
          '<?xml version="1.0"?>',
          '',
        ),
    ),
    'HERMOD_ERR_MM7_DOCTYPE',
    2007,
  );
  refuses(xml('<!DOCTYPE x SYSTEM "file:///etc/passwd"><x>&xxe;</x>'), 'HERMOD_ERR_MM7_DOCTYPE', 2007);
  // Predefined entities and character references still read.
  const ok = parseMm7(
    xml(
      envelope(
        `<SubmitRsp xmlns="${NS}"><MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>A&amp;B &#x41;&#66; &lt;ok&gt;</StatusText></Status></SubmitRsp>`,
      ),
    ),
  );
  assert.deepEqual((ok.message as { status: unknown }).status, { code: 1000, text: 'A&B AB <ok>' });
});

test('not a SOAP envelope, a foreign namespace, an unknown operation', () => {
  refuses(xml('<Envelope><Body/></Envelope>'), 'HERMOD_ERR_MM7_NOT_SOAP', 2007);
  refuses(
    xml(envelope('<SubmitRsp xmlns="urn:example:not-mm7"><MM7Version>6.8.0</MM7Version></SubmitRsp>')),
    'HERMOD_ERR_MM7_NAMESPACE',
    4002,
  );
  refuses(xml(envelope('<SubmitRsp/>', 'urn:example:not-mm7')), 'HERMOD_ERR_MM7_NAMESPACE', 4002);
  refuses(
    xml(envelope(`<CancelReq xmlns="${NS}"><MM7Version>6.8.0</MM7Version></CancelReq>`)),
    'HERMOD_ERR_MM7_UNKNOWN_MESSAGE',
    4003,
  );
});

test('missing required elements and bad values: 4004', () => {
  refuses(
    xml(
      envelope(
        `<DeliveryReportReq xmlns="${NS}"><MM7Version>6.8.0</MM7Version><Recipient><Number>1</Number></Recipient></DeliveryReportReq>`,
      ),
    ),
    'HERMOD_ERR_MM7_MISSING_ELEMENT',
    4004,
  );
  refuses(
    xml(envelope(`<SubmitReq xmlns="${NS}"><MM7Version>6.8.0</MM7Version><Recipients/></SubmitReq>`)),
    'HERMOD_ERR_MM7_MISSING_ELEMENT',
    4004,
  );
  refuses(
    xml(
      envelope(
        `<SubmitReq xmlns="${NS}"><MM7Version>6.8.0</MM7Version><Recipients><To><Number>1</Number></To></Recipients><DeliveryReport>maybe</DeliveryReport></SubmitReq>`,
      ),
    ),
    'HERMOD_ERR_MM7_BAD_VALUE',
    4004,
  );
  refuses(
    xml(
      envelope(
        `<SubmitRsp xmlns="${NS}"><MM7Version>6.8.0</MM7Version><Status><StatusCode>x</StatusCode></Status></SubmitRsp>`,
      ),
    ),
    'HERMOD_ERR_MM7_BAD_VALUE',
    4004,
  );
  const noTid = envelope(`<SubmitRsp xmlns="${NS}"/>`).replace(/<env:Header>.*<\/env:Header>/, '');
  refuses(xml(noTid), 'HERMOD_ERR_MM7_MISSING_ELEMENT', 4004);
});

test('the envelope: wrong content type, no boundary, no start part, a dangling cid:, broken multipart', () => {
  const { contentType, body } = encodeMm7(submit);
  refuses({ contentType: 'application/json', body }, 'HERMOD_ERR_MM7_CONTENT_TYPE', 2007);
  refuses({ contentType: 'multipart/related; type="text/xml"', body }, 'HERMOD_ERR_MM7_MULTIPART', 2007);
  refuses(
    { contentType: contentType.replace('start="<mm7-soap@hermod>"', 'start="<elsewhere>"'), body },
    'HERMOD_ERR_MM7_START_PART',
    2007,
  );
  const dangling = Buffer.from(
    body.toString('latin1').replace('href="cid:mm7-content@hermod"', 'href="cid:nowhere"'),
    'latin1',
  );
  refuses({ contentType, body: dangling }, 'HERMOD_ERR_MM7_CONTENT_REF', 2004);
  refuses({ contentType, body: body.subarray(0, body.length - 40) }, 'HERMOD_ERR_MM7_MULTIPART', 2007);
  // Found by the fuzz test below: a header byte that is not UTF-8 made the multipart parser
  // throw a TypeError when its headers were first read.
  const latin1 = Buffer.from(
    body.toString('latin1').replace('Content-ID: <a>', 'Content-ID: <\xe9>'),
    'latin1',
  );
  refuses({ contentType, body: latin1 }, 'HERMOD_ERR_MM7_MULTIPART', 2007);
});

test('limits: total size and parts, the nested ones counted: 2004', () => {
  const { contentType, body } = encodeMm7(submit);
  refuses({ contentType, body }, 'HERMOD_ERR_MM7_TOO_LARGE', 2004, {
    maxBytes: body.length - 1,
    maxParts: 32,
    maxHeaderBytes: 8192,
  });
  // 2 outer parts + 3 nested = 5.
  refuses({ contentType, body }, 'HERMOD_ERR_MM7_TOO_MANY_PARTS', 2004, {
    maxBytes: 1 << 20,
    maxParts: 4,
    maxHeaderBytes: 8192,
  });
  assert.equal(
    parseMm7({ contentType, body }, { maxBytes: body.length, maxParts: 5, maxHeaderBytes: 8192 }).message
      .kind,
    'SubmitReq',
  );
  refuses({ contentType, body }, 'HERMOD_ERR_MM7_TOO_LARGE', 2004, {
    maxBytes: 1 << 20,
    maxParts: 32,
    maxHeaderBytes: 40,
  });
});

test('answerMm7 answers what it cannot read with a Fault: RSErrorRsp, the status, the TransactionID, HTTP 500', async () => {
  const bad = xml(
    envelope(`<SubmitReq xmlns="${NS}"><MM7Version>6.8.0</MM7Version><Recipients/></SubmitReq>`),
  );
  const a = await answerMm7(bad, () => assert.fail('not handled'), { role: 'relay' });
  assert.equal(a.status, 500);
  const back = parseMm7({ contentType: a.contentType, body: a.body }).message;
  assert.equal(back.kind, 'RSErrorRsp');
  assert.equal(back.transactionId, 't-9');
  assert.equal((back as { status: { code: number } }).status.code, 4004);
  const ok = await answerMm7(encodeMm7(submit), (req) => responseTo(req, status(1000), { messageId: 'm1' }), {
    role: 'relay',
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(parseMm7({ contentType: ok.contentType, body: ok.body }).message, {
    kind: 'SubmitRsp',
    transactionId: 't-1',
    version: '6.8.0',
    status: { code: 1000, text: 'Success' },
    messageId: 'm1',
  });
});

/** Parses, and lets only an Mm7ParseError through. */
function parsesOrRefuses(input: { contentType: string; body: Uint8Array }): void {
  try {
    parseMm7(input, { maxBytes: 1 << 20, maxParts: 16, maxHeaderBytes: 4096 });
  } catch (err) {
    if (!(err instanceof Mm7ParseError)) throw err;
  }
}

test('random bytes and mutated messages end as a message or an Mm7ParseError', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 400 }),
      fc.constantFrom('text/xml', 'multipart/related; boundary=x'),
      (body, ct) => parsesOrRefuses({ contentType: ct, body }),
    ),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(
      message,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (m, flips) => {
        const { contentType, body } = encodeMm7(m);
        const mutated = Buffer.from(body);
        for (const [at, byte] of flips) mutated[at % mutated.length] = byte;
        parsesOrRefuses({ contentType, body: mutated });
        parsesOrRefuses({ contentType, body: mutated.subarray(0, flips[0][0] % mutated.length) });
      },
    ),
    { numRuns: 150 },
  );
});
