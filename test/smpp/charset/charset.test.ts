import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_ALPHABET,
  Reassembler,
  UnencodableCharacterError,
  chooseEncoding,
  countSegments,
  decodeGsm7,
  decodeText,
  encodeGsm7,
  encodeText,
  packSeptets,
  parseUdh,
  shiftTables,
  splitBinary,
  splitMessage,
  unpackSeptets,
  type SplitMethod,
} from '../../../src/smpp/charset/index.js';
import { FakeClock } from '../../../src/lib/clock.js';

const EXTENSION = '\f^{}\\[~]|€';

describe('GSM 03.38', () => {
  test('all 127 default characters encode to their septet and back', () => {
    for (let i = 0; i < 128; i++) {
      if (i === 0x1b) continue;
      const ch = DEFAULT_ALPHABET[i];
      assert.deepEqual([...encodeGsm7(ch)], [i], `septet 0x${i.toString(16)} ${JSON.stringify(ch)}`);
      assert.equal(decodeGsm7(Buffer.from([i])), ch);
    }
    assert.equal(DEFAULT_ALPHABET.length, 128);
  });

  test('the 10 extension characters are escape pairs', () => {
    const expected: Record<string, number> = {
      '\f': 0x0a,
      '^': 0x14,
      '{': 0x28,
      '}': 0x29,
      '\\': 0x2f,
      '[': 0x3c,
      '~': 0x3d,
      ']': 0x3e,
      '|': 0x40,
      '€': 0x65,
    };
    for (const ch of EXTENSION) {
      assert.deepEqual([...encodeGsm7(ch)], [0x1b, expected[ch]], ch);
      assert.equal(decodeGsm7(Buffer.from([0x1b, expected[ch]])), ch);
    }
  });

  test('packing matches the 3GPP example and unpacks with 0–6 fill bits', () => {
    assert.equal(packSeptets(encodeGsm7('hellohello')).toString('hex').toUpperCase(), 'E8329BFD4697D9EC37');
    const septets = encodeGsm7('Hermod {ok} €5 @ 100%');
    for (let fill = 0; fill <= 6; fill++) {
      const packed = packSeptets(septets, fill);
      assert.equal(packed.length, Math.ceil((fill + septets.length * 7) / 8));
      assert.deepEqual(unpackSeptets(packed, fill, septets.length), septets, `fill ${fill}`);
    }
  });

  test('unencodable characters are refused with their index, never replaced', () => {
    assert.throws(
      () => encodeGsm7('abc✓d'),
      (e: unknown) => e instanceof UnencodableCharacterError && e.index === 3 && e.character === '✓',
    );
    assert.throws(() => encodeText('Łódź', 'latin1'), UnencodableCharacterError);
    assert.throws(() => encodeText('é', 'ascii'), UnencodableCharacterError);
  });

  test('decoding junk never throws', () => {
    assert.equal(decodeGsm7(Buffer.from([0x41, 0xff, 0x1b])), 'A\ufffd ');
    assert.equal(
      decodeGsm7(Buffer.from([0x1b, 0x41])),
      'A',
      'an empty extension position shows the default character',
    );
  });

  test('national shift tables: Turkish, Spanish, Portuguese round trip', () => {
    const cases: [string, 'turkish' | 'spanish' | 'portuguese'][] = [
      ['Şişli Ğ ğ ı İ ç €', 'turkish'],
      ['Canción: águila, Íñigo, Ú', 'spanish'],
      ['São Paulo: ação, você, Ônibus', 'portuguese'],
    ];
    for (const [text, lang] of cases) {
      assert.equal(chooseEncoding(text), 'ucs2', 'needs UCS-2 without the national table');
      assert.equal(chooseEncoding(text, { language: lang }), 'gsm7');
      const t = shiftTables(lang);
      assert.equal(decodeGsm7(encodeGsm7(text, t), t), text, lang);
    }
  });
});

describe('encodings by data_coding', () => {
  test('UCS-2 carries emoji as surrogate pairs', () => {
    const b = encodeText('a👋', 'ucs2');
    assert.equal(b.toString('hex'), '0061d83ddc4b');
    assert.equal(decodeText(b, 8), 'a👋');
  });
  test('Latin-1, IA5, binary', () => {
    assert.equal(encodeText('café', 'latin1').toString('hex'), '636166e9');
    assert.equal(decodeText(Buffer.from('636166e9', 'hex'), 3), 'café');
    assert.equal(decodeText(Buffer.from('hi'), 1), 'hi');
    assert.equal(decodeText(Buffer.from([0xc3, 0x41]), 0xf4), '\u00c3A', 'class 0xF4 is 8-bit data');
    assert.equal(decodeText(Buffer.from([0x41]), 0xf0), 'A', 'class 0xF0 is GSM');
  });
  test('chooseEncoding: GSM when everything fits, else UCS-2', () => {
    assert.equal(chooseEncoding('Hello {world} €'), 'gsm7');
    assert.equal(chooseEncoding('Привет'), 'ucs2');
    assert.equal(chooseEncoding('ok 👍'), 'ucs2');
  });
});

