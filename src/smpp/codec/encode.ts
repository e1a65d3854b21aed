/**
 * Typed PDU → frame. The size is computed first, then one buffer is written;
 * the input object is never mutated. Missing fields take their defaults.
 */
import { CommandId, isResponse } from './commands.js';
import { BODY_TABLE, type FieldSpec } from './body-table.js';
import { TLV_BY_NAME, type NetworkErrorCode, type RawTlv, type TlvSpec } from './tlv-table.js';
import { EMPTY_BUFFER, type DestAddress, type Pdu, type PduInit, type UnsuccessSme } from './pdu.js';
import { Writer } from './writer.js';
import { SmppEncodeError } from './errors.js';

/**
 * Encodes a PDU (or a partial one: see `PduInit`) into a whole frame, header included.
 * `sequenceNumber`, when given, overrides the object's (sessions number requests this way
 * without copying the caller's object).
 */
export function encodePdu(pdu: Pdu | PduInit, sequenceNumber?: number): Buffer {
  const command = pdu.command;
  const commandId: number | undefined = CommandId[command];
  if (commandId === undefined) throw new SmppEncodeError('command', `unknown command ${String(command)}`);
  const src = pdu as unknown as Record<string, unknown>;
  const specs = BODY_TABLE[command] as readonly FieldSpec[];
  const status = (src.commandStatus as number | undefined) ?? 0;
  const seq = sequenceNumber ?? (src.sequenceNumber as number | undefined) ?? 0;
  const tlvs = src.tlvs as Record<string, unknown> | undefined;
  const unknownTlvs = src.unknownTlvs as RawTlv[] | undefined;

  // SMPP 3.4 §4.1.2, §4.4.2: a response with a non-zero status is sent without a body
  // unless the caller gave one.
  if (status !== 0 && isResponse(commandId) && isDefaultBody(src, specs, tlvs, unknownTlvs)) {
    return new Writer(16).finish(commandId, status, seq);
  }

  let size = 16;
  for (let i = 0; i < specs.length; i++) size += fieldSize(specs[i], src[specs[i].name]);
  if (tlvs !== undefined) {
    for (const name in tlvs) {
      const v = tlvs[name];
      if (v === undefined) continue;
      size += 4 + tlvSize(tlvSpec(name), v);
    }
  }
  if (unknownTlvs !== undefined) for (const t of unknownTlvs) size += 4 + t.value.length;

  const w = new Writer(size);
  for (let i = 0; i < specs.length; i++) writeField(w, specs[i], src[specs[i].name]);
  if (tlvs !== undefined) {
    for (const name in tlvs) {
      const v = tlvs[name];
      if (v !== undefined) writeTlv(w, tlvSpec(name), v);
    }
  }
  if (unknownTlvs !== undefined) {
    for (const t of unknownTlvs) {
      w.u16(t.tag);
      w.u16(t.value.length);
      w.octets(t.value);
    }
  }
  return w.finish(commandId, status, seq);
}

function isDefaultBody(
  src: Record<string, unknown>,
  specs: readonly FieldSpec[],
  tlvs: Record<string, unknown> | undefined,
  unknownTlvs: RawTlv[] | undefined,
): boolean {
  for (const spec of specs) {
    const v = src[spec.name];
    if (v === undefined || v === '' || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (Buffer.isBuffer(v) && v.length === 0) continue;
    return false;
  }
  if (tlvs !== undefined) for (const k in tlvs) if (tlvs[k] !== undefined) return false;
  return unknownTlvs === undefined || unknownTlvs.length === 0;
}

function tlvSpec(name: string): TlvSpec {
  const spec = TLV_BY_NAME.get(name);
  if (spec === undefined)
    throw new SmppEncodeError(`tlvs.${name}`, 'not a known TLV (use unknownTlvs for raw tags)');
  return spec;
}

function cstringSize(s: unknown, max: number, field: string): number {
  const str = (s as string | undefined) ?? '';
  if (typeof str !== 'string') throw new SmppEncodeError(field, 'expected a string');
  if (str.length + 1 > max)
    throw new SmppEncodeError(field, `${str.length} characters, the maximum is ${max - 1}`);
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c === 0 || c > 0xff)
      throw new SmppEncodeError(
        field,
        `character ${i} (U+${c.toString(16)}) is not allowed in a C-Octet string`,
      );
  }
  return str.length + 1;
}

function u(v: unknown, bits: 8 | 16 | 32, field: string): number {
  const n = (v as number | undefined) ?? 0;
  if (!Number.isInteger(n) || n < 0 || n > 2 ** bits - 1) {
    throw new SmppEncodeError(field, `${String(v)} is not an unsigned ${bits}-bit integer`);
  }
  return n;
}

