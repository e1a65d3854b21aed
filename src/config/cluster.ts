/**
 * The cluster's timings (docs/configuration.md, `cluster`; docs/architecture.md, "Cluster"):
 * how often a node heartbeats and how long a silent node lives on. They matter on PostgreSQL
 * only; on SQLite the node is alone. Every node of one schema should use the same values.
 */
import type { Checker, Obj } from './checker.js';

export interface ClusterConfig {
  /** Heartbeat period (ms, default 2000). */
  heartbeatMs: number;
  /**
   * A node silent this long is declared dead by the others' next beat, and what it held is
   * freed (ms, default 10000); named leases (the leader's, bind slots) last as long.
   */
  deadAfterMs: number;
}

/** A number from the environment, or undefined (then the file's, else the default). */
function envNum(c: Checker, env: NodeJS.ProcessEnv, name: string): number | string | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) return c.fail(name, `expected a number, got "${v}"`) ?? v;
  return n;
}

export function clusterOf(c: Checker, root: Obj, env: NodeJS.ProcessEnv): ClusterConfig {
  const p = 'cluster';
  const file = c.obj(root.cluster ?? {}, p, ['heartbeatMs', 'deadAfterMs']) ?? {};
  const heartbeat = envNum(c, env, 'HERMOD_CLUSTER_HEARTBEAT_MS');
  const deadAfter = envNum(c, env, 'HERMOD_CLUSTER_DEAD_AFTER_MS');
  const merged: Obj = {
    ...file,
    ...(typeof heartbeat === 'number' ? { heartbeatMs: heartbeat } : {}),
    ...(typeof deadAfter === 'number' ? { deadAfterMs: deadAfter } : {}),
  };
  const heartbeatMs =
    c.num(merged, 'heartbeatMs', p, { def: 2000, min: 100, max: 60_000, int: true }) ?? 2000;
  const deadAfterMs =
    c.num(merged, 'deadAfterMs', p, { def: 10_000, min: 500, max: 600_000, int: true }) ?? 10_000;
  // A node must beat a few times within the dead-after time, or a slow beat kills it.
  if (deadAfterMs < 3 * heartbeatMs)
    c.fail(
      `${p}.deadAfterMs`,
      `must be at least 3 × heartbeatMs (${3 * heartbeatMs}): a node beating every ${heartbeatMs} ms would be declared dead after one late beat`,
    );
  return { heartbeatMs, deadAfterMs };
}
