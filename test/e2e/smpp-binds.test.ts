// Bind types of the SMPP connector against the npm `smpp` package's server (a peer we did
// not write): a transmitter plus a separate receiver session, and a receive-only connector
// that takes the receipts of messages another connector submitted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';
import { SmppClient } from '../../src/smpp/index.js';
import type { SmppConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

/**
 * An SMSC of npm smpp servers (one or more ports, one state): submits are taken on
 * transmitter or transceiver sessions only, and every receipt and MO goes out on the
 * latest receiver session still open (held until one binds).
 */
async function splitSmsc(ports = 1) {
  const binds: { kind: string; port: number }[] = [];
  const submits: { pdu: PduObject; via: string }[] = [];
  const receivers: TheirSession[] = [];
  const servers: ReturnType<typeof smpp.createServer>[] = [];
  const receiptFor = (id: string) =>
    new smpp.PDU('deliver_sm', {
      source_addr: '447700900123',
      destination_addr: 'Shop',
      esm_class: 4,
      short_message: `id:${id} sub:001 dlvrd:001 submit date:2612020000 done date:2612020001 stat:DELIVRD err:000 text:`,
      receipted_message_id: id,
      message_state: 2,
    });
  // Like a real SMSC, it keeps what it cannot deliver while no receiver is bound.
  const live = new Set<TheirSession>();
  const held: InstanceType<typeof smpp.PDU>[] = [];
  const deliver = (pdu: InstanceType<typeof smpp.PDU>) => {
    const rx = [...live].at(-1);
    if (rx) rx.send(pdu);
    else held.push(pdu);
  };
  for (let i = 0; i < ports; i++) {
    const server = smpp.createServer((session: TheirSession) => {
      session.on('error', () => undefined);
      let kind = '';
      for (const k of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
        session.on(k, (pdu: PduObject) => {
          kind = k;
          binds.push({ kind: k, port: server.address().port as number });
          session.send(pdu.response({ system_id: 'npm-smsc' }));
          if (k === 'bind_receiver') {
            receivers.push(session);
            live.add(session);
            session.on('close', () => live.delete(session));
            for (const p of held.splice(0)) session.send(p);
          }
        });
      }
      session.on('submit_sm', (pdu: PduObject) => {
        // ESME_RINVBNDSTS: a receiver session may not submit (SMPP 3.4 §5.1.3).
        if (kind === 'bind_receiver') return void session.send(pdu.response({ command_status: 0x04 }));
        submits.push({ pdu, via: kind });
        const id = `npm-${submits.length}`;
        session.send(pdu.response({ message_id: id }), () => setTimeout(() => deliver(receiptFor(id)), 20));
      });
      session.on('enquire_link', (pdu: PduObject) => session.send(pdu.response()));
      session.on('unbind', (pdu: PduObject) => {
        session.send(pdu.response());
        session.close();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
  }
  return {
    ports: servers.map((s) => s.address().port as number),
    binds,
    submits,
    receivers,
    deliver,
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))),
  };
}

const ADMIN_KEY = 'binds-test-admin-key-0001';
const users = [{ username: 'shop', password: 'pw', balance: 100, rate: 0.01 }];

async function customer(port: number) {
  const c = new SmppClient({ host: '127.0.0.1', port, systemId: 'shop', password: 'pw', reconnect: false });
  await c.connect();
  return c;
}

test('transmitter + receiver pair: submits go on the transmitter, receipts on the receiver session (another port) are matched to them; the sessions reconnect on their own', async () => {
  const smsc = await splitSmsc(2);
  const h = await configuredHermod({
    users,
    connectors: [
      {
        id: 'up',
        type: 'smpp',
        host: '127.0.0.1',
        port: smsc.ports[0],
        systemId: 'hermod',
        receiver: { port: smsc.ports[1] },
        reconnectDelayS: { min: 0.05, max: 0.2 },
        dataCoding: 3,
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['up'] }],
    admin: { keys: [ADMIN_KEY] },
  });
  const c = await customer(h.smppPort);
  try {
    const up = h.connectors.get('up') as SmppConnector;
    await until('both sessions bound', () => up.up);
    assert.deepEqual(smsc.binds.map((b) => `${b.kind}@${b.port}`).sort(), [
      `bind_receiver@${smsc.ports[1]}`,
      `bind_transmitter@${smsc.ports[0]}`,
    ]);
    const { messageId } = await c.submitSm({
      sourceAddr: 'Shop',
      destinationAddr: '447700900123',
      shortMessage: Buffer.from('hi'),
      registeredDelivery: 1,
    });
    await until(
      'delivered by the receipt on the receiver session',
      async () => (await h.store.getMessage(messageId))?.state === 'delivered',
    );
    assert.deepEqual(
      smsc.submits.map((s) => s.via),
      ['bind_transmitter'],
    );
    // The admin view shows the pair, its receiver session and the settings.
    const view = (
      await h.api.inject({
        method: 'GET',
        url: '/v1/admin/connectors/up',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
    ).json();
    assert.equal(view.counters.receipts, 1);
    assert.deepEqual(view.settings, { bindType: 'pair', dataCoding: 3, split: 'udh', dlrExpiryS: 86_400 });
    assert.deepEqual(view.receiver, {
      state: 'bound',
      bound: true,
      remote: `127.0.0.1:${smsc.ports[1]}`,
      lastError: null,
    });
    assert.equal(view.remote, `127.0.0.1:${smsc.ports[0]}`);

    // The SMSC drops the receiver session: submits go on while it binds again.
    smsc.receivers[0].close();
    await until('receiver lost', () => !up.receiverClient!.bound);
    assert.equal(up.ready, true, 'the transmitter is still bound, so the connector still sends');
    const second = await c.submitSm({
      sourceAddr: 'Shop',
      destinationAddr: '447700900124',
      shortMessage: Buffer.from('again'),
      registeredDelivery: 1,
    });
    await until('second submit upstream', () => smsc.submits.length === 2);
    await until('receiver bound again', () => smsc.receivers.length === 2 && up.receiverClient!.bound);
    await until(
      'second delivered',
      async () => (await h.store.getMessage(second.messageId))?.state === 'delivered',
    );
    assert.equal(
      smsc.binds.filter((b) => b.kind === 'bind_transmitter').length,
      1,
      'the transmitter never rebound',
    );
  } finally {
    await c.close();
    await h.stop();
    await smsc.close();
  }
});

test('a receive-only connector never submits; receipts it takes are matched to messages a transmitter connector sent, and its MOs are stored', async () => {
  const smsc = await splitSmsc(1);
  const port = smsc.ports[0];
  const h = await configuredHermod({
    users,
    connectors: [
      { id: 'tx', type: 'smpp', host: '127.0.0.1', port, systemId: 'hermod', bindType: 'transmitter' },
      // Receipts for tx's messages come in here: matched in tx's DLR scope.
      {
        id: 'rx',
        type: 'smpp',
        host: '127.0.0.1',
        port,
        systemId: 'hermod',
        bindType: 'receiver',
        dlrScope: 'tx',
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['tx'] }],
    moRoutes: [{ user: 'shop' }],
  });
  const c = await customer(h.smppPort);
  try {
    const tx = h.connectors.get('tx') as SmppConnector;
    const rx = h.connectors.get('rx') as SmppConnector;
    await until('both bound', () => tx.ready && rx.up);
    assert.equal(rx.ready, false, 'a receiver bind is never ready for MT');
    const { messageId } = await c.submitSm({
      sourceAddr: 'Shop',
      destinationAddr: '447700900123',
      shortMessage: Buffer.from('hi'),
      registeredDelivery: 1,
    });
    await until('delivered', async () => (await h.store.getMessage(messageId))?.state === 'delivered');
    assert.equal(tx.status().counters.submits, 1);
    assert.equal(rx.status().counters.submits, 0);
    assert.equal(rx.status().counters.receipts, 1, 'the receipt came in on the receiver connector');
    smsc.deliver(
      new smpp.PDU('deliver_sm', {
        source_addr: '447700900555',
        destination_addr: 'Shop',
        short_message: 'MO on rx',
      }),
    );
    await until('MO stored', async () => (await h.store.countMo()) === 1);
    const [mo] = await h.store.listMo(1);
    assert.equal(mo.connectorId, 'rx');
    assert.equal(mo.body.toString(), 'MO on rx');
    assert.deepEqual(
      smsc.submits.map((s) => s.via),
      ['bind_transmitter'],
    );
  } finally {
    await c.close();
    await h.stop();
    await smsc.close();
  }
});
