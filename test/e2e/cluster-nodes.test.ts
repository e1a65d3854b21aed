// Two Hermod nodes on one PostgreSQL schema, in one process (docs/architecture.md, "Cluster:
// membership, leader, singletons"): exactly one leads and only the leader runs the sweeps;
// GET /v1/admin/cluster and `hermod cluster status` list both; a silent node is declared dead
// by the other's beat (logged, counted); stopping the leader moves leadership within seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import pg from 'pg';
import { startHermod, type RunningHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';
import { hermod, json, ok } from '../support/cli.js';

const KEY = 'cluster-admin-key-0123456789';

async function node(schema: string, id: string, lines: string[]): Promise<RunningHermod> {
  const config = parseConfig(
    {
      admin: { keys: [KEY] },
      users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
      connectors: [{ id: 'sim', type: 'simulator' }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
      // A parked-receipt sweep every 250 ms: often enough to see which node runs it.
      parkedReceiptRetentionS: 1,
      // Dead after 3 s: a busy machine (CI) can hold a beat back past 1 s, and the first node
      // would lose the leader's lease to the second before the test looks.
      cluster: { heartbeatMs: 200, deadAfterMs: 3000 },
    },
    {
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_NODE_ID: id,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'h-')),
    },
    'test',
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return startHermod(config, { logger: pino({ level: 'info' }, sink) });
}

/** Counts the calls of the parked-receipt sweep's store statement on one node. */
function countSweeps(h: RunningHermod): { n: number } {
  const count = { n: 0 };
  const store = h.store as PostgresStore;
  const real = store.expireParkedReceipts.bind(store);
  store.expireParkedReceipts = (ms: number) => {
    count.n++;
    return real(ms);
  };
  return count;
}

const until = async (what: string, cond: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

test('two nodes on one schema: one leader runs the sweeps, both are listed, a silent node is reaped, leadership moves on stop', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_cl_${randomBytes(5).toString('hex')}`;
  const logs = { a: [] as string[], b: [] as string[] };
  const a = await node(schema, 'node-a', logs.a);
  const b = await node(schema, 'node-b', logs.b);
  let stopped = false;
  try {
    await until(
      'each node sees the other',
      () => a.cluster.liveNodes().length === 2 && b.cluster.liveNodes().length === 2,
    );
    assert.equal(a.cluster.isLeader(), true, 'the first node took the leader’s lease');
    assert.equal(b.cluster.isLeader(), false);

    // Singletons: the parked-receipt sweep (every 250 ms) runs on the leader only.
    const [sa, sb] = [countSweeps(a), countSweeps(b)];
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(sa.n >= 2, `the leader swept (${sa.n} times)`);
    assert.equal(sb.n, 0, 'the other node did not');

    // The admin API, on the node that does not lead, lists both with their state and load.
    const res = await fetch(`http://127.0.0.1:${b.apiPort}/v1/admin/cluster`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(res.status, 200);
    const s = (await res.json()) as {
      self: string;
      leader: string;
      nodes: {
        id: string;
        state: string;
        heartbeatAgeMs: number;
        leader: boolean;
        version: string;
        load: { readyConnectors: string[] };
      }[];
      leases: { name: string; holder: string; until: string }[];
    };
    assert.equal(s.self, 'node-b');
    assert.equal(s.leader, 'node-a');
    assert.deepEqual(s.nodes.map((n) => [n.id, n.state, n.leader]).sort(), [
      ['node-a', 'up', true],
      ['node-b', 'up', false],
    ]);
    for (const n of s.nodes) {
      assert.ok(n.heartbeatAgeMs >= 0 && n.heartbeatAgeMs < 3000, `${n.id} beat ${n.heartbeatAgeMs} ms ago`);
      assert.deepEqual(n.load.readyConnectors, ['sim'], `${n.id} reports its simulator up`);
    }
    assert.deepEqual(s.leases, [{ name: 'leader', holder: 'node-a', until: s.leases[0].until }]);
    const refused = await fetch(`http://127.0.0.1:${b.apiPort}/v1/admin/cluster`);
    assert.equal(refused.status, 401, 'an operator’s route');

    // The CLI: a table, and --json.
    const url = `http://127.0.0.1:${a.apiPort}`;
    const table = ok(await hermod(['cluster', 'status', '--url', url, '--key', KEY]), 'cluster status');
    assert.match(table.stdout, /2 of 2 nodes up\s+leader: node-a/);
    assert.match(table.stdout, /^node-a \*\s+up\s/m);
    assert.match(table.stdout, /^node-b\s+up\s/m);
    assert.match(table.stdout, /^LEASE\s+HOLDER/m);
    const parsed = json<{ nodes: { id: string }[] }>(
      ok(await hermod(['cluster', 'status', '--url', url, '--key', KEY, '--json']), 'cluster status --json'),
    );
    assert.deepEqual(parsed.nodes.map((n) => n.id).sort(), ['node-a', 'node-b']);

    // A node that stopped beating (a crashed process) is declared dead by the next beat: logged once, counted.
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO "${schema}".cluster_nodes (id, host, pid, version, started_at, heartbeat_at, state, load)
         VALUES ('ghost', 'h', 1, 't', 1, 1, 'up', '{}')`,
      );
    } finally {
      await db.end();
    }
    const dead = (l: string[]) => l.filter((x) => x.includes('"dead":"ghost"'));
    await until('the ghost is reaped', () => dead(logs.a).length + dead(logs.b).length > 0);
    await new Promise((r) => setTimeout(r, 500));
    const lines = [...dead(logs.a), ...dead(logs.b)];
    assert.equal(lines.length, 1, 'declared dead once, by one node');
    assert.deepEqual(
      (({ requeued, outbox, webhooks, campaigns, leases }) => ({
        requeued,
        outbox,
        webhooks,
        campaigns,
        leases,
      }))(JSON.parse(lines[0]) as Record<string, unknown>),
      { requeued: 0, outbox: 0, webhooks: 0, campaigns: 0, leases: [] },
    );
    const metrics = async (h: RunningHermod) => h.metrics.registry.metrics();
    const reaped = [await metrics(a), await metrics(b)].map((m) =>
      Number(/hermod_cluster_nodes_reaped_total (\d+)/.exec(m)?.[1]),
    );
    assert.equal(reaped[0] + reaped[1], 1, 'one reap counted');
    assert.match(await metrics(a), /hermod_cluster_leader 1/);
    assert.match(await metrics(b), /hermod_cluster_leader 0/);
    assert.match(await metrics(b), /hermod_cluster_nodes\{state="dead"\} 1/);

    // The leader stops: the other leads within a couple of heartbeats, and sweeps from then on.
    const t0 = Date.now();
    await a.stop();
    stopped = true;
    await until('node-b leads', () => b.cluster.isLeader(), 3000);
    const took = Date.now() - t0;
    const before = sb.n;
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(sb.n > before, `the new leader sweeps (leadership moved in ${took} ms)`);
    assert.ok(logs.b.some((l) => l.includes('this node leads the cluster')));
  } finally {
    if (!stopped) await a.stop();
    await b.stop();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});
