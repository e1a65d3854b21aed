// Long messages end to end over real sockets (checklist row 22): a customer ESME sends a
// long text with data_sm/message_payload; Hermod charges it per segment, splits it per the
// connector's `split` setting (UDH or SAR), submits every part asking for a receipt, tracks
// each part and sends the customer ONE receipt with our id when the aggregate is final.
import { test, type TestContext } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient, type PduOf } from '../../src/smpp/index.js';
import { hashPassword, type SplitSetting } from '../../src/domain/index.js';
import { PostgresStore, SqliteStore, type Store } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { Gateway } from '../../src/gateway/index.js';
import { SimulatorConnector } from '../../src/connectors/index.js';
import { CustomerSmppServer } from '../../src/smpp-server/index.js';
import type { ScriptRule } from '../../src/simulator/index.js';
import { collectReceipts, configuredHermod } from '../support/hermod.js';
import { until as waitUntil } from '../support/until.js';

const RATE = 10_000;
const BALANCE = 1_000_000;

const until = (what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) =>
  waitUntil(what, cond, ms);

type Rig = NonNullable<Awaited<ReturnType<typeof rig>>>;

/**
 * Store (SQLite, or PostgreSQL in a private schema when `postgres` is given) + gateway +
 * simulator connector + customer SMPP server + a bound customer. Undefined when skipped.
 */
async function rig(
  opts: {
    split?: SplitSetting;
    scripts?: ScriptRule[];
    receiptBeforeResponse?: boolean;
    postgres?: TestContext;
  } = {},
) {
  let store: Store;
  let drop = async () => {};
  if (opts.postgres) {
    if (!(await requirePostgres(opts.postgres))) return undefined;
    const schema = `hermod_parts_${randomBytes(5).toString('hex')}`;
    store = await PostgresStore.open({ connectionString: PG_URL, schema });
    drop = () => PostgresStore.dropSchema(PG_URL, schema);
  } else {
    store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-parts-')), 'hermod.db'));
  }
  const user = await store.upsertUser({
    username: 'shop',
    passwordHash: hashPassword('pw'),
    balanceMicros: BALANCE,
    rateMicros: RATE,
  });
  const gateway = new Gateway(store, { retry: { initialMs: 10, maxMs: 50, factor: 2, jitter: 0 } });
  const sim = new SimulatorConnector('sim', {
    latencyMs: { min: 0, max: 5 },
    ...(opts.split ? { split: opts.split } : {}),
    scripts: opts.scripts ?? [],
    receiptBeforeResponse: opts.receiptBeforeResponse ?? false,
  });
  gateway.addConnector(sim);
  await gateway.start();
  const server = new CustomerSmppServer(gateway, { host: '127.0.0.1', port: 0 });
  const port = await server.listen();
  const client = new SmppClient({
    host: '127.0.0.1',
    port,
    systemId: 'shop',
    password: 'pw',
    reconnect: false,
  });
  const receipts = collectReceipts(client);
  await client.connect();
  const send = async (text: string, dataCoding = 0) => {
    const body = dataCoding === 8 ? Buffer.from(text, 'utf16le').swap16() : Buffer.from(text, 'latin1');
    const resp = (await client.request({
      command: 'data_sm',
      sourceAddr: 'Shop',
      destinationAddr: '447700900123',
      registeredDelivery: 1,
      dataCoding,
      tlvs: { messagePayload: body },
    })) as PduOf<'data_sm_resp'>;
    return resp.messageId;
  };
  const balance = () => store.getBalance(user.id);
  const stop = async () => {
    await client.close();
    await server.close();
    await gateway.stop();
    await store.close();
    await drop();
  };
  return { store, gateway, sim: sim.simulator, client, receipts, send, balance, stop };
}

