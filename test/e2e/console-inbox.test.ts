// The console's Inbox, Reports and Dashboard in a real browser on the demo Hermod: a handset
// texts the demo account's number through the built-in simulator, the customer sees the
// unread conversation, opens it (read), replies, and the reply reaches `delivered`; a keyword
// service is refused under its field, then added, changed, and answers a text by itself;
// Reports shows the traffic per day and per country and downloads it as CSV; the Dashboard
// shows today's counts, the 24 h chart and a running campaign's progress. Desktop and phone
// width (375 px), no unexpected console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import type { SmscSimulator } from '../../src/simulator/index.js';
import { decodeText } from '../../src/smpp/index.js';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { demoHermod } from '../support/hermod.js';
import {
  PHONE,
  navTo,
  openBrowser,
  signIn,
  unexpectedErrors,
  watchedPage,
  type WatchedPage,
} from '../support/browser.js';
import { until } from '../support/until.js';

const HANDSET = '447700900123';
const OURS = '12345';
const today = () => new Date().toISOString().slice(0, 10);

/** The message bubble in the open thread that holds `text`. */
const bubble = (page: Page, text: string) =>
  page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });

/** The conversation with the handset in the list. */
const conversationOf = (page: Page) => page.getByRole('button', { name: new RegExp(`\\+${HANDSET}`) });

interface Scene {
  w: WatchedPage;
  page: Page;
  sim: SmscSimulator;
  /** What the handset has received, as text. */
  handsetGot: () => string[];
}

async function readAndReply({ w, page, sim, handsetGot }: Scene) {
  // An MO from the handset: the conversation shows up unread, in the list the page polls.
  await navTo(page, 'Inbox');
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  sim.sendMo('hermod', { from: HANDSET, to: OURS, text: 'Hello, are you open today?' });
  const conversation = conversationOf(page);
  await conversation.getByLabel('1 unread').waitFor();
  await page.getByRole('link', { name: 'Conversations (1 unread)' }).waitFor();

  // Opening it marks it read; the thread shows the MO.
  await conversation.click();
  await bubble(page, 'Hello, are you open today?').waitFor();
  await page.getByRole('link', { name: 'Conversations', exact: true }).waitFor();
  assert.equal(await conversation.getByLabel(/unread/).count(), 0);

  // The reply, counted as the user types, sent from the number they wrote to, delivered.
  await page.getByLabel('Reply').fill('Yes, until 6 pm.');
  await page.getByText('16 characters · GSM-7 · 1 part').waitFor();
  await page.getByRole('button', { name: 'Send reply' }).click();
  await bubble(page, 'Yes, until 6 pm.').getByText('delivered').waitFor({ timeout: 15_000 });
  assert.equal(await page.getByLabel('Reply').inputValue(), '');
  assert.deepEqual(handsetGot(), ['Yes, until 6 pm.']);
  await w.shot('inbox-desktop');
}

async function keywordService({ w, page, sim, handsetGot }: Scene) {
  // STOP is refused, said under the Keyword field (which the message describes).
  await page.getByRole('link', { name: 'Keyword services' }).click();
  await page.getByRole('button', { name: 'Add a keyword service' }).click();
  const keyword = page.getByLabel('Keyword', { exact: true });
  await keyword.fill('STOP');
  await page.getByLabel('Reply').fill('Open 9-18, Mon-Sat.');
  await page.getByRole('button', { name: 'Add keyword service' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'opt-out' });
  await refusal.waitFor();
  assert.ok((await keyword.getAttribute('aria-describedby'))!.includes((await refusal.getAttribute('id'))!));

  // HOURS (alias OPEN) is added, then its reply changed; it answers a text by itself.
  await keyword.fill('hours');
  await page.getByLabel('Aliases').fill('open');
  await page.getByRole('button', { name: 'Add keyword service' }).click();
  await page.getByRole('cell', { name: 'HOURS (OPEN)' }).waitFor();
  await page.getByRole('cell', { name: 'Open 9-18, Mon-Sat.' }).waitFor();
  await page.getByRole('button', { name: 'Edit HOURS' }).click();
  await page.getByLabel('Reply').fill('Open 9-19, Mon-Sat.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('cell', { name: 'Open 9-19, Mon-Sat.' }).waitFor();
  await w.shot('keywords-desktop');
  sim.sendMo('hermod', { from: HANDSET, to: OURS, text: 'Open today' });
  await until('the auto-reply at the handset', () => handsetGot().includes('Open 9-19, Mon-Sat.'));
  await page.getByRole('link', { name: /^Conversations/ }).click();
  await conversationOf(page).click();
  await bubble(page, 'Open 9-19, Mon-Sat.').getByText('delivered').waitFor({ timeout: 15_000 });
}

async function reports({ w, page }: Scene) {
  // Both replies, delivered, today and in GB; the CSV has the same rows.
  await navTo(page, 'Reports');
  const table = page.getByRole('table', { name: 'Report' });
  const row = table.getByRole('row').filter({ hasText: today() });
  await row.waitFor();
  assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(0, 5), [
    today(),
    '2',
    '2',
    '0',
    '100%',
  ]);
  await page
    .getByRole('figure', { name: 'Messages per day' })
    .locator('svg.recharts-surface')
    .first()
    .waitFor();
  await page.getByLabel('Group by').selectOption('country');
  await table.getByRole('row').filter({ hasText: 'GB' }).waitFor();
  await w.shot('reports-desktop');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'report-country.csv');
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  assert.equal(csv.length, 2, csv.join('\n'));
  assert.match(csv[0], /^country,messages,parts,delivered,/);
  assert.match(csv[1], /^GB,2,2,2,/);
}

