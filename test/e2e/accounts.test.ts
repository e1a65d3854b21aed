// Accounts over real sockets (customer ESME → Hermod on SQLite → simulator): authorizations,
// value filters, default source, SMS-count quota, groups, per-user SMPP throughput,
// scheduled, expired and prioritised messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandStatus,
  SmppClient,
  SmppStatusError,
  formatSmppTime,
  receiptFromPdu,
  type Pdu,
  type Receipt,
} from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const doc = {
  groups: [{ id: 'retail' }, { id: 'paused', enabled: false }],
  users: [
    { username: 'shop', password: 'pw', balance: 100, rate: 0.01 },
    {
      username: 'short',
      password: 'pw',
      balance: 100,
      rate: 0.01,
      authorizations: { longContent: false, hexContent: false },
    },
    {
      username: 'fixed',
      password: 'pw',
      balance: 100,
      rate: 0.01,
      authorizations: { sourceAddr: false },
      defaults: { sourceAddr: 'Shop' },
    },
    {
      username: 'filtered',
      password: 'pw',
      balance: 100,
      rate: 0.01,
      valueFilters: { sourceAddr: '^(Shop|Promo)$', destinationAddr: '^44' },
      defaults: { sourceAddr: 'Promo' },
    },
    { username: 'counted', password: 'pw', balance: 100, rate: 0.01, quota: { smsCount: 5 } },
    { username: 'member', password: 'pw', balance: 100, rate: 0.01, group: 'retail' },
    { username: 'outcast', password: 'pw', balance: 100, rate: 0.01, group: 'paused' },
    { username: 'slow', password: 'pw', balance: 100, rate: 0.01, throughput: { smpp: 2 } },
    {
      username: 'plain',
      password: 'pw',
      balance: 100,
      rate: 0.01,
      authorizations: { priority: false, schedule: false, validityPeriod: false },
    },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
};

type Hermod = Awaited<ReturnType<typeof configuredHermod>>;
let h: Hermod;
const clients: SmppClient[] = [];

before(async () => {
  h = await configuredHermod(doc);
});
after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await h.stop();
});

async function bind(systemId: string, port = h.smppPort) {
  // adaptiveThrottle off: the test sees every ESME_RTHROTTLED instead of the client retrying it.
  const c = new SmppClient({
    host: '127.0.0.1',
    port,
    systemId,
    password: 'pw',
    reconnect: false,
    windowSize: 20,
    adaptiveThrottle: false,
  });
  const receipts: Receipt[] = [];
  c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
    const r = receiptFromPdu(pdu as never);
    if (r) receipts.push(r);
    respond();
  });
  await c.connect();
  clients.push(c);
  return { c, receipts };
}

const status = (s: number) => (e: unknown) => e instanceof SmppStatusError && e.commandStatus === s;

const sentText = (text: string) =>
  h.simulator!.simulator.submitted.filter((m) => m.shortMessage.toString() === text);

test('a user without the long-content authorization: one segment goes, two segments and UDH parts are refused with ESME_RINVMSGLEN; binary refused', async () => {
  const { c } = await bind('short');
  assert.ok(
    (await c.submitSm({ destinationAddr: '447700900001', shortMessage: Buffer.from('x'.repeat(160)) }))
      .messageId,
  );
  await assert.rejects(
    c.submitSm({ destinationAddr: '447700900001', shortMessage: Buffer.from('x'.repeat(161)) }),
    status(CommandStatus.ESME_RINVMSGLEN),
  );
  const udhPart = Buffer.concat([Buffer.from([5, 0, 3, 0x2a, 2, 1]), Buffer.from('part one')]);
  await assert.rejects(
    c.submitSm({ destinationAddr: '447700900001', esmClass: 0x40, shortMessage: udhPart }),
    status(CommandStatus.ESME_RINVMSGLEN),
  );
  await assert.rejects(
    c.submitSm({ destinationAddr: '447700900001', dataCoding: 4, shortMessage: Buffer.from([0xde, 0xad]) }),
    status(CommandStatus.ESME_RSUBMITFAIL),
  );
  // A user with the default authorizations sends the same long text.
  const shop = await bind('shop');
  assert.ok(
    (await shop.c.submitSm({ destinationAddr: '447700900001', shortMessage: Buffer.from('x'.repeat(161)) }))
      .messageId,
  );
});

