// Demo mode's sample data (issue 15): a start that asks for it has an address book, a
// campaign that runs to its end through the simulator, messages delivered, undelivered and
// failed, and replies in the inbox; a second start on the same data adds nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { DEMO_API_KEY } from '../../src/config/index.js';

test('demo sample data: contacts, groups, a completed campaign, traffic and replies; seeded once', async (t) => {
  const h = await demoHermod(undefined, { sampleData: true });
  let stopped = false;
  t.after(() => (stopped ? undefined : h.stop()));
  const get = async (url: string) => {
    const r = await h.api.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as Record<string, unknown>;
  };
  const demo = (await h.gateway.services.accounts.byName('demo'))!;
  assert.equal(await h.engine.contacts.count(demo.id, {}), 25);
  const groups = await h.engine.contacts.groups(demo.id);
  assert.deepEqual(groups.map((g) => [g.name, g.members]).sort(), [
    ['Customers', 20],
    ['Staff', 5],
  ]);
  const [campaign] = await h.engine.campaigns.list(demo.id, { limit: 10 });
  assert.equal(campaign.name, 'Opening hours (sample)');
  await until(
    'the campaign completes',
    async () => (await h.engine.campaigns.get(demo.id, campaign.id))?.state === 'completed',
  );

  const states = async () => {
    const list = (await get('/v1/messages?limit=100')).data as { status: string; to: string }[];
    return list;
  };
  await until('traffic settled', async () => {
    const s = (await states()).map((m) => m.status);
    return (
      s.includes('failed') && s.includes('undelivered') && s.filter((x) => x === 'delivered').length >= 10
    );
  });
  await until('two replies', async () => ((await get('/v1/inbound')).data as unknown[]).length >= 2);
  const messages = (await states()).length;

  await h.stop();
  stopped = true;
  const again = await demoHermod(h.dataDir, { sampleData: true });
  t.after(() => again.stop());
  assert.equal(await again.engine.contacts.count(demo.id, {}), 25);
  assert.equal((await again.engine.campaigns.list(demo.id, { limit: 10 })).length, 1);
  const r = await again.api.inject({
    method: 'GET',
    url: '/v1/messages?limit=100',
    headers: { authorization: `Bearer ${DEMO_API_KEY}` },
  });
  assert.equal((r.json().data as unknown[]).length, messages, 'no new traffic on a second start');
});
