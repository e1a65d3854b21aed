/**
 * Customers' SMPP load spread over a cluster's nodes: binds placed round-robin on the live
 * nodes, each with `window` submits outstanding. A bind whose node dies rebinds to another
 * live node (as a customer behind a load balancer does). A message counts as acknowledged
 * only when its submit_sm_resp came back OK: those are the ones that may never be lost.
 */
import { SmppClient } from '../../src/smpp/index.js';
import type { Cluster, ClusterUser } from './harness.js';

export interface LoadOptions {
  users: ClusterUser[];
  /** Binds per user (placed on the nodes round-robin). */
  bindsPerUser: number;
  /** Submits outstanding per bind. */
  window: number;
  /** The text of each message: `${prefix}-${n}`, unique. */
  prefix: string;
  /** false: a throttled submit fails at once (for measuring a rate); default true. */
  adaptiveThrottle?: boolean;
}

export interface Acked {
  token: string;
  messageId: string;
  /** The node that acknowledged it. */
  node: string;
  at: number;
}

export class CustomerLoad {
  readonly acked = new Map<string, Acked>();
  /** Submits answered with an error (not acknowledged), by message. */
  readonly refused: string[] = [];
  private running = true;
  private seq = 0;
  private placed = 0;
  private readonly workers: Promise<void>[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly o: LoadOptions,
  ) {}

  /** Binds every customer and starts submitting; resolves once every bind is up. */
  async start(): Promise<void> {
    const binds = this.o.users.flatMap((u) => Array.from({ length: this.o.bindsPerUser }, () => u));
    await Promise.all(
      binds.map(async (u) => {
        const first = await this.bind(u);
        if (first) this.workers.push(this.run(u, first));
      }),
    );
  }

  /** Stops submitting; resolves when every bind is closed. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Resolves once `n` messages are acknowledged (or throws after `ms`). */
  async until(n: number, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (this.acked.size < n) {
      const died = this.cluster.unexpectedExits();
      if (died.length > 0) throw new Error(`node process ended on its own: ${died.join('; ')}`);
      if (Date.now() > end) throw new Error(`only ${this.acked.size} of ${n} acknowledged in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A bind on the next live node; undefined once the load is stopped. */
  private async bind(u: ClusterUser): Promise<{ client: SmppClient; node: string } | undefined> {
    for (let tries = 0; this.running; tries++) {
      const live = this.cluster.live();
      const node = live[this.placed++ % Math.max(1, live.length)];
      if (node?.proc) {
        const client = new SmppClient({
          host: '127.0.0.1',
          port: node.proc.smppPort,
          systemId: u.username,
          password: u.password,
          reconnect: false,
          windowSize: this.o.window,
          adaptiveThrottle: this.o.adaptiveThrottle ?? true,
        });
        try {
          await client.connect();
          return { client, node: node.id };
        } catch {
          // The node is going away; another try picks the next live one.
        }
      }
      if (tries >= 100) throw new Error(`${u.username} found no node to bind to in 20 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return undefined;
  }

  /** One bind's submits, `window` at a time; on a dead bind, rebinds while running. */
  private async run(u: ClusterUser, first: { client: SmppClient; node: string }): Promise<void> {
    let b: { client: SmppClient; node: string } | undefined = first;
    while (b) {
      const bound = b;
      await Promise.all(Array.from({ length: this.o.window }, () => this.submitWhileBound(bound)));
      await bound.client.close().catch(() => undefined);
      b = this.running ? await this.bind(u) : undefined;
    }
  }

  private async submitWhileBound(b: { client: SmppClient; node: string }): Promise<void> {
    while (this.running && b.client.bound) {
      const token = `${this.o.prefix}-${this.seq++}`;
      try {
        const r = await b.client.submitSm({
          destinationAddr: '447700900123',
          shortMessage: Buffer.from(token),
        });
        this.acked.set(token, { token, messageId: r.messageId, node: b.node, at: Date.now() });
      } catch {
        // Not acknowledged: refused (throttled, the node's store down) or the bind died.
        this.refused.push(token);
        if (b.client.bound) await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

/** Tokens acknowledged and not (yet) at the SMSC. */
export function missingAtSmsc(load: CustomerLoad, cluster: Cluster): string[] {
  const got = new Set(cluster.received.map((r) => r.token));
  return [...load.acked.keys()].filter((t) => !got.has(t));
}

/** Tokens the SMSC accepted more than once. */
export function duplicatesAtSmsc(cluster: Cluster): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const r of cluster.received) (seen.has(r.token) ? twice : seen).add(r.token);
  return [...twice];
}

/** Polls until `cond` holds or `ms` pass; true when it held. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
