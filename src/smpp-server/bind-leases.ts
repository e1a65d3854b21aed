/**
 * A customer's `access.maxBinds` across the cluster (issue 18; docs/architecture.md, "Cluster:
 * binds and rates"): each of an account's binds holds one of the named leases
 * `custbind:<systemId>:<n>`, n < maxBinds, taken at bind time (a store round trip per bind, none
 * per message) and given back when the session closes. A bind finding every lease held, on this
 * node or another, is refused like any bind past the cap. The leases are renewed by the node's
 * heartbeat; a node that dies has them freed by the beat that declares it dead.
 */
import type { Session } from '../smpp/index.js';

/** What the leases need of the cluster (the gateway's `Cluster` service). */
export interface BindLeaseCluster {
  want(name: string): Promise<boolean>;
  unwant(name: string): Promise<void>;
}

export const customerBindLease = (systemId: string, n: number): string => `custbind:${systemId}:${n}`;

export class CustomerBindLeases {
  /** Lease names this node took, bound or waiting for their session. */
  private readonly inUse = new Set<string>();
  /** Leases taken at authentication, by system_id, waiting for their session (in bind order). */
  private readonly pending = new Map<string, { name: string; timer: NodeJS.Timeout }[]>();

  constructor(
    private readonly cluster: BindLeaseCluster,
    /** A lease whose bind did not complete this long after authentication goes back. */
    private readonly graceMs = 5000,
  ) {}

  /** Takes one of the account's `cap` bind leases; false when all are held, here or elsewhere. */
  async acquire(systemId: string, cap: number): Promise<boolean> {
    for (let n = 0; n < cap; n++) {
      const name = customerBindLease(systemId, n);
      if (this.inUse.has(name)) continue;
      this.inUse.add(name);
      if (await this.cluster.want(name)) {
        // The listener may still refuse the bind (its own cap, the socket gone): then it returns.
        const timer = setTimeout(() => this.expire(systemId, name), this.graceMs);
        timer.unref();
        const queue = this.pending.get(systemId) ?? [];
        queue.push({ name, timer });
        this.pending.set(systemId, queue);
        return true;
      }
      // Held by another node: asking again at every beat would take it behind its back.
      this.inUse.delete(name);
      await this.cluster.unwant(name);
    }
    return false;
  }

  /** The bind was accepted: its lease is the session's until the session closes. */
  attach(s: Session): void {
    const queue = this.pending.get(s.systemId ?? '');
    const taken = queue?.shift();
    if (queue?.length === 0) this.pending.delete(s.systemId ?? '');
    if (!taken) return;
    clearTimeout(taken.timer);
    s.once('close', () => void this.release(taken.name));
  }

  private expire(systemId: string, name: string): void {
    const queue = this.pending.get(systemId);
    const i = queue?.findIndex((p) => p.name === name) ?? -1;
    if (i < 0) return;
    queue!.splice(i, 1);
    if (queue!.length === 0) this.pending.delete(systemId);
    void this.release(name);
  }

  private async release(name: string): Promise<void> {
    this.inUse.delete(name);
    await this.cluster.unwant(name).catch(() => undefined);
  }
}
