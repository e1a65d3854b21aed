/**
 * Writes one PDU into a buffer sized in advance. The header is reserved and
 * command_length is written by `finish()`.
 */
export class Writer {
  readonly buf: Buffer;
  pos = 16;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** A C-Octet string: Latin-1 bytes then NUL (lengths were checked by the sizer). */
  cstring(s: string): void {
    const { buf } = this;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    buf[p++] = 0;
    this.pos = p;
  }

  octets(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  finish(commandId: number, commandStatus: number, sequenceNumber: number): Buffer {
    const { buf } = this;
    buf.writeUInt32BE(this.pos, 0);
    buf.writeUInt32BE(commandId >>> 0, 4);
    buf.writeUInt32BE(commandStatus >>> 0, 8);
    buf.writeUInt32BE(sequenceNumber >>> 0, 12);
    return this.pos === buf.length ? buf : buf.subarray(0, this.pos);
  }
}
