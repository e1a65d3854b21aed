/**
 * CampaignStore.previewAudience on SQLite: the audience resolveAudience would insert, counted
 * with the same selection (groups of the account, contact ids, exclusion groups, listed
 * numbers once each, opt-outs of the sender), and its first recipients; nothing written.
 */
import type { Audience, AudiencePreview } from '../../engine-store/campaigns.js';
import type { Statements } from './handle.js';

interface ContactDbRow {
  id: number;
  msisdn: string;
  first_name: string | null;
  last_name: string | null;
  fields: string;
}

export function previewAudience(
  st: Statements,
  q: { userId: number; sender: string; audience: Audience; sample: number },
): AudiencePreview {
  const a = q.audience;
  const params = {
    user: q.userId,
    groups: JSON.stringify(a.groups),
    contacts: JSON.stringify(a.contacts),
    exclude: JSON.stringify(a.excludeGroups),
    numbers: JSON.stringify(a.numbers),
    sender: q.sender,
  };
  // The same selection as resolveAudience, counted instead of inserted.
  const picked = `SELECT c.id, c.msisdn, c.first_name, c.last_name, c.fields FROM contacts c
    WHERE c.user_id = @user
      AND (c.id IN (SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                    WHERE g.user_id = @user AND m.group_id IN (SELECT value FROM json_each(@groups)))
           OR c.id IN (SELECT value FROM json_each(@contacts)))
      AND c.id NOT IN (SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                       WHERE g.user_id = @user AND m.group_id IN (SELECT value FROM json_each(@exclude)))`;
  const optedOut = (col: string) =>
    `EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = ${col} AND o.sender = @sender)`;
  const counts = st
    .get(
      `WITH picked AS (${picked}),
            listed AS (SELECT DISTINCT n.value AS msisdn FROM json_each(@numbers) n
                       WHERE n.value NOT IN (SELECT msisdn FROM picked)),
            everyone AS (SELECT msisdn FROM picked UNION ALL SELECT msisdn FROM listed)
       SELECT count(*) AS n, coalesce(sum(${optedOut('e.msisdn')}), 0) AS o,
              (SELECT count(*) FROM listed) AS l
       FROM everyone e`,
    )
    .get(params) as { n: number; o: number; l: number };
  const contacts = st
    .get(`${picked} AND NOT ${optedOut('c.msisdn')} ORDER BY c.id LIMIT @limit`)
    .all({ ...params, limit: q.sample }) as ContactDbRow[];
  const sample: AudiencePreview['sample'] = contacts.map((r) => ({
    contactId: r.id,
    msisdn: r.msisdn,
    firstName: r.first_name,
    lastName: r.last_name,
    fields: JSON.parse(r.fields) as Record<string, string>,
  }));
  if (sample.length < q.sample && a.numbers.length > 0) {
    const listed = st
      .get(
        `SELECT n.value AS msisdn FROM json_each(@numbers) n WHERE NOT ${optedOut('n.value')} ORDER BY n.key LIMIT @limit`,
      )
      .all({ numbers: params.numbers, sender: q.sender, limit: q.sample * 4 }) as { msisdn: string }[];
    for (const { msisdn } of listed)
      if (sample.length < q.sample && !sample.some((s) => s.msisdn === msisdn))
        sample.push({ contactId: null, msisdn, firstName: null, lastName: null, fields: {} });
  }
  return { recipients: counts.n, optedOut: counts.o, duplicates: a.numbers.length - counts.l, sample };
}
