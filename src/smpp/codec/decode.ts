/**
 * Frame → typed PDU. A decode failure is an SmppDecodeError carrying the
 * command_status to answer with; inside a whole frame every failure is
 * recoverable (the next frame starts where the header said).
 */
import { CommandStatus } from './status.js';
import { commandName, isResponse } from './commands.js';
import { BODY_TABLE, type FieldSpec } from './body-table.js';
import { TLV_BY_TAG, type RawTlv, type Tlvs } from './tlv-table.js';
import { defaultOf, type DestAddress, type Pdu, type UnsuccessSme } from './pdu.js';
import { Reader } from './reader.js';
import { SmppDecodeError } from './errors.js';

export interface PduHeaderFields {
  commandLength: number;
  commandId: number;
  commandStatus: number;
  sequenceNumber: number;
}

/** The 16-octet header (SMPP 3.4 §3.2). `buf` must hold at least 16 octets. */
export function decodeHeader(buf: Buffer, offset = 0): PduHeaderFields {
  return {
    commandLength: buf.readUInt32BE(offset),
    commandId: buf.readUInt32BE(offset + 4),
    commandStatus: buf.readUInt32BE(offset + 8),
    sequenceNumber: buf.readUInt32BE(offset + 12),
  };
}

/**
 * Decodes one whole frame. Buffers in the result (short_message, octet TLVs,
 * unknown TLVs) are views into `frame`: copy them to keep them beyond the frame's life.
 */
export function decodePdu(frame: Buffer): Pdu {
  if (frame.length < 16) {
    throw new SmppDecodeError(`frame of ${frame.length} octets is shorter than the 16-octet header`, {
      commandStatus: CommandStatus.ESME_RINVCMDLEN,
      fatal: true,
    });
  }
  const length = frame.readUInt32BE(0);
  const commandId = frame.readUInt32BE(4);
  const commandStatus = frame.readUInt32BE(8);
  const sequenceNumber = frame.readUInt32BE(12);
  if (length !== frame.length) {
    throw new SmppDecodeError(`command_length ${length} does not match the frame's ${frame.length} octets`, {
      commandStatus: CommandStatus.ESME_RINVCMDLEN,
      commandId,
      sequenceNumber,
    });
  }
  const command = commandName(commandId);
  if (command === undefined) {
    // SMPP 3.4 §3.3: unknown command_id → generic_nack(ESME_RINVCMDID); the session stays up.
    throw new SmppDecodeError(`unknown command_id 0x${commandId.toString(16).padStart(8, '0')}`, {
      commandStatus: CommandStatus.ESME_RINVCMDID,
      commandId,
      sequenceNumber,
    });
  }
  const r = new Reader(frame, 16, length, commandId, sequenceNumber);
  const pdu: Record<string, unknown> = { command, commandStatus, sequenceNumber };
  const specs = BODY_TABLE[command] as readonly FieldSpec[];
  // SMPP 3.4 §4.1.2, §4.4.2: a response with a non-zero status may carry no body at all.
  const bodyless = length === 16 && isResponse(commandId);
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    pdu[spec.name] = bodyless ? defaultOf(spec) : readField(r, spec);
  }
  const tlvs: Tlvs = {};
  pdu.tlvs = tlvs;
  if (r.remaining > 0) readTlvs(r, tlvs, pdu);
  return pdu as unknown as Pdu;
}

function readField(r: Reader, spec: FieldSpec): unknown {
  switch (spec.kind) {
    case 'u8':
      return r.u8(spec.name);
    case 'u16':
      return r.u16(spec.name);
    case 'u32':
      return r.u32(spec.name);
    case 'cstring':
      return r.cstring(spec.max!, spec.name, spec.status);
    case 'sm': {
      const len = r.u8('sm_length');
      if (len > r.remaining) r.fail(CommandStatus.ESME_RINVMSGLEN, `sm_length ${len} exceeds the PDU body`);
      return r.octets(len, 'short_message');
    }
    case 'dests':
      return readDests(r);
    case 'unsuccess':
      return readUnsuccess(r);
  }
}

