// POST /v1/campaigns/audience: an audience counted before a campaign exists (each number once,
// opted-out ones counted, exclusion groups subtracted) and its first recipients previewed with
// the message each would get; a missing field says the recipient would be skipped; a group of
// another account is refused naming the field; nothing is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configuredHermod } from '../support/hermod.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

const SHOP = 'hk_audience_shop_0123456789abcdef';
const OTHER = 'hk_audience_other_0123456789abcdef';

test('REST v1: an audience is counted and its first recipients previewed before a campaign exists', async (t) => {
  const h = await configuredHermod({
    users: [
      { username: 'shop', password: 'pw', balance: 1, rate: 0.01, apiKeys: [SHOP] },
      { username: 'other', password: 'pw', balance: 1, rate: 0.01, apiKeys: [OTHER] },
    ],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  t.after(() => h.stop());
  const ask = async (key: string, payload: unknown) => {
    const r = await h.api.inject({
      method: 'POST',
      url: '/v1/campaigns/audience',
      headers: { authorization: `Bearer ${key}` },
      payload: payload as object,
    });
    return { status: r.statusCode, body: r.json() as Doc };
  };
  const shop = (await h.store.getUserByName('shop'))!;
  const other = (await h.store.getUserByName('other'))!;
  const contacts = h.engine.contacts;
  const news = await contacts.createGroup(shop.id, 'News');
  const blocked = await contacts.createGroup(shop.id, 'Blocked');
  const theirs = await contacts.createGroup(other.id, 'Theirs');
  const saved = await contacts.save(
    shop.id,
    [
      { msisdn: '+447700900001', firstName: 'Ada', fields: { slot: '9:00' } },
      { msisdn: '+447700900002', firstName: 'Bo', fields: { slot: '9:30' } },
      { msisdn: '+447700900003', firstName: 'Cy' },
      { msisdn: '+447700900004', firstName: 'Dee', fields: { slot: '10:00' } },
    ],
    news.id,
  );
  await contacts.addToGroup(shop.id, blocked.id, [saved.ids[3]]);
  await h.store.setOptOut('447700900002', 'Clinic', true);

  const r = await ask(SHOP, {
    from: 'Clinic',
    audience: {
      groups: [news.id],
      exclude_groups: [blocked.id],
      numbers: ['+447700900001', '+447700900099'],
    },
    text: 'Hi {{first_name|there}}, see you at {{custom.slot}}',
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // 1, 2 (opted out), 3 and the listed 99; 4 excluded; the listed 1 is a contact already.
  assert.equal(r.body.recipients, 4);
  assert.equal(r.body.opted_out, 1);
  assert.equal(r.body.duplicates, 1);
  assert.deepEqual(
    r.body.samples.map((s: Doc) => [s.number, s.first_name, s.message?.text ?? null, s.skipped]),
    [
      ['+447700900001', 'Ada', 'Hi Ada, see you at 9:00', null],
      ['+447700900003', 'Cy', null, 'missing_field:custom.slot'],
      ['+447700900099', null, null, 'missing_field:custom.slot'],
    ],
  );
  assert.equal(r.body.samples[0].message.segments, 1);
  assert.match(r.body.samples[0].message.price, /^0\.010*$/);

  // A saved template, and no text at all (the recipients only).
  const tpl = await h.engine.templates.create(shop.id, 'hello', 'Hello {{first_name|friend}}');
  const byTemplate = await ask(SHOP, {
    from: 'Clinic',
    audience: { groups: [news.id] },
    template_id: tpl.id,
    sample: 1,
  });
  assert.deepEqual(
    byTemplate.body.samples.map((s: Doc) => s.message.text),
    ['Hello Ada'],
  );
  const bare = await ask(SHOP, { from: 'Clinic', audience: { groups: [news.id] }, sample: 0 });
  assert.deepEqual([bare.body.recipients, bare.body.samples], [4, []]);

  // Another account's group: refused, the field named; an unknown placeholder likewise.
  const foreign = await ask(SHOP, { from: 'Clinic', audience: { exclude_groups: [theirs.id] } });
  assert.equal(foreign.status, 400);
  assert.match(foreign.body.detail, /^audience\.exclude_groups\[0\]: no contact group/);
  const typo = await ask(SHOP, { from: 'Clinic', audience: { groups: [news.id] }, text: 'Hi {{firstname}}' });
  assert.equal(typo.status, 400);
  assert.equal(typo.body.code, 'HERMOD_ERR_TEMPLATE');
  // The other account sees none of the shop's contacts through its own (empty) audience.
  const theirsCount = await ask(OTHER, { from: 'Clinic', audience: { contacts: saved.ids } });
  assert.equal(theirsCount.body.recipients, 0);
  // Nothing was stored: no campaign exists.
  assert.equal((await h.engine.campaigns.list(shop.id, { limit: 10 })).length, 0);

  // DELETE /v1/campaigns/{id}: a draft goes; a started campaign answers 409 (cancel it instead).
  const del = (key: string, id: number) =>
    h.api.inject({
      method: 'DELETE',
      url: `/v1/campaigns/${id}`,
      headers: { authorization: `Bearer ${key}` },
    });
  const draft = await h.engine.campaigns.create(shop, {
    name: 'scratch',
    from: 'Clinic',
    text: 'Hi',
    audience: { groups: [news.id] },
  });
  assert.equal((await del(OTHER, draft.id)).statusCode, 404);
  assert.equal((await del(SHOP, draft.id)).statusCode, 204);
  assert.equal((await del(SHOP, draft.id)).statusCode, 404);
  const started = await h.engine.campaigns.create(shop, {
    name: 'later',
    from: 'Clinic',
    text: 'Hi',
    audience: { groups: [news.id] },
    scheduleAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  await h.engine.campaigns.start(shop, started.id);
  const refused = await del(SHOP, started.id);
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().code, 'HERMOD_ERR_CAMPAIGN_STATE');
});
