/**
 * The PostgreSQL store's hot path (issue 17): a message's row stays on its page when its
 * state changes (fillfactor, migration 25: the update is HOT, no new index entries), and a
 * claim promotes delayed queue entries only when some may be due (delayed.ts), including
 * those another node wrote.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/index.js';
import { PROMOTE_EVERY_MS } from '../../src/store/postgres/delayed.js';
import type { NewMessage } from '../../src/domain/index.js';
import { messageIdKeys } from '../../src/smpp/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { newMessage } from './fixtures.js';

const msg = (userId: number, extra: Partial<NewMessage> = {}): NewMessage =>
  newMessage(userId, { priceMicros: 0, ...extra });

/** A schema of its own, `n` stores on it (nodes a, b, …), dropped after. */
async function withSchema(
  t: TestContext,
  n: number,
  fn: (stores: PostgresStore[], schema: string) => Promise<void>,
): Promise<void> {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_test_${randomBytes(6).toString('hex')}`;
  const stores: PostgresStore[] = [];
  try {
    for (let i = 0; i < n; i++)
      stores.push(
        await PostgresStore.open({ connectionString: PG_URL, schema, nodeId: String.fromCharCode(97 + i) }),
      );
    await fn(stores, schema);
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
    await PostgresStore.dropSchema(PG_URL, schema);
  }
}

/** Each message's heap page (block of its ctid). */
async function pages(schema: string): Promise<Map<string, number>> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ id: string; block: number }>(
      `SELECT id, (ctid::text::point)[0]::int AS block FROM ${schema}.messages`,
    );
    return new Map(rows.map((r) => [r.id, r.block]));
  } finally {
    await c.end();
  }
}

test('postgres: a message sent stays on its page (room left by the fillfactor: a HOT update)', async (t) => {
  await withSchema(t, 1, async ([s], schema) => {
    const u = await s.upsertUser({ username: 'a', passwordHash: 'x', balanceMicros: 0, rateMicros: 0 });
    // Enough for several pages: the first ones are filled up to the fillfactor.
    const ms = Array.from({ length: 150 }, () => msg(u.id));
    assert.ok((await Promise.all(ms.map((m) => s.accept(m)))).every((r) => r.ok));
    const before = await pages(schema);
    assert.ok(new Set(before.values()).size > 2, 'the messages span several pages');
    const claimed = await s.claim('c1', 150, 60_000);
    assert.equal(claimed.length, 150);
    await Promise.all(
      claimed.map(({ message }, i) =>
        s.markPartSent({
          id: message.id,
          seq: 1,
          total: 1,
          connectorId: 'c1',
          upstreamId: `up${i}`,
          keys: messageIdKeys(`up${i}`),
        }),
      ),
    );
    const after = await pages(schema);
    const moved = ms.filter((m) => after.get(m.id) !== before.get(m.id));
    assert.deepEqual(
      moved.map((m) => [before.get(m.id), after.get(m.id)]),
      [],
      'no message left its page when it was sent',
    );
    assert.equal((await s.getMessage(ms[0].id))?.state, 'sent');
  });
});

test('postgres: a back-off written by another node is claimed once due, at most PROMOTE_EVERY_MS late, not before', async (t) => {
  await withSchema(t, 2, async ([a, b]) => {
    const u = await a.upsertUser({ username: 'a', passwordHash: 'x', balanceMicros: 0, rateMicros: 0 });
    const m = msg(u.id);
    await a.accept(m);
    assert.equal((await b.claim('c1', 10, 60_000)).length, 1);
    await b.release(m.id, 300, 'throttled');
    // Node a promoted when it last claimed nothing: it does not know of b's back-off.
    assert.deepEqual(await a.claim('c1', 10, 60_000), [], 'not due yet');
    const due = Date.now() + 300;
    let claimedAt: number | undefined;
    while (claimedAt === undefined && Date.now() < due + PROMOTE_EVERY_MS + 2000) {
      if ((await a.claim('c1', 10, 60_000)).length > 0) claimedAt = Date.now();
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(claimedAt !== undefined, 'claimed');
    assert.ok(claimedAt >= due - 50, `not before it is due (${claimedAt - due} ms)`);
    assert.ok(
      claimedAt <= due + PROMOTE_EVERY_MS + 500,
      `at most about PROMOTE_EVERY_MS late (${claimedAt - due} ms)`,
    );
  });
});

test('postgres: a back-off written by this node is claimed as soon as it is due', async (t) => {
  await withSchema(t, 1, async ([s]) => {
    const u = await s.upsertUser({ username: 'a', passwordHash: 'x', balanceMicros: 0, rateMicros: 0 });
    const m = msg(u.id);
    await s.accept(m);
    assert.equal((await s.claim('c1', 10, 60_000)).length, 1);
    await s.release(m.id, 200, 'throttled');
    assert.deepEqual(await s.claim('c1', 10, 60_000), []);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(
      (await s.claim('c1', 10, 60_000)).length,
      1,
      'its own back-off: promoted at the first claim after it',
    );
  });
});

/**
 * The statements a store call sends (every pg client but `except`), and `EXPLAIN` of the
 * one whose text has `marker`, under the SET LOCAL settings the call sent (`as sent`) or
 * none (`bare`), on `admin` in a transaction rolled back.
 */
async function planOfCall(
  admin: pg.Client,
  call: () => Promise<unknown>,
  marker: string,
): Promise<{ asSent: string; bare: string }> {
  const sent: { text: string; values?: unknown[]; options?: string }[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    // The connection's own settings (`-c name=value` at connect) count as well as SET LOCAL.
    const options = (this as { connectionParameters?: { options?: string } }).connectionParameters?.options;
    if (this !== admin)
      sent.push({
        text: String(args[0]),
        values: args[1] as unknown[] | undefined,
        ...(options ? { options } : {}),
      });
    return query.apply(this, args);
  };
  try {
    await call();
  } finally {
    proto.query = query;
  }
  const statement = sent.find((q) => q.text.includes(marker));
  assert.ok(statement, `a statement with "${marker}" was sent`);
  const explain = async (settings: string[]) => {
    await admin.query('BEGIN');
    try {
      for (const sql of settings) await admin.query(sql);
      const { rows } = await admin.query(`EXPLAIN ${statement.text}`, statement.values);
      return rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    } finally {
      await admin.query('ROLLBACK');
    }
  };
  const settings = [
    ...[...(statement.options ?? '').matchAll(/-c (\w+)=(\S+)/g)]
      .filter(([, name]) => name !== 'search_path')
      .map(([, name, value]) => `SET LOCAL ${name} = ${value}`),
    ...sent.filter((q) => /^SET LOCAL/i.test(q.text.trim())).map((q) => q.text),
  ];
  return { asSent: await explain(settings), bare: await explain([]) };
}

test('postgres: the outbox and webhook claims walk their index in order, never a bitmap or sequential scan that revisits every delivered (dead) item at each claim', async (t) => {
  await withSchema(t, 1, async ([s], schema) => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`SET search_path = ${schema}`);
      // 3,000 items of each delivered (dead rows until a vacuum) and 10 waiting, the planner told so.
      await admin.query(
        `INSERT INTO outbox (system_id, message_id, payload, next_at, expires_at)
         SELECT 'shop', 'm' || i, '{}', 0, 9e15 FROM generate_series(1, 3010) i`,
      );
      await admin.query(
        `INSERT INTO webhooks (event_id, kind, message_id, owner, url, method, body, next_at, expires_at, created_at)
         SELECT 'e' || i, 'dlr', 'm' || i, 'shop', 'http://127.0.0.1:9/', 'POST', '{}', i, 9e15, 0 FROM generate_series(1, 3010) i`,
      );
      for (const table of ['outbox', 'webhooks']) {
        await admin.query(
          `DELETE FROM ${table} WHERE message_id <> ALL (SELECT 'm' || i FROM generate_series(3001, 3010) i)`,
        );
        await admin.query(`ANALYZE ${table}`);
      }
      const waiting = Array.from({ length: 10 }, (_, i) => `m${3001 + i}`);
      const cases = [
        {
          index: 'outbox_by_system',
          marker: 'UPDATE outbox SET lease_until',
          claim: async () =>
            assert.deepEqual(
              (await s.claimOutbox('shop', 100, 30_000)).map((i) => i.messageId),
              waiting,
            ),
        },
        {
          index: 'webhooks_due_order',
          marker: 'UPDATE webhooks SET lease_until',
          claim: async () =>
            assert.deepEqual(
              (await s.claimWebhooks(100, 30_000)).map((i) => i.messageId),
              waiting,
            ),
        },
      ];
      for (const { index, marker, claim } of cases) {
        const { asSent, bare } = await planOfCall(admin, claim, marker);
        assert.match(asSent, new RegExp(`Index Scan using ${index}`), asSent);
        assert.doesNotMatch(asSent, /Bitmap|Seq Scan/, asSent);
        // The premise: left to itself, the planner scans every row here.
        assert.match(
          bare,
          /(Bitmap Heap|Seq) Scan on (outbox|webhooks)/,
          `the planner’s own choice: ${bare}`,
        );
      }
    } finally {
      await admin.end();
    }
  });
});
