/**
 * Codec benchmark: submit_sm encode/s and decode/s, Hermod vs the npm `smpp` package,
 * measured in the same process and run. Each figure is the median of several timed
 * rounds after a warm-up. Both sides encode from their own object form and decode a
 * whole frame into their own object form (short_message kept as bytes on both sides).
 */
import smpp from 'smpp';
import { decodePdu, encodePdu, type PduInit } from '../src/smpp/codec/index.js';

const text = Buffer.from('Your verification code is 482913. It expires in 10 minutes. Do not share it.');
const ours: PduInit<'submit_sm'> = {
  command: 'submit_sm',
  sequenceNumber: 123456,
  sourceAddrTon: 5,
  sourceAddr: 'Hermod',
  destAddrTon: 1,
  destAddrNpi: 1,
  destinationAddr: '447700900123',
  registeredDelivery: 1,
  shortMessage: text,
  tlvs: { userMessageReference: 42 },
};
const theirs = {
  sequence_number: 123456,
  source_addr_ton: 5,
  source_addr: 'Hermod',
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  destination_addr: '447700900123',
  registered_delivery: 1,
  short_message: text,
  user_message_reference: 42,
};
const frame = encodePdu(ours);
if (!frame.equals(new smpp.PDU('submit_sm', { ...theirs }).toBuffer()))
  throw new Error('the two encoders disagree');

let sink = 0;
function rate(fn: () => void, ms = 400): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    t = performance.now();
  }
  return (n / (t - t0)) * 1000;
}
function median(fn: () => void, rounds = 7): number {
  rate(fn, 300); // warm-up
  const r = Array.from({ length: rounds }, () => rate(fn)).sort((a, b) => a - b);
  return Math.round(r[Math.floor(rounds / 2)]);
}

const cases = {
  hermod_encode: () => void (sink += encodePdu(ours).length),
  npm_smpp_encode: () => void (sink += new smpp.PDU('submit_sm', { ...theirs }).toBuffer().length),
  hermod_decode: () => void (sink += decodePdu(frame).sequenceNumber),
  npm_smpp_decode: () => void (sink += new smpp.PDU(frame).sequence_number),
};
const results: Record<string, number> = {};
for (const [name, fn] of Object.entries(cases)) {
  results[`${name}_per_s`] = median(fn);
  console.log(`${name}: ${results[`${name}_per_s`].toLocaleString()} submit_sm/s`);
}
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
console.log(
  JSON.stringify({
    bench: 'codec',
    results,
    ratios: {
      encode: ratio(results.hermod_encode_per_s, results.npm_smpp_encode_per_s),
      decode: ratio(results.hermod_decode_per_s, results.npm_smpp_decode_per_s),
    },
  }),
);
if (sink === 0) console.log('');
