// The SMPP connector's per-connector settings, seen where they matter: on the submit_sm the
// upstream SMSC receives. The upstream is the npm `smpp` package's server (a peer we did not
// write), recording every PDU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PduObject } from 'smpp';
import { encodeGsm7, formatSmppTime, SmppClient } from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { recordingSmsc } from '../support/npm-smsc.js';

/** Submits through Hermod to the recording SMSC; `look` reads Hermod's side before it stops. */
async function sendThrough<T = undefined>(
  connector: Record<string, unknown>,
  submits: Record<string, unknown>[],
  look?: (h: Awaited<ReturnType<typeof configuredHermod>>, ids: string[]) => Promise<T>,
) {
  const smsc = await recordingSmsc();
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 100, rate: 0.01 }],
    connectors: [
      { id: 'up', type: 'smpp', host: '127.0.0.1', port: smsc.port, systemId: 'hermod', ...connector },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['up'] }],
  });
  const c = new SmppClient({
    host: '127.0.0.1',
    port: h.smppPort,
    systemId: 'shop',
    password: 'pw',
    reconnect: false,
  });
  try {
    await until('upstream bound', () => h.connectors.get('up')!.ready);
    await c.connect();
    const ids: string[] = [];
    for (const s of submits)
      ids.push(
        (await c.submitSm({ destinationAddr: '447700900123', shortMessage: Buffer.from('hi'), ...s }))
          .messageId,
      );
    // Every part of every message upstream: each message is past queued (a long one is
    // several submit_sm, so counting PDUs against messages could stop early).
    await until('all submits upstream', async () => {
      const states = await Promise.all(ids.map(async (id) => (await h.store.getMessage(id))?.state));
      return states.every((st) => st !== undefined && st !== 'accepted' && st !== 'queued');
    });
    return { binds: smsc.binds, submits: smsc.submits, seen: look ? await look(h, ids) : undefined };
  } finally {
    await c.close();
    await h.stop();
    await smsc.close();
  }
}

test('SMPP connector: TON/NPI detected like Jasmin, validity and priority passed upstream on submit_sm', async () => {
  const validUntil = Date.now() + 3_600_000;
  const { binds, submits } = await sendThrough({}, [
    { sourceAddr: 'MyShop', validityPeriod: formatSmppTime(validUntil), priorityFlag: 2 },
    { sourceAddr: '447700900999' },
  ]);
  assert.deepEqual(binds, ['bind_transceiver']);
  const [alpha, numeric] = submits;
  assert.equal(alpha.source_addr, 'MyShop');
  assert.equal(alpha.source_addr_ton, 5, 'alphanumeric source is TON 5');
  assert.equal(alpha.source_addr_npi, 0);
  assert.equal(alpha.dest_addr_ton, 1);
  assert.equal(alpha.dest_addr_npi, 1);
  assert.equal(alpha.priority_flag, 2);
  // npm smpp decodes validity_period into a Date; ours is written to a tenth of a second.
  const v = alpha.validity_period as unknown as Date;
  assert.ok(v instanceof Date, `validity_period was ${String(alpha.validity_period)}`);
  assert.ok(
    Math.abs(v.getTime() - validUntil) < 1000,
    `validity ${v.toISOString()} vs ${new Date(validUntil).toISOString()}`,
  );
  assert.equal(numeric.source_addr_ton, 1, 'a number is international');
  assert.equal(numeric.source_addr_npi, 1);
  assert.equal(numeric.validity_period, '', 'no validity asked, none sent');
});

test('SMPP connector: fixed TON/NPI and a transmitter bind from the config', async () => {
  const { binds, submits } = await sendThrough(
    { bindType: 'transmitter', sourceTon: 2, sourceNpi: 9, destTon: 0, destNpi: 0 },
    [{ sourceAddr: 'MyShop' }],
  );
  assert.deepEqual(binds, ['bind_transmitter']);
  assert.equal(submits[0].source_addr_ton, 2);
  assert.equal(submits[0].source_addr_npi, 9);
  assert.equal(submits[0].dest_addr_ton, 0);
  assert.equal(submits[0].dest_addr_npi, 0);
});

/** The text npm smpp decoded from a submit_sm (it parses the UDH off when UDHI is set). */
const textOf = (pdu: PduObject) => (pdu.short_message as unknown as { message: string }).message;

test('SMPP connector: dataCoding 3 sends GSM-alphabet text as Latin-1, split at 134 octets; text Latin-1 lacks goes as UCS-2', async () => {
  const latin = 'Grüße aus Köln, café à la carte. ' + 'x'.repeat(117); // 150 characters: one GSM-7 SMS, two Latin-1 parts
  const { submits } = await sendThrough({ dataCoding: 3 }, [
    { shortMessage: encodeGsm7('Grüße, café') },
    { shortMessage: encodeGsm7(latin) },
    { shortMessage: encodeGsm7('Price: 5€') },
    { shortMessage: Buffer.from('no recode', 'latin1'), dataCoding: 4 },
  ]);
  const [short, ...rest] = submits;
  assert.equal(short.data_coding, 3);
  assert.equal(textOf(short), 'Grüße, café');
  // The bytes the SMSC received, as Latin-1: é is 0xE9 there (0x05 in GSM 03.38).
  assert.deepEqual(
    Buffer.from(textOf(short), 'latin1'),
    Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x2c, 0x20, 0x63, 0x61, 0x66, 0xe9]),
  );
  const long = rest.filter((p) => p.data_coding === 3);
  assert.equal(long.length, 2, '150 Latin-1 characters are two parts (GSM-7 would be one)');
  assert.ok(
    long.every((p) => (Number(p.esm_class) & 0x40) !== 0),
    'concatenated with a UDH',
  );
  assert.deepEqual(
    long.map((p) => textOf(p).length),
    [134, 16],
  );
  assert.equal(long.map(textOf).join(''), latin);
  const euro = rest.find((p) => p.data_coding === 8);
  assert.ok(euro, '€ has no Latin-1 code: the message goes as UCS-2');
  assert.equal(textOf(euro), 'Price: 5€');
  const binary = rest.find((p) => p.data_coding === 4);
  assert.ok(binary, 'a non-text data_coding is passed as it came');
});

test('SMPP connector: a message is charged for the parts its connector sends: 150 GSM characters are one SMS, two on a dataCoding 3 connector', async () => {
  const text = encodeGsm7('Grüße aus Köln, café à la carte. ' + 'x'.repeat(117));
  const price = async (connector: Record<string, unknown>) =>
    (
      await sendThrough(connector, [{ shortMessage: text }], async (h, [id]) => {
        const m = (await h.store.getMessage(id))!;
        return { priceMicros: m.priceMicros, segments: m.meta.segments };
      })
    ).seen!;
  assert.deepEqual(await price({}), { priceMicros: 10_000, segments: 1 });
  const latin = await price({ dataCoding: 3 });
  assert.equal(latin.segments, 2);
  assert.equal(latin.priceMicros, 20_000, 'two parts at 0.01');
});

test('SMPP connector: without dataCoding GSM-alphabet text goes as data_coding 0, GSM 03.38 bytes', async () => {
  const { submits } = await sendThrough({}, [{ shortMessage: encodeGsm7('café') }]);
  assert.equal(submits[0].data_coding, 0);
  assert.equal(textOf(submits[0]), 'café');
});
