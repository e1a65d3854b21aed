// Crash safety, SQLite and PostgreSQL. Row 1: under a steady load of submits, kill -9 Hermod,
// restart it on the same data directory, and count: every message acknowledged to the customer
// must reach the SMSC; duplicates are bounded by what was in flight upstream at the crash.
// Row 2: the same during a burst of delivery receipts (receiptBurstRun below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient } from '../../src/smpp/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { PostgresStore, RESTART_REQUEUE_DETAIL, SqliteStore, type Store } from '../../src/store/index.js';
import { receiptFromPdu, type Pdu } from '../../src/smpp/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { startChildHermod, stopChildHermod } from '../support/child-hermod.js';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

async function crashRun(
  extraEnv: Record<string, string>,
  openStore: (dataDir: string) => Promise<Store>,
): Promise<void> {
  // A slow SMSC (throttling above 100/s) so that a backlog is queued in the store at the kill.
  const sim = new SmscSimulator({ port: 0, throttle: 100 });
  const simPort = await sim.listen();
  const received: string[] = [];
  sim.on('submit', (m: { shortMessage: Buffer }) => received.push(m.shortMessage.toString()));
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-crash-'));
  let h = await startChildHermod(dataDir, simPort, extraEnv);
  try {
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'demo',
      password: 'demo',
      reconnect: false,
      windowSize: 20,
    });
    await c.connect();
    const acked = new Set<string>();
    let sent = 0;
    let killed = false;
    const refusals: string[] = [];
    const started = Date.now();
    const workers = Array.from({ length: 20 }, async () => {
      while (!killed) {
        const token = `crash-${sent++}`;
        try {
          await c.submitSm({ destinationAddr: '447700900123', shortMessage: Buffer.from(token) });
          acked.add(token);
          // Kill after 400 acknowledgements, or after 15 s on a slow machine (whatever was acked by then).
          if ((acked.size >= 400 || Date.now() - started > 15_000) && !killed) {
            killed = true;
            h.child.kill('SIGKILL');
          }
        } catch (err) {
          // After the kill: the connection died with Hermod, this one was never acknowledged.
          // Before it: a refusal (say, under load) is not an acknowledgement; go on while bound.
          if (killed || !c.bound) return;
          refusals.push(err instanceof Error ? err.message : String(err));
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    });
    await Promise.all(workers);
    // Every worker may have stopped without a kill (the bind died): kill anyway, never wait forever.
    if (!killed) {
      killed = true;
      h.child.kill('SIGKILL');
    }
    await h.exited;
    const beforeRestart = received.length;
    assert.ok(
      acked.size > 0,
      `some messages were acknowledged before the kill (refusals: ${refusals.slice(0, 3).join('; ')})`,
    );

    h = await startChildHermod(dataDir, simPort, extraEnv);
    const deadline = Date.now() + 30_000;
    const missing = () => [...acked].filter((t) => !received.includes(t));
    while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      beforeRestart < acked.size,
      `a backlog existed at the kill (${beforeRestart} of ${acked.size} sent)`,
    );
    assert.deepEqual(missing(), [], 'every acknowledged message reached the SMSC after the restart');
    const duplicates = received.length - new Set(received).size;
    console.log(
      `crash test: acked ${acked.size}, at the SMSC before restart ${beforeRestart}, after ${received.length}, duplicates ${duplicates}`,
    );
    // The dispatcher keeps at most 2 × window (2 × 50) submits in flight upstream.
    assert.ok(duplicates <= 100, `duplicates ${duplicates} exceed what can be in flight`);
    await c.close().catch(() => undefined);

    // Each duplicate is reported (row 1): the restarted process said how many messages it
    // requeued from the dead one's claims, and every message the SMSC got twice is one of
    // them, with the reason in its history.
    await stopChildHermod(h);
    const line = h
      .output()
      .split('\n')
      .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { msg?: string; messages?: number }) : {}))
      .find((l) => l.msg?.startsWith('messages claimed by the previous process requeued at start'));
    const counted = line?.messages ?? 0;
    const store = await openStore(dataDir);
    try {
      const byToken = new Map(
        (await store.listMessages({ limit: 100_000 })).map((m) => [m.body.toString(), m.id]),
      );
      const twice = [...new Set(received.filter((t, i) => received.indexOf(t) !== i))];
      const unreported: string[] = [];
      for (const t of twice)
        if (!(await store.history(byToken.get(t)!)).some((e) => e.detail === RESTART_REQUEUE_DETAIL))
          unreported.push(t);
      assert.deepEqual(
        unreported,
        [],
        'every message sent twice says in its history that it was requeued after the restart',
      );
      assert.ok(
        counted >= twice.length,
        `the restart log counts the requeued messages (${counted}) and covers every duplicate (${twice.length})`,
      );
      if (duplicates > 0) assert.ok(counted > 0);
    } finally {
      await store.close();
    }
  } finally {
    await stopChildHermod(h);
    await sim.close();
  }
}