describe('segment counts at the edges', () => {
  const gsm = (n: number) => 'a'.repeat(n);
  test('GSM-7: 160 / 161, 153×n, 153×n+1', () => {
    assert.deepEqual(countSegments(gsm(160)), {
      encoding: 'gsm7',
      units: 160,
      segments: 1,
      perSegment: 160,
      remaining: 0,
    });
    assert.deepEqual(countSegments(gsm(161)), {
      encoding: 'gsm7',
      units: 161,
      segments: 2,
      perSegment: 153,
      remaining: 145,
    });
    for (const n of [2, 3, 7]) {
      assert.equal(countSegments(gsm(153 * n)).segments, n);
      assert.equal(countSegments(gsm(153 * n + 1)).segments, n + 1);
    }
    assert.equal(countSegments('').segments, 1);
  });
  test('extension characters count two, and an escape pair never straddles a boundary', () => {
    assert.equal(countSegments('€'.repeat(80)).units, 160);
    assert.equal(countSegments('€'.repeat(80)).segments, 1);
    assert.equal(countSegments('€'.repeat(81)).segments, 2);
    // 152 plain + one € = 154 septets: the € cannot fit in part 1 (152+2 > 153).
    const t = gsm(152) + '€' + gsm(10);
    const r = countSegments(t);
    assert.equal(r.segments, 2);
    assert.equal(r.remaining, 153 - 12);
    const parts = splitMessage(t, { method: 'udh8', reference: 1 }).parts;
    assert.equal(parts[0].shortMessage.length - 6, 152, 'part 1 holds 152 septets');
    assert.deepEqual(
      [...parts[1].shortMessage.subarray(6, 8)],
      [0x1b, 0x65],
      'the escape pair starts part 2',
    );
  });
  test('UCS-2: 70 / 71, 67×n, surrogate pairs never straddle', () => {
    const u = (n: number) => 'ж'.repeat(n);
    assert.equal(countSegments(u(70)).segments, 1);
    assert.equal(countSegments(u(71)).segments, 2);
    assert.equal(countSegments(u(67 * 3)).segments, 3);
    assert.equal(countSegments(u(67 * 3 + 1)).segments, 4);
    assert.equal(countSegments('👋'.repeat(35)).segments, 1);
    assert.equal(countSegments('👋'.repeat(35)).units, 70);
    const t = u(66) + '👋' + u(5);
    assert.equal(countSegments(t).segments, 2);
    const parts = splitMessage(t, { method: 'udh8', reference: 9 }).parts;
    assert.equal((parts[0].shortMessage.length - 6) / 2, 66, 'part 1 holds 66 units; the pair moves on');
    assert.equal(decodeText(parts[1].shortMessage.subarray(6), 8), '👋' + u(5));
  });
  test('16-bit references leave 152 / 66 per part; a national single shift leaves 155 alone', () => {
    assert.equal(countSegments(gsm(200), { concat: 'udh16' }).perSegment, 152);
    assert.equal(countSegments('ж'.repeat(100), { concat: 'udh16' }).perSegment, 66);
    const tr = countSegments('ş'.repeat(100), { language: 'turkish' });
    assert.equal(tr.encoding, 'gsm7');
    assert.equal(tr.language, 'turkish');
  });
});

