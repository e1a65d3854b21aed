import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutbindListener, type Pdu, type Session } from '../../../src/smpp/index.js';
import { RawPeer } from '../../support/raw-peer.js';

test('outbind: the SMSC connects, we check its credentials and bind as receiver, then take deliver_sm', async () => {
  const listener = new OutbindListener({
    host: '127.0.0.1',
    port: 0,
    systemId: 'esme',
    password: 'pw',
    expect: { systemId: 'smsc', password: 'out' },
  });
  const bound = new Promise<Session>((r) => listener.on('session', (s: Session) => r(s)));
  const port = await listener.listen();

  // A wrong outbind password: the connection is dropped, no bind is sent.
  const intruder = await RawPeer.connect(port);
  intruder.send({ command: 'outbind', sequenceNumber: 1, systemId: 'smsc', password: 'guess' });
  await intruder.waitClosed();
  assert.equal(intruder.received.length, 0);

  const smsc = await RawPeer.connect(port);
  smsc.send({ command: 'outbind', sequenceNumber: 1, systemId: 'smsc', password: 'out' });
  const bind = await smsc.waitFor((p) => p.command === 'bind_receiver');
  assert.equal(bind.command === 'bind_receiver' && bind.systemId, 'esme');
  smsc.send({ command: 'bind_receiver_resp', sequenceNumber: bind.sequenceNumber, systemId: 'smsc' });
  const session = await bound;
  assert.equal(session.state, 'bound_rx');
  session.on('pdu', (pdu: Pdu) => session.respond(pdu));
  smsc.send({
    command: 'deliver_sm',
    sequenceNumber: 2,
    sourceAddr: '4477',
    destinationAddr: '123',
    shortMessage: Buffer.from('via outbind'),
  });
  const ack = await smsc.waitFor((p) => p.command === 'deliver_sm_resp');
  assert.equal(ack.commandStatus, 0);
  smsc.destroy();
  await listener.close();
});
