// Issue 13 at the session and server level, with a fake socket and a fake clock: backpressure on
// a peer that does not read (item 2), one bind in progress (item 1), the bind timeout default
// (item 2) and room kept for bound sessions (item 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Session } from '../../../src/smpp/session/index.js';
import { SmppServer } from '../../../src/smpp/server/index.js';
import { encodePdu, CommandStatus } from '../../../src/smpp/codec/index.js';
import { FakeClock } from '../../../src/lib/clock.js';
import { RawPeer } from '../../support/raw-peer.js';

/** A socket whose peer never reads: everything written stays in `writableLength`. */
class StuckSocket extends EventEmitter {
  writableLength = 0;
  paused = false;
  destroyed = false;
  write(data: Buffer): boolean {
    this.writableLength += data.length;
    return false;
  }
  cork(): void {}
  uncork(): void {}
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  get writableNeedDrain(): boolean {
    return this.writableLength > 0;
  }
}

const enquire = (seq: number) => encodePdu({ command: 'enquire_link', sequenceNumber: seq });

test('item 2: a session stops reading while its unread answers exceed maxWriteBuffer, and reads again on drain', async () => {
  const socket = new StuckSocket();
  const s = new Session(socket, {
    role: 'smsc',
    maxWriteBuffer: 1024,
    enquireLinkMs: 0,
    clock: new FakeClock(),
  });
  for (let i = 1; i <= 200; i++) socket.emit('data', enquire(i));
  await new Promise((r) => setImmediate(r)); // the batched answers are written
  assert.ok(socket.writableLength > 1024);
  assert.equal(socket.paused, true, 'reading paused');
  socket.writableLength = 0;
  socket.emit('drain');
  assert.equal(socket.paused, false, 'reading resumed');
  s.destroy();
});

test('item 1: a second bind while the first is being checked is answered ESME_RALYBND, unchecked', async () => {
  const socket = new StuckSocket();
  const written: Buffer[] = [];
  socket.write = (d: Buffer) => (written.push(d), true);
  const s = new Session(socket, { role: 'smsc', enquireLinkMs: 0, clock: new FakeClock() });
  let checks = 0;
  s.on('bind_request', () => checks++);
  const bind = (seq: number) =>
    encodePdu({ command: 'bind_transmitter', sequenceNumber: seq, systemId: 'a', password: 'b' });
  socket.emit('data', Buffer.concat([bind(1), bind(2), bind(3)]));
  await new Promise((r) => setImmediate(r));
  assert.equal(checks, 1);
  const all = Buffer.concat(written);
  // Two bind_transmitter_resp headers with status ESME_RALYBND (0x05).
  let ralybnd = 0;
  for (let off = 0; off + 16 <= all.length; off += all.readUInt32BE(off))
    if (all.readUInt32BE(off + 4) === 0x80000002 && all.readUInt32BE(off + 8) === CommandStatus.ESME_RALYBND)
      ralybnd++;
  assert.equal(ralybnd, 2);
  s.destroy();
});

test('item 2: the server closes a connection not bound within 10 s by default', async () => {
  const clock = new FakeClock(Date.now());
  const server = new SmppServer({ host: '127.0.0.1', port: 0, clock, enquireLinkMs: 0 });
  const port = await server.listen();
  try {
    const peer = await RawPeer.connect(port);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(9_900);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(peer.closed, false);
    clock.advance(200);
    await peer.waitClosed(2000);
  } finally {
    await server.close();
  }
});

test('item 3: unbound connections take at most 80% of maxConnections and 10 per address', async () => {
  const server = new SmppServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 10,
    maxUnboundPerAddress: 100,
  });
  const port = await server.listen();
  const peers: RawPeer[] = [];
  try {
    for (let i = 0; i < 10; i++) peers.push(await RawPeer.connect(port));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(peers.filter((p) => !p.closed).length, 8, 'two slots kept for bound sessions');
    const perAddress = new SmppServer({ host: '127.0.0.1', port: 0 });
    const p2 = await perAddress.listen();
    const more: RawPeer[] = [];
    for (let i = 0; i < 12; i++) {
      const s = net.connect({ port: p2, host: '127.0.0.1', localAddress: '127.0.0.11' });
      await new Promise((r) => s.once('connect', r));
      more.push(new RawPeer(s));
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(more.filter((p) => !p.closed).length, 10);
    for (const p of more) p.destroy();
    await perAddress.close();
  } finally {
    for (const p of peers) p.destroy();
    await server.close();
  }
});
