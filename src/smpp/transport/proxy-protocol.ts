/**
 * The PROXY protocol, version 1 (HAProxy's text header, haproxy.org/download/1.8/doc/proxy-protocol.txt
 * §2.1): a TCP load balancer in front of the SMPP port sends one line before the first PDU,
 * `PROXY TCP4 <src> <dst> <sport> <dport>\r\n` (or TCP6, or `PROXY UNKNOWN…\r\n`), so the
 * server learns the customer's address (for bind lockouts and per-user allow lists) instead
 * of the balancer's. node-smpp's server has the same option.
 */
import { isIP } from 'node:net';
import type { Socket } from './index.js';

/** The spec's longest v1 header, CRLF included. */
const MAX_HEADER = 107;

export class ProxyHeaderError extends Error {
  override readonly name = 'ProxyHeaderError';
}

/**
 * Reads the header off `socket` and resolves with the source address it names (undefined
 * for `UNKNOWN`: the socket's own address applies). Bytes after the header are pushed back
 * for the session to read. Rejects with ProxyHeaderError on anything else, or after `timeoutMs`.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err: Error | undefined, source?: string) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve(source);
    };
    const timer = setTimeout(
      () => done(new ProxyHeaderError(`no PROXY header within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onClose = () => done(new ProxyHeaderError('closed before the PROXY header'));
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n');
      if (end < 0) {
        if (buf.length >= MAX_HEADER)
          done(new ProxyHeaderError(`no PROXY header in the first ${MAX_HEADER} bytes`));
        return;
      }
      const line = buf.subarray(0, end).toString('latin1');
      const rest = buf.subarray(end + 2);
      socket.pause();
      try {
        const source = parseHeader(line);
        if (rest.length > 0) socket.unshift(rest);
        done(undefined, source);
      } catch (err) {
        done(err as Error);
      }
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

function parseHeader(line: string): string | undefined {
  const f = line.split(' ');
  if (f[0] !== 'PROXY')
    throw new ProxyHeaderError(`not a PROXY header: ${JSON.stringify(line.slice(0, 40))}`);
  if (f[1] === 'UNKNOWN') return undefined;
  const family = f[1] === 'TCP4' ? 4 : f[1] === 'TCP6' ? 6 : 0;
  if (family === 0 || f.length !== 6)
    throw new ProxyHeaderError(`malformed PROXY header: ${JSON.stringify(line)}`);
  if (isIP(f[2]) !== family || isIP(f[3]) !== family)
    throw new ProxyHeaderError(`PROXY header addresses are not ${f[1]}: ${JSON.stringify(line)}`);
  const ports = [f[4], f[5]].map(Number);
  if (ports.some((p, i) => !/^\d+$/.test([f[4], f[5]][i]) || p > 65535))
    throw new ProxyHeaderError(`PROXY header ports are invalid: ${JSON.stringify(line)}`);
  return f[2];
}
