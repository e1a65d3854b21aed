// Round-trip properties over random valid PDUs of every type (checklist row 15):
// decode(encode(x)) equals x, unknown TLVs included, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BODY_TABLE,
  PDU_COMMANDS,
  TLV_BY_TAG,
  TLV_TABLE,
  decodePdu,
  encodePdu,
  makePdu,
  type CommandName,
  type PduInit,
} from '../../../src/smpp/codec/index.js';

const latin1 = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)),
    maxLength: max - 1,
  });
const u8 = fc.integer({ min: 0, max: 255 });

function fieldArb(kind: string, max: number | undefined): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'u8':
      return u8;
    case 'u16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'u32':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'cstring':
      return latin1(max!);
    case 'sm':
      return fc.uint8Array({ maxLength: 254 }).map((a) => Buffer.from(a));
    case 'dests':
      return fc.array(
        fc.oneof(
          fc
            .record({ kind: fc.constant('sme' as const), ton: u8, npi: u8, addr: latin1(21) })
            .map((r) => ({ ...r })),
          fc.record({ kind: fc.constant('list' as const), name: latin1(21) }).map((r) => ({ ...r })),
        ),
        { maxLength: 5 },
      );
    case 'unsuccess':
      return fc.array(
        fc
          .record({
            ton: u8,
            npi: u8,
            addr: latin1(21),
            errorStatusCode: fc.integer({ min: 0, max: 0xffffffff }),
          })
          .map((r) => ({ ...r })),
        { maxLength: 5 },
      );
  }
  throw new Error(kind);
}

const tlvNames = Object.keys(TLV_TABLE) as (keyof typeof TLV_TABLE)[];
const tlvValue = (name: keyof typeof TLV_TABLE): fc.Arbitrary<unknown> => {
  const [, kind, max] = TLV_TABLE[name] as readonly [number, string, number?];
  if (kind === 'nec')
    return fc
      .record({ networkType: u8, errorCode: fc.integer({ min: 0, max: 0xffff }) })
      .map((r) => ({ ...r }));
  if (kind === 'octets')
    return fc.uint8Array({ maxLength: Math.min(max ?? 0, 300) }).map((a) => Buffer.from(a));
  return fieldArb(kind, max);
};
const tlvsArb = fc
  .uniqueArray(fc.constantFrom(...tlvNames), { maxLength: 6 })
  .chain((names) => fc.tuple(...names.map((n) => tlvValue(n).map((v) => [n, v] as const))))
  .map((pairs) => Object.fromEntries(pairs));
const unknownTag = fc.integer({ min: 0x1400, max: 0x3fff }).filter((t) => !TLV_BY_TAG.has(t));
const unknownTlvsArb = fc.array(
  fc
    .record({ tag: unknownTag, value: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) })
    .map((r) => ({ ...r })),
  { maxLength: 3 },
);

function pduArb(command: CommandName): fc.Arbitrary<PduInit> {
  const specs = BODY_TABLE[command] as readonly { name: string; kind: string; max?: number }[];
  const body: Record<string, fc.Arbitrary<unknown>> = {};
  for (const s of specs) body[s.name] = fieldArb(s.kind, s.max);
  return fc
    .record({
      body: fc.record(body).map((r) => ({ ...r })),
      commandStatus: fc.constant(0),
      sequenceNumber: fc.integer({ min: 1, max: 0x7fffffff }),
      tlvs: tlvsArb,
      unknownTlvs: unknownTlvsArb,
    })
    .map(({ body, tlvs, unknownTlvs, ...header }) => {
      const pdu: Record<string, unknown> = { command, ...header, ...body, tlvs };
      if (unknownTlvs.length > 0) pdu.unknownTlvs = unknownTlvs;
      return pdu as PduInit;
    });
}

for (const command of PDU_COMMANDS) {
  test(`round trip: ${command}`, () => {
    fc.assert(
      fc.property(pduArb(command), (init) => {
        const bytes = encodePdu(init);
        const decoded = decodePdu(bytes);
        assert.deepEqual(decoded, makePdu(init));
        assert.ok(encodePdu(decoded).equals(bytes), 're-encoding changes bytes');
      }),
      { numRuns: 60, seed: 0x5e7 },
    );
  });
}
