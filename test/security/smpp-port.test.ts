// Issue 13, SMPP server (customer port): the attacks of items 1, 2, 3, 5 and 6 replayed against
// a running Hermod (demo configuration, SQLite), each asserting the limit is hit, the answer
// given, and /ping still answering (PING_BOUND_MS, see attack.ts) while it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandStatus, SmppClient } from '../../src/smpp/index.js';
import { demoHermod } from '../support/hermod.js';
import { RawPeer } from '../support/raw-peer.js';
import { until } from '../support/until.js';
import { PING_BOUND_MS, bindPdu, probePing, rawFrom } from './attack.js';

const bindResps = (p: RawPeer) => p.received.filter((x) => x.command === 'bind_transceiver_resp');

test('item 1: 100 wrong-password binds in one write: one is checked, the rest answered ESME_RALYBND, then cut off', async () => {
  const h = await demoHermod();
  const ping = probePing(h.httpPort);
  try {
    const peer = await RawPeer.connect(h.smppPort);
    peer.sendRaw(Buffer.concat(Array.from({ length: 100 }, (_, i) => bindPdu('demo', `wrong${i}`, i + 1))));
    // A bind in progress makes the ones behind it ESME_RALYBND; more than 10 requests
    // before bind close the connection (the first bind's check is then moot).
    await peer.waitClosed(5000);
    const statuses = bindResps(peer).map((p) => p.commandStatus);
    assert.ok(statuses.filter((s) => s === CommandStatus.ESME_RALYBND).length >= 9, String(statuses));
    assert.ok(statuses.filter((s) => s !== CommandStatus.ESME_RALYBND).length <= 1, String(statuses));
    assert.ok(!statuses.includes(CommandStatus.ESME_ROK));
  } finally {
    const { worst, errors } = await ping.stop();
    await h.stop();
    assert.equal(errors, 0);
    assert.ok(worst < PING_BOUND_MS, `/ping took ${worst.toFixed(0)} ms during the attack`);
  }
});

test('item 1: 30 wrong passwords then the right one, in one write, do not bind', async () => {
  const h = await demoHermod();
  try {
    const peer = await RawPeer.connect(h.smppPort);
    const binds = Array.from({ length: 30 }, (_, i) => bindPdu('demo', `wrong${i}`, i + 1));
    peer.sendRaw(Buffer.concat([...binds, bindPdu('demo', 'demo', 31)]));
    await peer.waitClosed(5000);
    assert.ok(bindResps(peer).every((p) => p.commandStatus !== CommandStatus.ESME_ROK));
  } finally {
    await h.stop();
  }
});

test('item 1: wrong binds from many connections of one address lock it out; the right password is then refused', async () => {
  const h = await demoHermod();
  try {
    const peers = await Promise.all(Array.from({ length: 8 }, () => rawFrom(h.smppPort, '127.0.0.3')));
    for (const [i, p] of peers.entries()) p.sendRaw(bindPdu('demo', `wrong${i}`, 1));
    await until('every bind answered', () => peers.every((p) => bindResps(p).length === 1), 10_000);
    assert.ok(peers.every((p) => bindResps(p)[0].commandStatus === CommandStatus.ESME_RBINDFAIL));
    const late = await rawFrom(h.smppPort, '127.0.0.3');
    late.sendRaw(bindPdu('demo', 'demo', 1));
    const resp = await late.waitFor((p) => p.command === 'bind_transceiver_resp', 5000);
    assert.equal(resp.commandStatus, CommandStatus.ESME_RBINDFAIL, 'locked out');
    for (const p of [...peers, late]) p.destroy();
  } finally {
    await h.stop();
  }
});