const FINAL = new Set(['delivered', 'undelivered', 'expired', 'rejected', 'failed']);

/** A customer transceiver bound to Hermod that counts the receipts it gets per message id. */
async function customer(port: number, receipts: Map<string, number>): Promise<SmppClient> {
  const c = new SmppClient({
    host: '127.0.0.1',
    port,
    systemId: 'demo',
    password: 'demo',
    reconnect: false,
    windowSize: 20,
  });
  c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
    const r = receiptFromPdu(pdu as never);
    if (r) receipts.set(r.id, (receipts.get(r.id) ?? 0) + 1);
    respond();
  });
  await c.connect();
  return c;
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Checklist row 2: every message is sent and its receipt held at the SMSC, which then
 * releases all receipts at once; Hermod is killed -9 in the middle of that burst. The
 * simulator runs in this process, so it outlives Hermod and redelivers every deliver_sm
 * that got no deliver_sm_resp when the restarted Hermod binds again.
 */
async function receiptBurstRun(
  extraEnv: Record<string, string>,
  openStore: (dataDir: string) => Promise<Store>,
  outboxLeft: (dataDir: string) => Promise<{ messageId: string; attempts: number }[]>,
): Promise<void> {
  const N = 600;
  const sim = new SmscSimulator({ port: 0, holdReceipts: true });
  const simPort = await sim.listen();
  const upstreamOf = new Map<string, string>(); // token → SMSC message id
  sim.on('submit', (m: { id: string; shortMessage: Buffer }) =>
    upstreamOf.set(m.shortMessage.toString(), m.id),
  );
  const ackedAtSmsc = new Set<string>(); // SMSC ids whose deliver_sm got a deliver_sm_resp
  let ackedBeforeKill = new Set<string>();
  let killed = false;
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-crash-dlr-'));
  let h = await startChildHermod(dataDir, simPort, extraEnv);
  sim.on('receipt', (pdu: Pdu) => {
    const r = receiptFromPdu(pdu as never);
    if (r) ackedAtSmsc.add(r.id);
    // Mid-burst: a quarter acknowledged, the rest in flight or still to be sent.
    if (!killed && ackedAtSmsc.size >= N / 4) {
      killed = true;
      h.child.kill('SIGKILL');
      ackedBeforeKill = new Set(ackedAtSmsc);
    }
  });
  const receipts = new Map<string, number>(); // our message id → receipts the customer got
  let c: SmppClient | undefined;
  try {
    c = await customer(h.smppPort, receipts);
    const idOf = new Map<string, string>(); // token → our message id
    const tokens = Array.from({ length: N }, (_, i) => `dlr-${i}`);
    for (let i = 0; i < N; i += 20) {
      await Promise.all(
        tokens.slice(i, i + 20).map(async (t) => {
          const resp = await c!.submitSm({
            destinationAddr: '447700900123',
            shortMessage: Buffer.from(t),
            registeredDelivery: 1,
          });
          idOf.set(t, resp.messageId);
        }),
      );
    }
    await waitFor(() => upstreamOf.size === N, 30_000);
    assert.equal(upstreamOf.size, N, 'every message reached the SMSC');
    // Let Hermod store the last submit_sm_resp ids (a receipt ahead of it would be parked, also fine).
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sim.releaseHeld(), N, 'the SMSC releases one receipt per message in one burst');
    await h.exited;
    assert.ok(killed, 'Hermod was killed during the burst');
    assert.ok(ackedBeforeKill.size < N, `the burst was cut (${ackedBeforeKill.size} of ${N} acknowledged)`);
    const byUpstream = new Map([...upstreamOf].map(([t, u]) => [u, idOf.get(t)!]));

    // Before anything is redelivered: every receipt the SMSC saw acknowledged is in the store.
    const store = await openStore(dataDir);
    let storedUnacked = 0; // receipts stored whose deliver_sm_resp never reached the SMSC: it redelivers them
    try {
      const notFinal: string[] = [];
      for (const u of ackedBeforeKill) {
        const m = await store.getMessage(byUpstream.get(u)!);
        if (!m || !FINAL.has(m.state)) notFinal.push(`${u}:${m?.state}`);
      }
      assert.deepEqual(notFinal, [], 'every receipt acknowledged to the SMSC was stored');
      for (const [u, id] of byUpstream)
        if (!ackedBeforeKill.has(u) && FINAL.has(String((await store.getMessage(id))?.state)))
          storedUnacked++;
    } finally {
      await store.close();
    }
    // What the customer got from the process that was killed, and the outbox it left.
    await c.close().catch(() => undefined);
    const gotBeforeKill = new Map(receipts);
    receipts.clear();
    const left = await outboxLeft(dataDir);
    h = await startChildHermod(dataDir, simPort, extraEnv);
    c = await customer(h.smppPort, receipts);
    const ids = [...idOf.values()];
    // Done when the SMSC has every receipt acknowledged, the customer has one for every message
    // (from either process) and every item the killed process left in the outbox came again.
    await waitFor(
      () =>
        ackedAtSmsc.size === N &&
        ids.every((id) => receipts.has(id) || gotBeforeKill.has(id)) &&
        left.every((o) => receipts.has(o.messageId)),
      60_000,
    );
    assert.equal(
      ackedAtSmsc.size,
      N,
      'the SMSC redelivered every receipt left unacknowledged, and each was acknowledged',
    );
    assert.ok(sim.stats.redeliveries > 0, 'some deliver_sm were redelivered after the restart');
    assert.deepEqual(
      ids.filter((id) => !receipts.has(id) && !gotBeforeKill.has(id)),
      [],
      'the customer got a receipt for every message',
    );
    // Never twice from one process: a duplicate would mean a claim without a lease, or two claimers.
    const twice = (m: Map<string, number>) => [...m].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(twice(gotBeforeKill), [], 'no receipt twice before the kill');
    assert.deepEqual(twice(receipts), [], 'no receipt twice after the restart');
    const duplicates = ids.filter((id) => gotBeforeKill.has(id) && receipts.has(id));
    const claimedLeft = new Set(left.filter((o) => o.attempts > 0).map((o) => o.messageId));
    console.log(
      `receipt crash test: ${N} receipts, ${ackedBeforeKill.size} acknowledged before the kill, ${storedUnacked} stored but not acknowledged, ` +
        `${sim.stats.redeliveries} redelivered by the SMSC, ${gotBeforeKill.size} at the customer before the kill, ${left.length} left in the outbox (${claimedLeft.size} claimed), ` +
        `${duplicates.length} duplicate receipts to the customer`,
    );
    // At least once, not exactly once, across a kill -9: the customer pump claims up to 100
    // outbox items, sends them as deliver_sm and deletes each item once its deliver_sm_resp is
    // in (ackOutbox, a group-committed write). A receipt the customer acknowledged whose delete
    // had not committed at the kill is still in the outbox, claimed, and is sent again after
    // the restart. That is every duplicate, and nothing else is: an SMSC redelivery of a
    // receipt that was already stored finds its part final and queues nothing. The pump takes
    // its next batch only when every item of the last one is deleted or rescheduled, so at
    // most one batch (100) is in that state. Here it is often exactly 100: the kill comes on
    // the SMSC's deliver_sm_resp, sent just after a receipt transaction commits, while the
    // deletes of the batch before wait for the next commit.
    assert.deepEqual(
      duplicates.filter((id) => !claimedLeft.has(id)),
      [],
      'every duplicate was claimed and still in the outbox at the kill',
    );
    assert.deepEqual(
      left.filter((o) => !receipts.has(o.messageId)),
      [],
      'every item left in the outbox was delivered after the restart',
    );
    assert.ok(
      duplicates.length <= 100,
      `duplicate customer receipts ${duplicates.length} exceed one pump batch (100)`,
    );
    await c.close().catch(() => undefined);

    // Stopped cleanly, the store says every message is final.
    h.child.kill('SIGTERM');
    await h.exited;
    const after = await openStore(dataDir);
    try {
      const states = await Promise.all(ids.map(async (id) => (await after.getMessage(id))?.state));
      assert.deepEqual(
        states.filter((s) => !FINAL.has(String(s))),
        [],
        'every message ends in a final state',
      );
    } finally {
      await after.close();
    }
  } finally {
    await c?.close().catch(() => undefined);
    await stopChildHermod(h);
    await sim.close();
  }
}

