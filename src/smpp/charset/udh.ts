/**
 * User Data Header (3GPP TS 23.040 §9.2.3.24): UDHL, then IEs (id, length, data).
 * IE 0x00 concatenation with an 8-bit reference, 0x08 with a 16-bit reference,
 * 0x24 national language single shift, 0x25 locking shift (§9.2.3.24.15/16).
 */
export interface UdhElement {
  id: number;
  data: Buffer;
}

export interface ConcatInfo {
  ref: number;
  total: number;
  seq: number;
  /** 8 or 16: the reference size used. */
  refBits: 8 | 16;
}

export interface ParsedUdh {
  elements: UdhElement[];
  /** The user data after the header. */
  body: Buffer;
  /** Length of the header in octets, UDHL included. */
  headerLength: number;
  concat?: ConcatInfo;
  singleShift?: number;
  lockingShift?: number;
}

/** Parses the UDH at the start of `buf`, or returns undefined when it is malformed. */
export function parseUdh(buf: Buffer): ParsedUdh | undefined {
  if (buf.length < 1) return undefined;
  const udhl = buf[0];
  if (udhl + 1 > buf.length) return undefined;
  const elements: UdhElement[] = [];
  const parsed: ParsedUdh = { elements, body: buf.subarray(udhl + 1), headerLength: udhl + 1 };
  let p = 1;
  while (p < udhl + 1) {
    if (p + 2 > udhl + 1) return undefined;
    const id = buf[p];
    const len = buf[p + 1];
    if (p + 2 + len > udhl + 1) return undefined;
    const data = buf.subarray(p + 2, p + 2 + len);
    elements.push({ id, data });
    if (id === 0x00 && len === 3 && data[1] > 0 && data[2] > 0 && data[2] <= data[1]) {
      parsed.concat = { ref: data[0], total: data[1], seq: data[2], refBits: 8 };
    } else if (id === 0x08 && len === 4 && data[2] > 0 && data[3] > 0 && data[3] <= data[2]) {
      parsed.concat = { ref: data.readUInt16BE(0), total: data[2], seq: data[3], refBits: 16 };
    } else if (id === 0x24 && len === 1) {
      parsed.singleShift = data[0];
    } else if (id === 0x25 && len === 1) {
      parsed.lockingShift = data[0];
    }
    p += 2 + len;
  }
  return parsed;
}

/** Builds a UDH (UDHL included) from IEs. */
export function buildUdh(elements: readonly UdhElement[]): Buffer {
  const len = elements.reduce((n, e) => n + 2 + e.data.length, 0);
  const out = Buffer.allocUnsafe(1 + len);
  out[0] = len;
  let p = 1;
  for (const e of elements) {
    out[p++] = e.id;
    out[p++] = e.data.length;
    e.data.copy(out, p);
    p += e.data.length;
  }
  return out;
}

export function concatElement(refBits: 8 | 16, ref: number, total: number, seq: number): UdhElement {
  if (refBits === 8) return { id: 0x00, data: Buffer.from([ref & 0xff, total, seq]) };
  return { id: 0x08, data: Buffer.from([(ref >> 8) & 0xff, ref & 0xff, total, seq]) };
}
