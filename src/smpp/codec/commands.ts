/**
 * command_id values: SMPP 3.4 §5.1.2.1 plus the SMPP 5.0 broadcast operations (§4.6).
 * A response's id is its request's id with bit 31 set.
 */
export const CommandId = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  replace_sm: 0x00000007,
  replace_sm_resp: 0x80000007,
  cancel_sm: 0x00000008,
  cancel_sm_resp: 0x80000008,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  submit_multi: 0x00000021,
  submit_multi_resp: 0x80000021,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
  broadcast_sm: 0x00000111,
  broadcast_sm_resp: 0x80000111,
  query_broadcast_sm: 0x00000112,
  query_broadcast_sm_resp: 0x80000112,
  cancel_broadcast_sm: 0x00000113,
  cancel_broadcast_sm_resp: 0x80000113,
} as const;

export type CommandName = keyof typeof CommandId;

export const PDU_COMMANDS = Object.keys(CommandId) as readonly CommandName[];

const nameById = new Map<number, CommandName>(PDU_COMMANDS.map((n) => [CommandId[n], n]));

export function commandName(id: number): CommandName | undefined {
  return nameById.get(id >>> 0);
}

/** Bit 31 of command_id marks a response (SMPP 3.4 §5.1.2.1). */
export function isResponse(commandId: number): boolean {
  return (commandId & 0x80000000) !== 0;
}

/** 'submit_sm' → 'submit_sm_resp'; undefined for responses and for outbind/alert_notification (no response). */
export function responseCommandOf(name: CommandName): CommandName | undefined {
  const id = CommandId[name];
  if (isResponse(id)) return undefined;
  return nameById.get((id | 0x80000000) >>> 0);
}