test(
  'kill -9 during submits on SQLite: nothing acknowledged is lost, each duplicate reported',
  { timeout: 120_000 },
  () => crashRun({}, async (dataDir) => new SqliteStore(join(dataDir, 'hermod.db'))),
);

test(
  'kill -9 during submits on PostgreSQL: nothing acknowledged is lost, each duplicate reported',
  { timeout: 120_000 },
  async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = `hermod_crash_${randomBytes(5).toString('hex')}`;
    try {
      await crashRun(
        { HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema, HERMOD_NODE_ID: 'crash-node' },
        () => PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'crash-check' }),
      );
    } finally {
      await PostgresStore.dropSchema(PG_URL, schema);
    }
  },
);

test(
  'kill -9 during a burst of delivery receipts on SQLite: every acknowledged receipt stored, the rest redelivered, one receipt per message',
  { timeout: 180_000 },
  async () => {
    await receiptBurstRun(
      {},
      async (dataDir) => new SqliteStore(join(dataDir, 'hermod.db')),
      async (dataDir) => {
        const db = new Database(join(dataDir, 'hermod.db'), { readonly: true });
        try {
          return db
            .prepare("SELECT message_id AS messageId, attempts FROM outbox WHERE system_id = 'demo'")
            .all() as { messageId: string; attempts: number }[];
        } finally {
          db.close();
        }
      },
    );
  },
);

test(
  'kill -9 during a burst of delivery receipts on PostgreSQL: every acknowledged receipt stored, the rest redelivered, one receipt per message',
  { timeout: 180_000 },
  async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = `hermod_crash_dlr_${randomBytes(5).toString('hex')}`;
    try {
      await receiptBurstRun(
        { HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema, HERMOD_NODE_ID: 'crash-node' },
        () => PostgresStore.open({ connectionString: PG_URL, schema, nodeId: 'crash-check' }),
        async () => {
          const db = new pg.Client({ connectionString: PG_URL });
          await db.connect();
          try {
            const { rows } = await db.query(
              `SELECT message_id, attempts FROM ${schema}.outbox WHERE system_id = 'demo'`,
            );
            return rows.map((r: { message_id: string; attempts: number }) => ({
              messageId: r.message_id,
              attempts: r.attempts,
            }));
          } finally {
            await db.end();
          }
        },
      );
    } finally {
      await PostgresStore.dropSchema(PG_URL, schema);
    }
  },
);
