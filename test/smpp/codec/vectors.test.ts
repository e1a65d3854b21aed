import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandStatus,
  PDU_COMMANDS,
  PduFramer,
  SmppDecodeError,
  SmppEncodeError,
  decodePdu,
  encodePdu,
  makePdu,
  type Pdu,
} from '../../../src/smpp/codec/index.js';
import { FIXTURES } from '../../fixtures/pdu/fixtures.js';

function framesOf(framer: PduFramer): Buffer[] {
  const out: Buffer[] = [];
  for (let f = framer.next(); f !== undefined; f = framer.next()) out.push(Buffer.from(f));
  return out;
}

test('every command has at least one byte vector', () => {
  const covered = new Set(FIXTURES.map((f) => f.pdu.command));
  assert.deepEqual(
    PDU_COMMANDS.filter((c) => !covered.has(c)),
    [],
  );
});

// One fixture, four tests: decode, encode, round trip, stream.
for (const fx of FIXTURES) {
  describe(fx.name, () => {
    const bytes = Buffer.from(fx.hex, 'hex');
    const expected = makePdu(fx.pdu) as Pdu;

    test('decode', () => {
      assert.deepEqual(decodePdu(bytes), expected);
    });

    test('encode', () => {
      assert.equal(encodePdu(fx.pdu).toString('hex'), fx.hex);
      assert.equal(encodePdu(expected).toString('hex'), fx.hex);
    });

    test('round trip keeps every byte', () => {
      assert.equal(encodePdu(decodePdu(bytes)).toString('hex'), fx.hex);
    });

    test('stream: every split index and one byte at a time', () => {
      for (let i = 0; i <= bytes.length; i++) {
        const framer = new PduFramer();
        framer.push(bytes.subarray(0, i));
        const early = framesOf(framer);
        framer.push(bytes.subarray(i));
        const all = [...early, ...framesOf(framer)];
        assert.equal(all.length, 1, `split at ${i}`);
        assert.deepEqual(decodePdu(all[0]), expected);
      }
      const framer = new PduFramer();
      const got: Buffer[] = [];
      for (const b of bytes) {
        framer.push(Buffer.from([b]));
        got.push(...framesOf(framer));
      }
      assert.equal(got.length, 1);
      assert.equal(got[0].toString('hex'), fx.hex);
      assert.equal(framer.buffered, 0);
    });
  });
}

test('stream: all fixtures coalesced in one chunk, then at every split of the whole', () => {
  const all = Buffer.concat(FIXTURES.map((f) => Buffer.from(f.hex, 'hex')));
  const want = FIXTURES.map((f) => f.hex);
  const framer = new PduFramer();
  framer.push(all);
  assert.deepEqual(
    framesOf(framer).map((b) => b.toString('hex')),
    want,
  );
  for (let i = 0; i < all.length; i += 7) {
    const f2 = new PduFramer();
    f2.push(all.subarray(0, i));
    const a = framesOf(f2);
    f2.push(all.subarray(i));
    assert.deepEqual(
      [...a, ...framesOf(f2)].map((b) => b.toString('hex')),
      want,
      `split at ${i}`,
    );
  }
});

