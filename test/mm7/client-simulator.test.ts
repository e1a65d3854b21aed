// The VASP client against the MMSC simulator over real sockets: submits with one JPEG, with an
// MP4, with three attachments and a SMIL, each answered 1000 and followed by its delivery
// report at the VASP; scripted outcomes and refusals; forged credentials; the deadline;
// an inbound DeliverReq with two pictures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Mm7Client,
  Mm7RequestError,
  MmscSimulator,
  reportState,
  responseTo,
  startMm7Server,
  status,
  type DeliverReq,
  type DeliveryReportReq,
  type Mm7Request,
  type Mm7Server,
  type SubmitReq,
} from '../../src/mm7/index.js';
import { sniffMediaType } from '../../src/lib/media-type.js';
import { GIF, JPEG, MP3, MP4, PNG, SMIL } from './media.js';

const VASP = { username: 'acme', password: 's3cret' };
const MMSC_AT_VASP = { username: 'mmsc', password: 'r3lay' };

let vasp: Mm7Server;
let sim: MmscSimulator;
let client: Mm7Client;
const received: Mm7Request[] = [];
const waiters: { pred: (r: Mm7Request) => boolean; resolve: (r: Mm7Request) => void }[] = [];

/** The next request the VASP receives that matches (or one already received). */
function arrival<T extends Mm7Request>(pred: (r: Mm7Request) => boolean): Promise<T> {
  const seen = received.find(pred);
  if (seen) return Promise.resolve(seen as T);
  return new Promise((resolve) => waiters.push({ pred, resolve: resolve as (r: Mm7Request) => void }));
}

const reportFor = (messageId: string) =>
  arrival<DeliveryReportReq>((r) => r.kind === 'DeliveryReportReq' && r.messageId === messageId);

before(async () => {
  vasp = await startMm7Server({
    role: 'vasp',
    credentials: [MMSC_AT_VASP],
    handle: (req) => {
      received.push(req);
      for (const w of waiters.filter((x) => x.pred(req))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(req);
      }
      return responseTo(req, status(1000));
    },
  });
  sim = await MmscSimulator.start({
    credentials: [VASP],
    vaspUrl: vasp.url,
    vaspCredentials: MMSC_AT_VASP,
    scripts: [
      { prefix: '1555000', outcome: 'Expired' },
      { prefix: '1555222', status: 2002 },
      { prefix: '1555333', fault: true, status: 4006 },
      { prefix: '1555444', delayMs: 1000 },
    ],
  });
  client = new Mm7Client({ url: sim.url, ...VASP, timeoutMs: 5000 });
});

after(async () => {
  await sim.close();
  await vasp.close();
});

function mms(to: string, parts: SubmitReq['content']): Omit<SubmitReq, 'kind' | 'transactionId' | 'version'> {
  return {
    vaspId: 'acme',
    vasId: 'hermod',
    sender: { kind: 'shortCode', value: '12345' },
    recipients: { to: [{ kind: 'number', value: to }] },
    deliveryReport: true,
    subject: 'Hello',
    content: parts,
  };
}

async function submitted(messageId: string): Promise<SubmitReq> {
  const s = sim.submitted.find((x) => x.messageId === messageId);
  assert.ok(s, `the simulator has no submit ${messageId}`);
  return s.request;
}

test('one JPEG: SubmitRsp 1000 with a MessageID, the picture intact at the MMSC, a Retrieved report at the VASP', async () => {
  const rsp = await client.submit(
    mms('+15551230001', { parts: [{ contentType: 'image/jpeg', contentId: 'photo', bytes: JPEG }] }),
  );
  assert.equal(rsp.status.code, 1000);
  assert.ok(rsp.messageId);
  const req = await submitted(rsp.messageId!);
  assert.deepEqual(Buffer.from(req.content!.parts[0].bytes), JPEG);
  assert.equal((await sniffMediaType(req.content!.parts[0].bytes)).mime, 'image/jpeg');
  const report = await reportFor(rsp.messageId!);
  assert.equal(report.mmStatus, 'Retrieved');
  assert.equal(reportState(report.mmStatus), 'delivered');
  assert.deepEqual(report.recipient, { kind: 'number', value: '+15551230001' });
});

test('an MP4 video', async () => {
  const rsp = await client.submit(
    mms('+15551230002', { parts: [{ contentType: 'video/mp4', contentId: 'clip', bytes: MP4 }] }),
  );
  const req = await submitted(rsp.messageId!);
  assert.equal((await sniffMediaType(req.content!.parts[0].bytes)).mime, 'video/mp4');
  assert.equal((await reportFor(rsp.messageId!)).mmStatus, 'Retrieved');
});

