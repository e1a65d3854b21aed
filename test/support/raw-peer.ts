/**
 * A raw SMPP peer for tests: a plain socket that sends exactly the bytes we ask
 * for and collects every PDU it receives, so tests can misbehave on purpose
 * (hang, answer late or twice, send junk, drop the connection).
 */
import net from 'node:net';
import { PduFramer, decodePdu, encodePdu, type Pdu, type PduInit } from '../../src/smpp/codec/index.js';

export class RawPeer {
  readonly received: Pdu[] = [];
  closed = false;
  private readonly framer = new PduFramer();
  private waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.framer.push(chunk);
      for (let f = this.framer.next(); f; f = this.framer.next())
        this.received.push(decodePdu(Buffer.from(f)));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(pdu: PduInit): void {
    this.socket.write(encodePdu(pdu));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits for a received PDU matching `pred` (searching from the start), or fails after `ms`. */
  async waitFor(pred: (p: Pdu) => boolean, ms = 3000): Promise<Pdu> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error('peer closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${this.received.map((p) => p.command).join(',')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async waitClosed(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A raw SMSC: accepts connections and hands each RawPeer to `onPeer`. */
export async function rawServer(
  onPeer: (peer: RawPeer) => void,
): Promise<{ port: number; close: () => Promise<void>; peers: RawPeer[] }> {
  const peers: RawPeer[] = [];
  const server = net.createServer((s) => {
    const p = new RawPeer(s);
    peers.push(p);
    onPeer(p);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    peers,
    close: () =>
      new Promise<void>((r) => {
        for (const p of peers) p.destroy();
        server.close(() => r());
      }),
  };
}

/** Answers binds OK and, by default, every submit_sm with a message id. */
export function autoAnswer(peer: RawPeer, opts: { submits?: boolean } = {}): void {
  peer.socket.on('data', () => {
    for (const p of peer.received.splice(0)) {
      if (p.command.startsWith('bind_') && !p.command.endsWith('_resp')) {
        peer.send({
          command: `${p.command}_resp` as 'bind_transceiver_resp',
          sequenceNumber: p.sequenceNumber,
          systemId: 'raw',
        });
      } else if (p.command === 'enquire_link') {
        peer.send({ command: 'enquire_link_resp', sequenceNumber: p.sequenceNumber });
      } else if (p.command === 'unbind') {
        peer.send({ command: 'unbind_resp', sequenceNumber: p.sequenceNumber });
      } else if (p.command === 'submit_sm' && opts.submits !== false) {
        peer.send({
          command: 'submit_sm_resp',
          sequenceNumber: p.sequenceNumber,
          messageId: `m${p.sequenceNumber}`,
        });
      } else {
        peer.received.push(p);
      }
    }
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