/** The customer got its receipts and nothing more arrives once every part is final at Hermod. */
async function settled(r: Rig, id: string, receipts: number) {
  await until('every part final', async () =>
    (await r.store.getParts(id)).every((p) =>
      ['delivered', 'undelivered', 'failed', 'rejected', 'expired'].includes(p.state),
    ),
  );
  await until('the customer receipt', () => r.receipts.length >= receipts);
  await new Promise((res) => setTimeout(res, 300)); // room for a wrong extra receipt to show up
  assert.equal(r.receipts.length, receipts, 'one receipt per message, not per part');
}

const udh = (sm: Buffer) => ({ ref: sm[3], total: sm[4], seq: sm[5], head: [...sm.subarray(0, 3)] });

async function gsmAndUcs2(r: Rig) {
  try {
    // '€' is an escape pair (2 septets): at position 153 it would straddle parts 1 and 2.
    // Unpacked septets; 0x1B 0x65 is '€'. 400 septets → 152 (the pair moves) + 153 + 95.
    const gsm = 'a'.repeat(152) + '\x1be' + 'b'.repeat(246);
    const ucs = 'م'.repeat(66) + '😀' + 'z'.repeat(40); // 108 UTF-16 units → 66 (the pair moves whole) + 42
    const gsmBody = Buffer.from(gsm, 'latin1');
    const gsmId = await r.send(gsm);
    const ucsId = await r.send(ucs, 8);
    await settled(r, gsmId, 2);
    await settled(r, ucsId, 2);

    const sent = r.sim.submitted;
    assert.equal(sent.length, 5, '3 + 2 submits reached the simulator');
    const g = sent.filter((m) => m.dataCoding === 0);
    const u = sent.filter((m) => m.dataCoding === 8);
    assert.equal(g.length, 3);
    assert.equal(u.length, 2);
    for (const [parts, total] of [
      [g, 3],
      [u, 2],
    ] as const) {
      assert.ok(
        parts.every((p) => (p.esmClass & 0x40) === 0x40),
        'UDHI set',
      );
      assert.ok(
        parts.every((p) => (p.registeredDelivery & 0x03) === 1),
        'a receipt asked for every part',
      );
      assert.deepEqual(
        parts.map((p) => udh(p.shortMessage).head),
        Array(total).fill([5, 0, 3]),
        '8-bit reference IE 0x00',
      );
      assert.deepEqual(
        parts.map((p) => udh(p.shortMessage).seq),
        Array.from({ length: total }, (_, i) => i + 1),
        'in order',
      );
      assert.ok(
        parts.every(
          (p) =>
            udh(p.shortMessage).total === total && udh(p.shortMessage).ref === udh(parts[0].shortMessage).ref,
        ),
      );
    }
    assert.deepEqual(
      Buffer.concat(g.map((p) => p.shortMessage.subarray(6))),
      gsmBody,
      'the GSM text reassembles byte for byte',
    );
    assert.equal(g[0].shortMessage.subarray(6).length, 152, 'the escape pair was not cut');
    assert.equal(g[1].shortMessage[6], 0x1b);
    const ucsParts = u.map((p) => Buffer.from(p.shortMessage.subarray(6)).swap16().toString('utf16le'));
    assert.equal(ucsParts.join(''), ucs);
    assert.ok(ucsParts[1].startsWith('😀'), 'the surrogate pair moved whole to part 2');

    assert.deepEqual(r.receipts.map((x) => x.id).sort(), [gsmId, ucsId].sort(), 'receipts carry our ids');
    assert.ok(r.receipts.every((x) => x.state === 'delivered'));
    assert.equal(await r.balance(), BALANCE - 5 * RATE, 'rate × parts');

    const parts = await r.store.getParts(gsmId);
    assert.deepEqual(
      parts.map((p) => [p.seq, p.total, p.state]),
      [
        [1, 3, 'delivered'],
        [2, 3, 'delivered'],
        [3, 3, 'delivered'],
      ],
    );
    assert.equal(new Set(parts.map((p) => p.upstreamId)).size, 3, 'every part has its own upstream id');
    assert.equal((await r.store.getMessage(gsmId))?.state, 'delivered');
    assert.equal((await r.store.getMessage(gsmId))?.meta.segments, 3);
    const history = await r.store.history(gsmId);
    assert.deepEqual(
      history.filter((e) => e.seq === 2).map((e) => e.state),
      ['sent', 'delivered'],
      'the timeline has part events',
    );
    assert.deepEqual(
      history.filter((e) => e.seq === null).map((e) => e.state),
      ['accepted', 'queued', 'sent', 'delivered'],
    );
  } finally {
    await r.stop();
  }
}