test('source addresses: outside the value filter refused, a user who may not choose one refused, the default applied to an empty one', async () => {
  const filtered = await bind('filtered');
  await assert.rejects(
    filtered.c.submitSm({
      sourceAddr: 'Spam',
      destinationAddr: '447700900002',
      shortMessage: Buffer.from('src-bad'),
    }),
    status(CommandStatus.ESME_RINVSRCADR),
  );
  await assert.rejects(
    filtered.c.submitSm({
      sourceAddr: 'Shop',
      destinationAddr: '33612345678',
      shortMessage: Buffer.from('dst-bad'),
    }),
    status(CommandStatus.ESME_RINVDSTADR),
  );
  const ok = await filtered.c.submitSm({
    sourceAddr: 'Shop',
    destinationAddr: '+447700900002',
    shortMessage: Buffer.from('src-ok'),
  });
  assert.equal((await h.store.getMessage(ok.messageId))?.source, 'Shop');

  const fixed = await bind('fixed');
  await assert.rejects(
    fixed.c.submitSm({
      sourceAddr: 'Other',
      destinationAddr: '447700900002',
      shortMessage: Buffer.from('never changed'),
    }),
    status(CommandStatus.ESME_RINVSRCADR),
  );
  const dflt = await fixed.c.submitSm({
    sourceAddr: '',
    destinationAddr: '447700900002',
    shortMessage: Buffer.from('default-src'),
  });
  await until('sent with the default source', () => sentText('default-src').length === 1);
  assert.equal(sentText('default-src')[0].source, 'Shop');
  assert.equal((await h.store.getMessage(dflt.messageId))?.source, 'Shop');
  assert.equal(sentText('never changed').length, 0);
});

test('SMS-count quota: exactly the count is accepted from parallel submits, the rest refused, never below zero', async () => {
  const { c } = await bind('counted');
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) =>
      c.submitSm({ destinationAddr: '447700900003', shortMessage: Buffer.from(`quota-${i}`) }),
    ),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
  assert.ok(
    results.every((r) => r.status === 'fulfilled' || status(CommandStatus.ESME_RSUBMITFAIL)(r.reason)),
  );
  const u = (await h.store.getUserByName('counted'))!;
  assert.equal(u.smsCount, 0);
  assert.equal(u.balanceMicros, 100_000_000 - 5 * 10_000, 'refused messages are not charged');
  // A top-up lets the next one through.
  await h.store.topUp(u.id, { smsCount: 1 });
  h.gateway.forgetAccounts();
  assert.ok(
    (await c.submitSm({ destinationAddr: '447700900003', shortMessage: Buffer.from('quota-topped-up') }))
      .messageId,
  );
});

test('groups: a disabled group cannot bind; disabling a group at runtime refuses its users’ submits', async () => {
  await assert.rejects(bind('outcast'), status(CommandStatus.ESME_RBINDFAIL));
  const { c } = await bind('member');
  assert.ok(
    (await c.submitSm({ destinationAddr: '447700900004', shortMessage: Buffer.from('member-1') })).messageId,
  );
  await h.store.upsertGroup({ id: 'retail', enabled: false });
  h.gateway.forgetAccounts();
  try {
    await assert.rejects(
      c.submitSm({ destinationAddr: '447700900004', shortMessage: Buffer.from('member-2') }),
      status(CommandStatus.ESME_RSUBMITFAIL),
    );
  } finally {
    await h.store.upsertGroup({ id: 'retail', enabled: true });
    h.gateway.forgetAccounts();
  }
  assert.ok(
    (await c.submitSm({ destinationAddr: '447700900004', shortMessage: Buffer.from('member-3') })).messageId,
  );
});

test('SMPP throughput: above the user’s throughput.smpp the server answers ESME_RTHROTTLED', async () => {
  const { c } = await bind('slow');
  const results = await Promise.allSettled(
    Array.from({ length: 15 }, (_, i) =>
      c.submitSm({ destinationAddr: '447700900005', shortMessage: Buffer.from(`slow-${i}`) }),
    ),
  );
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const throttled = results.filter(
    (r) => r.status === 'rejected' && status(CommandStatus.ESME_RTHROTTLED)(r.reason),
  ).length;
  assert.ok(ok >= 1, 'the first ones pass');
  assert.equal(ok + throttled, 15, 'every refusal is a throttle');
  assert.ok(throttled >= 1, 'the rest are throttled');
  // Another user is not affected.
  const shop = await bind('shop');
  assert.ok(
    (await shop.c.submitSm({ destinationAddr: '447700900005', shortMessage: Buffer.from('not-slow') }))
      .messageId,
  );
});