test('item 5: unknown user and wrong password get the same answer', async () => {
  const h = await demoHermod();
  try {
    const a = await rawFrom(h.smppPort, '127.0.0.4');
    a.sendRaw(bindPdu('nobody', 'x', 1));
    const b = await rawFrom(h.smppPort, '127.0.0.5');
    b.sendRaw(bindPdu('demo', 'wrong', 1));
    const [ra, rb] = await Promise.all([
      a.waitFor((p) => p.command === 'bind_transceiver_resp'),
      b.waitFor((p) => p.command === 'bind_transceiver_resp'),
    ]);
    assert.equal(ra.commandStatus, CommandStatus.ESME_RBINDFAIL);
    assert.equal(rb.commandStatus, CommandStatus.ESME_RBINDFAIL);
    a.destroy();
    b.destroy();
  } finally {
    await h.stop();
  }
});

test('item 2: an enquire_link flood before bind (answers unread) is cut off', async () => {
  const h = await demoHermod();
  const ping = probePing(h.httpPort);
  try {
    const peer = await RawPeer.connect(h.smppPort);
    peer.socket.pause(); // the attacker never reads the answers
    const one = Buffer.from('00000010000000150000000000000001', 'hex'); // enquire_link, seq 1
    peer.sendRaw(Buffer.concat(Array.from({ length: 20_000 }, () => one)));
    await new Promise((r) => setTimeout(r, 300));
    peer.socket.resume();
    await peer.waitClosed(5000);
  } finally {
    const { worst, errors } = await ping.stop();
    await h.stop();
    assert.equal(errors, 0);
    assert.ok(worst < PING_BOUND_MS, `/ping took ${worst.toFixed(0)} ms during the attack`);
  }
});

test('item 3: idle sockets from one address are capped; a customer from another address still binds', async () => {
  const h = await demoHermod();
  try {
    const idle = await Promise.all(Array.from({ length: 20 }, () => rawFrom(h.smppPort, '127.0.0.6')));
    await until('ten refused', () => idle.filter((p) => p.closed).length >= 10, 3000);
    assert.equal(idle.filter((p) => !p.closed).length, 10, 'ten unbound connections per address');
    const customer = await rawFrom(h.smppPort, '127.0.0.7');
    customer.sendRaw(bindPdu('demo', 'demo', 1));
    const resp = await customer.waitFor((p) => p.command === 'bind_transceiver_resp');
    assert.equal(resp.commandStatus, CommandStatus.ESME_ROK);
    for (const p of [...idle, customer]) p.destroy();
  } finally {
    await h.stop();
  }
});

test('item 3: a user holds 10 binds by default; the 11th is refused', async () => {
  const h = await demoHermod();
  const clients: SmppClient[] = [];
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const c = new SmppClient({
        host: '127.0.0.1',
        port: h.smppPort,
        systemId: 'demo',
        password: 'demo',
        reconnect: false,
      });
      clients.push(c);
      await c.connect().then(
        () => statuses.push(0),
        (e: { commandStatus?: number }) => statuses.push(e.commandStatus ?? -1),
      );
    }
    assert.deepEqual(statuses, [...Array<number>(10).fill(0), CommandStatus.ESME_RBINDFAIL]);
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await h.stop();
  }
});

for (const [name, length] of [
  ['15', 15],
  ['0x7FFFFFFF', 0x7fffffff],
] as const) {
  test(`item 6: command_length ${name} is answered generic_nack ESME_RINVCMDLEN (sequence echoed), then closed`, async () => {
    const h = await demoHermod();
    try {
      const peer = await RawPeer.connect(h.smppPort);
      const header = Buffer.alloc(16);
      header.writeUInt32BE(length, 0);
      header.writeUInt32BE(0x00000004, 4); // submit_sm
      header.writeUInt32BE(0, 8);
      header.writeUInt32BE(77, 12);
      peer.sendRaw(header);
      await peer.waitClosed(3000);
      assert.equal(peer.received.length, 1);
      const [nack] = peer.received;
      assert.equal(nack.command, 'generic_nack');
      assert.equal(nack.commandStatus, CommandStatus.ESME_RINVCMDLEN);
      assert.equal(nack.sequenceNumber, 77);
    } finally {
      await h.stop();
    }
  });
}