test('row 22: a 3-part GSM text and a 2-part UCS-2 text (emoji at the boundary) go as UDH parts; one receipt each; charged per part', async () => {
  await gsmAndUcs2((await rig())!);
});

test('row 22 on PostgreSQL: the same 3-part GSM and 2-part UCS-2 texts', async (t) => {
  const r = await rig({ postgres: t });
  if (r) await gsmAndUcs2(r);
});

test('row 7 for parts: receipts that beat the submit_sm_resp of each part are parked and applied to their part', async () => {
  const r = (await rig({ receiptBeforeResponse: true }))!;
  try {
    let parked = 0;
    r.gateway.on('receipt_parked', () => parked++);
    const id = await r.send('r'.repeat(400));
    await settled(r, id, 1);
    assert.ok(parked > 0, 'some receipts arrived before their submit_sm_resp was stored');
    assert.deepEqual(
      (await r.store.getParts(id)).map((p) => p.state),
      ['delivered', 'delivered', 'delivered'],
    );
    assert.equal((await r.store.getMessage(id))?.state, 'delivered');
    assert.equal(r.receipts[0].id, id);
  } finally {
    await r.stop();
  }
});

test('split: sar sends the parts with sar_* TLVs and no UDH', async () => {
  const r = (await rig({ split: 'sar' }))!;
  try {
    const text = 'x'.repeat(300);
    const id = await r.send(text);
    await settled(r, id, 1);
    const sent = r.sim.submitted;
    assert.equal(sent.length, 2);
    assert.deepEqual(
      sent.map((p) => p.esmClass & 0x40),
      [0, 0],
    );
    assert.deepEqual(
      sent.map((p) => [p.sar?.total, p.sar?.seq]),
      [
        [2, 1],
        [2, 2],
      ],
    );
    assert.equal(sent[0].sar?.ref, sent[1].sar?.ref);
    assert.equal(Buffer.concat(sent.map((p) => p.shortMessage)).toString(), text);
    assert.equal(r.receipts[0].id, id);
    assert.equal(await r.balance(), BALANCE - 2 * RATE);
  } finally {
    await r.stop();
  }
});

test('split from hermod.yaml: a simulator connector configured split: sar gets SAR parts', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 }, split: 'sar' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  try {
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    await c.connect();
    await c.request({
      command: 'data_sm',
      destinationAddr: '447700900123',
      registeredDelivery: 1,
      tlvs: { messagePayload: Buffer.from('s'.repeat(200)) },
    });
    await until('two parts at the simulator', () => h.simulator!.simulator.submitted.length === 2);
    assert.deepEqual(
      h.simulator!.simulator.submitted.map((p) => p.sar?.seq),
      [1, 2],
    );
    await c.close();
  } finally {
    await h.stop();
  }
});

test('split: payload sends one message_payload but still charges per segment', async () => {
  const r = (await rig({ split: 'payload' }))!;
  try {
    const id = await r.send('y'.repeat(400));
    await settled(r, id, 1);
    assert.equal(r.sim.submitted.length, 1);
    assert.equal(r.sim.submitted[0].shortMessage.length, 400);
    assert.equal(await r.balance(), BALANCE - 3 * RATE);
  } finally {
    await r.stop();
  }
});

