/**
 * Mandatory parameters of every PDU body, in wire order (SMPP 3.4 §4, SMPP 5.0 §4.6 for
 * broadcast_*). The `Pdu` types, the decoder and the encoder are all driven by this table.
 *
 * Field kinds: u8/u16/u32; cstring (C-Octet string, `max` counts the NUL as the spec does;
 * `status` is the command_status answered when it is too long); sm (sm_length + short_message,
 * at most 254 octets); dests (submit_multi number_of_dests + dest_address list);
 * unsuccess (submit_multi_resp no_unsuccess + unsuccess_sme list).
 */
import { CommandStatus as S } from './status.js';
import type { CommandName } from './commands.js';

export type FieldKind = 'u8' | 'u16' | 'u32' | 'cstring' | 'sm' | 'dests' | 'unsuccess';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly max?: number;
  readonly status?: number;
  readonly def?: number;
}

const f = <const N extends string, const K extends FieldKind>(
  name: N,
  kind: K,
  max?: number,
  status?: number,
): { readonly name: N; readonly kind: K; readonly max?: number; readonly status?: number } =>
  ({ name, kind, max, status }) as const;

// SMPP 3.4 §4.1.1: bind_transmitter (receiver and transceiver are the same shape).
const BIND = [
  f('systemId', 'cstring', 16, S.ESME_RINVSYSID),
  f('password', 'cstring', 9, S.ESME_RINVPASWD),
  f('systemType', 'cstring', 13, S.ESME_RINVSYSTYP),
  { name: 'interfaceVersion', kind: 'u8', def: 0x34 } as const,
  f('addrTon', 'u8'),
  f('addrNpi', 'u8'),
  f('addressRange', 'cstring', 41),
] as const;
// §4.1.2: bind_*_resp: system_id (sc_interface_version TLV follows).
const BIND_RESP = [f('systemId', 'cstring', 16, S.ESME_RINVSYSID)] as const;
const MESSAGE_ID_ONLY = [f('messageId', 'cstring', 65, S.ESME_RINVMSGID)] as const;
const EMPTY = [] as const;

const SOURCE_21 = [
  f('sourceAddrTon', 'u8'),
  f('sourceAddrNpi', 'u8'),
  f('sourceAddr', 'cstring', 21, S.ESME_RINVSRCADR),
] as const;
const DEST_21 = [
  f('destAddrTon', 'u8'),
  f('destAddrNpi', 'u8'),
  f('destinationAddr', 'cstring', 21, S.ESME_RINVDSTADR),
] as const;

// §4.4.1 submit_sm, §4.6.1 deliver_sm (same layout).
const SUBMIT_SM = [
  f('serviceType', 'cstring', 6, S.ESME_RINVSERTYP),
  ...SOURCE_21,
  ...DEST_21,
  f('esmClass', 'u8'),
  f('protocolId', 'u8'),
  f('priorityFlag', 'u8'),
  f('scheduleDeliveryTime', 'cstring', 17, S.ESME_RINVSCHED),
  f('validityPeriod', 'cstring', 17, S.ESME_RINVEXPIRY),
  f('registeredDelivery', 'u8'),
  f('replaceIfPresentFlag', 'u8'),
  f('dataCoding', 'u8'),
  f('smDefaultMsgId', 'u8'),
  f('shortMessage', 'sm'),
] as const;

