// Taking a message back before it goes out: cancel_sm on the customer SMPP server (SMPP
// 3.4 §4.9, driven by the npm `smpp` package, a client we did not write; Jasmin has no
// cancel_sm) and POST /v1/messages/{id}/cancel on REST v1. A scheduled message ends
// `canceled`, refunded, with a receipt (stat DELETED) to a customer who asked for one; a
// message already sent cannot be canceled (ESME_RCANCELFAIL, 409), an unknown one is
// ESME_RINVMSGID / 404; cancel_sm without a message_id takes back every waiting message
// from that source to that destination.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';
import { CommandStatus } from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const once = <T>(register: (cb: (v: T) => void) => void): Promise<T> =>
  new Promise((resolve) => register(resolve));
type Send = (o: object, cb: (p: PduObject) => void) => void;
const KEY = 'hk_cancel_test_000000000000';

const DOC = {
  users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [KEY] }],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
};

test('cancel_sm: a scheduled message is taken back, refunded and reported DELETED; a sent one cannot be; an unknown id is refused; an empty id cancels by source and destination', async () => {
  const h = await configuredHermod(DOC);
  const their: TheirSession = smpp.connect({ url: `smpp://127.0.0.1:${h.smppPort}` });
  const connected = once((cb) => their.on('connect', cb));
  try {
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    await connected;
    assert.equal(
      (
        await once<PduObject>((cb) =>
          (their.bind_transceiver as Send)({ system_id: 'shop', password: 'pw' }, cb),
        )
      ).command_status,
      0,
    );
    const receipts: PduObject[] = [];
    their.on('deliver_sm', (pdu: PduObject) => {
      receipts.push(pdu);
      their.send(pdu.response());
    });
    const submit = (o: object) =>
      once<PduObject>((cb) =>
        (their.submit_sm as Send)(
          { source_addr: 'Shop', short_message: 'later', registered_delivery: 1, ...o },
          cb,
        ),
      );
    const cancel = (o: object) =>
      once<PduObject>((cb) => (their.cancel_sm as Send)({ source_addr: 'Shop', ...o }, cb));
    const balance = async () => (await h.store.getUserByName('shop'))!.balanceMicros;
    const start = await balance();

    // A day from now (relative time): waiting in the queue.
    const later = await submit({
      destination_addr: '447700900301',
      schedule_delivery_time: '000001000000000R',
    });
    assert.equal(later.command_status, 0);
    assert.equal(start - (await balance()), 10_000, 'charged at accept');
    const ok = await cancel({ message_id: later.message_id, destination_addr: '447700900301' });
    assert.equal(ok.command_status, CommandStatus.ESME_ROK);
    assert.equal((await h.store.getMessage(later.message_id as string))?.state, 'canceled');
    assert.equal(await balance(), start, 'refunded');
    await until('the receipt', () => receipts.length === 1);
    assert.equal(receipts[0].receipted_message_id, later.message_id);
    assert.equal(receipts[0].message_state, 4, 'DELETED');
    assert.match(
      String((receipts[0].short_message as { message?: string }).message ?? receipts[0].short_message),
      /stat:DELETED/,
    );
    assert.equal(
      (await cancel({ message_id: later.message_id, destination_addr: '447700900301' })).command_status,
      CommandStatus.ESME_RCANCELFAIL,
      'once',
    );

    // Sent and delivered: too late.
    const now = await submit({ destination_addr: '447700900302' });
    await until(
      'delivered',
      async () => (await h.store.getMessage(now.message_id as string))?.state === 'delivered',
    );
    assert.equal(
      (await cancel({ message_id: now.message_id, destination_addr: '447700900302' })).command_status,
      CommandStatus.ESME_RCANCELFAIL,
    );
    assert.equal(
      (await cancel({ message_id: 'no-such-message', destination_addr: '447700900302' })).command_status,
      CommandStatus.ESME_RINVMSGID,
    );

    // No message_id: every waiting message from Shop to that number.
    const a = await submit({ destination_addr: '447700900303', schedule_delivery_time: '000001000000000R' });
    const b = await submit({ destination_addr: '447700900303', schedule_delivery_time: '000002000000000R' });
    const keep = await submit({
      destination_addr: '447700900304',
      schedule_delivery_time: '000001000000000R',
    });
    assert.equal(
      (await cancel({ message_id: '', destination_addr: '447700900303' })).command_status,
      CommandStatus.ESME_ROK,
    );
    for (const m of [a, b])
      assert.equal((await h.store.getMessage(m.message_id as string))?.state, 'canceled');
    assert.equal(
      (await h.store.getMessage(keep.message_id as string))?.state,
      'queued',
      'another destination stays',
    );
    assert.equal(
      (await cancel({ message_id: '', destination_addr: '447700900303' })).command_status,
      CommandStatus.ESME_RCANCELFAIL,
      'nothing left to cancel',
    );
  } finally {
    their.close();
    await h.stop();
  }
});

test('REST: POST /v1/messages/{id}/cancel takes back a scheduled message (200, canceled, refunded); 409 once it cannot be; 404 for an unknown id', async () => {
  const h = await configuredHermod(DOC);
  try {
    const api = `http://127.0.0.1:${h.apiPort}`;
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const sent = await fetch(`${api}/v1/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        to: '+447700900311',
        from: 'Shop',
        text: 'tomorrow',
        send_at: new Date(Date.now() + 86_400_000).toISOString(),
      }),
    });
    assert.equal(sent.status, 202);
    const { id } = (await sent.json()) as { id: string };
    const before = (await h.store.getUserByName('shop'))!.balanceMicros;
    const canceled = await fetch(`${api}/v1/messages/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(canceled.status, 200);
    const view = (await canceled.json()) as { id: string; status: string };
    assert.deepEqual([view.id, view.status], [id, 'canceled']);
    assert.equal((await h.store.getUserByName('shop'))!.balanceMicros - before, 10_000, 'refunded');
    const again = await fetch(`${api}/v1/messages/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(again.status, 409);
    assert.match(again.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(((await again.json()) as { code: string }).code, 'HERMOD_ERR_NOT_CANCELABLE');
    const unknown = await fetch(`${api}/v1/messages/nope/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(unknown.status, 404);
    const timeline = (await (await fetch(`${api}/v1/messages/${id}`, { headers })).json()) as {
      timeline: { state: string; detail: string | null }[];
    };
    assert.deepEqual(
      timeline.timeline.map((t) => t.state),
      ['accepted', 'queued', 'canceled'],
    );
    assert.equal(timeline.timeline[2].detail, 'canceled by the customer (REST)');
  } finally {
    await h.stop();
  }
});
