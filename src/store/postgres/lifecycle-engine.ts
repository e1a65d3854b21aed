/**
 * Retention of the SMS engine's own rows on PostgreSQL (as src/store/sqlite/lifecycle-engine.ts):
 * quiet inbox conversations, the recipients of campaigns finished long ago (their statistics
 * kept first), contact import jobs with their error reports.
 */
import type pg from 'pg';
import type { AgeScope, RetentionBatch } from '../lifecycle.js';
import { campaignStats } from './engine-store/campaign-stats.js';

type Client = pg.PoolClient;

/** Campaigns whose statistics one batch keeps (each reads its recipients once). */
const CAMPAIGNS_PER_BATCH = 5;

/** $1 before, $2 limit, $3 only (bigint or null), $4 except (bigint[]). */
const SCOPED = (alias = '') =>
  `AND ($3::bigint IS NULL OR ${alias}user_id = $3) AND NOT (${alias}user_id = ANY($4::bigint[]))`;

async function hasTable(c: Client, name: string): Promise<boolean> {
  return Boolean((await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [name])).rows[0]?.t);
}

export async function purgeEngineBatch(
  c: Client,
  o: AgeScope & { limit: number; now: number },
): Promise<RetentionBatch> {
  // The engine's rows all belong to accounts: a scope of MOs alone has none.
  if (o.moOnly) return { messages: 0, rows: 0, done: true };
  const args = [o.before, o.limit, o.userId ?? null, (o.exceptUserIds ?? []).map(String)];
  let rows = 0;
  let full = false;
  const run = async (sql: string): Promise<void> => {
    const n = (await c.query(sql, args)).rowCount ?? 0;
    if (n >= o.limit) full = true;
    rows += n;
  };
  if (await hasTable(c, 'conversations'))
    await run(`DELETE FROM conversations WHERE (user_id, peer) IN (
                 SELECT user_id, peer FROM conversations WHERE last_at < $1 ${SCOPED()} LIMIT $2)`);
  if (await hasTable(c, 'campaign_recipients')) {
    const due = (
      await c.query<{ id: string; sender: string; started_at: string | null; duplicates: number }>(
        `SELECT id, sender, started_at, duplicates FROM campaigns
         WHERE state IN ('completed', 'canceled') AND coalesce(finished_at, updated_at) < $1 ${SCOPED()}
           AND NOT EXISTS (SELECT 1 FROM kept_campaign_stats k WHERE k.campaign_id = campaigns.id)
           AND $2::int > 0
         ORDER BY id LIMIT ${CAMPAIGNS_PER_BATCH}`,
        args,
      )
    ).rows;
    for (const r of due) {
      const s = await campaignStats(c, {
        id: Number(r.id),
        sender: r.sender,
        startedAt: r.started_at === null ? null : Number(r.started_at),
        duplicates: Number(r.duplicates),
      });
      await c.query('INSERT INTO kept_campaign_stats (campaign_id, stats, kept_at) VALUES ($1, $2, $3)', [
        r.id,
        JSON.stringify(s),
        o.now,
      ]);
    }
    if (due.length === CAMPAIGNS_PER_BATCH) full = true;
    await run(`DELETE FROM campaign_recipients WHERE id IN (
                 SELECT r.id FROM campaign_recipients r JOIN kept_campaign_stats k ON k.campaign_id = r.campaign_id
                 JOIN campaigns c ON c.id = r.campaign_id
                 WHERE $1::bigint IS NOT NULL ${SCOPED('c.')} LIMIT $2)`);
  }
  if (await hasTable(c, 'import_jobs')) {
    const finished = `state IN ('completed', 'failed') AND coalesce(finished_at, updated_at) < $1 ${SCOPED()}`;
    await run(`DELETE FROM import_errors WHERE (job_id, line) IN (
                 SELECT job_id, line FROM import_errors WHERE job_id IN (SELECT id FROM import_jobs WHERE ${finished}) LIMIT $2)`);
    await run(`DELETE FROM import_chunks WHERE (job_id, seq) IN (
                 SELECT job_id, seq FROM import_chunks WHERE job_id IN (SELECT id FROM import_jobs WHERE ${finished}) LIMIT $2)`);
    await run(`DELETE FROM import_jobs WHERE id IN (
                 SELECT id FROM import_jobs WHERE ${finished}
                   AND NOT EXISTS (SELECT 1 FROM import_errors e WHERE e.job_id = import_jobs.id)
                   AND NOT EXISTS (SELECT 1 FROM import_chunks k WHERE k.job_id = import_jobs.id)
                 LIMIT $2)`);
  }
  return { messages: 0, rows, done: !full };
}
