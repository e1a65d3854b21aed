// Receipts that never come: a connector's dlrExpiryS ends a sent message `expired`, the
// customer is told like after any final receipt, and a receipt that did come is kept. The
// upstream is the npm `smpp` package's server, which answers receipts only when asked to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';
import { SmppClient } from '../../src/smpp/index.js';
import { collectReceipts, configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

/** Accepts every submit; sends a DELIVRD receipt only for destinations in `answer`, on the session that bound as transceiver. */
async function quietSmsc(answer: Set<string>) {
  const submits: PduObject[] = [];
  const server = smpp.createServer((session: TheirSession) => {
    session.on('error', () => undefined);
    for (const kind of ['bind_transceiver', 'bind_transmitter', 'bind_receiver'])
      session.on(kind, (pdu: PduObject) => session.send(pdu.response({ system_id: 'npm-smsc' })));
    session.on('submit_sm', (pdu: PduObject) => {
      submits.push(pdu);
      const id = `q-${submits.length}`;
      session.send(pdu.response({ message_id: id }), () => {
        if (!answer.has(pdu.destination_addr as string)) return;
        session.send(
          new smpp.PDU('deliver_sm', {
            source_addr: pdu.destination_addr,
            destination_addr: pdu.source_addr,
            esm_class: 4,
            short_message: `id:${id} sub:001 dlvrd:001 submit date:2612020000 done date:2612020001 stat:DELIVRD err:000 text:`,
            receipted_message_id: id,
            message_state: 2,
          }),
        );
      });
    });
    session.on('enquire_link', (pdu: PduObject) => session.send(pdu.response()));
    session.on('unbind', (pdu: PduObject) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port as number,
    submits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

for (const bindType of ['transceiver', 'transmitter'] as const) {
  const tail =
    bindType === 'transceiver'
      ? 'one whose receipt came stays delivered'
      : 'no receipt can come, so every message ends so';
  test(`dlrExpiryS (${bindType} bind): a message whose receipt never comes ends expired, in its history and in the customer's receipt; ${tail}`, async () => {
    const answered = '447700900111';
    const smsc = await quietSmsc(new Set(bindType === 'transceiver' ? [answered] : []));
    const h = await configuredHermod({
      users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
      connectors: [
        {
          id: 'up',
          type: 'smpp',
          host: '127.0.0.1',
          port: smsc.port,
          systemId: 'hermod',
          bindType,
          dlrExpiryS: 0.5,
        },
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
    const receipts = collectReceipts(c);
    const expiredEvents: string[] = [];
    h.gateway.on('receipt_expired', (id: string) => expiredEvents.push(id));
    try {
      await until('bound', () => h.connectors.get('up')!.ready);
      await c.connect();
      const user = (await h.store.getUserByName('shop'))!;
      // Before the submit: Hermod counts dlrExpiryS from its submit_sm_resp, which comes after.
      const sentAt = Date.now();
      const quiet = await c.submitSm({
        sourceAddr: 'Shop',
        destinationAddr: '447700900222',
        shortMessage: Buffer.from('no receipt for me'),
        registeredDelivery: 1,
      });
      const heard = await c.submitSm({
        sourceAddr: 'Shop',
        destinationAddr: answered,
        shortMessage: Buffer.from('receipt for me'),
        registeredDelivery: 1,
      });
      await until('both sent upstream', () => smsc.submits.length === 2);
      await until(
        'the quiet one expired',
        async () => (await h.store.getMessage(quiet.messageId))?.state === 'expired',
      );
      assert.ok(Date.now() - sentAt >= 300, 'not before its dlrExpiryS');
      const history = await h.store.history(quiet.messageId);
      assert.deepEqual(
        history.map((e) => e.state),
        ['accepted', 'queued', 'sent', 'expired'],
      );
      assert.match(
        history.at(-1)!.detail ?? '',
        /^no delivery receipt within 0\.5 s \(connector up dlrExpiryS\): Hermod stopped waiting/,
      );
      await until('the customer got the EXPIRED receipt', () =>
        receipts.some((r) => r.id === quiet.messageId),
      );
      const r = receipts.find((x) => x.id === quiet.messageId)!;
      assert.equal(r.stat, 'EXPIRED');
      assert.deepEqual(
        expiredEvents.filter((id) => id === quiet.messageId),
        [quiet.messageId],
        'expired once',
      );
      if (bindType === 'transceiver') {
        await until(
          'the answered one delivered',
          async () => (await h.store.getMessage(heard.messageId))?.state === 'delivered',
        );
        await new Promise((res) => setTimeout(res, 700));
        assert.equal(
          (await h.store.getMessage(heard.messageId))?.state,
          'delivered',
          'a final receipt is never overwritten by the sweep',
        );
        assert.ok(!expiredEvents.includes(heard.messageId));
      } else {
        // A transmitter bind never gets receipts: every message it sends ends this way.
        await until(
          'the other one expired too',
          async () => (await h.store.getMessage(heard.messageId))?.state === 'expired',
        );
      }
      assert.equal(
        await h.store.getBalance(user.id),
        1_000_000 - 2 * 10_000,
        'the price is kept: the SMSC accepted both',
      );
    } finally {
      await c.close();
      await h.stop();
      await smsc.close();
    }
  });
}
