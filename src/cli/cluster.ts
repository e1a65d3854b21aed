/**
 * `hermod cluster status`: the nodes sharing the store (state, heartbeat age, load, version),
 * the leader and the leases held (GET /v1/admin/cluster). One node on SQLite.
 */
import { Command } from 'commander';
import { say } from './io.js';
import { AdminClient, apiCommand, printJson, printTable, type ApiOptions } from './admin-client.js';

interface Status {
  self: string;
  leader: string | null;
  heartbeatMs: number;
  deadAfterMs: number;
  nodes: {
    id: string;
    host: string;
    pid: number;
    version: string;
    state: string;
    heartbeatAgeMs: number;
    leader: boolean;
    load: {
      acceptedPerS: number;
      upstreamBinds: number;
      customerBinds: number;
      cpu: number;
      rssBytes: number;
    };
  }[];
  leases: { name: string; holder: string; until: string }[];
}

const age = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

function statusCommand(): Command {
  return apiCommand(
    'status',
    'nodes (state, heartbeat age, load, version), the leader and the leases',
  ).action(async (o: ApiOptions) => {
    const s = await new AdminClient(o).get<Status>('/cluster');
    if (o.json) return printJson(s);
    const up = s.nodes.filter((n) => n.state === 'up').length;
    say(
      `${up} of ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'} up   leader: ${s.leader ?? '(none)'}   answered by: ${s.self}   heartbeat ${s.heartbeatMs} ms, dead after ${s.deadAfterMs} ms`,
    );
    say('');
    printTable(
      s.nodes.map((n) => ({
        node: n.leader ? `${n.id} *` : n.id,
        state: n.state,
        heartbeat: age(n.heartbeatAgeMs),
        'accepted/s': n.load.acceptedPerS,
        upstream: n.load.upstreamBinds,
        customers: n.load.customerBinds,
        cpu: `${Math.round(n.load.cpu * 100)} %`,
        rss: `${Math.round(n.load.rssBytes / 1_048_576)} MiB`,
        version: n.version,
        host: `${n.host}:${n.pid}`,
      })),
      ['node', 'state', 'heartbeat', 'accepted/s', 'upstream', 'customers', 'cpu', 'rss', 'version', 'host'],
    );
    if (s.leases.length === 0) return;
    say('');
    printTable(
      s.leases.map((l) => ({ lease: l.name, holder: l.holder, until: l.until })),
      ['lease', 'holder', 'until'],
    );
  });
}

export function clusterCommand(): Command {
  return new Command('cluster')
    .description('the nodes sharing the store (PostgreSQL): membership, leader, leases')
    .addCommand(statusCommand());
}