// SMPP 3.4 §4.5.1.1: dest_flag 1 = SME address, 2 = distribution list name.
function readDests(r: Reader): DestAddress[] {
  const n = r.u8('number_of_dests');
  const out: DestAddress[] = [];
  for (let i = 0; i < n; i++) {
    const flag = r.u8('dest_flag');
    if (flag === 1) {
      const ton = r.u8('dest_addr_ton');
      const npi = r.u8('dest_addr_npi');
      out.push({
        kind: 'sme',
        ton,
        npi,
        addr: r.cstring(21, 'destination_addr', CommandStatus.ESME_RINVDSTADR),
      });
    } else if (flag === 2) {
      out.push({ kind: 'list', name: r.cstring(21, 'dl_name', CommandStatus.ESME_RINVDLNAME) });
    } else {
      r.fail(CommandStatus.ESME_RINVDESTFLAG, `dest_flag ${flag} is neither 1 (SME) nor 2 (list)`);
    }
  }
  return out;
}

// SMPP 3.4 §4.5.2.1
function readUnsuccess(r: Reader): UnsuccessSme[] {
  const n = r.u8('no_unsuccess');
  const out: UnsuccessSme[] = [];
  for (let i = 0; i < n; i++) {
    const ton = r.u8('dest_addr_ton');
    const npi = r.u8('dest_addr_npi');
    const addr = r.cstring(21, 'destination_addr', CommandStatus.ESME_RINVDSTADR);
    out.push({ ton, npi, addr, errorStatusCode: r.u32('error_status_code') });
  }
  return out;
}

// SMPP 3.4 §3.2.4 / §5.3: tag (2), length (2), value.
function readTlvs(r: Reader, tlvs: Tlvs, pdu: Record<string, unknown>): void {
  const t = tlvs as Record<string, unknown>;
  let unknown: RawTlv[] | undefined;
  while (r.remaining > 0) {
    if (r.remaining < 4)
      r.fail(CommandStatus.ESME_RINVOPTPARSTREAM, `${r.remaining} stray octets after the TLVs`);
    const tag = r.u16('tlv tag');
    const len = r.u16('tlv length');
    if (len > r.remaining) {
      r.fail(
        CommandStatus.ESME_RINVOPTPARSTREAM,
        `TLV 0x${tag.toString(16)} length ${len} exceeds the PDU body`,
      );
    }
    const spec = TLV_BY_TAG.get(tag);
    if (spec === undefined) {
      (unknown ??= []).push({ tag, value: r.octets(len, 'tlv value') });
      continue;
    }
    switch (spec.kind) {
      case 'u8':
      case 'u16':
      case 'u32':
      case 'nec':
        if (len !== spec.max)
          r.fail(CommandStatus.ESME_RINVPARLEN, `${spec.name}: length ${len}, expected ${spec.max}`);
        t[spec.name] =
          spec.kind === 'u8'
            ? r.u8(spec.name)
            : spec.kind === 'u16'
              ? r.u16(spec.name)
              : spec.kind === 'u32'
                ? r.u32(spec.name)
                : { networkType: r.u8('network_type'), errorCode: r.u16('error_code') };
        break;
      case 'cstring': {
        if (len > spec.max)
          r.fail(CommandStatus.ESME_RINVPARLEN, `${spec.name}: length ${len}, maximum ${spec.max}`);
        const v = r.octets(len, spec.name);
        // Real SMSCs often omit the NUL of receipted_message_id: accept both forms.
        const end = len > 0 && v[len - 1] === 0 ? len - 1 : len;
        const nul = v.indexOf(0);
        t[spec.name] = v.toString('latin1', 0, nul >= 0 && nul < end ? nul : end);
        break;
      }
      case 'octets':
        if (len > spec.max)
          r.fail(CommandStatus.ESME_RINVPARLEN, `${spec.name}: length ${len}, maximum ${spec.max}`);
        t[spec.name] = r.octets(len, spec.name);
        break;
    }
  }
  if (unknown) pdu.unknownTlvs = unknown;
}
