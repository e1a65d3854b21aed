// Keyword services survive kill -9, on SQLite and PostgreSQL: handsets vote through an external SMSC
// simulator while Hermod (a child process, demo mode) runs a poll; Hermod is killed with
// SIGKILL mid-way and restarted on the same data directory. Every MO stored runs its service
// exactly once (one hit, one vote per number) and its reply is accepted exactly once (one
// message per MO, nothing charged twice); every handset gets its confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SmscSimulator } from '../../src/simulator/index.js';
import { decodeText } from '../../src/smpp/index.js';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { until } from '../support/until.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { startChildHermod, stopChildHermod, type ChildHermod } from '../support/child-hermod.js';

const rest = async (h: ChildHermod, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${h.api}/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${DEMO_API_KEY}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Counts rows in the store Hermod ran on (a read-only look after it stopped). */
type Counter = (sql: string) => Promise<number>;

async function crashRun(
  env: Record<string, string>,
  counter: (h: ChildHermod) => Promise<{ count: Counter; close(): Promise<void> }>,
): Promise<void> {
  const N = 300;
  const sim = new SmscSimulator({ port: 0 });
  const simPort = await sim.listen();
  const got = new Map<string, string[]>();
  sim.on('submit', (m: { destination: string; shortMessage: Buffer; dataCoding: number }) => {
    const list = got.get(m.destination) ?? [];
    list.push(decodeText(m.shortMessage, m.dataCoding));
    got.set(m.destination, list);
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-inbox-crash-'));
  let stored = 0;
  let h = await startChildHermod(dataDir, simPort, env);
  try {
    const poll = await rest(h, 'POST', '/keywords', {
      keyword: 'vote',
      kind: 'poll',
      options: ['a', 'b'],
      reply: 'Counted: {{answer}}',
    });
    assert.equal(poll.status, 201, JSON.stringify(poll.body));
    const handset = (i: number) => `4477009${String(i).padStart(5, '0')}`;
    for (let i = 0; i < N; i++)
      sim.sendMo('hermod', { from: handset(i), to: '12345', text: i % 3 === 0 ? 'vote a' : 'VOTE B' });

    await until('some confirmations before the kill', () => got.size >= 30, 30_000);
    h.child.kill('SIGKILL');
    await h.exited;
    const before = got.size;

    h = await startChildHermod(dataDir, simPort, env);
    // On PostgreSQL the new process waits for the dead one's follower lease to end (15 s).
    await until('every handset answered', () => got.size === N, 90_000);
    const results = await rest(h, 'GET', `/keywords/${poll.body.id as number}/results`);
    assert.equal(results.body.total, N);
    await stopChildHermod(h);

    const { count, close } = await counter(h);
    try {
      const mos = await count('SELECT count(*) AS n FROM mo');
      // The SMSC redelivers an MO whose acknowledgement the kill lost: it is a second MO then.
      assert.ok(mos >= N, `${mos} MOs stored`);
      assert.equal(await count('SELECT count(*) AS n FROM keyword_hits'), mos, 'one hit per MO');
      assert.equal(
        await count("SELECT count(*) AS n FROM keyword_replies WHERE state = 'sent'"),
        mos,
        'every reply accepted',
      );
      assert.equal(
        await count('SELECT count(*) AS n FROM messages'),
        mos,
        'each reply accepted once: one message per MO',
      );
      assert.equal(
        await count('SELECT count(DISTINCT msisdn) AS n FROM keyword_votes'),
        N,
        'one vote per number',
      );
      assert.equal(
        await count("SELECT count(*) AS n FROM keyword_votes WHERE answer = 'A'"),
        Math.ceil(N / 3),
        'the votes as cast',
      );
      stored = mos;
    } finally {
      await close();
    }
    const extra = [...got.values()].filter((l) => l.length > 1).length;
    console.log(
      `inbox crash test: ${before} handsets answered before the kill, ${N} after; ${stored} MOs stored; ${extra} handsets got a second confirmation (resent in flight at the kill, or a redelivered MO)`,
    );
    for (const [, texts] of got) assert.match(texts[0], /^Counted: [AB]$/);
  } finally {
    h.child.kill('SIGKILL');
    await sim.close();
  }
}

test(
  'keyword services under kill -9 on SQLite: each stored MO runs once, each reply accepted once, every handset answered',
  { timeout: 150_000 },
  () =>
    crashRun({}, async (h) => {
      const db = new Database(h.db!, { readonly: true });
      return {
        count: async (sql) => (db.prepare(sql).get() as { n: number }).n,
        close: async () => void db.close(),
      };
    }),
);

test(
  'keyword services under kill -9 on PostgreSQL: each stored MO runs once, each reply accepted once, every handset answered',
  { timeout: 150_000 },
  async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = `hermod_inbox_crash_${randomBytes(5).toString('hex')}`;
    const { PostgresStore } = await import('../../src/store/index.js');
    try {
      await crashRun({ HERMOD_DATABASE_URL: PG_URL, HERMOD_DATABASE_SCHEMA: schema }, async () => {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`SET search_path TO ${schema}`);
        return {
          count: async (sql) => Number((await c.query<{ n: string }>(sql)).rows[0].n),
          close: () => c.end(),
        };
      });
    } finally {
      await PostgresStore.dropSchema(PG_URL, schema);
    }
  },
);
