/**
 * command_status values of SMPP 3.4 §5.1.3 and the SMPP 5.0 additions (§4.7.6),
 * with their names and a human description. Status values are data, not exceptions.
 */
const STATUS_TABLE = [
  [0x00000000, 'ESME_ROK', 'No error'],
  [0x00000001, 'ESME_RINVMSGLEN', 'Message length is invalid'],
  [0x00000002, 'ESME_RINVCMDLEN', 'Command length is invalid'],
  [0x00000003, 'ESME_RINVCMDID', 'Invalid command ID'],
  [0x00000004, 'ESME_RINVBNDSTS', 'Incorrect bind status for given command'],
  [0x00000005, 'ESME_RALYBND', 'ESME already in bound state'],
  [0x00000006, 'ESME_RINVPRTFLG', 'Invalid priority flag'],
  [0x00000007, 'ESME_RINVREGDLVFLG', 'Invalid registered delivery flag'],
  [0x00000008, 'ESME_RSYSERR', 'System error'],
  [0x0000000a, 'ESME_RINVSRCADR', 'Invalid source address'],
  [0x0000000b, 'ESME_RINVDSTADR', 'Invalid destination address'],
  [0x0000000c, 'ESME_RINVMSGID', 'Message ID is invalid'],
  [0x0000000d, 'ESME_RBINDFAIL', 'Bind failed'],
  [0x0000000e, 'ESME_RINVPASWD', 'Invalid password'],
  [0x0000000f, 'ESME_RINVSYSID', 'Invalid system ID'],
  [0x00000011, 'ESME_RCANCELFAIL', 'cancel_sm failed'],
  [0x00000013, 'ESME_RREPLACEFAIL', 'replace_sm failed'],
  [0x00000014, 'ESME_RMSGQFUL', 'Message queue full'],
  [0x00000015, 'ESME_RINVSERTYP', 'Invalid service type'],
  [0x00000033, 'ESME_RINVNUMDESTS', 'Invalid number of destinations'],
  [0x00000034, 'ESME_RINVDLNAME', 'Invalid distribution list name'],
  [0x00000040, 'ESME_RINVDESTFLAG', 'Destination flag is invalid (submit_multi)'],
  [0x00000042, 'ESME_RINVSUBREP', "Invalid 'submit with replace' request"],
  [0x00000043, 'ESME_RINVESMCLASS', 'Invalid esm_class field data'],
  [0x00000044, 'ESME_RCNTSUBDL', 'Cannot submit to distribution list'],
  [0x00000045, 'ESME_RSUBMITFAIL', 'submit_sm or submit_multi failed'],
  [0x00000048, 'ESME_RINVSRCTON', 'Invalid source address TON'],
  [0x00000049, 'ESME_RINVSRCNPI', 'Invalid source address NPI'],
  [0x00000050, 'ESME_RINVDSTTON', 'Invalid destination address TON'],
  [0x00000051, 'ESME_RINVDSTNPI', 'Invalid destination address NPI'],
  [0x00000053, 'ESME_RINVSYSTYP', 'Invalid system_type field'],
  [0x00000054, 'ESME_RINVREPFLAG', 'Invalid replace_if_present flag'],
  [0x00000055, 'ESME_RINVNUMMSGS', 'Invalid number of messages'],
  [0x00000058, 'ESME_RTHROTTLED', 'Throttling error (ESME has exceeded allowed message limits)'],
  [0x00000061, 'ESME_RINVSCHED', 'Invalid scheduled delivery time'],
  [0x00000062, 'ESME_RINVEXPIRY', 'Invalid message validity period (expiry time)'],
  [0x00000063, 'ESME_RINVDFTMSGID', 'Predefined message invalid or not found'],
  [0x00000064, 'ESME_RX_T_APPN', 'ESME receiver temporary app error code'],
  [0x00000065, 'ESME_RX_P_APPN', 'ESME receiver permanent app error code'],
  [0x00000066, 'ESME_RX_R_APPN', 'ESME receiver reject message error code'],
  [0x00000067, 'ESME_RQUERYFAIL', 'query_sm request failed'],
  [0x000000c0, 'ESME_RINVOPTPARSTREAM', 'Error in the optional part of the PDU body'],
  [0x000000c1, 'ESME_ROPTPARNOTALLWD', 'Optional parameter not allowed'],
  [0x000000c2, 'ESME_RINVPARLEN', 'Invalid parameter length'],
  [0x000000c3, 'ESME_RMISSINGOPTPARAM', 'Expected optional parameter missing'],
  [0x000000c4, 'ESME_RINVOPTPARAMVAL', 'Invalid optional parameter value'],
  [0x000000fe, 'ESME_RDELIVERYFAILURE', 'Delivery failure (used for data_sm_resp)'],
  [0x000000ff, 'ESME_RUNKNOWNERR', 'Unknown error'],
  // SMPP 5.0 §4.7.6
  [0x00000100, 'ESME_RSERTYPUNAUTH', 'ESME not authorised to use specified service_type'],
  [0x00000101, 'ESME_RPROHIBITED', 'ESME prohibited from using specified operation'],
  [0x00000102, 'ESME_RSERTYPUNAVAIL', 'Specified service_type is unavailable'],
  [0x00000103, 'ESME_RSERTYPDENIED', 'Specified service_type is denied'],
  [0x00000104, 'ESME_RINVDCS', 'Invalid data coding scheme'],
  [0x00000105, 'ESME_RINVSRCADDRSUBUNIT', 'Source address sub unit is invalid'],
  [0x00000106, 'ESME_RINVDSTADDRSUBUNIT', 'Destination address sub unit is invalid'],
  [0x00000107, 'ESME_RINVBCASTFREQINT', 'Broadcast frequency interval is invalid'],
  [0x00000108, 'ESME_RINVBCASTALIAS_NAME', 'Broadcast alias name is invalid'],
  [0x00000109, 'ESME_RINVBCASTAREAFMT', 'Broadcast area format is invalid'],
  [0x0000010a, 'ESME_RINVNUMBCAST_AREAS', 'Number of broadcast areas is invalid'],
  [0x0000010b, 'ESME_RINVBCASTCNTTYPE', 'Broadcast content type is invalid'],
  [0x0000010c, 'ESME_RINVBCASTMSGCLASS', 'Broadcast message class is invalid'],
  [0x0000010d, 'ESME_RBCASTFAIL', 'broadcast_sm operation failed'],
  [0x0000010e, 'ESME_RBCASTQUERYFAIL', 'query_broadcast_sm operation failed'],
  [0x0000010f, 'ESME_RBCASTCANCELFAIL', 'cancel_broadcast_sm operation failed'],
  [0x00000110, 'ESME_RINVBCAST_REP', 'Number of repeated broadcasts is invalid'],
  [0x00000111, 'ESME_RINVBCASTSRVGRP', 'Broadcast service group is invalid'],
  [0x00000112, 'ESME_RINVBCASTCHANIND', 'Broadcast channel indicator is invalid'],
] as const;