test('three attachments (JPEG, MP3, text) with a SMIL presentation', async () => {
  const parts = [
    { contentType: 'application/smil', contentId: 'pres', bytes: SMIL },
    { contentType: 'image/jpeg', contentId: 'photo', bytes: JPEG },
    { contentType: 'audio/mpeg', contentId: 'tune', bytes: MP3 },
    {
      contentType: 'text/plain; charset=utf-8',
      contentId: 'words',
      bytes: Buffer.from('Greetings from Hermod ✓'),
    },
  ];
  const rsp = await client.submit(mms('+15551230003', { parts, start: 'pres' }));
  const req = await submitted(rsp.messageId!);
  assert.equal(req.content!.start, 'pres');
  assert.deepEqual(
    await Promise.all(req.content!.parts.map(async (p) => (await sniffMediaType(p.bytes)).mime)),
    ['application/smil', 'image/jpeg', 'audio/mpeg', 'text/plain'],
  );
  assert.deepEqual(
    req.content!.parts.map((p) => Buffer.from(p.bytes)),
    parts.map((p) => p.bytes),
  );
  assert.equal((await reportFor(rsp.messageId!)).mmStatus, 'Retrieved');
});

test('a scripted outcome by recipient: Expired', async () => {
  const rsp = await client.submit(mms('+15550001234', { parts: [{ contentType: 'image/gif', bytes: GIF }] }));
  const report = await reportFor(rsp.messageId!);
  assert.equal(report.mmStatus, 'Expired');
  assert.equal(reportState(report.mmStatus), 'expired');
});

test('forged basic auth: HTTP 401 with a 4001 Fault, permanent, nothing submitted', async () => {
  const before = sim.stats.submits;
  const forged = new Mm7Client({ url: sim.url, username: 'acme', password: 'guess', timeoutMs: 5000 });
  await assert.rejects(forged.submit(mms('+15551230009', undefined)), (err: unknown) => {
    assert.ok(err instanceof Mm7RequestError);
    assert.equal(err.code, 'HERMOD_ERR_MM7_FAULT');
    assert.equal(err.httpStatus, 401);
    assert.equal(err.mm7Status, 4001);
    assert.equal(err.outcome, 'permanent');
    return true;
  });
  assert.equal(sim.stats.submits, before);
});

test('a refusal in the SubmitRsp (2002) and in a Fault (4006): typed, permanent and temporary, no report', async () => {
  await assert.rejects(client.submit(mms('+15552220000', undefined)), (err: unknown) => {
    assert.ok(err instanceof Mm7RequestError);
    assert.equal(err.code, 'HERMOD_ERR_MM7_STATUS');
    assert.equal(err.mm7Status, 2002);
    assert.equal(err.outcome, 'permanent');
    return true;
  });
  await assert.rejects(client.submit(mms('+15553330000', undefined)), (err: unknown) => {
    assert.ok(err instanceof Mm7RequestError);
    assert.equal(err.code, 'HERMOD_ERR_MM7_FAULT');
    assert.equal(err.httpStatus, 500);
    assert.equal(err.mm7Status, 4006);
    assert.equal(err.outcome, 'temporary');
    return true;
  });
  assert.deepEqual(
    sim.submitted.filter((s) => s.status !== 1000).map((s) => s.status),
    [2002, 4006],
  );
});

test('the deadline: a relay slower than the client gives a temporary timeout', async () => {
  const hasty = new Mm7Client({ url: sim.url, ...VASP, timeoutMs: 100 });
  await assert.rejects(hasty.submit(mms('+15554440000', undefined)), (err: unknown) => {
    assert.ok(err instanceof Mm7RequestError);
    assert.equal(err.code, 'HERMOD_ERR_MM7_TIMEOUT');
    assert.equal(err.outcome, 'temporary');
    return true;
  });
});

test('an inbound MMS: DeliverReq with two pictures reaches the VASP intact, DeliverRsp 1000', async () => {
  const rsp = await sim.deliver({
    from: { kind: 'number', value: '+15557654321' },
    to: [{ kind: 'shortCode', value: '12345' }],
    subject: 'Look',
    parts: [
      { contentType: 'image/jpeg', contentId: 'one', contentLocation: 'one.jpg', bytes: JPEG },
      { contentType: 'image/png', contentId: 'two', contentLocation: 'two.png', bytes: PNG },
    ],
  });
  assert.equal(rsp.status.code, 1000);
  const req = await arrival<DeliverReq>((r) => r.kind === 'DeliverReq' && r.subject === 'Look');
  assert.deepEqual(req.sender, { kind: 'number', value: '+15557654321' });
  assert.deepEqual(
    req.content!.parts.map((p) => [p.contentLocation, Buffer.from(p.bytes)]),
    [
      ['one.jpg', JPEG],
      ['two.png', PNG],
    ],
  );
});
