/**
 * When a claim must first promote the queue's delayed entries that are due (migration 15:
 * an entry waiting out a back-off or a schedule is flagged `delayed` and leaves the claim's
 * range until promoted). Promoting is a statement of its own before the claim's; on the hot
 * path nothing is delayed, so it runs only when an entry may be due: one this store wrote
 * (a release with a delay, a scheduled accept) whose time has come, the earliest left after
 * the last promotion once it is due, and in any case every PROMOTE_EVERY_MS (entries written
 * by other nodes of a cluster, or by writes that committed after a promotion that could not
 * see them). A due entry is thus claimable at most PROMOTE_EVERY_MS late.
 */
import type pg from 'pg';
import { num, type Row } from './rows.js';

export const PROMOTE_EVERY_MS = 1000;

/**
 * Promotes what is due and reads when the next delayed entry falls due, in one statement
 * (the CTE's update is not visible to the outer SELECT: an entry promoted now is not `next`
 * as its time is not after $1).
 */
const PROMOTE = `WITH p AS (UPDATE queue SET delayed = 0 WHERE delayed = 1 AND not_before <= $1 RETURNING 1)
  SELECT (SELECT min(not_before) FROM queue WHERE delayed = 1 AND not_before > $1) AS next`;

export class DelayedEntries {
  /** The earliest delayed entry seen by the last promotion, and written here since. */
  private next = 0;
  private last = 0;

  /** This store wrote an entry delayed until `at`, committed (not before: a promotion in between would forget it). */
  wrote(at: number): void {
    if (at < this.next) this.next = at;
  }

  /** Before a claim: promotes the due entries when some may be due. */
  async promote(pool: pg.Pool, now: number): Promise<void> {
    if (now < this.next && now - this.last < PROMOTE_EVERY_MS) return;
    this.last = now;
    const wrote = this.next;
    this.next = Infinity;
    const r = (
      await pool.query(PROMOTE, [now]).catch((err: unknown) => {
        this.next = Math.min(this.next, wrote);
        throw err;
      })
    ).rows[0] as Row | undefined;
    const fromDb = r?.next === null || r?.next === undefined ? Infinity : num(r.next);
    // An entry committed and told here while the statement ran (this.next lowered since)
    // is kept; one told before it is promoted by it or in its `next`.
    this.next = Math.min(this.next, fromDb, wrote > now ? wrote : Infinity);
  }
}
