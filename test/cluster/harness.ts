/**
 * Several Hermod processes on one PostgreSQL schema: a cluster for the tests of issue 18.
 * Each node is a real `hermod start` child (test/support/child-hermod.ts) with its own node
 * id (HERMOD_NODE_ID), its own ports, and its connections named after the test's schema
 * (PGAPPNAME, and the definitions listener's own `hermod-definitions <node id>`), so a test
 * can find and end exactly its backends in the shared PostgreSQL. Every node shares one data
 * directory (the media directory of a real deployment) and one configuration file, and sends
 * to one SMSC simulator running in the test's process, which outlives any node.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { stringify } from 'yaml';
import { SmscSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { loadConfig } from '../../src/config/index.js';
import { stopChildHermod, type ChildHermod } from '../support/child-hermod.js';
import { startNode } from './node-process.js';
import { PG_URL } from '../support/services.js';

/** The operators' key of the cluster's configuration (the admin API, e.g. /v1/admin/cluster). */
export const ADMIN_KEY = 'cluster-test-admin-key-0123456789';

/** A customer of the cluster's configuration. */
export interface ClusterUser {
  username: string;
  password: string;
  /** Messages per second over SMPP (users[].throughput.smpp). */
  smppRate?: number;
  /** users[].access.maxBinds. */
  maxBinds?: number;
}

export interface ClusterOptions {
  nodes: number;
  /** A prefix of the schema's name (the test's own, dropped at stop). */
  name: string;
  users?: ClusterUser[];
  /** The SMSC simulator's options (port and host are the harness's). */
  simulator?: SimulatorOptions;
  /** Keys added to the upstream SMPP connector's definition (e.g. `throughput`). */
  connector?: Record<string, unknown>;
}

/** One submit the SMSC accepted: the message's text, and when. */
export interface SmscSubmit {
  token: string;
  at: number;
}

export interface ClusterNode {
  /** 0-based, in start order. */
  index: number;
  /** HERMOD_NODE_ID: what its leases (queue.claimed_by) carry. */
  id: string;
  /** Its process while it runs (undefined once killed or stopped). */
  proc: ChildHermod | undefined;
}

export const DEFAULT_USERS: ClusterUser[] = [
  { username: 'cust1', password: 'pw-c1' },
  { username: 'cust2', password: 'pw-c2' },
];

export class Cluster {
  readonly nodes: ClusterNode[] = [];
  /** Every submit the SMSC accepted, in order (a token twice is a duplicate). */
  readonly received: SmscSubmit[] = [];
  private readonly db: pg.Client;