export const BODY_TABLE = {
  generic_nack: EMPTY,
  bind_receiver: BIND,
  bind_receiver_resp: BIND_RESP,
  bind_transmitter: BIND,
  bind_transmitter_resp: BIND_RESP,
  bind_transceiver: BIND,
  bind_transceiver_resp: BIND_RESP,
  // §4.1.7 outbind
  outbind: [f('systemId', 'cstring', 16, S.ESME_RINVSYSID), f('password', 'cstring', 9, S.ESME_RINVPASWD)],
  unbind: EMPTY,
  unbind_resp: EMPTY,
  enquire_link: EMPTY,
  enquire_link_resp: EMPTY,
  submit_sm: SUBMIT_SM,
  submit_sm_resp: MESSAGE_ID_ONLY,
  deliver_sm: SUBMIT_SM,
  deliver_sm_resp: MESSAGE_ID_ONLY,
  // §4.7.1 data_sm: 65-octet addresses, no short_message (message_payload TLV instead).
  data_sm: [
    f('serviceType', 'cstring', 6, S.ESME_RINVSERTYP),
    f('sourceAddrTon', 'u8'),
    f('sourceAddrNpi', 'u8'),
    f('sourceAddr', 'cstring', 65, S.ESME_RINVSRCADR),
    f('destAddrTon', 'u8'),
    f('destAddrNpi', 'u8'),
    f('destinationAddr', 'cstring', 65, S.ESME_RINVDSTADR),
    f('esmClass', 'u8'),
    f('registeredDelivery', 'u8'),
    f('dataCoding', 'u8'),
  ],
  data_sm_resp: MESSAGE_ID_ONLY,
  // §4.5.1 submit_multi
  submit_multi: [
    f('serviceType', 'cstring', 6, S.ESME_RINVSERTYP),
    ...SOURCE_21,
    f('destAddresses', 'dests'),
    f('esmClass', 'u8'),
    f('protocolId', 'u8'),
    f('priorityFlag', 'u8'),
    f('scheduleDeliveryTime', 'cstring', 17, S.ESME_RINVSCHED),
    f('validityPeriod', 'cstring', 17, S.ESME_RINVEXPIRY),
    f('registeredDelivery', 'u8'),
    f('replaceIfPresentFlag', 'u8'),
    f('dataCoding', 'u8'),
    f('smDefaultMsgId', 'u8'),
    f('shortMessage', 'sm'),
  ],
  // §4.5.2 submit_multi_resp
  submit_multi_resp: [f('messageId', 'cstring', 65, S.ESME_RINVMSGID), f('unsuccessSmes', 'unsuccess')],
  // §4.8.1 query_sm
  query_sm: [f('messageId', 'cstring', 65, S.ESME_RINVMSGID), ...SOURCE_21],
  // §4.8.2 query_sm_resp
  query_sm_resp: [
    f('messageId', 'cstring', 65, S.ESME_RINVMSGID),
    f('finalDate', 'cstring', 17),
    f('messageState', 'u8'),
    f('errorCode', 'u8'),
  ],
  // §4.9.1 cancel_sm
  cancel_sm: [
    f('serviceType', 'cstring', 6, S.ESME_RINVSERTYP),
    f('messageId', 'cstring', 65, S.ESME_RINVMSGID),
    ...SOURCE_21,
    ...DEST_21,
  ],
  cancel_sm_resp: EMPTY,
  // §4.10.1 replace_sm
  replace_sm: [
    f('messageId', 'cstring', 65, S.ESME_RINVMSGID),
    ...SOURCE_21,
    f('scheduleDeliveryTime', 'cstring', 17, S.ESME_RINVSCHED),
    f('validityPeriod', 'cstring', 17, S.ESME_RINVEXPIRY),
    f('registeredDelivery', 'u8'),
    f('smDefaultMsgId', 'u8'),
    f('shortMessage', 'sm'),
  ],
  replace_sm_resp: EMPTY,
  // §4.12.1 alert_notification: 65-octet addresses, ms_availability_status TLV.
  alert_notification: [
    f('sourceAddrTon', 'u8'),
    f('sourceAddrNpi', 'u8'),
    f('sourceAddr', 'cstring', 65, S.ESME_RINVSRCADR),
    f('esmeAddrTon', 'u8'),
    f('esmeAddrNpi', 'u8'),
    f('esmeAddr', 'cstring', 65, S.ESME_RINVDSTADR),
  ],
  // SMPP 5.0 §4.6.1.1 broadcast_sm
  broadcast_sm: [
    f('serviceType', 'cstring', 6, S.ESME_RINVSERTYP),
    ...SOURCE_21,
    f('messageId', 'cstring', 65, S.ESME_RINVMSGID),
    f('priorityFlag', 'u8'),
    f('scheduleDeliveryTime', 'cstring', 17, S.ESME_RINVSCHED),
    f('validityPeriod', 'cstring', 17, S.ESME_RINVEXPIRY),
    f('replaceIfPresentFlag', 'u8'),
    f('dataCoding', 'u8'),
    f('smDefaultMsgId', 'u8'),
  ],
  broadcast_sm_resp: MESSAGE_ID_ONLY,
  // SMPP 5.0 §4.6.2.1 query_broadcast_sm
  query_broadcast_sm: [f('messageId', 'cstring', 65, S.ESME_RINVMSGID), ...SOURCE_21],
  query_broadcast_sm_resp: MESSAGE_ID_ONLY,
  // SMPP 5.0 §4.6.3.1 cancel_broadcast_sm
  cancel_broadcast_sm: [
    f('serviceType', 'cstring', 6, S.ESME_RINVSERTYP),
    f('messageId', 'cstring', 65, S.ESME_RINVMSGID),
    ...SOURCE_21,
  ],
  cancel_broadcast_sm_resp: EMPTY,
} as const satisfies Record<CommandName, readonly FieldSpec[]>;
