// MO over real sockets: the simulator (the SMSC) sends inbound messages to Hermod, which
// stores them, joins concatenated parts, handles STOP/START and forwards them to the
// customer's SMPP bind, holding them while the customer is away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppClient, decodeText, type Pdu } from '../../src/smpp/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

test('MO: concatenated UCS-2 joined, held until the customer binds, STOP refuses later MTs, START allows them', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [{ prefixes: ['12345'], user: 'shop' }],
  });
  try {
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    const long = 'Привет! Это длинное сообщение. '.repeat(5);
    assert.equal(sim.sendMo('hermod', { from: '79001234567', to: '12345', text: long }), 3);
    sim.sendMo('hermod', { from: '447700900123', to: '99999', text: 'nobody routes this' });
    await until('two MOs stored', async () => (await h.store.listMo(10)).length === 2);
    const stored = await h.store.listMo(10);
    const joined = stored.find((m) => m.destination === '12345')!;
    assert.equal(decodeText(joined.body, joined.dataCoding), long);
    assert.equal(joined.complete, true);
    assert.equal(
      stored.find((m) => m.destination === '99999')?.routedTo,
      null,
      'stored even without a route',
    );

    // The customer binds later and gets the held MO as one deliver_sm.
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    const inbound: Pdu[] = [];
    c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
      inbound.push(pdu);
      respond();
    });
    await c.connect();
    await until('the held MO', () => inbound.length === 1);
    const mo = inbound[0] as Extract<Pdu, { command: 'deliver_sm' }>;
    const body = mo.shortMessage.length ? mo.shortMessage : mo.tlvs.messagePayload!;
    assert.equal(decodeText(body, mo.dataCoding), long);
    assert.equal(mo.sourceAddr, '79001234567');

    // STOP from a handset: the shop can no longer send to it from that number.
    sim.sendMo('hermod', { from: '447700900123', to: '12345', text: ' stop ' });
    await until('opt-out stored', () => h.store.isOptedOut('447700900123', '12345'));
    await assert.rejects(
      c.submitSm({
        sourceAddr: '12345',
        destinationAddr: '447700900123',
        shortMessage: Buffer.from('promo'),
      }),
      (e: unknown) => (e as { commandStatus?: number }).commandStatus === 0x0b,
    );
    assert.ok(
      (
        await c.submitSm({
          sourceAddr: 'OtherBrand',
          destinationAddr: '447700900123',
          shortMessage: Buffer.from('ok'),
        })
      ).messageId,
      'other senders are unaffected',
    );
    sim.sendMo('hermod', { from: '447700900123', to: '12345', text: 'START' });
    await until('opt-in', async () => !(await h.store.isOptedOut('447700900123', '12345')));
    assert.ok(
      (
        await c.submitSm({
          sourceAddr: '12345',
          destinationAddr: '447700900123',
          shortMessage: Buffer.from('welcome back'),
        })
      ).messageId,
    );
    await c.close();
  } finally {
    await h.stop();
  }
});

test('MO: a part that never arrives releases the rest as an incomplete MO', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  // Shorten the part timeout for the test.
  (h.gateway as unknown as { opts: { moPartTimeoutMs: number } }).opts.moPartTimeoutMs = 200;
  try {
    const gw = h.gateway as unknown as {
      onMo: (c: { id: string }, p: unknown) => Promise<void>;
      releaseStaleMo: (ms: number) => Promise<void>;
    };
    const udh = (seq: number) =>
      Buffer.concat([Buffer.from([5, 0, 3, 0x42, 3, seq]), Buffer.from(`part${seq}`)]);
    await gw.onMo(
      { id: 'sim' },
      { source: '4477', destination: '555', esmClass: 0x40, dataCoding: 0, shortMessage: udh(1) },
    );
    await gw.onMo(
      { id: 'sim' },
      { source: '4477', destination: '555', esmClass: 0x40, dataCoding: 0, shortMessage: udh(3) },
    );
    await gw.onMo(
      { id: 'sim' },
      { source: '4477', destination: '555', esmClass: 0x40, dataCoding: 0, shortMessage: udh(3) },
    );
    assert.equal((await h.store.listMo(10)).length, 0, 'incomplete, duplicate ignored');
    await new Promise((r) => setTimeout(r, 250));
    await gw.releaseStaleMo(200);
    const [mo] = await h.store.listMo(10);
    assert.equal(mo.complete, false);
    assert.equal(mo.body.toString(), 'part1part3');
  } finally {
    await h.stop();
  }
});