  private constructor(
    readonly schema: string,
    readonly sim: SmscSimulator,
    private readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {
    this.db = new pg.Client({ connectionString: PG_URL, application_name: `cluster-check ${schema}` });
    sim.on('submit', (m: { shortMessage: Buffer }) =>
      this.received.push({ token: m.shortMessage.toString(), at: Date.now() }),
    );
  }

  /** Starts the simulator and `nodes` Hermod processes (in parallel) on a fresh schema. */
  static async start(o: ClusterOptions): Promise<Cluster> {
    const schema = `${o.name}_${randomBytes(4).toString('hex')}`;
    const sim = new SmscSimulator({ ...o.simulator, port: 0 });
    const simPort = await sim.listen();
    const dataDir = mkdtempSync(join(tmpdir(), 'hermod-cluster-'));
    const file = join(dataDir, 'hermod.yaml');
    writeFileSync(file, stringify(configOf(simPort, o)));
    const env = {
      HERMOD_CONFIG: file,
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_LOG_LEVEL: 'warn',
    };
    // A file the nodes would refuse fails here, naming the key, not as a start that never comes.
    try {
      loadConfig({ ...env }, dataDir);
    } catch (err) {
      await sim.close();
      throw err;
    }
    const c = new Cluster(schema, sim, dataDir, env);
    try {
      await c.db.connect();
      await c.db.query(`SET search_path = ${schema}`);
      // One node first: it migrates the fresh schema; the others then start together.
      await c.add(1);
      await c.add(o.nodes - 1);
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  /** Starts `count` more nodes (in parallel). */
  async add(count: number): Promise<void> {
    const from = this.nodes.length;
    for (let i = from; i < from + count; i++)
      this.nodes.push({ index: i, id: `${this.schema}-n${i + 1}`, proc: undefined });
    await Promise.all(this.nodes.slice(from).map((n) => this.restart(n.index)));
  }

  /** Starts node `i` (again): same id, so its start frees the leases its last process held. */
  async restart(i: number): Promise<ChildHermod> {
    const n = this.nodes[i];
    if (n.proc) throw new Error(`node ${n.id} is running`);
    n.proc = await startNode(this.dataDir, {
      ...this.env,
      HERMOD_NODE_ID: n.id,
      // node-postgres names every connection of the node's pool with it (pg_stat_activity).
      PGAPPNAME: `hermod ${n.id}`,
    });
    return n.proc;
  }

  /** kill -9 node `i`; resolves when the process is gone. */
  async kill(i: number): Promise<void> {
    const n = this.nodes[i];
    if (!n.proc) return;
    n.proc.child.kill('SIGKILL');
    await n.proc.exited;
    n.proc = undefined;
  }

  /** Nodes whose process ended without the test killing or stopping it: `id: code/signal`. */
  unexpectedExits(): string[] {
    return this.nodes.flatMap((n) =>
      n.proc && (n.proc.child.exitCode !== null || n.proc.child.signalCode !== null)
        ? [
            `${n.id}: ${n.proc.child.exitCode ?? n.proc.child.signalCode}, its last output: ${n.proc.output().slice(-1500)}`,
          ]
        : [],
    );
  }

  /** The nodes whose process runs. */
  live(): ClusterNode[] {
    return this.nodes.filter((n) => n.proc !== undefined && n.proc.child.exitCode === null);
  }

  /** A statement on the test's schema (the harness's own connection). */
  async sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.db.query<R>(text, values)).rows;
  }

  /** The PostgreSQL backends of the nodes (all, or node `i`'s): pids and names. */
  async backends(i?: number): Promise<{ pid: number; name: string }[]> {
    const like = i === undefined ? `%${this.schema}-n%` : `%${this.nodes[i].id}`;
    return this.sql<{ pid: number; name: string }>(
      'SELECT pid, application_name AS name FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()',
      [like],
    );
  }

  /**
   * Ends the nodes' PostgreSQL connections (pg_terminate_backend), as a database failover or
   * a network cut does; the shared server and other tests' backends are left alone.
   */
  async terminateBackends(i?: number): Promise<number> {
    const pids = (await this.backends(i)).map((b) => b.pid);
    if (pids.length === 0) return 0;
    const r = await this.sql<{ ok: boolean }>(
      'SELECT pg_terminate_backend(p) AS ok FROM unnest($1::int[]) p',
      [pids],
    );
    return r.filter((x) => x.ok).length;
  }

  /** Queue entries node `id` holds a live lease on now (claimed, lease not expired). */
  async leasesHeldBy(id: string): Promise<{ messageId: string; leaseUntil: number }[]> {
    const rows = await this.sql<{ message_id: string; lease_until: string }>(
      'SELECT message_id, lease_until FROM queue WHERE claimed_by = $1 AND lease_until > $2',
      [id, Date.now()],
    );
    return rows.map((r) => ({ messageId: r.message_id, leaseUntil: Number(r.lease_until) }));
  }

  /**
   * What the cluster says of itself on the admin API (`GET /v1/admin/cluster` on a live node):
   * undefined while no such route exists (the membership work of issue 18 adds it).
   */
  async status(): Promise<ClusterStatus | undefined> {
    const n = this.live()[0];
    if (!n?.proc) return undefined;
    const r = await fetch(`${n.proc.api}/v1/admin/cluster`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`GET /v1/admin/cluster answered ${r.status}: ${await r.text()}`);
    return (await r.json()) as ClusterStatus;
  }

  /** Every node stopped (SIGTERM), the simulator closed, the schema dropped. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map(async (n) => n.proc && stopChildHermod(n.proc)));
    await this.sim.close();
    await this.db.end().catch(() => undefined);
    await PostgresStore.dropSchema(PG_URL, this.schema);
  }

  /** A store on the schema for reading (its leases left alone). */
  openStore(): Promise<PostgresStore> {
    return PostgresStore.open({
      connectionString: PG_URL,
      schema: this.schema,
      nodeId: 'cluster-check',
      reclaim: false,
    });
  }
}

/** The cluster's view of itself (`GET /v1/admin/cluster`), as much of it as these tests read. */
export interface ClusterStatus {
  nodes?: { id: string; alive?: boolean; state?: string }[];
  /** Named leases: `leader`, `bind:<connector>:<slot>`, `custbind:<user>:<n>`. */
  leases?: { name: string; holder: string }[];
}

/** The configuration file every node reads: customers, one SMPP connector to the simulator. */
function configOf(simPort: number, o: ClusterOptions): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1' },
    admin: { keys: [ADMIN_KEY] },
    users: (o.users ?? DEFAULT_USERS).map((u) => ({
      username: u.username,
      password: u.password,
      balance: 1_000_000,
      rate: 0,
      ...(u.smppRate !== undefined ? { throughput: { smpp: u.smppRate } } : {}),
      ...(u.maxBinds !== undefined ? { access: { maxBinds: u.maxBinds } } : {}),
    })),
    connectors: [
      {
        id: 'upstream',
        type: 'smpp',
        host: '127.0.0.1',
        port: simPort,
        systemId: 'hermod',
        password: 'upstream',
        window: 50,
        ...o.connector,
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['upstream'] }],
  };
}