async function dashboard({ w, page }: Scene, startCampaign: () => Promise<void>) {
  // Today's figures and the 24 h chart.
  await navTo(page, 'Dashboard');
  await page.getByTestId('delivered-today').getByText('2', { exact: true }).waitFor();
  assert.equal(await page.getByTestId('sent-today').innerText(), '2');
  await page.getByText('100%', { exact: true }).waitFor();
  const chart = page.getByRole('figure', { name: 'Messages in the last 24 hours' });
  await chart.locator('svg.recharts-surface').first().waitFor();
  // A campaign sending slowly shows up, with its progress bar, as the page polls.
  await startCampaign();
  await page.getByRole('link', { name: 'Winter sale' }).waitFor();
  await page.getByRole('progressbar', { name: 'Winter sale progress' }).waitFor();
  await w.shot('dashboard-desktop');
}

async function atPhoneWidth({ w, page }: Scene) {
  // The same page, resized: the Dashboard; the list, then the thread alone with its way back; Reports.
  await page.setViewportSize(PHONE);
  await page.reload();
  await page.getByRole('progressbar', { name: 'Winter sale progress' }).waitFor();
  await page
    .getByRole('figure', { name: 'Messages in the last 24 hours' })
    .locator('svg.recharts-surface')
    .first()
    .waitFor();
  await w.shot('dashboard-phone');
  await navTo(page, 'Inbox');
  await conversationOf(page).click();
  await bubble(page, 'Yes, until 6 pm.').waitFor();
  await page.getByLabel('Reply').waitFor();
  await w.shot('inbox-phone');
  await page.getByRole('button', { name: 'Back to conversations' }).click();
  await page.getByRole('list', { name: 'Conversations' }).waitFor();
  await navTo(page, 'Reports');
  await page.getByRole('table', { name: 'Report' }).getByText(today()).waitFor();
  await w.shot('reports-phone');
}

test('console inbox: an MO arrives, the customer reads and replies (delivered), adds a keyword; Reports and Dashboard show the traffic', async (t) => {
  const browser = await openBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const h = await demoHermod();
  t.after(() => h.stop());
  await h.engine.people.createMember('demo', 'owner', {
    email: 'owner@shop.example',
    password: 'correct horse battery',
    chosen: true,
  });
  const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
  await until('the simulator bound', () => h.connectors.get('sim')!.ready);
  const w = await watchedPage(browser);
  const scene: Scene = {
    w,
    page: w.page,
    sim,
    handsetGot: () =>
      sim.submitted
        .filter((m) => m.destination === HANDSET)
        .map((m) => decodeText(m.shortMessage, m.dataCoding)),
  };
  const call = async (url: string, payload: object = {}) => {
    const r = await h.api.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
      payload,
    });
    assert.ok(r.statusCode < 300, r.body);
    return r.json<{ id: number }>();
  };
  const startCampaign = async () => {
    const c = await call('/v1/campaigns', {
      name: 'Winter sale',
      from: 'Shop',
      text: 'Winter sale: 20% off until Sunday.',
      audience: { numbers: Array.from({ length: 20 }, (_, i) => `+4477009002${String(i).padStart(2, '0')}`) },
      rate_per_second: 0.5,
    });
    await call(`/v1/campaigns/${c.id}/start`);
  };

  await signIn(w.page, `http://127.0.0.1:${h.apiPort}`, 'owner@shop.example', 'correct horse battery');
  await readAndReply(scene);
  await keywordService(scene);
  await reports(scene);
  await dashboard(scene, startCampaign);
  await atPhoneWidth(scene);
  // The one error the browser logs is the refused STOP service's 400, which the form showed.
  assert.deepEqual(unexpectedErrors(w.errors), [
    'Failed to load resource: the server responded with a status of 400 (Bad Request)',
  ]);
});
