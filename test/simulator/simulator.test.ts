import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandStatus,
  Reassembler,
  SmppClient,
  SmppStatusError,
  SmppTimeoutError,
  decodeText,
  parseUdh,
  receiptFromPdu,
  type Pdu,
} from '../../src/smpp/index.js';
import { SmscSimulator, type SimulatorOptions } from '../../src/simulator/index.js';

async function withSim(opts: SimulatorOptions, fn: (sim: SmscSimulator, port: number) => Promise<void>) {
  const sim = new SmscSimulator({ port: 0, seed: 7, ...opts });
  const port = await sim.listen();
  try {
    await fn(sim, port);
  } finally {
    await sim.close();
  }
}

function esme(port: number, extra: Partial<ConstructorParameters<typeof SmppClient>[0]> = {}) {
  const c = new SmppClient({
    host: '127.0.0.1',
    port,
    systemId: 'shop',
    password: 'pw',
    reconnect: false,
    ...extra,
  });
  const inbound: Pdu[] = [];
  c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
    inbound.push(pdu);
    respond();
  });
  return { c, inbound };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('SMSC simulator', () => {
  test('unique ids, receipts only when asked, with the outcome mix and the TLVs', async () => {
    await withSim(
      { outcomes: { delivered: 1, undelivered: 1 }, latencyMs: { min: 1, max: 5 } },
      async (sim, port) => {
        const { c, inbound } = esme(port);
        await c.connect();
        const ids = new Set<string>();
        for (let i = 0; i < 40; i++)
          ids.add(
            (
              await c.submitSm({
                destinationAddr: `4477${i}`,
                registeredDelivery: 1,
                shortMessage: Buffer.from(`m${i}`),
              })
            ).messageId,
          );
        assert.equal(ids.size, 40);
        await c.submitSm({ destinationAddr: '1', registeredDelivery: 0 });
        await until(() => inbound.length === 40);
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(inbound.length, 40, 'no receipt without registered_delivery');
        const receipts = inbound.map((p) => receiptFromPdu(p as never)!);
        for (const r of receipts) assert.ok(ids.has(r.id));
        const states = new Set(receipts.map((r) => r.state));
        assert.deepEqual([...states].sort(), ['delivered', 'undelivered']);
        assert.equal(sim.stats.receipts, 40);
        await c.close();
      },
    );
  });

  test('registered_delivery 2 asks for failure receipts only', async () => {
    await withSim(
      { scripts: [{ prefix: '4478', outcome: 'undelivered', err: '034' }] },
      async (_sim, port) => {
        const { c, inbound } = esme(port);
        await c.connect();
        await c.submitSm({ destinationAddr: '447700000001', registeredDelivery: 2 });
        await c.submitSm({ destinationAddr: '447800000001', registeredDelivery: 2 });
        await until(() => inbound.length === 1);
        const r = receiptFromPdu(inbound[0] as never)!;
        assert.equal(r.state, 'undelivered');
        assert.equal(r.err, '034');
        await c.close();
      },
    );
  });

  test('query_sm, cancel_sm and replace_sm answer from its own state', async () => {
    await withSim({ latencyMs: { min: 10_000, max: 10_000 } }, async (_sim, port) => {
      const { c } = esme(port);
      await c.connect();
      const { messageId } = await c.submitSm({ destinationAddr: '1', registeredDelivery: 1 });
      const q = await c.querySm({ messageId });
      assert.equal(q.messageState, 1, 'ENROUTE');
      await c.request({ command: 'replace_sm', messageId, shortMessage: Buffer.from('new') });
      await c.request({ command: 'cancel_sm', messageId });
      assert.equal((await c.querySm({ messageId })).messageState, 4, 'DELETED');
      await assert.rejects(
        c.request({ command: 'cancel_sm', messageId }),
        (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RCANCELFAIL,
      );
      await assert.rejects(
        c.querySm({ messageId: 'nope' }),
        (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RQUERYFAIL,
      );
      await c.close();
    });
  });

  test('scripted prefixes fail deterministically; error rates inject statuses', async () => {
    await withSim(
      {
        scripts: [{ prefix: '4477', status: CommandStatus.ESME_RINVDSTADR }],
        errors: [{ status: CommandStatus.ESME_RMSGQFUL, rate: 0.5 }],
      },
      async (sim, port) => {
        const { c } = esme(port);
        await c.connect();
        await assert.rejects(
          c.submitSm({ destinationAddr: '447712345678' }),
          (e: unknown) =>
            e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RINVDSTADR && !e.retriable,
        );
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, () => c.submitSm({ destinationAddr: '33612345678' })),
        );
        const full = results.filter(
          (r) => r.status === 'rejected' && (r.reason as SmppStatusError).queueFull,
        ).length;
        assert.ok(full > 60 && full < 140, `${full} of 200 answered ESME_RMSGQFUL`);
        assert.equal(sim.stats.errorsInjected, full + 1);
        await c.close();
      },
    );
  });

  test('faults: refused binds, dropped connection after N PDUs, silence', async () => {
    await withSim({ refuseBinds: true }, async (_s, port) => {
      await assert.rejects(
        esme(port).c.connect(),
        (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RBINDFAIL,
      );
    });
    await withSim({ dropAfterPdus: 3 }, async (sim, port) => {
      const { c } = esme(port);
      await c.connect();
      const r = await Promise.allSettled([1, 2, 3].map(() => c.submitSm({ destinationAddr: '1' })));
      assert.deepEqual(
        r.map((x) => x.status),
        ['fulfilled', 'fulfilled', 'rejected'],
      );
      assert.equal(sim.stats.drops, 1);
      await c.close();
    });
    await withSim({ hang: true }, async (_s, port) => {
      const { c } = esme(port, { responseTimeoutMs: 50 });
      await c.connect();
      await assert.rejects(c.submitSm({ destinationAddr: '1' }), SmppTimeoutError);
      await c.close().catch(() => undefined);
    });
  });

  test('credentials are checked when configured', async () => {
    await withSim({ credentials: [{ systemId: 'shop', password: 'pw' }] }, async (_s, port) => {
      await assert.rejects(
        esme(port, { password: 'bad' }).c.connect(),
        (e: unknown) => (e as SmppStatusError).commandStatus === CommandStatus.ESME_RINVPASWD,
      );
      await assert.rejects(
        esme(port, { systemId: 'who' }).c.connect(),
        (e: unknown) => (e as SmppStatusError).commandStatus === CommandStatus.ESME_RINVSYSID,
      );
      const { c } = esme(port);
      await c.connect();
      await c.close();
    });
  });

  test('MO traffic: concatenated UCS-2 parts reassemble; receipts and MOs are held until a receiver binds', async () => {
    await withSim({}, async (sim, port) => {
      const text = 'Привет! '.repeat(20);
      const parts = sim.sendMo('shop', { from: '79001234567', to: '12345', text });
      assert.equal(parts, 3);
      const tx = esme(port, { bindType: 'transmitter' });
      await tx.c.connect();
      await tx.c.submitSm({ destinationAddr: '1', registeredDelivery: 1 });
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(tx.inbound.length, 0, 'a transmitter receives nothing');
      const rx = esme(port, { bindType: 'receiver' });
      await rx.c.connect();
      await until(() => rx.inbound.length === 4);
      const reasm = new Reassembler<string>({ timeoutMs: 1000 });
      let whole: string | undefined;
      for (const p of rx.inbound) {
        if (p.command !== 'deliver_sm' || p.esmClass & 0x04) continue;
        const u = parseUdh(p.shortMessage)!;
        const done = reasm.add({
          source: p.sourceAddr,
          destination: p.destinationAddr,
          ref: u.concat!.ref,
          total: u.concat!.total,
          seq: u.concat!.seq,
          body: decodeText(u.body, p.dataCoding),
        });
        if (done) whole = done.parts.map((x) => x.body).join('');
      }
      assert.equal(whole, text);
      assert.ok(
        rx.inbound.some((p) => p.command === 'deliver_sm' && p.esmClass === 0x04),
        'the held receipt arrived',
      );
      await tx.c.close();
      await rx.c.close();
    });
  });
  test('held receipts go out in one burst on releaseHeld; a deliver_sm left unanswered when the receiver dies is redelivered to the next bind', async () => {
    await withSim({ holdReceipts: true }, async (sim, port) => {
      // This receiver answers nothing: its deliver_sm stay unacknowledged until it is cut.
      const mute = new SmppClient({
        host: '127.0.0.1',
        port,
        systemId: 'shop',
        password: 'pw',
        reconnect: false,
      });
      const seen: Pdu[] = [];
      mute.on('deliver_sm', (pdu: Pdu) => void seen.push(pdu));
      await mute.connect();
      for (let i = 0; i < 3; i++) await mute.submitSm({ destinationAddr: '1', registeredDelivery: 1 });
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(seen.length, 0, 'receipts are held');
      assert.equal(sim.releaseHeld(), 3);
      await until(() => seen.length === 3);
      assert.equal(sim.stats.receipts, 0, 'none acknowledged');
      mute.session?.destroy();
      const rx = esme(port);
      await rx.c.connect();
      await until(() => rx.inbound.length === 3);
      assert.deepEqual(
        rx.inbound.map((p) => receiptFromPdu(p as never)!.id).sort(),
        seen.map((p) => receiptFromPdu(p as never)!.id).sort(),
      );
      await until(() => sim.stats.receipts === 3);
      assert.equal(sim.stats.redeliveries, 3);
      await rx.c.close();
    });
  });
});
