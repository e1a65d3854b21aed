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