describe('splitting and UDH', () => {
  test('a short text gets no UDH', () => {
    const r = splitMessage('hello', { method: 'udh8', reference: 7 });
    assert.equal(r.esmClass, 0);
    assert.equal(r.parts.length, 1);
    assert.equal(r.parts[0].shortMessage.toString(), 'hello');
  });
  test('UDH 8-bit and 16-bit references parse back', () => {
    const a = splitMessage('x'.repeat(200), { method: 'udh8', reference: 0xab });
    assert.equal(a.esmClass, 0x40);
    assert.deepEqual(parseUdh(a.parts[1].shortMessage)!.concat, { ref: 0xab, total: 2, seq: 2, refBits: 8 });
    const b = splitMessage('x'.repeat(200), { method: 'udh16', reference: 0x1234 });
    assert.deepEqual(parseUdh(b.parts[0].shortMessage)!.concat, {
      ref: 0x1234,
      total: 2,
      seq: 1,
      refBits: 16,
    });
    assert.equal(parseUdh(Buffer.from([5, 0, 3])), undefined, 'a truncated UDH is refused');
  });
  test('SAR and payload methods', () => {
    const s = splitMessage('y'.repeat(400), { method: 'sar', reference: 0x4242 });
    assert.equal(s.esmClass, 0);
    assert.deepEqual(
      s.parts.map((p) => p.sar),
      [1, 2, 3].map((seq) => ({ ref: 0x4242, total: 3, seq })),
    );
    const p = splitMessage('y'.repeat(400), { method: 'payload', reference: 0 });
    assert.equal(p.parts.length, 1);
    assert.equal(p.parts[0].messagePayload!.length, 400);
    assert.equal(p.parts[0].shortMessage.length, 0);
  });
  test('binary split: 140 alone, 134 per UDH part', () => {
    assert.equal(splitBinary(Buffer.alloc(140), { method: 'udh8', reference: 1 }).parts.length, 1);
    const r = splitBinary(Buffer.alloc(300), { method: 'udh8', reference: 1 });
    assert.equal(r.parts.length, 3);
    assert.equal(r.parts[0].shortMessage.length, 140);
  });

  test('property: split by every method, reassemble in any order with duplicates = the original', () => {
    const alphabet = [...'abcXYZ 019@£éΔ€{}[]', 'ж', 'ß', '👋', '中'];
    const textArb = fc.array(fc.constantFrom(...alphabet), { maxLength: 700 }).map((a) => a.join(''));
    const methods: SplitMethod[] = ['udh8', 'udh16', 'sar'];
    fc.assert(
      fc.property(
        textArb,
        fc.constantFrom(...methods),
        fc.integer({ min: 0, max: 255 }),
        fc.integer(),
        (text, method, ref, seed) => {
          const r = splitMessage(text, { method, reference: ref });
          const reasm = new Reassembler<string>({ timeoutMs: 1000, clock: new FakeClock() });
          const entries = r.parts.map((p, i) => {
            const udh = r.esmClass & 0x40 ? parseUdh(p.shortMessage)! : undefined;
            const body = udh ? udh.body : p.shortMessage;
            const total = udh?.concat?.total ?? p.sar?.total ?? 1;
            const seq = udh?.concat?.seq ?? p.sar?.seq ?? i + 1;
            return { source: 'a', destination: 'b', ref, total, seq, body: decodeText(body, r.dataCoding) };
          });
          // Shuffle deterministically and add a duplicate of the first part.
          const order = entries
            .map((e, i) => ({ e, k: Math.sin(seed + i) }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.e);
          let done;
          for (const e of [...order.slice(0, 1), ...order]) done = reasm.add(e) ?? done;
          assert.ok(done && done.complete);
          assert.equal(done.parts.map((p) => p.body).join(''), text);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('Reassembler', () => {
  test('a missing part releases the group as incomplete after the timeout', () => {
    const clock = new FakeClock();
    const released: unknown[] = [];
    const r = new Reassembler<string>({ timeoutMs: 5000, clock, onIncomplete: (g) => released.push(g) });
    assert.equal(r.add({ source: 's', destination: 'd', ref: 1, total: 3, seq: 3, body: 'c' }), undefined);
    assert.equal(r.add({ source: 's', destination: 'd', ref: 1, total: 3, seq: 1, body: 'a' }), undefined);
    clock.advance(4999);
    assert.equal(released.length, 0);
    clock.advance(1);
    assert.equal(released.length, 1);
    assert.deepEqual(released[0], {
      key: 's|d|1|3',
      source: 's',
      destination: 'd',
      ref: 1,
      total: 3,
      complete: false,
      parts: [
        { seq: 1, body: 'a' },
        { seq: 3, body: 'c' },
      ],
      missing: [2],
      duplicates: 0,
    });
    assert.equal(r.openGroups, 0);
  });
  test('groups are keyed by source, destination and reference', () => {
    const r = new Reassembler<string>({ timeoutMs: 1000, clock: new FakeClock() });
    r.add({ source: 's1', destination: 'd', ref: 5, total: 2, seq: 1, body: 'x' });
    assert.equal(r.add({ source: 's2', destination: 'd', ref: 5, total: 2, seq: 2, body: 'y' }), undefined);
    assert.equal(r.openGroups, 2);
    assert.equal(
      r
        .add({ source: 's1', destination: 'd', ref: 5, total: 2, seq: 2, body: 'z' })!
        .parts.map((p) => p.body)
        .join(''),
      'xz',
    );
  });
  test('memory is bounded: the oldest group is evicted as incomplete', () => {
    const evicted: string[] = [];
    const r = new Reassembler<string>({
      timeoutMs: 1000,
      clock: new FakeClock(),
      maxGroups: 2,
      onIncomplete: (g) => evicted.push(g.key),
    });
    for (let ref = 0; ref < 3; ref++)
      r.add({ source: 's', destination: 'd', ref, total: 2, seq: 1, body: '.' });
    assert.deepEqual(evicted, ['s|d|0|2']);
    assert.equal(r.openGroups, 2);
  });
});