async function part2Rejected(r: Rig) {
  try {
    const id = await r.send('q'.repeat(400));
    await settled(r, id, 1);
    const parts = await r.store.getParts(id);
    assert.deepEqual(
      parts.map((p) => p.state),
      ['delivered', 'failed', 'delivered'],
    );
    assert.match(parts[1].error ?? '', /SUBMITFAIL/);
    assert.equal(parts[1].upstreamId, null);
    assert.equal((await r.store.getMessage(id))?.state, 'partially_delivered');
    assert.equal(await r.balance(), BALANCE - 2 * RATE, 'billing counts the parts actually sent');
    assert.equal(r.receipts[0].id, id);
    assert.equal(r.receipts[0].stat, 'UNDELIV');
    assert.equal(r.receipts[0].sub, 3);
    assert.equal(r.receipts[0].dlvrd, 2);
    const q = await r.client.querySm({ messageId: id, sourceAddr: 'Shop' });
    assert.equal(q.messageState, 5, 'query_sm: UNDELIVERABLE');
  } finally {
    await r.stop();
  }
}

const PART2_REJECTED: ScriptRule[] = [{ prefix: '', part: 2, status: 0x45 }]; // ESME_RSUBMITFAIL, permanent

test('row 22: part 2 of 3 rejected upstream → partially_delivered, only the unsent part refunded, one receipt', async () => {
  await part2Rejected((await rig({ scripts: PART2_REJECTED }))!);
});

test('row 22 on PostgreSQL: part 2 of 3 rejected upstream → partially_delivered, unsent part refunded', async (t) => {
  const r = await rig({ scripts: PART2_REJECTED, postgres: t });
  if (r) await part2Rejected(r);
});

test('row 22: a part undelivered by its receipt → partially_delivered, no refund (it was sent)', async () => {
  const r = (await rig({ scripts: [{ prefix: '', part: 1, outcome: 'undelivered', err: '034' }] }))!;
  try {
    const id = await r.send('w'.repeat(200));
    await settled(r, id, 1);
    assert.deepEqual(
      (await r.store.getParts(id)).map((p) => p.state),
      ['undelivered', 'delivered'],
    );
    assert.equal((await r.store.getMessage(id))?.state, 'partially_delivered');
    assert.equal(await r.balance(), BALANCE - 2 * RATE);
  } finally {
    await r.stop();
  }
});

test('row 22: every part rejected → failed and fully refunded', async () => {
  const r = (await rig({ scripts: [{ prefix: '44', status: 0x0b }] }))!;
  try {
    const id = await r.send('v'.repeat(400));
    await settled(r, id, 1);
    assert.deepEqual(
      (await r.store.getParts(id)).map((p) => p.state),
      ['failed', 'failed', 'failed'],
    );
    assert.equal((await r.store.getMessage(id))?.state, 'failed');
    assert.equal(await r.balance(), BALANCE);
    assert.equal(r.receipts[0].id, id);
  } finally {
    await r.stop();
  }
});

test('a transient failure of part 2 resends only part 2: no duplicate of an accepted part', async () => {
  const r = (await rig({ scripts: [{ prefix: '', part: 2, status: 0x14, times: 2 }] }))!; // ESME_RMSGQFUL (temporary) twice
  try {
    const id = await r.send('t'.repeat(400));
    await settled(r, id, 1);
    const seqs = r.sim.submitted.map((p) => udh(p.shortMessage).seq);
    assert.deepEqual([...seqs].sort(), [1, 2, 3], 'each part accepted once');
    assert.equal((await r.store.getMessage(id))?.state, 'delivered');
    assert.ok(
      (await r.store.history(id)).some((e) => e.state === 'queued' && /1 of 3 parts/.test(e.detail ?? '')),
      'the retry is in the timeline',
    );
    assert.equal(await r.balance(), BALANCE - 3 * RATE);
  } finally {
    await r.stop();
  }
});
