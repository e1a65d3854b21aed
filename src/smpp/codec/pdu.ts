/**
 * The typed PDU objects, derived from the spec tables: `Pdu` is a discriminated union on
 * `command`, each member carrying the header fields, its mandatory body fields (camelCase, in
 * spec order), its known TLVs typed in `tlvs`, and any unknown TLVs byte for byte.
 */
import type { CommandName } from './commands.js';
import { BODY_TABLE, type FieldKind, type FieldSpec } from './body-table.js';
import type { RawTlv, Tlvs } from './tlv-table.js';

/** submit_multi dest_address (SMPP 3.4 §4.5.1.1): an SME address or a distribution list name. */
export type DestAddress =
  { kind: 'sme'; ton: number; npi: number; addr: string } | { kind: 'list'; name: string };

/** submit_multi_resp unsuccess_sme (SMPP 3.4 §4.5.2.1). */
export interface UnsuccessSme {
  ton: number;
  npi: number;
  addr: string;
  errorStatusCode: number;
}

interface FieldKindTypes {
  u8: number;
  u16: number;
  u32: number;
  cstring: string;
  sm: Buffer;
  dests: DestAddress[];
  unsuccess: UnsuccessSme[];
}

type BodyOf<S extends readonly FieldSpec[]> = {
  -readonly [F in S[number] as F['name']]: FieldKindTypes[F['kind'] & FieldKind];
};

export interface PduHeader {
  commandStatus: number;
  sequenceNumber: number;
}

export type PduOf<C extends CommandName> = { command: C } & PduHeader &
  BodyOf<(typeof BODY_TABLE)[C]> & {
    tlvs: Tlvs;
    unknownTlvs?: RawTlv[];
  };

export type Pdu = { [C in CommandName]: PduOf<C> }[CommandName];

/** What callers give the encoder: `command` and any fields; the rest take their defaults. */
export type PduInit<C extends CommandName = CommandName> = C extends CommandName
  ? { command: C } & Partial<Omit<PduOf<C>, 'command'>>
  : never;

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

export function defaultOf(spec: FieldSpec): number | string | Buffer | unknown[] {
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
      return spec.def ?? 0;
    case 'cstring':
      return '';
    case 'sm':
      return EMPTY_BUFFER;
    case 'dests':
    case 'unsuccess':
      return [];
  }
}

/** A whole PDU object from a partial one: every missing field gets its default. */
export function makePdu<C extends CommandName>(init: PduInit<C>): PduOf<C> {
  const src = init as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {
    command: init.command,
    commandStatus: src.commandStatus ?? 0,
    sequenceNumber: src.sequenceNumber ?? 0,
  };
  for (const spec of BODY_TABLE[init.command] as readonly FieldSpec[]) {
    out[spec.name] = src[spec.name] ?? defaultOf(spec);
  }
  out.tlvs = src.tlvs ?? {};
  if (src.unknownTlvs !== undefined) out.unknownTlvs = src.unknownTlvs;
  return out as PduOf<C>;
}
