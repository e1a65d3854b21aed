/**
 * Reads one PDU frame. Every primitive checks the frame end and throws a
 * recoverable SmppDecodeError (the frame is whole, so the stream stays in sync).
 */
import { CommandStatus } from './status.js';
import { SmppDecodeError } from './errors.js';

export class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
    private readonly commandId: number,
    private readonly sequenceNumber: number,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(status: number, message: string): never {
    throw new SmppDecodeError(message, {
      commandStatus: status,
      commandId: this.commandId,
      sequenceNumber: this.sequenceNumber,
    });
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) this.fail(CommandStatus.ESME_RINVCMDLEN, `${what}: PDU body ends early`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A C-Octet string of at most `max` octets including its NUL (SMPP 3.4 §3.1). */
  cstring(max: number, what: string, status: number = CommandStatus.ESME_RINVPARLEN): string {
    const { buf, pos } = this;
    if (pos < this.end && buf[pos] === 0) {
      this.pos = pos + 1;
      return '';
    }
    const nul = buf.indexOf(0, pos);
    if (nul < 0 || nul >= this.end)
      this.fail(CommandStatus.ESME_RINVCMDLEN, `${what}: C-Octet string has no NUL`);
    if (nul - pos + 1 > max) this.fail(status, `${what}: ${nul - pos} octets, the maximum is ${max - 1}`);
    this.pos = nul + 1;
    return buf.toString('latin1', pos, nul);
  }

  /** `n` octets as a view into the frame (valid as long as the frame is). */
  octets(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}
