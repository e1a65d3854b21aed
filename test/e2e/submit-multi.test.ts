// submit_multi on the customer SMPP server (SMPP 3.4 §4.5; Jasmin answers it with an
// error), driven by the npm `smpp` package, a client we did not write: every SME address
// becomes a message of its own, routed, charged and delivered; the response's one
// message_id is the first accepted destination's, and every destination's receipt carries
// it; refused destinations (a bad number, a distribution list, no balance left) are listed
// in unsuccess_sme with their own status and do not stop the rest; nothing accepted is
// answered with the first refusal's status, and charges nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';
import { CommandStatus } from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const once = <T>(register: (cb: (v: T) => void) => void): Promise<T> =>
  new Promise((resolve) => register(resolve));

type Send = (o: object, cb: (p: PduObject) => void) => void;

async function bind(
  port: number,
  systemId: string,
  password: string,
): Promise<{ their: TheirSession; receipts: PduObject[] }> {
  const their: TheirSession = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
  await once((cb) => their.on('connect', cb));
  const resp = await once<PduObject>((cb) =>
    (their.bind_transceiver as Send)({ system_id: systemId, password }, cb),
  );
  assert.equal(resp.command_status, 0, `${systemId} bound`);
  const receipts: PduObject[] = [];
  their.on('deliver_sm', (pdu: PduObject) => {
    receipts.push(pdu);
    their.send(pdu.response());
  });
  return { their, receipts };
}

const multi = (their: TheirSession, dests: object[], text: string) =>
  once<PduObject>((cb) =>
    (their.submit_multi as Send)(
      { source_addr: 'Shop', dest_address: dests, short_message: text, registered_delivery: 1 },
      cb,
    ),
  );

test('submit_multi: one message per destination under one message_id; refused destinations listed with their status; receipts for each carry the id', async () => {
  const h = await configuredHermod({
    users: [
      { username: 'shop', password: 'pw', balance: 10, rate: 0.01 },
      { username: 'tight', password: 'pw', balance: 0.01, rate: 0.01 },
    ],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  const sessions: TheirSession[] = [];
  try {
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    const shop = await bind(h.smppPort, 'shop', 'pw');
    sessions.push(shop.their);
    const before = (await h.store.getUserByName('shop'))!.balanceMicros;

    const resp = await multi(
      shop.their,
      [
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900201' },
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: 'not-a-number' },
        { dl_name: 'friends' },
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900202' },
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900203' },
      ],
      'to many',
    );
    assert.equal(resp.command_status, 0);
    assert.ok(typeof resp.message_id === 'string' && resp.message_id.length > 0);
    const refused = (resp.unsuccess_sme as { destination_addr: string; error_status_code: number }[]).map(
      (u) => [u.destination_addr, u.error_status_code],
    );
    assert.deepEqual(
      refused.sort(),
      [
        ['friends', CommandStatus.ESME_RINVDLNAME],
        ['not-a-number', CommandStatus.ESME_RINVDSTADR],
      ].sort(),
    );

    // Three messages, each its own row, charged one SMS each.
    await until('three receipts', () => shop.receipts.length === 3);
    assert.deepEqual(
      new Set(shop.receipts.map((r) => r.receipted_message_id)),
      new Set([resp.message_id]),
      'every receipt carries the submit_multi id',
    );
    assert.deepEqual(
      shop.receipts.map((r) => r.source_addr).sort(),
      ['447700900201', '447700900202', '447700900203'],
      'told apart by the recipient',
    );
    assert.ok(
      shop.receipts.every((r) => r.message_state === 2),
      'all delivered',
    );
    const first = await h.store.getMessage(resp.message_id as string);
    assert.equal(first?.destination, '447700900201', 'the id is the first destination accepted');
    assert.equal(first?.state, 'delivered');
    const mine = (await h.store.listMessages({ userId: first!.userId, limit: 10 }))
      .map((m) => m.destination)
      .sort();
    assert.deepEqual(mine, ['447700900201', '447700900202', '447700900203']);
    assert.equal(before - (await h.store.getUserByName('shop'))!.balanceMicros, 30_000, 'three SMS at 0.01');

    // Nothing accepted: the first refusal's status, nothing charged.
    const none = await multi(
      shop.their,
      [{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: 'nope' }, { dl_name: 'all' }],
      'to nobody',
    );
    assert.notEqual(none.command_status, 0);
    assert.ok(
      none.command_status === CommandStatus.ESME_RINVDSTADR ||
        none.command_status === CommandStatus.ESME_RINVDLNAME,
      `status ${none.command_status}`,
    );
    assert.equal(before - (await h.store.getUserByName('shop'))!.balanceMicros, 30_000, 'still three SMS');

    // A balance for one SMS: the first destination goes, the second is refused for balance.
    const tight = await bind(h.smppPort, 'tight', 'pw');
    sessions.push(tight.their);
    const partial = await multi(
      tight.their,
      [
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900211' },
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900212' },
      ],
      'one only',
    );
    assert.equal(partial.command_status, 0);
    assert.deepEqual(
      (partial.unsuccess_sme as { destination_addr: string; error_status_code: number }[]).map((u) => [
        u.destination_addr,
        u.error_status_code,
      ]),
      [['447700900212', CommandStatus.ESME_RSUBMITFAIL]],
    );
    assert.equal((await h.store.getMessage(partial.message_id as string))?.destination, '447700900211');
    assert.equal((await h.store.getUserByName('tight'))!.balanceMicros, 0, 'never below zero');
  } finally {
    for (const s of sessions) s.close();
    await h.stop();
  }
});