type StatusRow = (typeof STATUS_TABLE)[number];
export type StatusName = StatusRow[1];

/** command_status by name: `CommandStatus.ESME_RTHROTTLED === 0x58`. */
export const CommandStatus = Object.freeze(
  Object.fromEntries(STATUS_TABLE.map(([code, name]) => [name, code])),
) as { readonly [R in StatusRow as R[1]]: R[0] };

const byCode = new Map<number, StatusRow>(STATUS_TABLE.map((row) => [row[0], row]));

function hex8(code: number): string {
  return '0x' + (code >>> 0).toString(16).padStart(8, '0');
}

/** 'ESME_RTHROTTLED', or the hex code for a value outside the tables (vendor-specific range 0x400–0x4FF). */
export function statusName(code: number): string {
  return byCode.get(code)?.[1] ?? hex8(code);
}

export function statusDescription(code: number): string {
  const row = byCode.get(code);
  if (row) return row[2];
  // SMPP 3.4 §5.1.3: 0x400–0x4FF are reserved for SMSC vendor-specific errors.
  if (code >= 0x400 && code <= 0x4ff) return `SMSC vendor-specific error ${hex8(code)}`;
  return `Reserved or unknown status ${hex8(code)}`;
}

/** Every known status code, for documentation and tests. */
export const ALL_STATUSES: readonly { code: number; name: string; description: string }[] = STATUS_TABLE.map(
  ([code, name, description]) => ({ code, name, description }),
);
