/**
 * Writes encoded PDUs to the socket in batches: what is written within one microtask goes
 * out as one socket write (one syscall, one TCP segment where it fits), while a large PDU
 * goes out at once after what queued before it. `onWrite` runs after each socket write
 * (the session checks its write buffer there).
 */
import type { SessionSocket } from './socket.js';

/** PDUs this large are written at once rather than queued. */
const INLINE_WRITE_BYTES = 16 * 1024;

export class BatchedWriter {
  private queue: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(
    private readonly socket: SessionSocket,
    private readonly onWrite: () => void,
  ) {}

  write(pdu: Buffer): void {
    if (pdu.length >= INLINE_WRITE_BYTES) {
      this.flush();
      this.socket.write(pdu);
      this.onWrite();
      return;
    }
    this.queue.push(pdu);
    this.bytes += pdu.length;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Writes what is queued now (before a close, or an answer that must go first). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.queue.length === 0 || this.socket.destroyed) {
      this.discard();
      return;
    }
    const data = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue, this.bytes);
    this.discard();
    this.socket.write(data);
    this.onWrite();
  };

  /** Drops what is queued (the connection is gone). */
  discard(): void {
    this.queue = [];
    this.bytes = 0;
  }
}
