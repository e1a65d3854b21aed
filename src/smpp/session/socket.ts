/**
 * What a Session needs from its byte stream. A `net.Socket` or `tls.TLSSocket`
 * satisfies it; the session layer itself never opens sockets (see ../transport).
 */
export interface SessionSocket {
  write(data: Buffer): boolean;
  cork(): void;
  uncork(): void;
  pause(): unknown;
  resume(): unknown;
  end(): unknown;
  destroy(err?: Error): unknown;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'drain' | 'close' | 'end', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  once(event: 'drain' | 'close', fn: () => void): unknown;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly writableNeedDrain?: boolean;
  /** Octets waiting in the write buffer (net.Socket has it). */
  readonly writableLength?: number;
  readonly destroyed?: boolean;
}
