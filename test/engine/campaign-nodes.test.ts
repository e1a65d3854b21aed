// Several nodes on one PostgreSQL database: two engines (two CampaignServices, each with its
// own lease owner) look for work on the same campaigns. One runner owns a running campaign at a
// time: the other's tick leaves it alone while the lease is live; when the owner stops (its
// lease released, or expired after a crash), the other takes it over. Every recipient gets one
// message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway } from '../../src/gateway/index.js';
import { SimulatorConnector } from '../../src/connectors/index.js';
import { CampaignService } from '../../src/engine/index.js';
import { openBackend } from './backends.js';

test('postgres: two nodes, one runner per campaign; the second takes over when the first stops', async (t) => {
  const b = await openBackend(t, 'postgres');
  if (!b) return;
  const gateway = new Gateway(b.store, {});
  await gateway.addConnector(new SimulatorConnector('sim', {}));
  const node = () =>
    new CampaignService({
      store: b.stores.campaigns,
      templates: b.stores.templates,
      contacts: b.stores.contacts,
      gateway,
      batch: 10,
      tickMs: 3_600_000, // ticked by hand
    });
  const a = node();
  const other = node();
  t.after(async () => {
    await a.stopBackground();
    await other.stopBackground();
    await b.close();
  });
  const numbers = Array.from({ length: 60 }, (_, i) => `+4477009006${String(i).padStart(2, '0')}`);
  const c = await a.create(b.shop, {
    name: 'n',
    from: 'Shop',
    text: 'Hi {{number}}',
    audience: { numbers },
    ratePerSecond: 40,
  });
  assert.equal((await a.start(b.shop, c.id)).state, 'running');
  const sent = async () =>
    (await b.store.listMessages({ limit: 1000 })).filter((m) => m.meta?.campaign === String(c.id));
  while ((await sent()).length < 10) await new Promise((r) => setTimeout(r, 20));
  // The other node sees it running under a live lease: not its to run.
  await other.tick();
  assert.equal(await other.settled(c.id), undefined, 'the other node started no runner');
  // The first node stops (a shutdown): its runner ends between chunks and releases the lease.
  await a.stopBackground();
  const atStop = (await sent()).length;
  assert.ok(atStop < 60, `stopped mid-campaign (${atStop})`);
  assert.equal((await a.get(b.shop.id, c.id))?.state, 'running');
  await other.tick();
  assert.equal(await other.settled(c.id), 'completed');
  const messages = await sent();
  assert.equal(messages.length, 60);
  assert.equal(new Set(messages.map((m) => m.destination)).size, 60, 'each recipient once');
  assert.equal((await other.stats(b.shop.id, c.id)).queued, 60);
});