describe('decode errors name the problem and the status to answer', () => {
  const submit = Buffer.from(FIXTURES.find((f) => f.pdu.command === 'submit_sm')!.hex, 'hex');

  function decodeError(buf: Buffer): SmppDecodeError {
    try {
      decodePdu(buf);
    } catch (err) {
      assert.ok(err instanceof SmppDecodeError, String(err));
      return err;
    }
    assert.fail('decoded without error');
  }

  test('unknown command_id → ESME_RINVCMDID, recoverable, with the sequence number (row 17)', () => {
    const b = Buffer.from('00000010000000ff0000000000000042', 'hex');
    const e = decodeError(b);
    assert.equal(e.commandStatus, CommandStatus.ESME_RINVCMDID);
    assert.equal(e.fatal, false);
    assert.equal(e.sequenceNumber, 0x42);
    assert.match(e.message, /0x000000ff/);
  });

  test('a truncated body → ESME_RINVCMDLEN', () => {
    const cut = Buffer.from(submit.subarray(0, 30));
    cut.writeUInt32BE(30, 0);
    const e = decodeError(cut);
    assert.equal(e.commandStatus, CommandStatus.ESME_RINVCMDLEN);
    assert.equal(e.sequenceNumber, 7);
  });

  test('command_length disagreeing with the frame → ESME_RINVCMDLEN', () => {
    const b = Buffer.from(submit);
    b.writeUInt32BE(b.length + 1, 0);
    assert.equal(decodeError(b).commandStatus, CommandStatus.ESME_RINVCMDLEN);
  });

  test('destination_addr over 20 characters → ESME_RINVDSTADR', () => {
    // submit_sm header, service_type, source ton/npi/addr, dest ton/npi, then a 25-digit address.
    const raw = Buffer.concat([
      Buffer.from('00000000' + '00000004' + '00000000' + '00000005', 'hex'),
      Buffer.from('00' + '0000' + '00' + '0101', 'hex'),
      Buffer.from('1'.repeat(25) + '\0', 'latin1'),
      Buffer.alloc(20),
    ]);
    raw.writeUInt32BE(raw.length, 0);
    const e = decodeError(raw);
    assert.equal(e.commandStatus, CommandStatus.ESME_RINVDSTADR);
    assert.match(e.message, /destinationAddr: 25 octets, the maximum is 20/);
  });

  test('sm_length beyond the body → ESME_RINVMSGLEN', () => {
    const b = Buffer.from(submit);
    b[b.length - 6] = 0xff; // sm_length
    assert.equal(decodeError(b).commandStatus, CommandStatus.ESME_RINVMSGLEN);
  });

  test('a TLV running past the body → ESME_RINVOPTPARSTREAM; a wrong fixed length → ESME_RINVPARLEN', () => {
    const base = encodePdu({ command: 'submit_sm', destinationAddr: '1' });
    const overflow = Buffer.concat([base, Buffer.from('04240010ab', 'hex')]);
    overflow.writeUInt32BE(overflow.length, 0);
    assert.equal(decodeError(overflow).commandStatus, CommandStatus.ESME_RINVOPTPARSTREAM);
    const badLen = Buffer.concat([base, Buffer.from('042700020101', 'hex')]);
    badLen.writeUInt32BE(badLen.length, 0);
    assert.equal(decodeError(badLen).commandStatus, CommandStatus.ESME_RINVPARLEN);
  });

  test('receipted_message_id without its NUL (a common SMSC bug) still decodes', () => {
    const base = encodePdu({ command: 'deliver_sm', esmClass: 4 });
    const b = Buffer.concat([base, Buffer.from('001e0004', 'hex'), Buffer.from('ab12')]);
    b.writeUInt32BE(b.length, 0);
    const pdu = decodePdu(b);
    assert.equal(pdu.command === 'deliver_sm' && pdu.tlvs.receiptedMessageId, 'ab12');
  });
});

describe('encode errors', () => {
  test('a string over its maximum names the field', () => {
    assert.throws(
      () => encodePdu({ command: 'bind_transmitter', systemId: 'x'.repeat(16) }),
      (e: unknown) => {
        return e instanceof SmppEncodeError && e.field === 'systemId' && /maximum is 15/.test(e.message);
      },
    );
  });
  test('short_message over 254 octets points at message_payload', () => {
    assert.throws(
      () => encodePdu({ command: 'submit_sm', shortMessage: Buffer.alloc(255) }),
      /messagePayload/,
    );
  });
  test('non-Latin-1 characters are refused in C-Octet strings', () => {
    assert.throws(() => encodePdu({ command: 'submit_sm', sourceAddr: 'Hérmød☃' }), SmppEncodeError);
  });
  test('out-of-range integers are refused', () => {
    assert.throws(() => encodePdu({ command: 'submit_sm', esmClass: 256 }), /esmClass/);
    assert.throws(() => encodePdu({ command: 'submit_sm', tlvs: { sarMsgRefNum: 70000 } }), /sarMsgRefNum/);
  });
  test('encoding never mutates its input', () => {
    const input = { command: 'submit_sm' as const, destinationAddr: '1', tlvs: { messageState: 2 } };
    const copy = structuredClone(input);
    encodePdu(input);
    assert.deepEqual(input, copy);
  });
});
