// Fuzz the framer and decoder (checklist row 14): random and mutated frames end as a
// PDU or an SmppDecodeError, never another exception, never a hang. Fixed seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandStatus,
  PduFramer,
  SmppDecodeError,
  decodePdu,
  encodePdu,
} from '../../src/smpp/codec/index.js';
import { FIXTURES } from '../fixtures/pdu/fixtures.js';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  pdus: number;
  errors: number;
  fatal: number;
}

/** Feeds `input` in random chunks; every frame is decoded. Returns the counts. */
function feed(input: Buffer, rnd: () => number, out: Outcome): void {
  const framer = new PduFramer({ maxLength: 4096 });
  let pos = 0;
  while (pos < input.length) {
    const n = 1 + Math.floor(rnd() * 64);
    framer.push(input.subarray(pos, pos + n));
    pos += n;
    for (;;) {
      let frame: Buffer | undefined;
      try {
        frame = framer.next();
      } catch (err) {
        if (!(err instanceof SmppDecodeError)) throw err;
        assert.equal(err.fatal, true);
        out.fatal++;
        return; // a session closes the socket here
      }
      if (frame === undefined) break;
      try {
        decodePdu(frame);
        out.pdus++;
      } catch (err) {
        if (!(err instanceof SmppDecodeError)) throw err;
        assert.ok(err.commandStatus > 0);
        out.errors++;
      }
    }
  }
}

const seeds = FIXTURES.map((f) => Buffer.from(f.hex, 'hex'));

test('200,000 random and mutated inputs: only PDUs or typed errors', () => {
  const rnd = prng(20261124);
  const out: Outcome = { pdus: 0, errors: 0, fatal: 0 };
  const started = Date.now();
  for (let i = 0; i < 200_000; i++) {
    let input: Buffer;
    const kind = i % 4;
    if (kind === 0) {
      // Pure random bytes, sometimes with a plausible header length.
      input = Buffer.alloc(1 + Math.floor(rnd() * 80));
      for (let j = 0; j < input.length; j++) input[j] = Math.floor(rnd() * 256);
      if (rnd() < 0.5 && input.length >= 4)
        input.writeUInt32BE(Math.min(input.length, 16 + Math.floor(rnd() * 64)), 0);
    } else {
      // A real PDU (or several) with bytes flipped, inserted or deleted; the length fixed up half the time.
      const a = seeds[Math.floor(rnd() * seeds.length)];
      const b = kind === 3 ? seeds[Math.floor(rnd() * seeds.length)] : Buffer.alloc(0);
      input = Buffer.from(Buffer.concat([a, b]));
      const flips = 1 + Math.floor(rnd() * 4);
      for (let j = 0; j < flips; j++) {
        const at = Math.floor(rnd() * input.length);
        const op = rnd();
        if (op < 0.6) input[at] = Math.floor(rnd() * 256);
        else if (op < 0.8)
          input = Buffer.concat([
            input.subarray(0, at),
            Buffer.from([Math.floor(rnd() * 256)]),
            input.subarray(at),
          ]);
        else input = Buffer.concat([input.subarray(0, at), input.subarray(at + 1)]);
      }
      if (kind === 2 && input.length >= 16 && a.length <= input.length) input.writeUInt32BE(a.length, 0);
    }
    feed(input, rnd, out);
  }
  const ms = Date.now() - started;
  console.log(`fuzz: ${JSON.stringify(out)} in ${ms} ms`);
  // The mix must exercise all three outcomes, or the fuzzer is not reaching the decoder.
  assert.ok(out.pdus > 10_000 && out.errors > 10_000 && out.fatal > 10_000, JSON.stringify(out));
});

test('command_length 0, 15, 16, huge and "HTTP" bytes', () => {
  const cases: [string, Buffer, boolean][] = [
    ['0', Buffer.from('00000000', 'hex'), true],
    ['15', Buffer.from('0000000f00000015', 'hex'), true],
    ['huge', Buffer.from('7fffffff0000000400000000000000ff', 'hex'), true],
    ['HTTP', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), true],
    ['HTTP reply', Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), true],
  ];
  for (const [name, bytes, fatal] of cases) {
    const framer = new PduFramer();
    framer.push(bytes);
    assert.throws(
      () => framer.next(),
      (e: unknown) =>
        e instanceof SmppDecodeError &&
        e.fatal === fatal &&
        e.commandStatus === CommandStatus.ESME_RINVCMDLEN,
      name,
    );
  }
  // The huge length is reported with the sequence number it carried, for the generic_nack.
  const framer = new PduFramer();
  framer.push(Buffer.from('7fffffff0000000400000000000000ff', 'hex'));
  assert.throws(
    () => framer.next(),
    (e: unknown) =>
      e instanceof SmppDecodeError &&
      e.sequenceNumber === 0xff &&
      /exceeds the maximum of 65536/.test(e.message),
  );
  // Rejected after 4 bytes, not after waiting for 2 GiB.
  const early = new PduFramer();
  early.push(Buffer.from('7fffffff', 'hex'));
  assert.throws(() => early.next(), SmppDecodeError);
  // command_length 16 is a valid header-only PDU.
  const ok = new PduFramer();
  ok.push(encodePdu({ command: 'enquire_link', sequenceNumber: 3 }));
  assert.equal(decodePdu(ok.next()!).command, 'enquire_link');
});
