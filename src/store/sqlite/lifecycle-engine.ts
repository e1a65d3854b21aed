/**
 * Retention of the SMS engine's own rows on SQLite (docs/operations.md, "Retention"): inbox
 * conversations quiet for longer than the age, the recipients of campaigns finished that long
 * ago (their statistics kept first, so the campaign's page still adds up), and contact import
 * jobs with their error reports. Report counters and the ledger are never touched.
 */
import type Database from 'better-sqlite3';
import type { AgeScope, RetentionBatch } from '../lifecycle.js';
import { campaignStats } from './engine-store/campaign-stats.js';
import { Statements } from './engine-store/handle.js';

type Db = Database.Database;

/** Campaigns whose statistics one batch keeps (each reads its recipients once). */
const CAMPAIGNS_PER_BATCH = 5;

const SCOPED = `AND (@only IS NULL OR user_id = @only) AND user_id NOT IN (SELECT value FROM json_each(@except))`;

const hasTable = (db: Db, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

export function purgeEngineBatch(db: Db, o: AgeScope & { limit: number; now: number }): RetentionBatch {
  // The engine's rows all belong to accounts: a scope of MOs alone has none.
  if (o.moOnly) return { messages: 0, rows: 0, done: true };
  const p = {
    before: o.before,
    limit: o.limit,
    only: o.userId ?? null,
    except: JSON.stringify(o.exceptUserIds ?? []),
  };
  let rows = 0;
  let full = false;
  const run = (sql: string, params: object = p): number => {
    const n = db.prepare(sql).run(params).changes;
    if (n >= o.limit) full = true;
    rows += n;
    return n;
  };
  if (hasTable(db, 'conversations'))
    run(`DELETE FROM conversations WHERE rowid IN (
           SELECT rowid FROM conversations WHERE last_at < @before ${SCOPED} LIMIT @limit)`);
  if (hasTable(db, 'campaign_recipients')) {
    const due = db
      .prepare(
        `SELECT id, sender, started_at AS startedAt, duplicates FROM campaigns
         WHERE state IN ('completed', 'canceled') AND coalesce(finished_at, updated_at) < @before ${SCOPED}
           AND NOT EXISTS (SELECT 1 FROM kept_campaign_stats k WHERE k.campaign_id = campaigns.id)
         ORDER BY id LIMIT ${CAMPAIGNS_PER_BATCH}`,
      )
      .all(p) as { id: number; sender: string; startedAt: number | null; duplicates: number }[];
    const st = new Statements(db);
    for (const c of due)
      db.prepare('INSERT INTO kept_campaign_stats (campaign_id, stats, kept_at) VALUES (?, ?, ?)').run(
        c.id,
        JSON.stringify(campaignStats(st, c)),
        o.now,
      );
    if (due.length === CAMPAIGNS_PER_BATCH) full = true;
    run(`DELETE FROM campaign_recipients WHERE id IN (
           SELECT r.id FROM campaign_recipients r JOIN kept_campaign_stats k ON k.campaign_id = r.campaign_id
           JOIN campaigns c ON c.id = r.campaign_id
           WHERE (@only IS NULL OR c.user_id = @only) AND c.user_id NOT IN (SELECT value FROM json_each(@except))
           LIMIT @limit)`);
  }
  if (hasTable(db, 'import_jobs')) {
    const finished = `state IN ('completed', 'failed') AND coalesce(finished_at, updated_at) < @before ${SCOPED}`;
    for (const child of ['import_errors', 'import_chunks'])
      run(`DELETE FROM ${child} WHERE rowid IN (
             SELECT rowid FROM ${child} WHERE job_id IN (SELECT id FROM import_jobs WHERE ${finished}) LIMIT @limit)`);
    run(`DELETE FROM import_jobs WHERE id IN (
           SELECT id FROM import_jobs WHERE ${finished}
             AND NOT EXISTS (SELECT 1 FROM import_errors e WHERE e.job_id = import_jobs.id)
             AND NOT EXISTS (SELECT 1 FROM import_chunks c WHERE c.job_id = import_jobs.id)
           LIMIT @limit)`);
  }
  return { messages: 0, rows, done: !full };
}
