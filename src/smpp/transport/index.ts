/**
 * The only place in the protocol library that opens sockets: TCP or TLS, both
 * sides, with TCP_NODELAY on every socket (without it a peer that answers a
 * submit and sends a receipt together stalls on delayed ACKs).
 */
import net from 'node:net';
import tls from 'node:tls';
import { SmppConnectionLostError } from '../session/errors.js';

export type TlsClientOptions = tls.ConnectionOptions;
export type Socket = net.Socket;
export type Listener = net.Server;
export type TlsServerOptions = tls.TlsOptions;

export interface ConnectOptions {
  host: string;
  port: number;
  /** true for default TLS options, or options passed to `tls.connect`. */
  tls?: boolean | TlsClientOptions;
  connectTimeoutMs?: number;
}

export function connectSocket(opts: ConnectOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    const secure = opts.tls !== undefined && opts.tls !== false;
    const socket: net.Socket = secure
      ? tls.connect({
          host: opts.host,
          port: opts.port,
          servername: net.isIP(opts.host) ? undefined : opts.host,
          ...(opts.tls === true ? {} : (opts.tls as TlsClientOptions)),
        })
      : net.connect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new SmppConnectionLostError(`connect to ${opts.host}:${opts.port} timed out after ${timeoutMs} ms`),
      );
    }, timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new SmppConnectionLostError(`connect to ${opts.host}:${opts.port} failed: ${err.message}`, {
          cause: err,
        }),
      );
    };
    socket.once('error', onError);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

export interface ListenOptions {
  host?: string;
  port: number;
  tls?: TlsServerOptions;
}

/** A TCP or TLS listener whose sockets have TCP_NODELAY set. */
export function createListener(opts: ListenOptions, onSocket: (socket: net.Socket) => void): net.Server {
  const handle = (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    onSocket(socket);
  };
  return opts.tls ? tls.createServer(opts.tls, handle) : net.createServer(handle);
}

export function listen(server: net.Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
