/**
 * Inbox benchmark on SQLite (a real file), or PostgreSQL with BENCH_INBOX_DB=postgres (a
 * schema of its own at HERMOD_TEST_DATABASE_URL, dropped afterwards): one account with BENCH_INBOX_PEERS peers (default
 * 20,000) and BENCH_INBOX_MOS inbound messages (default 200,000) plus half as many outbound,
 * written straight into the core tables; then the follower takes the MOs in (MOs per second,
 * no keyword service triggered), and the reads the console makes are timed (median of 50):
 * the conversation list's first page and a page deep in it, a busy thread's first page and
 * marking it read. Reads must not grow with the number of messages: each is a keyset page
 * over an index.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, newMessageId } from '../src/domain/index.js';
import { Gateway } from '../src/gateway/index.js';
import { PostgresStore, SqliteStore, openEngineStores, type Store } from '../src/store/index.js';
import { ContactService, InboxFollower } from '../src/engine/index.js';
import { buildInbox } from '../src/engine/inbox-engine.js';

const PEERS = Number(process.env.BENCH_INBOX_PEERS ?? 20_000);
const MOS = Number(process.env.BENCH_INBOX_MOS ?? 200_000);
const MTS = Math.round(MOS / 2);

const PG = process.env.BENCH_INBOX_DB === 'postgres';
const PG_URL = process.env.HERMOD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hermod_bench_inbox_${process.pid}`;
const store: Store = PG
  ? await PostgresStore.open({ connectionString: PG_URL, schema })
  : new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-bench-inbox-')), 'hermod.db'));
const user = await store.upsertUser({
  username: 'shop',
  passwordHash: hashPassword('pw'),
  balanceMicros: 0,
  rateMicros: 0,
});
const stores = await openEngineStores(store);
const t0 = Date.now() - (MOS + MTS) * 10;
// Skewed: a third of the MOs come from peers of their own, the rest from a tenth of the peers.
const hot = Math.max(1, Math.round(PEERS / 10));

process.stderr.write(`filling ${MOS} MOs and ${MTS} MTs over ${PEERS} peers…\n`);
if (store instanceof PostgresStore) {
  const { pool } = store.engineHandle();
  const peerOf = `'4477009' || lpad(((CASE WHEN i % 3 = 0 THEN i ELSE i % ${hot} END) % ${PEERS})::text, 5, '0')`;
  await pool.query(
    `INSERT INTO mo (id, connector_id, source, destination, data_coding, body, complete, routed_to, received_at)
     SELECT 'm' || lpad(i::text, 12, '0'), 'sim', ${peerOf}, '12345', 0, convert_to('message ' || i, 'UTF8'), true, 'shop', $1::bigint + i * 10
     FROM generate_series(0, $2::int - 1) AS i`,
    [t0, MOS],
  );
  await pool.query(
    `INSERT INTO messages (id, user_id, system_id, source, destination, esm_class, data_coding, body, registered_delivery,
       priority, connector_id, price_micros, state, created_at, updated_at)
     SELECT 't' || lpad(i::text, 12, '0'), $3, 'shop', '12345', ${peerOf}, 0, 0, convert_to('answer ' || i, 'UTF8'), 0, 0, 'sim', 0, 'delivered',
       $1::bigint + i * 10 + 5, $1::bigint + i * 10 + 5
     FROM generate_series(0, $2::int - 1, 2) AS i`,
    [t0, MOS, user.id],
  );
  await pool.query('ANALYZE mo; ANALYZE messages');
} else {
  const { db } = (store as SqliteStore).engineHandle();
  const peer = (i: number) => `4477009${String(i % PEERS).padStart(5, '0')}`;
  const mo = db.prepare(
    `INSERT INTO mo (id, connector_id, source, destination, data_coding, body, complete, routed_to, received_at)
     VALUES (?, 'sim', ?, '12345', 0, ?, 1, 'shop', ?)`,
  );
  const mt = db.prepare(
    `INSERT INTO messages (id, user_id, system_id, source, destination, esm_class, data_coding, body, registered_delivery,
       priority, connector_id, price_micros, state, created_at, updated_at)
     VALUES (?, ?, 'shop', '12345', ?, 0, 0, ?, 0, 0, 'sim', 0, 'delivered', ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < MOS; i++) {
      const p = i % 3 === 0 ? i : i % hot;
      const at = t0 + i * 10;
      mo.run(newMessageId(at), peer(p), Buffer.from(`message ${i}`), at);
      if (i % 2 === 0)
        mt.run(newMessageId(at + 5), user.id, peer(p), Buffer.from(`answer ${i}`), at + 5, at + 5);
    }
  })();
}

const gateway = new Gateway(store, {});
const contacts = new ContactService(stores.contacts);
const parts = buildInbox(gateway, stores, contacts, {});
const follower: InboxFollower = parts.follower;
const started = performance.now();
const taken = await follower.runOnce();
const followSeconds = (performance.now() - started) / 1000;
process.stderr.write(`follower: ${taken} MOs in ${followSeconds.toFixed(1)} s\n`);

async function median(fn: () => Promise<unknown>, runs = 50): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(runs / 2)] * 1000) / 1000;
}

const inbox = parts.inbox;
const first = await inbox.conversations(user, { limit: 50 });
let deep = first;
for (let i = 0; i < 100 && deep.next; i++)
  deep = await inbox.conversations(user, { limit: 50, cursor: deep.next });
const busy = first.items[0].peer;
const results = {
  mos: MOS,
  mts: MTS,
  peers: PEERS,
  follower_mos_per_s: Math.round(taken / followSeconds),
  list_first_page_ms: await median(() => inbox.conversations(user, { limit: 50 })),
  list_page_100_ms: await median(() =>
    inbox.conversations(user, { limit: 50, cursor: deep.next ?? undefined }),
  ),
  thread_first_page_ms: await median(() => inbox.messages(user, busy, { limit: 50 })),
  mark_read_ms: await median(() => inbox.markRead(user, busy)),
};
await follower.stop();
await store.close();
if (PG) await PostgresStore.dropSchema(PG_URL, schema);
console.log(
  JSON.stringify({ bench: 'inbox', results: { db: PG ? 'postgres' : 'sqlite', ...results }, ratios: {} }),
);
