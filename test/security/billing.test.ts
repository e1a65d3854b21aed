// Issue 13 item 4: a submit_sm flagged with a UDH (esm_class 0x40) and a 30,000-octet
// message_payload was charged one part and sent upstream whole. A UDH-flagged body is sent as
// one part, so it must fit one (140 octets) or be refused; what is accepted is charged as sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandStatus, SmppClient, SmppStatusError } from '../../src/smpp/index.js';
import { demoHermod } from '../support/hermod.js';

test('item 4: a UDH-flagged 30,000-octet message_payload is refused and not charged; one part is charged one', async () => {
  const h = await demoHermod();
  const c = new SmppClient({
    host: '127.0.0.1',
    port: h.smppPort,
    systemId: 'demo',
    password: 'demo',
    reconnect: false,
  });
  try {
    await c.connect();
    const balance = async () => (await h.store.getUserByName('demo'))!.balanceMicros;
    const before = await balance();
    const udh = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01]); // concat ref 42, part 1 of 2
    await assert.rejects(
      c.submitSm({
        destinationAddr: '447700900001',
        esmClass: 0x40,
        dataCoding: 0x04,
        shortMessage: Buffer.alloc(0),
        tlvs: { messagePayload: Buffer.concat([udh, Buffer.alloc(30_000, 0x41)]) },
      }),
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RINVMSGLEN,
    );
    assert.equal(await balance(), before, 'nothing charged');
    // A real part: a 6-octet UDH and 134 octets of 8-bit data is one SMS, charged as one.
    const ok = await c.submitSm({
      destinationAddr: '447700900001',
      esmClass: 0x40,
      dataCoding: 0x04,
      shortMessage: Buffer.concat([udh, Buffer.alloc(134, 0x41)]),
    });
    assert.ok(ok.messageId);
    const m = await h.store.getMessage(ok.messageId);
    assert.equal(m?.meta.segments, 1);
    assert.equal(before - (await balance()), m?.priceMicros);
    // 7-bit: one octet per septet in short_message, so 153 septets after a 6-octet UDH fit.
    await c.submitSm({
      destinationAddr: '447700900001',
      esmClass: 0x40,
      dataCoding: 0x00,
      shortMessage: Buffer.concat([udh, Buffer.alloc(153, 0x41)]),
    });
    await assert.rejects(
      c.submitSm({
        destinationAddr: '447700900001',
        esmClass: 0x40,
        dataCoding: 0x00,
        shortMessage: Buffer.concat([udh, Buffer.alloc(154, 0x41)]),
      }),
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RINVMSGLEN,
    );
  } finally {
    await c.close().catch(() => undefined);
    await h.stop();
  }
});
