// End to end over real sockets: customer ESME → Hermod (SQLite) → simulator → receipt →
// customer. The slice of the gateway core that exists today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandStatus, SmppClient, SmppStatusError, type Pdu } from '../../src/smpp/index.js';
import { hashPassword } from '../../src/domain/index.js';
import { collectReceipts, demoHermod as hermod } from '../support/hermod.js';
import { until } from '../support/until.js';

function customer(port: number, extra: Partial<ConstructorParameters<typeof SmppClient>[0]> = {}) {
  const c = new SmppClient({
    host: '127.0.0.1',
    port,
    systemId: 'demo',
    password: 'demo',
    reconnect: false,
    ...extra,
  });
  const receipts = collectReceipts(c);
  return { c, receipts };
}

test('GSM, UCS-2 and long texts go through the simulator and their receipts come back with our ids', async () => {
  const h = await hermod();
  try {
    const { c, receipts } = customer(h.smppPort);
    await c.connect();
    const gsm = await c.submitSm({
      sourceAddr: 'Shop',
      destinationAddr: '+447700900123',
      registeredDelivery: 1,
      shortMessage: Buffer.from('Hello from Hermod'),
    });
    const ucs = await c.submitSm({
      sourceAddr: 'Shop',
      destinationAddr: '971501234567',
      registeredDelivery: 1,
      dataCoding: 8,
      shortMessage: Buffer.from('مرحبا 👋', 'utf16le').swap16(),
    });
    const long = await c.request({
      command: 'data_sm',
      sourceAddr: 'Shop',
      destinationAddr: '33612345678',
      registeredDelivery: 1,
      tlvs: { messagePayload: Buffer.from('x'.repeat(400)) },
    });
    const ids = [gsm.messageId, ucs.messageId, (long as Extract<Pdu, { command: 'data_sm_resp' }>).messageId];
    assert.equal(new Set(ids).size, 3);
    await until('three receipts', () => receipts.length === 3);
    assert.deepEqual(receipts.map((r) => r.id).sort(), [...ids].sort());
    assert.ok(receipts.every((r) => r.state === 'delivered'));
    const sent = h.simulator!.simulator.submitted;
    assert.equal(sent.length, 5, 'the 400-character text goes as 3 concatenated parts');
    assert.equal(sent[0].destination, '447700900123', 'normalised to E.164 digits');
    assert.equal(Buffer.from(sent[1].shortMessage).swap16().toString('utf16le'), 'مرحبا 👋');
    assert.deepEqual(
      sent.slice(2).map((p) => p.esmClass & 0x40),
      [0x40, 0x40, 0x40],
      'long body split with a UDH',
    );
    assert.equal(
      Buffer.concat(sent.slice(2).map((p) => p.shortMessage.subarray(6))).toString(),
      'x'.repeat(400),
    );
    const history = await h.store.history(gsm.messageId);
    assert.deepEqual(
      history.map((e) => e.state),
      ['accepted', 'queued', 'sent', 'delivered'],
    );
    assert.equal(
      await h.store.getBalance((await h.store.getUserByName('demo'))!.id),
      100_000_000 - 5 * 10_000,
      'charged per segment',
    );
    await c.close();
  } finally {
    await h.stop();
  }
});

test('bad input gets a precise status and leaves the service up', async () => {
  const h = await hermod();
  try {
    const bad = customer(h.smppPort, { password: 'nope' });
    await assert.rejects(
      bad.c.connect(),
      // Issue 13 item 5: a wrong password and an unknown user get the same answer.
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RBINDFAIL,
    );
    const unknown = customer(h.smppPort, { systemId: 'ghost' });
    await assert.rejects(
      unknown.c.connect(),
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RBINDFAIL,
    );
    const { c } = customer(h.smppPort);
    await c.connect();
    await assert.rejects(
      c.submitSm({ destinationAddr: 'not-a-number' }),
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RINVDSTADR,
    );
    await assert.rejects(
      c.submitSm({ destinationAddr: '1234567890123456789' }),
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RINVDSTADR,
    );
    assert.ok((await c.submitSm({ destinationAddr: '447700900123' })).messageId, 'still serving');
    await c.close();
  } finally {
    await h.stop();
  }
});

test('balance exhaustion: exactly what the balance pays for is accepted, never a negative balance', async () => {
  const h = await hermod();
  try {
    await h.store.upsertUser({
      username: 'poor',
      passwordHash: hashPassword('pw'),
      balanceMicros: 50_000,
      rateMicros: 10_000,
    });
    const { c } = customer(h.smppPort, { systemId: 'poor', password: 'pw', windowSize: 20 });
    await c.connect();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => c.submitSm({ destinationAddr: '447700900123' })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(ok, 5);
    for (const r of results)
      if (r.status === 'rejected')
        assert.equal((r.reason as SmppStatusError).commandStatus, CommandStatus.ESME_RSUBMITFAIL);
    assert.equal(await h.store.getBalance((await h.store.getUserByName('poor'))!.id), 0);
    await c.close();
  } finally {
    await h.stop();
  }
});

test('receipts are held while the customer has no receiving bind, then delivered; state survives a restart', async () => {
  const h = await hermod();
  let id: string;
  try {
    const tx = customer(h.smppPort, { bindType: 'transmitter' });
    await tx.c.connect();
    id = (
      await tx.c.submitSm({
        destinationAddr: '447700900123',
        registeredDelivery: 1,
        shortMessage: Buffer.from('held'),
      })
    ).messageId;
    await until('the receipt at Hermod', async () => (await h.store.getMessage(id))?.state === 'delivered');
    assert.equal(tx.receipts.length, 0);
    await tx.c.close();
  } finally {
    await h.stop();
  }
  const again = await hermod(h.dataDir);
  try {
    assert.equal((await again.store.getMessage(id))?.state, 'delivered', 'persisted in the SQLite file');
    const rx = customer(again.smppPort, { bindType: 'receiver' });
    await rx.c.connect();
    await until('the held receipt', () => rx.receipts.length === 1);
    assert.equal(rx.receipts[0].id, id);
    await rx.c.close();
  } finally {
    await again.stop();
  }
});
