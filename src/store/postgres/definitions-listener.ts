/**
 * Changes of the connector and route definitions pushed between nodes that share one schema:
 * a write NOTIFYs the schema's channel when it commits, and every node holds one connection
 * of its own that LISTENs there (outside the pool, whose connections serve every other query
 * and are closed when idle). A notification is only a hint to read the store again; one sent while the
 * connection was down is lost for good (PostgreSQL keeps none for a session that is not
 * listening), so every (re)connect tells the subscribers to read the store, and the nodes
 * still poll as a fallback (`store.definitionsPollS`).
 */
import pg from 'pg';
import { createHash } from 'node:crypto';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../../lib/index.js';
import type { DefinitionsEvent } from '../store.js';

/** Identifiers, channel names included, are at most NAMEDATALEN - 1 = 63 bytes (PostgreSQL §4.1.1). */
const MAX_IDENTIFIER = 63;

/**
 * The channel of a schema's definition changes: `hermod_definitions_<schema>`, or for a schema
 * name too long for that, its first characters and a hash of the whole (two long schema names
 * that start alike must not share a channel). Schema names are `[a-z_][a-z0-9_]*`, so the
 * channel needs no quoting beyond the identifier quotes LISTEN gets.
 */
export function definitionsChannel(schema: string): string {
  const name = `hermod_definitions_${schema}`;
  if (name.length <= MAX_IDENTIFIER) return name;
  const hash = createHash('sha256').update(schema).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_IDENTIFIER - hash.length - 1)}_${hash}`;
}

/** What a NOTIFY carries: who wrote, so that the writing store can skip its own changes. */
export interface DefinitionsNotice {
  node: string;
  /** One per store instance: two processes may run with the same node id. */
  instance: string;
}

/** A payload another version (or a person with psql) sent still means "read the store". */
function readNotice(payload: string | undefined): Partial<DefinitionsNotice> {
  try {
    const o = JSON.parse(payload ?? '') as unknown;
    return typeof o === 'object' && o !== null ? (o as Partial<DefinitionsNotice>) : {};
  } catch {
    // Not our JSON: still a change to read the store for.
    return {};
  }
}

export interface DefinitionsListenerOptions {
  connectionString: string;
  channel: string;
  /** Shown in pg_stat_activity (cut to 63 bytes by the server). */
  applicationName: string;
  /** This store's `DefinitionsNotice.instance`: its own notifications are not reported. */
  instance: string;
  /** Delay before each reconnect after a failure (default: 0.5 s doubling to 30 s, jittered). */
  backoff?: BackoffPolicy;
}

/**
 * One LISTEN connection, opened for the first subscriber and reconnected with a growing delay
 * whenever it fails, until `close()`.
 */
export class DefinitionsListener {
  private readonly listeners = new Set<(event: DefinitionsEvent) => void>();
  private readonly backoff: BackoffPolicy;
  /** The connection being opened or listening. */
  private client: pg.Client | undefined;
  private listening = false;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(private readonly opts: DefinitionsListenerOptions) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
  }

  /** Adds a subscriber; one that comes while the connection already listens is told `listening` too. */
  subscribe(listener: (event: DefinitionsEvent) => void): () => void {
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    if (this.client === undefined && this.retry === undefined) void this.connect();
    else if (this.listening)
      queueMicrotask(() => this.listeners.has(listener) && listener({ kind: 'listening' }));
    return () => void this.listeners.delete(listener);
  }

  /** Ends the connection and any reconnect; subscribers hear nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    clearTimeout(this.retry);
    this.retry = undefined;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private emit(event: DefinitionsEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  private async connect(): Promise<void> {
    this.retry = undefined;
    const c = new pg.Client({
      connectionString: this.opts.connectionString,
      application_name: this.opts.applicationName,
      keepAlive: true,
    });
    this.client = c;
    this.listening = false;
    let down = false;
    // 'error' and then 'end' both come when the server ends the session (pg_terminate_backend,
    // a restart): one reconnect per connection.
    const fail = (err: unknown) => {
      if (down) return;
      down = true;
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      if (this.client !== c || this.closed) return;
      this.client = undefined;
      this.listening = false;
      const retryInMs = backoffDelay(this.backoff, this.failures++);
      this.retry = setTimeout(() => void this.connect(), retryInMs);
      this.retry.unref();
      this.emit({ kind: 'lost', error: err instanceof Error ? err : new Error(String(err)), retryInMs });
    };
    c.on('error', fail);
    c.on('end', () => fail(new Error('the listening connection closed')));
    c.on('notification', (n) => {
      if (n.channel !== this.opts.channel) return;
      const from = readNotice(n.payload);
      // This store's own write: the node that made it applied it already.
      if (from.instance === this.opts.instance) return;
      this.emit({ kind: 'changed', node: typeof from.node === 'string' ? from.node : undefined });
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(this.opts.channel)}`);
    } catch (err) {
      fail(err);
      return;
    }
    if (down || this.client !== c) return;
    this.listening = true;
    this.failures = 0;
    this.emit({ kind: 'listening' });
  }
}
