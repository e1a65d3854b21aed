/**
 * A bench-only count of the statements Hermod sends to PostgreSQL: `pg.Client.prototype.query`
 * wrapped in this process, each call counted under its SQL's first words (a round trip
 * each: node-postgres sends one statement at a time on a connection). Nothing of Hermod's
 * own code changes; the wrapper costs a map update per statement.
 */
import pg from 'pg';

const counts = new Map<string, number>();
let total = 0;
/** The server processes (backends) of the connections that sent them. */
const backends = new Set<number>();

/** The SQL's kind: its first words, numbers and whitespace squeezed, cut at 70 characters. */
function kindOf(q: unknown): string {
  const text = typeof q === 'string' ? q : ((q as { text?: string } | null)?.text ?? '?');
  return text.replace(/\s+/g, ' ').trim().slice(0, 70);
}

export function countStatements(): void {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    total++;
    const pid = (this as { processID?: number | null }).processID;
    if (pid) backends.add(pid);
    const k = kindOf(args[0]);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    return original.apply(this, args);
  };
}

/** Statements so far, and by kind (most first). */
export function statementCounts(): { total: number; byKind: [string, number][] } {
  return { total, byKind: [...counts.entries()].sort((a, b) => b[1] - a[1]) };
}

/** The backend processes seen so far (their CPU time is PostgreSQL's work for this process). */
export function backendPids(): number[] {
  return [...backends];
}

export function resetStatementCounts(): void {
  counts.clear();
  total = 0;
}

/**
 * Samples what the backends of the given application name are doing, every `everyMs` until
 * `stop()` (pg_stat_activity: wait event, or `CPU` when a statement runs without waiting,
 * and the statement's first words): where PostgreSQL's time goes during a run. Resolves the
 * counts, most frequent first, as shares of the samples taken.
 */
export function sampleWaits(
  url: string,
  appName: string,
  everyMs = 2,
): { stop: () => Promise<{ samples: number; top: [string, number][] }> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const client = new pg.Client({ connectionString: url });
  const done = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query(
        `SELECT CASE WHEN wait_event IS NULL THEN 'CPU' ELSE wait_event_type || ':' || wait_event END
                || '  ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS k
         FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`,
        [appName],
      );
      samples++;
      for (const r of rows as { k: string }[]) counts.set(r.k, (counts.get(r.k) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await done;
      const top = [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]): [string, number] => [k, n / samples]);
      return { samples, top };
    },
  };
}
