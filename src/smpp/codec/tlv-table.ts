/**
 * Optional parameters (TLVs): SMPP 3.4 §5.3.2 and the SMPP 5.0 additions (§4.8.4).
 * Each entry is [tag, kind, maxLength?]; the typed `Tlvs` object is derived from it.
 * Kinds: u8/u16/u32 integers, cstring (C-Octet string; tolerant of a missing NUL),
 * octets (raw bytes), nec (network_error_code: type + code).
 */
export const TLV_TABLE = {
  destAddrSubunit: [0x0005, 'u8'],
  destNetworkType: [0x0006, 'u8'],
  destBearerType: [0x0007, 'u8'],
  destTelematicsId: [0x0008, 'u16'],
  sourceAddrSubunit: [0x000d, 'u8'],
  sourceNetworkType: [0x000e, 'u8'],
  sourceBearerType: [0x000f, 'u8'],
  sourceTelematicsId: [0x0010, 'u8'],
  qosTimeToLive: [0x0017, 'u32'],
  payloadType: [0x0019, 'u8'],
  additionalStatusInfoText: [0x001d, 'cstring', 256],
  receiptedMessageId: [0x001e, 'cstring', 65],
  msMsgWaitFacilities: [0x0030, 'u8'],
  privacyIndicator: [0x0201, 'u8'],
  sourceSubaddress: [0x0202, 'octets', 23],
  destSubaddress: [0x0203, 'octets', 23],
  userMessageReference: [0x0204, 'u16'],
  userResponseCode: [0x0205, 'u8'],
  sourcePort: [0x020a, 'u16'],
  destinationPort: [0x020b, 'u16'],
  sarMsgRefNum: [0x020c, 'u16'],
  languageIndicator: [0x020d, 'u8'],
  sarTotalSegments: [0x020e, 'u8'],
  sarSegmentSeqnum: [0x020f, 'u8'],
  scInterfaceVersion: [0x0210, 'u8'],
  callbackNumPresInd: [0x0302, 'u8'],
  callbackNumAtag: [0x0303, 'octets', 65],
  numberOfMessages: [0x0304, 'u8'],
  callbackNum: [0x0381, 'octets', 19],
  dpfResult: [0x0420, 'u8'],
  setDpf: [0x0421, 'u8'],
  msAvailabilityStatus: [0x0422, 'u8'],
  networkErrorCode: [0x0423, 'nec'],
  messagePayload: [0x0424, 'octets', 65535],
  deliveryFailureReason: [0x0425, 'u8'],
  moreMessagesToSend: [0x0426, 'u8'],
  messageState: [0x0427, 'u8'],
  congestionState: [0x0428, 'u8'], // SMPP 5.0 §4.8.4.19
  ussdServiceOp: [0x0501, 'u8'],
  broadcastChannelIndicator: [0x0600, 'u8'], // 5.0
  broadcastContentType: [0x0601, 'octets', 3], // 5.0
  broadcastContentTypeInfo: [0x0602, 'octets', 255], // 5.0
  broadcastMessageClass: [0x0603, 'u8'], // 5.0
  broadcastRepNum: [0x0604, 'u16'], // 5.0
  broadcastFrequencyInterval: [0x0605, 'octets', 3], // 5.0
  broadcastAreaIdentifier: [0x0606, 'octets', 100], // 5.0
  broadcastErrorStatus: [0x0607, 'u32'], // 5.0
  broadcastAreaSuccess: [0x0608, 'u8'], // 5.0
  broadcastEndTime: [0x0609, 'cstring', 17], // 5.0
  broadcastServiceGroup: [0x060a, 'octets', 255], // 5.0
  billingIdentification: [0x060b, 'octets', 1024], // 5.0
  sourceNetworkId: [0x060d, 'cstring', 65], // 5.0
  destNetworkId: [0x060e, 'cstring', 65], // 5.0
  sourceNodeId: [0x060f, 'octets', 6], // 5.0
  destNodeId: [0x0610, 'octets', 6], // 5.0
  destAddrNpResolution: [0x0611, 'u8'], // 5.0
  destAddrNpInformation: [0x0612, 'octets', 10], // 5.0
  destAddrNpCountry: [0x0613, 'octets', 5], // 5.0
  displayTime: [0x1201, 'u8'],
  smsSignal: [0x1203, 'u16'],
  msValidity: [0x1204, 'octets', 4], // 1 octet in 3.4, up to 4 in 5.0
  alertOnMessageDelivery: [0x130c, 'octets', 1], // zero length in 3.4, 1 octet allowed in 5.0
  itsReplyType: [0x1380, 'u8'],
  itsSessionInfo: [0x1383, 'octets', 2],
} as const;

export type TlvName = keyof typeof TLV_TABLE;

export interface NetworkErrorCode {
  /** 1 ANSI-136, 2 IS-95, 3 GSM, ... (SMPP 3.4 §5.3.2.31) */
  networkType: number;
  errorCode: number;
}

interface TlvKindTypes {
  u8: number;
  u16: number;
  u32: number;
  cstring: string;
  octets: Buffer;
  nec: NetworkErrorCode;
}

/** Every standard optional parameter, typed by its kind. */
export type Tlvs = { -readonly [K in TlvName]?: TlvKindTypes[(typeof TLV_TABLE)[K][1]] };

/** A TLV whose tag we do not know: kept byte for byte and re-encoded unchanged (SMPP 3.4 §3.3). */
export interface RawTlv {
  tag: number;
  value: Buffer;
}

export type TlvKind = keyof TlvKindTypes;

export interface TlvSpec {
  readonly name: TlvName;
  readonly tag: number;
  readonly kind: TlvKind;
  readonly max: number;
}

const FIXED: Record<TlvKind, number> = { u8: 1, u16: 2, u32: 4, nec: 3, cstring: 0, octets: 0 };

export const TLV_BY_TAG = new Map<number, TlvSpec>();
export const TLV_BY_NAME = new Map<string, TlvSpec>();
for (const name of Object.keys(TLV_TABLE) as TlvName[]) {
  const row = TLV_TABLE[name] as readonly [number, TlvKind, number?];
  const spec: TlvSpec = { name, tag: row[0], kind: row[1], max: row[2] ?? FIXED[row[1]] };
  TLV_BY_TAG.set(spec.tag, spec);
  TLV_BY_NAME.set(name, spec);
}

export const TlvTag = Object.freeze(
  Object.fromEntries((Object.keys(TLV_TABLE) as TlvName[]).map((n) => [n, TLV_TABLE[n][0]])),
) as { readonly [K in TlvName]: (typeof TLV_TABLE)[K][0] };
