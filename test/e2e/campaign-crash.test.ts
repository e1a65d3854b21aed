// kill -9 mid-campaign (issue 14): Hermod runs as a child process against an SMSC simulator in
// this process; a 300-recipient campaign paced at 60/s is killed with SIGKILL once about a
// third reached the SMSC, Hermod restarts on the same data, and the runner resumes. Every
// recipient has exactly one message in the store (the message id given to its row before the
// submit makes the resend a duplicate the gateway refuses), and every recipient's text
// reached the SMSC; a second copy there can only be the core's own at-least-once resend of a
// submit that was in flight upstream at the kill (its history says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SmscSimulator } from '../../src/simulator/index.js';
import { decodeText } from '../../src/smpp/index.js';
import { PostgresStore, RESTART_REQUEUE_DETAIL, SqliteStore, type Store } from '../../src/store/index.js';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { startChildHermod, stopChildHermod, type ChildHermod } from '../support/child-hermod.js';

const N = 300;

async function call(
  h: ChildHermod,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { id: number; state: string } }> {
  const res = await fetch(`${h.api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${DEMO_API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { id: number; state: string },
  };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function crashRun(
  env: Record<string, string>,
  openStore: (dataDir: string) => Promise<Store>,
): Promise<void> {
  const sim = new SmscSimulator({ port: 0 });
  const simPort = await sim.listen();
  const received: string[] = [];
  sim.on('submit', (m: { shortMessage: Buffer; dataCoding: number }) =>
    received.push(decodeText(m.shortMessage, m.dataCoding)),
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-campaign-crash-'));
  let h = await startChildHermod(dataDir, simPort, env);
  try {
    const numbers = Array.from({ length: N }, (_, i) => `+4477009${String(10_000 + i).slice(1)}`);
    const created = await call(h, 'POST', '/v1/campaigns', {
      name: 'Crash',
      from: 'Shop',
      text: 'Hello {{number}}',
      audience: { numbers },
      rate_per_second: 60,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    assert.equal((await call(h, 'POST', `/v1/campaigns/${id}/start`)).status, 200);
    await waitFor('a third at the SMSC', () => received.length >= N / 3, 30_000);
    h.child.kill('SIGKILL');
    await h.exited;
    const beforeRestart = received.length;
    assert.ok(beforeRestart < N, `killed mid-campaign (${beforeRestart} of ${N} at the SMSC)`);

    h = await startChildHermod(dataDir, simPort, env);
    await waitFor(
      'completed after the restart',
      async () => (await call(h, 'GET', `/v1/campaigns/${id}`)).body.state === 'completed',
      60_000,
    );
    const expected = numbers.map((n) => `Hello ${n}`);
    await waitFor('every text at the SMSC', () => expected.every((t) => received.includes(t)), 30_000);
    const stats = (await call(h, 'GET', `/v1/campaigns/${id}/stats`)).body;
    assert.equal(stats.recipients, N);
    assert.equal(stats.pending, 0);
    assert.deepEqual(stats.refused, {});
    await stopChildHermod(h);

    const store = await openStore(dataDir);
    try {
      const messages = (await store.listMessages({ limit: 10_000 })).filter(
        (m) => m.meta?.campaign === String(id),
      );
      const perNumber = new Map<string, number>();
      for (const m of messages) perNumber.set(m.destination, (perNumber.get(m.destination) ?? 0) + 1);
      assert.equal(messages.length, N, 'one message per recipient in the store');
      assert.deepEqual(
        numbers.filter((n) => perNumber.get(n.slice(1)) !== 1),
        [],
        'every recipient exactly once in the store',
      );
      const twice = [...new Set(received.filter((t, i) => received.indexOf(t) !== i))];
      const byText = new Map(messages.map((m) => [`Hello +${m.destination}`, m.id]));
      for (const t of twice)
        assert.ok(
          (await store.history(byText.get(t)!)).some((e) => e.detail === RESTART_REQUEUE_DETAIL),
          `${t} reached the SMSC twice only as a submit in flight at the kill, requeued after the restart`,
        );
      console.log(
        `campaign crash test: ${N} recipients, ${beforeRestart} at the SMSC at the kill, ${received.length} after, ${twice.length} resent upstream by the core (in flight at the kill), ${messages.length} messages stored`,
      );
    } finally {
      await store.close();
    }
  } finally {
    await stopChildHermod(h);
    await sim.close();
  }
}

test(
  'kill -9 mid-campaign on SQLite: after the restart every recipient has exactly one message',
  { timeout: 180_000 },
  () => crashRun({}, async (dataDir) => new SqliteStore(join(dataDir, 'hermod.db'))),
);

test(
  'kill -9 mid-campaign on PostgreSQL: after the restart every recipient has exactly one message',
  { timeout: 180_000 },
  async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = `hermod_campaign_crash_${randomBytes(5).toString('hex')}`;
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
