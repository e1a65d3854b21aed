/**
 * TCP stream → whole PDU frames (SMPP 3.4 §3.2: every PDU starts with its
 * 4-octet command_length).
 *
 * One buffer with offset/end cursors: a chunk that holds whole frames is handed out
 * as `subarray` views without copying; bytes are copied only when a frame spans
 * chunks, into storage that grows by doubling (so a large frame fed one byte at a
 * time costs linear, not quadratic, copying). A command_length below 16 or above
 * `maxLength` is rejected as soon as its 4 octets arrive: the stream cannot be
 * resynchronised, so the error is fatal (answer generic_nack, then close).
 */
import { CommandStatus } from './status.js';
import { SmppDecodeError } from './errors.js';

export const DEFAULT_MAX_PDU_LENGTH = 64 * 1024;
const EMPTY = Buffer.alloc(0);

export class PduFramer {
  readonly maxLength: number;
  private buf: Buffer = EMPTY;
  private off = 0;
  private end = 0;
  /** True when `buf` is our own storage (we may append into its free tail). */
  private owned = false;

  constructor(opts: { maxLength?: number } = {}) {
    this.maxLength = opts.maxLength ?? DEFAULT_MAX_PDU_LENGTH;
  }

  /** Octets received and not yet handed out as frames. */
  get buffered(): number {
    return this.end - this.off;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const left = this.end - this.off;
    if (left === 0) {
      this.buf = chunk;
      this.off = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    const need = left + chunk.length;
    const storage = Buffer.allocUnsafe(Math.max(need * 2, 4096));
    this.buf.copy(storage, 0, this.off, this.end);
    chunk.copy(storage, left);
    this.buf = storage;
    this.off = 0;
    this.end = need;
    this.owned = true;
  }

  /** The next whole frame, or undefined until more bytes arrive. Throws a fatal SmppDecodeError. */
  next(): Buffer | undefined {
    const avail = this.end - this.off;
    if (avail < 4) return undefined;
    const { buf, off } = this;
    const length = buf.readUInt32BE(off);
    if (length < 16 || length > this.maxLength) {
      const commandId = avail >= 8 ? buf.readUInt32BE(off + 4) : undefined;
      const sequenceNumber = avail >= 16 ? buf.readUInt32BE(off + 12) : undefined;
      // Drop everything: after a bad length nothing that follows can be trusted.
      this.off = this.end;
      throw new SmppDecodeError(
        length < 16
          ? `command_length ${length} is below the 16-octet header`
          : `command_length ${length} exceeds the maximum of ${this.maxLength}`,
        { commandStatus: CommandStatus.ESME_RINVCMDLEN, fatal: true, commandId, sequenceNumber },
      );
    }
    if (avail < length) return undefined;
    this.off = off + length;
    return buf.subarray(off, off + length);
  }
}
