// `hermod cluster status` on the embedded store: --help documents it, and one node is the
// whole cluster, leading and holding the leader's lease (the two-node case on PostgreSQL is
// test/e2e/cluster-nodes.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

test('hermod cluster status --help, and one SQLite node as the whole cluster (table and --json)', async () => {
  const help = ok(await hermod(['cluster', 'status', '--help']), 'cluster status --help').stdout;
  assert.match(help, /Usage: hermod cluster status \[options\]/);
  for (const opt of ['--url <url>', '--key <key>', '--json']) assert.ok(help.includes(opt), opt);
  assert.match(ok(await hermod(['cluster', '--help']), 'cluster --help').stdout, /^ {2}status\b/m);

  const h = await demoHermod();
  try {
    const url = `http://127.0.0.1:${h.apiPort}`;
    const id = h.cluster.nodeId;
    const table = ok(await hermod(['cluster', 'status', '--url', url]), 'status').stdout;
    assert.match(table, new RegExp(`1 of 1 node up\\s+leader: ${id}`));
    assert.match(table, new RegExp(`^${id} \\*\\s+up\\s`, 'm'));
    const s = json<{ leader: string; nodes: { id: string; state: string; leader: boolean }[] }>(
      ok(await hermod(['cluster', 'status', '--url', url, '--json']), 'status --json'),
    );
    assert.equal(s.leader, id);
    assert.deepEqual(
      s.nodes.map((n) => [n.id, n.state, n.leader]),
      [[id, 'up', true]],
    );
    const bad = await hermod(['cluster', 'status', '--url', url, '--key', 'not-the-key-at-all-0000']);
    assert.notEqual(bad.code, 0, 'a wrong key is refused');
  } finally {
    await h.stop();
  }
});
