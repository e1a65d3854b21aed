// The fallback after a refusal (docs/mms.md, "Fallback after a refusal"): an MMS sent over
// REST (real sockets) to a route [mms, sms] whose MM7 connector's MMSC (the MmscSimulator)
// refuses it for good (2004 Multimedia content refused). With `mmsFallback: sms_link` the
// same id goes out through the SMS connector as the text and a signed link that serves the
// picture, is refunded as MMS and charged as SMS (ledger: charge, refund, charge), its history
// names 2004, it ends delivered and its message.finalized reaches the callback_url. With the
// default `refuse` it fails and is refunded, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { MmscSimulator } from '../../src/mm7/index.js';
import { decodeText } from '../../src/smpp/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { startReceiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';
import { PNG } from '../support/media-samples.js';

const KEY = 'hk_mms_refused_fallback_0001';
const MM7_OUT = { username: 'hermod', password: 'vasp-secret-1' };
const MM7_IN = { username: 'mmsc', password: 'relay-secret-1' };

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

test('an MMS the MMSC refuses (2004) goes out under its id as an SMS with links when the fallback is sms_link, charged as SMS; with refuse it fails, refunded', async () => {
  const hooks = await startReceiver();
  const mmsc = await MmscSimulator.start({
    credentials: [MM7_OUT],
    vaspCredentials: MM7_IN,
    scripts: [{ prefix: '4477009', status: 2004 }],
  });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const config = parseConfig(
    {
      webhooks: { allowPrivateNetworks: true },
      media: { publicUrl: origin },
      users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [KEY] }],
      connectors: [
        { id: 'mms', type: 'mm7', url: mmsc.url, ...MM7_OUT, vaspId: 'acme', inbound: MM7_IN },
        { id: 'sms', type: 'simulator', latencyMs: { min: 0, max: 0 } },
      ],
      routes: [
        {
          name: 'links',
          prefixes: ['4477009001'],
          type: 'failover',
          connectors: ['mms', 'sms'],
          mmsFallback: 'sms_link',
        },
        { name: 'strict', prefixes: ['4477009002'], type: 'failover', connectors: ['mms', 'sms'] },
      ],
    },
    {
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'hermod-test-')),
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: String(port),
      HERMOD_BIND: '127.0.0.1',
    },
    'test',
  );
  const h = await startHermod(config, { logger: pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'warn' }) });
  mmsc.setVasp(`${origin}/v1/hooks/connectors/mms/mm7`, MM7_IN);
  const auth = { authorization: `Bearer ${KEY}` };
  const user = (await h.store.getUserByName('shop'))!;
  const balance = async () => (await h.store.getUserByName('shop'))!.balanceMicros;
  const ledgerOf = async (id: string) =>
    (await h.store.listLedger({ userId: user.id, limit: 50 }))
      .filter((e) => e.messageId === id)
      .reverse()
      .map((e) => [e.kind, e.amountMicros]);
  try {
    const up = await fetch(`${origin}/v1/media?filename=dot.png`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body: PNG,
    });
    assert.equal(up.status, 201, await up.clone().text());
    const media = ((await up.json()) as { id: string }).id;
    const send = async (to: string) => {
      const res = await fetch(`${origin}/v1/messages`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          to,
          from: 'Shop',
          text: 'Our new shop',
          subject: 'Opening',
          media_urls: [media],
          callback_url: `${hooks.url}/events`,
        }),
      });
      assert.equal(res.status, 202, await res.clone().text());
      return (await res.json()) as { id: string; type?: string };
    };
    const start = await balance();

    // sms_link: refused by the MMSC, re-sent as an SMS under the same id, delivered.
    const { id } = await send('+447700900123');
    await until(
      'delivered through the SMS connector',
      async () => (await h.store.getMessage(id))?.state === 'delivered',
    );
    const tries = mmsc.submitted.filter((s) => s.request.recipients.to[0].value === '+447700900123');
    assert.equal(tries.length, 1, 'the MMSC was asked once, and refused');
    const got = (await h.store.getMessage(id))!;
    assert.equal(got.connectorId, 'sms');
    assert.equal(got.meta.media, undefined);
    assert.equal(got.meta.fallback, 'sms_link');
    const text = decodeText(got.body, got.dataCoding);
    const [subject, said, link] = text.split('\n');
    assert.deepEqual([subject, said], ['Opening', 'Our new shop']);
    assert.ok(link.startsWith(`${origin}/media/${media}?expires=`), link);
    const served = await fetch(link);
    assert.equal(served.status, 200);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG, 'the link serves the picture');

    const segments = got.meta.segments ?? 1;
    assert.deepEqual(await ledgerOf(id), [
      ['charge', -40_000],
      ['refund', 40_000],
      ['charge', -10_000 * segments],
    ]);
    assert.equal(await balance(), start - 10_000 * segments, 'charged as SMS only');
    const history = await h.store.history(id);
    assert.ok(
      history.some((e) =>
        /^MMS refused by mms \(.*2004.*\): re-sent as an SMS with 1 media link/.test(e.detail ?? ''),
      ),
      JSON.stringify(history),
    );
    const view = (await (await fetch(`${origin}/v1/messages/${id}`, { headers: auth })).json()) as {
      type: string;
      fallback?: string;
      status: string;
      media: { id: string }[];
    };
    assert.deepEqual(
      [view.type, view.fallback, view.status, view.media.map((x) => x.id)],
      ['sms', 'sms_link', 'delivered', [media]],
    );
    await until('its message.finalized at the callback_url', () =>
      hooks.received.some((r) => {
        const d = (r.json as { data?: { event_type?: string; payload?: { id?: string; status?: string } } })
          .data;
        return (
          d?.event_type === 'message.finalized' && d.payload?.id === id && d.payload.status === 'delivered'
        );
      }),
    );

    // refuse (the default): failed at the refusal, the MMS price back.
    const before = await balance();
    const strict = await send('+447700900234');
    await until('failed', async () => (await h.store.getMessage(strict.id))?.state === 'failed');
    const failed = (await h.store.getMessage(strict.id))!;
    assert.match(failed.error ?? '', /2004/);
    assert.deepEqual(
      failed.meta.media?.map((x) => x.id),
      [media],
      'still the MMS',
    );
    assert.deepEqual(await ledgerOf(strict.id), [
      ['charge', -40_000],
      ['refund', 40_000],
    ]);
    assert.equal(await balance(), before);
  } finally {
    await h.stop();
    await mmsc.close();
    await hooks.close();
  }
});