function fieldSize(spec: FieldSpec, v: unknown): number {
  switch (spec.kind) {
    case 'u8':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'cstring':
      return cstringSize(v, spec.max!, spec.name);
    case 'sm': {
      const b = (v as Buffer | undefined) ?? EMPTY_BUFFER;
      // SMPP 3.4 §4.4.1: short_message is at most 254 octets; longer goes in message_payload.
      if (b.length > 254)
        throw new SmppEncodeError(
          spec.name,
          `${b.length} octets, the maximum is 254 (use tlvs.messagePayload)`,
        );
      return 1 + b.length;
    }
    case 'dests': {
      const list = (v as DestAddress[] | undefined) ?? [];
      if (list.length > 254)
        throw new SmppEncodeError(spec.name, `${list.length} destinations, the maximum is 254`);
      let n = 1;
      for (const d of list)
        n +=
          1 +
          (d.kind === 'sme'
            ? 2 + cstringSize(d.addr, 21, 'destAddresses.addr')
            : cstringSize(d.name, 21, 'destAddresses.name'));
      return n;
    }
    case 'unsuccess': {
      const list = (v as UnsuccessSme[] | undefined) ?? [];
      if (list.length > 255)
        throw new SmppEncodeError(spec.name, `${list.length} entries, the maximum is 255`);
      let n = 1;
      for (const e of list) n += 2 + cstringSize(e.addr, 21, 'unsuccessSmes.addr') + 4;
      return n;
    }
  }
}

function writeField(w: Writer, spec: FieldSpec, v: unknown): void {
  switch (spec.kind) {
    case 'u8':
      w.u8(u(v ?? spec.def, 8, spec.name));
      return;
    case 'u16':
      w.u16(u(v, 16, spec.name));
      return;
    case 'u32':
      w.u32(u(v, 32, spec.name));
      return;
    case 'cstring':
      w.cstring((v as string | undefined) ?? '');
      return;
    case 'sm': {
      const b = (v as Buffer | undefined) ?? EMPTY_BUFFER;
      w.u8(b.length);
      w.octets(b);
      return;
    }
    case 'dests': {
      const list = (v as DestAddress[] | undefined) ?? [];
      w.u8(list.length);
      for (const d of list) {
        if (d.kind === 'sme') {
          w.u8(1);
          w.u8(u(d.ton, 8, 'destAddresses.ton'));
          w.u8(u(d.npi, 8, 'destAddresses.npi'));
          w.cstring(d.addr);
        } else {
          w.u8(2);
          w.cstring(d.name);
        }
      }
      return;
    }
    case 'unsuccess': {
      const list = (v as UnsuccessSme[] | undefined) ?? [];
      w.u8(list.length);
      for (const e of list) {
        w.u8(u(e.ton, 8, 'unsuccessSmes.ton'));
        w.u8(u(e.npi, 8, 'unsuccessSmes.npi'));
        w.cstring(e.addr);
        w.u32(u(e.errorStatusCode, 32, 'unsuccessSmes.errorStatusCode'));
      }
      return;
    }
  }
}

function tlvSize(spec: TlvSpec, v: unknown): number {
  const field = `tlvs.${spec.name}`;
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 'nec':
      return spec.max;
    case 'cstring':
      return cstringSize(v, spec.max, field);
    case 'octets': {
      if (!Buffer.isBuffer(v)) throw new SmppEncodeError(field, 'expected a Buffer');
      if (v.length > spec.max)
        throw new SmppEncodeError(field, `${v.length} octets, the maximum is ${spec.max}`);
      return v.length;
    }
  }
}

function writeTlv(w: Writer, spec: TlvSpec, v: unknown): void {
  const field = `tlvs.${spec.name}`;
  w.u16(spec.tag);
  switch (spec.kind) {
    case 'u8':
      w.u16(1);
      w.u8(u(v, 8, field));
      return;
    case 'u16':
      w.u16(2);
      w.u16(u(v, 16, field));
      return;
    case 'u32':
      w.u16(4);
      w.u32(u(v, 32, field));
      return;
    case 'nec': {
      const n = v as NetworkErrorCode;
      w.u16(3);
      w.u8(u(n.networkType, 8, field));
      w.u16(u(n.errorCode, 16, field));
      return;
    }
    case 'cstring': {
      const s = v as string;
      w.u16(s.length + 1);
      w.cstring(s);
      return;
    }
    case 'octets': {
      const b = v as Buffer;
      w.u16(b.length);
      w.octets(b);
      return;
    }
  }
}
