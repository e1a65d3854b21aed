// Opt-out keywords with auto-replies, per receiving number, over real sockets: handsets
// text the simulator (the SMSC), Hermod stores the MO, acts on STOP / START / HELP for the
// number they texted, and answers from that number, as the account the MO is routed to;
// the STOP confirmation reaches the handset although it just opted out, later MTs from
// that number are refused, START lets them through again, and a number of its own has
// its own keywords and replies (or none). The customer still gets every MO.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppClient, decodeText, type Pdu } from '../../src/smpp/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { DEFAULT_OPT_OUT } from '../../src/domain/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

test('opt-out: STOP/START/HELP answered from the number texted, charged to its customer; per-number keywords and replies; MOs still delivered', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [{ prefixes: ['12345', '777', '555'], user: 'shop' }],
    optOut: {
      numbers: {
        777: {
          keywords: { stop: ['ARRET'] },
          replies: { stop: 'Vous ne recevrez plus de messages.', help: null },
        },
      },
    },
  });
  const failed: string[] = [];
  h.gateway.on('optout_reply_failed', (_mo: string, kind: string, err: Error) =>
    failed.push(`${kind}: ${err.message}`),
  );
  try {
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    const inbound: string[] = [];
    c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
      const d = pdu as Extract<Pdu, { command: 'deliver_sm' }>;
      if ((d.esmClass & 0x04) === 0) inbound.push(decodeText(d.shortMessage, d.dataCoding));
      respond();
    });
    await c.connect();
    const balance = async () => (await h.store.getUserByName('shop'))!.balanceMicros;
    const start = await balance();
    /** The texts the SMSC received from `from` to `to`. */
    const mts = (from: string, to: string) =>
      sim.submitted
        .filter((m) => m.source === from && m.destination.replace(/^\+/, '') === to)
        .map((m) => decodeText(m.shortMessage, m.dataCoding));

    // HELP: answered, nothing else changes.
    sim.sendMo('hermod', { from: '447700900123', to: '12345', text: 'help' });
    await until('the HELP reply', () => mts('12345', '447700900123').length === 1);
    assert.deepEqual(mts('12345', '447700900123'), [DEFAULT_OPT_OUT.replies.help]);
    assert.equal(await h.store.isOptedOut('447700900123', '12345'), false);

    // STOP: opted out, and the confirmation still reaches the handset.
    sim.sendMo('hermod', { from: '447700900123', to: '12345', text: ' Stop ' });
    await until('opt-out stored', () => h.store.isOptedOut('447700900123', '12345'));
    await until('the STOP confirmation', () => mts('12345', '447700900123').length === 2);
    assert.equal(mts('12345', '447700900123')[1], DEFAULT_OPT_OUT.replies.stop);
    await assert.rejects(
      c.submitSm({
        sourceAddr: '12345',
        destinationAddr: '447700900123',
        shortMessage: Buffer.from('promo'),
      }),
      (e: unknown) => (e as { commandStatus?: number }).commandStatus === 0x0b,
      'the customer may not send to it',
    );

    // START: opted back in, welcomed, and the customer may send again.
    sim.sendMo('hermod', { from: '447700900123', to: '12345', text: 'START' });
    await until('opt-in', async () => !(await h.store.isOptedOut('447700900123', '12345')));
    await until('the START reply', () => mts('12345', '447700900123').length === 3);
    assert.equal(mts('12345', '447700900123')[2], DEFAULT_OPT_OUT.replies.start);
    assert.ok(
      (
        await c.submitSm({
          sourceAddr: '12345',
          destinationAddr: '447700900123',
          shortMessage: Buffer.from('welcome back'),
        })
      ).messageId,
    );

    // Number 777 has its own words: STOP is an ordinary text there, ARRET opts out in French, HELP is not answered.
    sim.sendMo('hermod', { from: '447700900124', to: '777', text: 'STOP' });
    sim.sendMo('hermod', { from: '447700900124', to: '777', text: 'HELP' });
    sim.sendMo('hermod', { from: '447700900124', to: '777', text: 'arret' });
    await until('opted out of 777', () => h.store.isOptedOut('447700900124', '777'));
    await until('the French confirmation', () => mts('777', '447700900124').length === 1);
    assert.deepEqual(mts('777', '447700900124'), ['Vous ne recevrez plus de messages.']);
    assert.equal(
      await h.store.isOptedOut('447700900124', '12345'),
      false,
      'per sender: other numbers unaffected',
    );

    // The customer got every MO, keywords included; four replies were charged to it.
    await until('six MOs delivered', () => inbound.length === 6);
    assert.deepEqual(inbound, ['help', ' Stop ', 'START', 'STOP', 'HELP', 'arret']);
    await until('charged', async () => start - (await balance()) === 50_000);
    assert.equal(start - (await balance()), 50_000, 'four replies and one MT at 0.01');
    const replies = (await h.store.listMessages({ limit: 20 })).filter((m) =>
      m.meta.tags?.some((t) => t.startsWith('opt-out-')),
    );
    assert.deepEqual(replies.map((m) => m.meta.tags![0]).sort(), [
      'opt-out-help-reply',
      'opt-out-start-reply',
      'opt-out-stop-reply',
      'opt-out-stop-reply',
    ]);
    assert.deepEqual(failed, []);
    await c.close();
  } finally {
    await h.stop();
  }
});

test('opt-out: without an account to send as (the MO goes to no customer), the reply is reported as not sent and the opt-out still holds', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    optOut: { numbers: { 888: { account: 'shop' } } },
  });
  const failed: string[] = [];
  h.gateway.on('optout_reply_failed', (_mo: string, kind: string, err: Error & { code?: string }) =>
    failed.push(`${kind} ${err.code}`),
  );
  try {
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    sim.sendMo('hermod', { from: '447700900125', to: '12345', text: 'STOP' });
    await until('opt-out stored', () => h.store.isOptedOut('447700900125', '12345'));
    await until('reported', () => failed.length === 1);
    assert.deepEqual(failed, ['stop HERMOD_ERR_NO_REPLY_ACCOUNT']);
    // A number with its account answers although no MO route names a customer.
    sim.sendMo('hermod', { from: '447700900125', to: '888', text: 'STOP' });
    await until('the reply from 888', () => sim.submitted.some((m) => m.source === '888'));
    assert.equal(failed.length, 1);
  } finally {
    await h.stop();
  }
});
