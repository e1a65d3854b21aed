/**
 * Membership and named leases on PostgreSQL (src/store/cluster.ts). Times are the database's
 * clock (`clock_timestamp()`), not the nodes', so nodes whose clocks disagree still agree on
 * who is silent and whose lease has run out.
 */
import type pg from 'pg';
import { RESTART_REQUEUE_DETAIL } from '../store.js';
import {
  campaignOwner,
  type BeatResult,
  type ClusterLease,
  type ClusterNode,
  type ClusterStore,
  type LeaseClaim,
  type NodeBeat,
  type NodeLoad,
  type NodeState,
  type ReapedNode,
} from '../cluster.js';
import { num, type Row } from './rows.js';

/** The database's time in milliseconds, as the other tables store times. */
const NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT';

const toNode = (r: Row): ClusterNode => ({
  id: r.id as string,
  host: r.host as string,
  pid: r.pid as number,
  version: r.version as string,
  startedAt: num(r.started_at),
  heartbeatAt: num(r.heartbeat_at),
  state: r.state as NodeState,
  load: JSON.parse(r.load as string) as NodeLoad,
});

export class PostgresClusterStore implements ClusterStore {
  constructor(private readonly pool: pg.Pool) {}

  async beat(b: NodeBeat): Promise<BeatResult> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const before = await c.query('SELECT state, started_at FROM cluster_nodes WHERE id = $1 FOR UPDATE', [
        b.id,
      ]);
      const prior = before.rows[0] as Row | undefined;
      const wasDeclaredDead = prior?.state === 'dead' && num(prior.started_at) === b.startedAt;
      await c.query(
        `INSERT INTO cluster_nodes (id, host, pid, version, started_at, heartbeat_at, state, load)
         VALUES ($1, $2, $3, $4, $5, ${NOW}, 'up', $6)
         ON CONFLICT (id) DO UPDATE SET host = $2, pid = $3, version = $4, started_at = $5,
           heartbeat_at = ${NOW}, state = 'up', load = $6`,
        [b.id, b.host, b.pid, b.version, b.startedAt, JSON.stringify(b.load)],
      );
      // SKIP LOCKED: two live nodes beating at once do not both reap the same dead one.
      const silent = await c.query(
        `SELECT id FROM cluster_nodes WHERE state = 'up' AND id <> $1 AND heartbeat_at < ${NOW} - $2
         FOR UPDATE SKIP LOCKED`,
        [b.id, b.deadAfterMs],
      );
      const reaped: ReapedNode[] = [];
      for (const r of silent.rows as Row[]) reaped.push(await reap(c, r.id as string));
      const nodes = await c.query('SELECT * FROM cluster_nodes ORDER BY heartbeat_at DESC, id');
      await c.query('COMMIT');
      return { nodes: (nodes.rows as Row[]).map(toNode), reaped, wasDeclaredDead };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async hold(l: LeaseClaim): Promise<string[]> {
    if (l.names.length === 0) return [];
    const r = await this.pool.query(
      `INSERT INTO cluster_leases (name, holder, until)
         SELECT n, $1, ${NOW} + $3 FROM unnest($2::text[]) AS n
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
         WHERE cluster_leases.holder = EXCLUDED.holder OR cluster_leases.until < ${NOW}
       RETURNING name`,
      [l.nodeId, l.names, l.ttlMs],
    );
    return (r.rows as Row[]).map((x) => x.name as string);
  }

  async release(nodeId: string, names?: readonly string[]): Promise<void> {
    if (names)
      await this.pool.query('DELETE FROM cluster_leases WHERE holder = $1 AND name = ANY($2::text[])', [
        nodeId,
        names,
      ]);
    else await this.pool.query('DELETE FROM cluster_leases WHERE holder = $1', [nodeId]);
  }

  async leases(prefix = ''): Promise<ClusterLease[]> {
    const r = await this.pool.query(
      `SELECT name, holder, until FROM cluster_leases
       WHERE until > ${NOW} AND starts_with(name, $1) ORDER BY name`,
      [prefix],
    );
    return (r.rows as Row[]).map((x) => ({
      name: x.name as string,
      holder: x.holder as string,
      until: num(x.until),
    }));
  }

  async leave(nodeId: string): Promise<void> {
    await this.pool.query(`UPDATE cluster_nodes SET state = 'left' WHERE id = $1`, [nodeId]);
    await this.release(nodeId);
  }
}

/** Declares one node dead and frees what it held, inside the caller's transaction. */
async function reap(c: pg.PoolClient, id: string): Promise<ReapedNode> {
  await c.query(`UPDATE cluster_nodes SET state = 'dead' WHERE id = $1`, [id]);
  // Each message so freed may have reached the SMSC before the node died: its history says
  // so, as when a node frees its own claims at restart.
  const requeued = await c.query(
    `WITH freed AS (UPDATE queue SET lease_until = 0, claimed_by = NULL WHERE claimed_by = $1 AND lease_until > 0 RETURNING message_id)
     INSERT INTO message_events (message_id, state, at, detail) SELECT message_id, 'queued', ${NOW}, $2 FROM freed`,
    [id, RESTART_REQUEUE_DETAIL],
  );
  await c.query('UPDATE queue SET claimed_by = NULL WHERE claimed_by = $1', [id]);
  const outbox = await c.query('UPDATE outbox SET lease_until = 0, claimed_by = NULL WHERE claimed_by = $1', [
    id,
  ]);
  const webhooks = await c.query(
    'UPDATE webhooks SET lease_until = 0, claimed_by = NULL WHERE claimed_by = $1',
    [id],
  );
  const leases = await c.query('DELETE FROM cluster_leases WHERE holder = $1 RETURNING name', [id]);
  return {
    id,
    requeued: requeued.rowCount ?? 0,
    outbox: outbox.rowCount ?? 0,
    webhooks: webhooks.rowCount ?? 0,
    campaigns: await freeCampaigns(c, id),
    leases: (leases.rows as Row[]).map((x) => x.name as string).sort(),
  };
}

/**
 * The dead node's campaign runners (owner `<node id>/…`, campaignOwner): their leases are
 * freed so that the leader's next scan restarts them at once. The engine's tables exist only
 * once the engine has opened on this schema (a bare store has none).
 */
async function freeCampaigns(c: pg.PoolClient, id: string): Promise<number> {
  const t = await c.query(`SELECT to_regclass('campaigns') IS NOT NULL AS present`);
  if (!(t.rows[0] as Row).present) return 0;
  const r = await c.query(
    `UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE starts_with(lease_owner, $1)`,
    [campaignOwner(id, '')],
  );
  return r.rowCount ?? 0;
}
