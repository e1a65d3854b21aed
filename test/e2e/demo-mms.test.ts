// Demo mode's MMS (`npm start` asks for StartOptions.demoMms): an MMSC simulator in-process,
// an mm7 connector `mms` to it on the demo's default route beside the SMSC simulator, the
// MMSC reporting to this Hermod, and a sample picture on loopback for the banner's curl.
// SMS keep going to the SMSC simulator; an inbound MMS from the MMSC lands in the demo
// account's MOs with its picture; the printed MMS curl works as printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { startHermod } from '../../src/compose/index.js';
import { draftOf } from '../../src/gateway/index.js';
import { sniffMediaType } from '../../src/lib/media-type.js';
import { until } from '../support/until.js';

async function demo() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-demo-mms-'));
  const config = loadConfig(
    { HERMOD_DATA_DIR: dataDir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0' },
    dataDir,
  );
  return startHermod(config, { logger: pino({ level: 'silent' }), demoMms: true });
}

test('demo MMS: an mm7 connector to an in-process MMSC on the default route; SMS unchanged; an inbound MMS reaches the demo account with its picture', async () => {
  const h = await demo();
  try {
    assert.ok(h.demoMms, 'the demo MMSC runs');
    assert.equal(h.gateway.getConnector('mms')?.status().type, 'mm7');
    assert.deepEqual(
      h.gateway.routes().map((r) => [r.name, r.connectors]),
      [['default', ['mms', 'sim']]],
    );
    const picture = Buffer.from(await (await fetch(h.demoMms.pictureUrl)).arrayBuffer());
    assert.equal((await sniffMediaType(picture)).mime, 'image/png');

    // An SMS goes to the SMSC simulator, as before.
    const user = (await h.gateway.currentUser('demo'))!;
    const sms = await h.gateway.submit(
      user,
      draftOf({
        systemId: 'demo',
        origin: 'rest',
        from: 'Hermod',
        to: '447700900123',
        content: { text: 'hi' },
      }),
    );
    await until('the SMS delivered', async () => (await h.store.getMessage(sms))?.state === 'delivered');
    assert.equal((await h.store.getMessage(sms))?.connectorId, 'sim');
    assert.equal(h.demoMms.mmsc.submitted.length, 0, 'no SMS went over MM7');
    const sms2 = await h.gateway.submit(
      user,
      draftOf({
        systemId: 'demo',
        origin: 'rest',
        from: 'Hermod',
        to: '447700900124',
        content: { text: 'hi' },
      }),
    );
    await until(
      'a second SMS delivered',
      async () => (await h.store.getMessage(sms2))?.state === 'delivered',
    );
    assert.equal((await h.store.getMessage(sms2))?.connectorId, 'sim');

    // The MMSC's inbound MMS comes back to this Hermod's VASP endpoint.
    const rsp = await h.demoMms.mmsc.deliver({
      from: { kind: 'number', value: '+447700900555' },
      to: [{ kind: 'shortCode', value: '12345' }],
      parts: [
        { contentType: 'image/png', contentId: 'p', contentLocation: 'hermod.png', bytes: picture },
        { contentType: 'text/plain', contentId: 't', bytes: Buffer.from('Nice picture') },
      ],
    });
    assert.equal(rsp.status.code, 1000);
    const [mo] = await h.store.listMo(5);
    assert.equal(mo.routedTo, 'demo');
    assert.deepEqual(
      mo.media?.map((m) => m.filename),
      ['hermod.png'],
    );
  } finally {
    await h.stop();
  }
});

test('demo MMS: an MMS to the demo goes out over MM7 and is delivered by its report', async () => {
  const h = await demo();
  try {
    const user = (await h.gateway.currentUser('demo'))!;
    const ref = await h.gateway.media!.fetch(h.demoMms!.pictureUrl, { userId: user.id });
    const id = await h.gateway.submit(
      user,
      draftOf({
        systemId: 'demo',
        origin: 'rest',
        from: 'Hermod',
        to: '447700900123',
        content: { text: 'A picture' },
        media: [ref],
      }),
    );
    await until('delivered', async () => (await h.store.getMessage(id))?.state === 'delivered');
    assert.equal((await h.store.getMessage(id))?.connectorId, 'mms');
    assert.equal(h.demoMms!.mmsc.submitted.length, 1);
  } finally {
    await h.stop();
  }
});

test("hermod start's demo banner prints an MMS curl that works as printed", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-banner-mms-'));
  const { HERMOD_CONFIG: _c, HERMOD_DATABASE_URL: _d, ...env } = process.env;
  const child = spawn(process.execPath, [new URL('../../bin/hermod.js', import.meta.url).pathname, 'start'], {
    cwd: dataDir,
    env: {
      ...env,
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_SAMPLE_DATA: 'false',
      HERMOD_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  try {
    await until('the banner', () => /Operate it with the CLI/.test(out), 60_000);
    assert.match(out, /MMSC:\s+http:\/\/127\.0\.0\.1:\d+\/mm7/);
    const mms = out.match(
      /Send an MMS[^\n]*\n\s+curl -s (\S+) -H 'Authorization: Bearer (\S+)' -H 'Content-Type: application\/json' -d '(.+)'/,
    );
    assert.ok(mms, `an MMS curl in:\n${out}`);
    const body = JSON.parse(mms[3]) as { media_urls: string[] };
    assert.equal(body.media_urls.length, 1);
    const sent = await fetch(mms[1], {
      method: 'POST',
      headers: { authorization: `Bearer ${mms[2]}`, 'content-type': 'application/json' },
      body: mms[3],
    });
    assert.equal(sent.status, 202, await sent.clone().text());
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