test('priority, schedule and validity need their authorizations; bad times are refused', async () => {
  const { c } = await bind('plain');
  await assert.rejects(
    c.submitSm({ destinationAddr: '447700900006', priorityFlag: 2 }),
    status(CommandStatus.ESME_RINVPRTFLG),
  );
  await assert.rejects(
    c.submitSm({ destinationAddr: '447700900006', scheduleDeliveryTime: '000000000100000R' }),
    status(CommandStatus.ESME_RINVSCHED),
  );
  await assert.rejects(
    c.submitSm({ destinationAddr: '447700900006', validityPeriod: '000001000000000R' }),
    status(CommandStatus.ESME_RINVEXPIRY),
  );
  const shop = await bind('shop');
  await assert.rejects(
    shop.c.submitSm({ destinationAddr: '447700900006', priorityFlag: 4 }),
    status(CommandStatus.ESME_RINVPRTFLG),
  );
  await assert.rejects(
    shop.c.submitSm({ destinationAddr: '447700900006', scheduleDeliveryTime: '261399000000000+' }),
    status(CommandStatus.ESME_RINVSCHED),
  );
  await assert.rejects(
    shop.c.submitSm({ destinationAddr: '447700900006', validityPeriod: '200101000000000+' }),
    status(CommandStatus.ESME_RINVEXPIRY),
    'already past',
  );
  await assert.rejects(
    shop.c.submitSm({
      destinationAddr: '447700900006',
      scheduleDeliveryTime: '000000010000000R',
      validityPeriod: '000000003000000R',
    }),
    status(CommandStatus.ESME_RINVEXPIRY),
    'validity ends before the schedule',
  );
});

test('a scheduled message is not sent before its time, then sent', async () => {
  const { c } = await bind('shop');
  const at = Math.ceil(Date.now() / 100) * 100 + 2000;
  const { messageId } = await c.submitSm({
    destinationAddr: '447700900007',
    scheduleDeliveryTime: formatSmppTime(at),
    shortMessage: Buffer.from('scheduled'),
  });
  const m = (await h.store.getMessage(messageId))!;
  assert.equal(m.meta.scheduleAt, at);
  await new Promise((r) => setTimeout(r, 500));
  if (Date.now() < at - 100) {
    assert.equal((await h.store.getMessage(messageId))?.state, 'queued');
    assert.equal(sentText('scheduled').length, 0, 'not sent before its time');
  }
  await until('sent', () => sentText('scheduled').length === 1);
  // The SMSC has it; the store records `sent` once the submit_sm_resp's write commits.
  await until('sent recorded', async () =>
    (await h.store.history(messageId)).some((e) => e.state === 'sent'),
  );
  const sent = (await h.store.history(messageId)).find((e) => e.state === 'sent')!;
  assert.ok(sent.at >= at, `sent at ${sent.at}, scheduled for ${at}`);
});

test('priorities 0–3: of messages due together, higher priorities are sent first', async () => {
  const { c } = await bind('shop');
  const at = Math.ceil(Date.now() / 100) * 100 + 1500;
  const prios = [0, 3, 1, 2, 0, 3, 1, 2];
  await Promise.all(
    prios.map((p, i) =>
      c.submitSm({
        destinationAddr: '447700900008',
        priorityFlag: p,
        scheduleDeliveryTime: formatSmppTime(at),
        shortMessage: Buffer.from(`prio-${p}-${i}`),
      }),
    ),
  );
  const ours = () =>
    h.simulator!.simulator.submitted.filter((m) => m.shortMessage.toString().startsWith('prio-'));
  await until('all sent', () => ours().length === prios.length);
  assert.deepEqual(
    ours().map((m) => Number(m.shortMessage.toString().split('-')[1])),
    [3, 3, 2, 2, 1, 1, 0, 0],
  );
});

test('an expired message ends `expired`, never reaches the simulator, is refunded, and the customer gets an EXPIRED receipt', async () => {
  const own = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01, quota: { smsCount: 10 } }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  try {
    const { c, receipts } = await bind('shop', own.smppPort);
    const sim = own.connectors.get('sim')!;
    await sim.stop(); // the SMSC is away: the message waits in the queue
    await until('connector down', () => !sim.ready);
    const { messageId } = await c.submitSm({
      destinationAddr: '447700900009',
      registeredDelivery: 1,
      validityPeriod: '000000000001000R',
      shortMessage: Buffer.from('too late'),
    });
    const user = (await own.store.getUserByName('shop'))!;
    assert.deepEqual([user.balanceMicros, user.smsCount], [1_000_000 - 10_000, 9], 'charged at accept');
    const m = (await own.store.getMessage(messageId))!;
    await until('validity passed', () => Date.now() > m.meta.validUntil! + 50);
    await sim.start();
    await until('expired', async () => (await own.store.getMessage(messageId))?.state === 'expired');
    await until('EXPIRED receipt', () => receipts.length === 1);
    assert.equal(receipts[0].id, messageId);
    assert.equal(receipts[0].stat, 'EXPIRED');
    assert.equal(own.simulator!.simulator.submitted.length, 0, 'never sent');
    const after = (await own.store.getUserByName('shop'))!;
    assert.deepEqual([after.balanceMicros, after.smsCount], [1_000_000, 10], 'price and SMS count refunded');
    assert.ok(!(await own.store.history(messageId)).some((e) => e.state === 'sent'));
  } finally {
    await own.stop();
  }
});
