/**
 * Outbind (SMPP 3.4 §2.2.1, §4.1.7): the SMSC connects to the ESME and sends outbind;
 * the ESME checks the SMSC's system_id/password and answers with bind_receiver on the
 * same connection, after which the SMSC delivers messages to it.
 */
import { EventEmitter } from 'node:events';
import type { PduOf } from '../codec/index.js';
import { Session, type SessionOptions } from '../session/session.js';
import { createListener, listen, type Listener, type TlsServerOptions } from '../transport/index.js';

export interface OutbindListenerOptions extends Omit<SessionOptions, 'role'> {
  host?: string;
  port: number;
  tls?: TlsServerOptions;
  /** Credentials the SMSC must present in its outbind (checked before we bind). */
  expect?: { systemId: string; password: string };
  /** Our bind_receiver credentials. */
  systemId: string;
  password?: string;
  systemType?: string;
}

/** Listens for SMSCs that outbind; emits 'session' with each bound receiver session. */
export class OutbindListener extends EventEmitter {
  private server: Listener | undefined;
  readonly sessions = new Set<Session>();

  constructor(private readonly opts: OutbindListenerOptions) {
    super();
  }

  async listen(): Promise<number> {
    this.server = createListener({ port: this.opts.port, tls: this.opts.tls }, (socket) => {
      const session = new Session(socket, {
        ...this.opts,
        role: 'esme',
        sessionInitMs: this.opts.sessionInitMs ?? 30_000,
      });
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      session.once('outbind', (pdu: PduOf<'outbind'>) => {
        const e = this.opts.expect;
        if (e && (pdu.systemId !== e.systemId || pdu.password !== e.password)) {
          this.emit('outbind_refused', { systemId: pdu.systemId, remoteAddress: session.remoteAddress });
          session.destroy();
          return;
        }
        session
          .bind('receiver', {
            systemId: this.opts.systemId,
            password: this.opts.password ?? '',
            systemType: this.opts.systemType ?? '',
          })
          .then(
            () => this.emit('session', session, pdu.systemId),
            (err: unknown) => {
              this.emit('bind_error', err);
              session.destroy();
            },
          );
      });
    });
    return listen(this.server, this.opts.port, this.opts.host);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await Promise.all([...this.sessions].map((s) => s.close(1000)));
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
