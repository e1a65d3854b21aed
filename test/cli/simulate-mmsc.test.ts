// `hermod simulate --mmsc` as the binary runs it (a new Node process through bin/hermod.js):
// its --help, a bad script refused with a precise message, and the MMSC serving a real
// MM7 submit — basic auth checked, a scripted status, a delivery report POSTed to the VASP
// URL given, inbound MMS (DeliverReq) on a timer — then its stats and a clean exit on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  Mm7Client,
  Mm7RequestError,
  startMm7Server,
  responseTo,
  status,
  type DeliverReq,
  type DeliveryReportReq,
} from '../../src/mm7/index.js';
import { hermod } from '../support/cli.js';
import { PNG } from '../support/media-samples.js';
import { until } from '../support/until.js';

const BIN = new URL('../../bin/hermod.js', import.meta.url).pathname;

test('hermod simulate --help documents the MMSC options', async () => {
  const r = await hermod(['simulate', '--help']);
  assert.equal(r.code, 0);
  for (const opt of [
    '--mmsc',
    '--vasp-user',
    '--vasp-password',
    '--vasp-url',
    '--report-user',
    '--report-password',
    '--report-delay',
    '--mm7-script',
    '--deliver-every',
  ])
    assert.ok(r.stdout.includes(opt), `--help mentions ${opt}`);
});

test('hermod simulate --mmsc refuses a script it cannot read, naming the option', () => {
  const r = spawnSync(process.execPath, [BIN, 'simulate', '--mmsc', '--mm7-script', '1555:Lost'], {
    encoding: 'utf8',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--mm7-script.*"Lost" is not an MM7 status/);
});

test('hermod simulate --mmsc takes a submit with basic auth, answers scripted statuses, reports to the VASP URL, exits on SIGTERM', async () => {
  const reports: DeliveryReportReq[] = [];
  const delivers: DeliverReq[] = [];
  const vasp = await startMm7Server({
    role: 'vasp',
    credentials: [{ username: 'mmsc', password: 'relay-pw-1' }],
    handle: (req) => {
      if (req.kind === 'DeliveryReportReq') reports.push(req);
      if (req.kind === 'DeliverReq') delivers.push(req);
      return responseTo(req, status(1000));
    },
  });
  const child = spawn(
    process.execPath,
    [
      BIN,
      'simulate',
      '--mmsc',
      '--port',
      '0',
      '--vasp-user',
      'acme',
      '--vasp-password',
      'vasp-pw-1',
      '--vasp-url',
      vasp.url,
      '--report-user',
      'mmsc',
      '--report-password',
      'relay-pw-1',
      '--mm7-script',
      '1555222:2002',
      '--mm7-script',
      '1555777:Expired',
      '--stats-interval',
      '1',
      '--deliver-every',
      '1',
      '--mo-from',
      '447700900555',
      '--mo-text',
      'Hi from the MMSC',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    await until('the banner', () => /listening on http:\/\/127\.0\.0\.1:\d+\/mm7/.test(out), 15_000);
    const url = /listening on (http:\S+)/.exec(out)![1];
    const submit = (client: Mm7Client, to: string) =>
      client.submit({
        vaspId: 'acme',
        recipients: { to: [{ kind: 'number', value: `+${to}` }] },
        deliveryReport: true,
        content: { parts: [{ contentType: 'image/png', contentId: 'p', bytes: PNG }] },
      });
    const wrong = new Mm7Client({ url, username: 'acme', password: 'nope' });
    await assert.rejects(submit(wrong, '15551230001'), (e: Mm7RequestError) => e.mm7Status === 4001);
    const client = new Mm7Client({ url, username: 'acme', password: 'vasp-pw-1' });
    const ok = await submit(client, '15551230001');
    assert.equal(ok.status.code, 1000);
    await assert.rejects(submit(client, '15552220000'), (e: Mm7RequestError) => e.mm7Status === 2002);
    const late = await submit(client, '15557770000');
    await until('two delivery reports at the VASP', () => reports.length === 2);
    const byId = new Map(reports.map((r) => [r.messageId, r.mmStatus]));
    assert.equal(byId.get(ok.messageId!), 'Retrieved');
    assert.equal(byId.get(late.messageId!), 'Expired');
    await until('an inbound MMS at the VASP', () => delivers.length >= 1);
    const mms = delivers[0];
    assert.equal(mms.sender.value, '+447700900555');
    assert.deepEqual(
      mms.content?.parts.map((p) => p.contentType.split(';')[0]),
      ['image/png', 'text/plain'],
    );
    assert.equal(Buffer.from(mms.content!.parts[1].bytes).toString(), 'Hi from the MMSC');
    await until(
      'a stats line',
      () => /submits=3 refused=1 reports=2 report_errors=0 delivers=[1-9]/.test(out),
      5000,
    );
  } finally {
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await vasp.close();
    assert.equal(code, 0);
  }
  assert.match(out, /SIGTERM: shutting down/);
});
