/**
 * Campaign benchmark (issue 14): a campaign to a group of 100,000 contacts (BENCH_RECIPIENTS),
 * inserted beforehand through the contact store (5,000 a transaction). Measures the time to
 * start it (resolve the audience in SQL, render, price and give every recipient its message
 * id, check the balance) and the rate the runner feeds the gateway (messages accepted/s, until
 * the runner completes it), with the heap's growth meanwhile. The reference, measured first in
 * the same run on a Hermod of its own (a fresh data directory, like the campaign's): the same
 * number of plain `gateway.submitAccepted` calls, 500 in flight like a runner's page, with the
 * same texts to the same numbers. Ratio = campaign feed rate ÷ reference (1.0: the campaign
 * costs nothing beyond the gateway's own door). Hermod, SQLite and the built-in simulator
 * connector all run in this process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod } from '../src/compose/index.js';
import { parseConfig } from '../src/config/index.js';
import { draftOf } from '../src/gateway/index.js';

const N = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const BATCH = 5_000;

/** A Hermod of its own: the reference and the campaign run on equal terms. */
const hermod = () =>
  startHermod(
    parseConfig(
      {
        users: [{ username: 'bench', password: 'bench', balance: 1_000_000, rate: 0.001 }],
        connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
        routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
      },
      {
        HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'hermod-bench-campaign-')),
        HERMOD_SMPP_PORT: '0',
        HERMOD_HTTP_PORT: '0',
        HERMOD_API_PORT: '0',
        HERMOD_BIND: '127.0.0.1',
      },
      'bench',
    ),
    { logger: pino({ level: 'warn' }) },
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const number = (i: number) => `4477${String(10_000_000 + i).slice(1)}`;
const heap = () => {
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 50);
  return () => {
    clearInterval(t);
    return (peak - base) / 1e6;
  };
};

// The reference: the same door, no campaign.
const r = await hermod();
const bench = (await r.store.getUserByName('bench'))!;
let next = 0;
let heapOf = heap();
let t0 = performance.now();
await Promise.all(
  Array.from({ length: 500 }, async () => {
    while (next < N) {
      const i = next++;
      const draft = draftOf({
        systemId: 'bench',
        origin: 'rest',
        from: 'Bench',
        to: number(i),
        content: { text: `Hello ${i % 7 === 0 ? 'there' : `Name${i}`}, your code is C${i}.` },
      });
      await r.gateway.submitAccepted(bench, draft);
    }
  }),
);
const refS = (performance.now() - t0) / 1000;
const refHeap = heapOf();
const refRate = N / refS;
console.log(
  `reference: ${N} plain submitAccepted calls in ${refS.toFixed(1)} s: ${Math.round(refRate)} accepted/s; heap +${Math.round(refHeap)} MB at most`,
);
while ((await r.store.queueDepth()) > 0) await sleep(200);
await r.stop();

const h = await hermod();
const user = (await h.store.getUserByName('bench'))!;
// Contacts: 100,000 in a group, with names and a custom field for the template.
t0 = performance.now();
const group = await h.engine.contacts.createGroup(user.id, 'Everyone');
for (let i = 0; i < N; i += BATCH) {
  const batch = Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => ({
    msisdn: number(i + j),
    firstName: (i + j) % 7 === 0 ? null : `Name${i + j}`,
    fields: { code: `C${i + j}` },
  }));
  await h.engine.contacts.save(user.id, batch, group.id);
}
const insertS = (performance.now() - t0) / 1000;
console.log(`${N} contacts inserted in ${insertS.toFixed(1)} s`);

heapOf = heap();
const c = await h.engine.campaigns.create(user, {
  name: 'Bench',
  from: 'Bench',
  text: 'Hello {{first_name|there}}, your code is {{custom.code}}.',
  audience: { groups: [group.id] },
});
t0 = performance.now();
const started = await h.engine.campaigns.start(user, c.id);
const startS = (performance.now() - t0) / 1000;
console.log(`resolved, priced and started in ${startS.toFixed(2)} s: ${JSON.stringify(started.estimate)}`);

const t1 = performance.now();
// Polled by its state (a primary-key read): the runner completes it when none is pending.
while ((await h.engine.campaigns.get(user.id, c.id))?.state !== 'completed') await sleep(50);
const feedS = (performance.now() - t1) / 1000;
const campaignHeap = heapOf();
const campaignRate = N / feedS;
console.log(
  `fed ${N} messages into the gateway in ${feedS.toFixed(1)} s: ${Math.round(campaignRate)} accepted/s; heap +${Math.round(campaignHeap)} MB at most`,
);
while ((await h.store.queueDepth()) > 0) await sleep(200);
await h.stop();

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify({
    bench: 'campaign-start',
    results: {
      recipients: N,
      contacts_insert_s: round(insertS),
      start_s: round(startS),
      feed_s: round(feedS),
      campaign_accepted_per_s: Math.round(campaignRate),
      reference_accepted_per_s: Math.round(refRate),
      campaign_heap_growth_mb: round(campaignHeap, 1),
      reference_heap_growth_mb: round(refHeap, 1),
    },
    ratios: { feed_vs_submit_accepted: round(campaignRate / refRate, 3) },
  }),
);
