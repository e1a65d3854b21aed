/**
 * An SMSC made of the npm `smpp` package's server (a peer we did not write) that accepts
 * any bind and records what it gets: each bind's kind and password, and every submit_sm,
 * answered with message ids `npm-1`, `npm-2`, ... after `delayMs` (0: at once).
 */
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';

export async function recordingSmsc(delayMs = 0) {
  const binds: string[] = [];
  const passwords: string[] = [];
  const submits: PduObject[] = [];
  const server = smpp.createServer((session: TheirSession) => {
    session.on('error', () => undefined);
    for (const kind of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
      session.on(kind, (pdu: PduObject) => {
        binds.push(kind);
        passwords.push(String(pdu.password));
        session.send(pdu.response({ system_id: 'npm-smsc' }));
      });
    }
    session.on('submit_sm', (pdu: PduObject) => {
      submits.push(pdu);
      const resp = pdu.response({ message_id: `npm-${submits.length}` });
      if (delayMs > 0) setTimeout(() => session.send(resp), delayMs);
      else session.send(resp);
    });
    session.on('enquire_link', (pdu: PduObject) => session.send(pdu.response()));
    session.on('unbind', (pdu: PduObject) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port as number,
    binds,
    passwords,
    submits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
