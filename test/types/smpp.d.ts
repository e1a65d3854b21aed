// Minimal typings for the npm `smpp` package (the peer we did not write), as the tests use it.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';

  export interface PduObject {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    toBuffer(): Buffer;
    response(options?: Record<string, unknown>): PduObject;
  }
  export const PDU: {
    new (command: string, options?: Record<string, unknown>): PduObject;
    new (buffer: Buffer): PduObject;
    fromBuffer(buffer: Buffer): PduObject | false;
    maxLength: number;
  };
  export interface Session extends EventEmitter {
    send(pdu: PduObject, responseCallback?: (pdu: PduObject) => void, sendCallback?: () => void): boolean;
    close(callback?: () => void): void;
    destroy(): void;
    pause(): void;
    resume(): void;
    [command: string]: unknown;
  }
  export interface Server extends EventEmitter {
    listen(port: number, host?: string, cb?: () => void): Server;
    close(cb?: () => void): void;
    address(): { port: number };
  }
  export function createServer(
    options: Record<string, unknown>,
    listener?: (session: Session) => void,
  ): Server;
  export function createServer(listener?: (session: Session) => void): Server;
  export function connect(options: Record<string, unknown>, listener?: () => void): Session;
  const smpp: {
    PDU: typeof PDU;
    createServer: typeof createServer;
    connect: typeof connect;
    errors: Record<string, number>;
    consts: Record<string, Record<string, number>>;
    encodings: Record<string, unknown>;
  };
  export default smpp;
}
