// Sessions against the npm `smpp` package, a peer we did not write: its client against
// our SmppServer, and our SmppClient against its server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';
import { CommandStatus, SmppClient, SmppServer, type Pdu, type Session } from '../../src/smpp/index.js';

const once = <T>(fn: (cb: (v: T) => void) => void) => new Promise<T>((r) => fn(r));

test('npm smpp client → Hermod SmppServer: bind, submit_sm (GSM and UCS-2), deliver_sm back, enquire_link, unbind', async () => {
  const server = new SmppServer({
    host: '127.0.0.1',
    port: 0,
    lockout: false,
    authenticate: (r) => (r.systemId === 'npm' && r.password === 'pw' ? true : CommandStatus.ESME_RINVPASWD),
  });
  const received: Pdu[] = [];
  let ours: Session | undefined;
  server.on('session', (s: Session) => {
    ours = s;
    s.on('pdu', (pdu: Pdu) => {
      received.push(pdu);
      s.respond(pdu, { messageId: `hermod-${received.length}` });
    });
  });
  const port = await server.listen();
  const their: TheirSession = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
  their.on('error', () => undefined);
  await once((cb) => their.on('connect', cb));

  const bad = await once<PduObject>((cb) =>
    (their.bind_transceiver as (o: object, cb: (p: PduObject) => void) => void)(
      { system_id: 'npm', password: 'nope' },
      cb,
    ),
  );
  assert.equal(bad.command_status, CommandStatus.ESME_RINVPASWD);

  const bind = await once<PduObject>((cb) =>
    (their.bind_transceiver as (o: object, cb: (p: PduObject) => void) => void)(
      { system_id: 'npm', password: 'pw' },
      cb,
    ),
  );
  assert.equal(bind.command_status, 0);
  assert.equal(bind.system_id, 'hermod');

  const submit = (o: object) =>
    once<PduObject>((cb) => (their.submit_sm as (o: object, cb: (p: PduObject) => void) => void)(o, cb));
  const r1 = await submit({
    destination_addr: '447700900123',
    short_message: 'Hello from npm smpp',
    registered_delivery: 1,
  });
  assert.equal(r1.command_status, 0);
  assert.equal(r1.message_id, 'hermod-1');
  const r2 = await submit({ destination_addr: '971500000000', short_message: 'مرحبا 👋', data_coding: 8 });
  assert.equal(r2.message_id, 'hermod-2');
  const [gsm, ucs] = received as [
    Extract<Pdu, { command: 'submit_sm' }>,
    Extract<Pdu, { command: 'submit_sm' }>,
  ];
  assert.equal(gsm.shortMessage.toString('latin1'), 'Hello from npm smpp');
  assert.equal(gsm.registeredDelivery, 1);
  assert.equal(ucs.dataCoding, 8);
  assert.equal(Buffer.from(ucs.shortMessage).swap16().toString('utf16le'), 'مرحبا 👋');

  const delivered = once<PduObject>((cb) =>
    their.on('deliver_sm', (pdu: PduObject) => {
      their.send(pdu.response());
      cb(pdu);
    }),
  );
  const resp = await ours!.deliverSm({
    sourceAddr: '447700900123',
    destinationAddr: 'npm',
    esmClass: 4,
    shortMessage: Buffer.from(
      'id:hermod-1 sub:001 dlvrd:001 submit date:2611241200 done date:2611241201 stat:DELIVRD err:000 text:Hello',
    ),
    tlvs: { receiptedMessageId: 'hermod-1', messageState: 2 },
  });
  assert.equal(resp.commandStatus, 0);
  const d = await delivered;
  assert.equal(d.receipted_message_id, 'hermod-1');
  assert.equal(d.message_state, 2);

  const el = await once<PduObject>((cb) =>
    (their.enquire_link as (o: object, cb: (p: PduObject) => void) => void)({}, cb),
  );
  assert.equal(el.command, 'enquire_link_resp');
  const ub = await once<PduObject>((cb) =>
    (their.unbind as (o: object, cb: (p: PduObject) => void) => void)({}, cb),
  );
  assert.equal(ub.command, 'unbind_resp');
  their.close();
  await server.close();
});

test('Hermod SmppClient → npm smpp server: bind, submit_sm, deliver_sm to us, unbind', async () => {
  const got: PduObject[] = [];
  let theirSession: TheirSession | undefined;
  const server = smpp.createServer((session: TheirSession) => {
    theirSession = session;
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: PduObject) => {
      session.send(
        pdu.response({
          system_id: 'npm-smsc',
          command_status: pdu.password === 'pw' ? 0 : CommandStatus.ESME_RINVPASWD,
        }),
      );
    });
    session.on('submit_sm', (pdu: PduObject) => {
      got.push(pdu);
      session.send(pdu.response({ message_id: `npm-${got.length}` }));
    });
    session.on('enquire_link', (pdu: PduObject) => session.send(pdu.response()));
    session.on('unbind', (pdu: PduObject) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;

  const c = new SmppClient({ host: '127.0.0.1', port, systemId: 'hermod', password: 'pw', reconnect: false });
  const inbound = new Promise<Pdu>((r) =>
    c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
      respond();
      r(pdu);
    }),
  );
  await c.connect();
  const resp = await c.submitSm({
    sourceAddr: 'Hermod',
    destinationAddr: '447700900123',
    dataCoding: 8,
    shortMessage: Buffer.from('Grüße 👋', 'utf16le').swap16(),
    tlvs: { userMessageReference: 9 },
  });
  assert.equal(resp.messageId, 'npm-1');
  assert.equal((got[0].short_message as { message: string }).message, 'Grüße 👋');
  assert.equal(got[0].user_message_reference, 9);

  const ack = await once<PduObject>((cb) =>
    theirSession!.send(
      new smpp.PDU('deliver_sm', {
        source_addr: '4477',
        destination_addr: 'Hermod',
        short_message: 'MO text',
      }),
      cb,
    ),
  );
  assert.equal(ack.command_status, 0);
  const mo = await inbound;
  assert.equal(mo.command === 'deliver_sm' && mo.shortMessage.toString(), 'MO text');
  await c.close();
  assert.equal(c.status, 'closed');
  server.close();
});
