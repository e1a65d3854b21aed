// The console's Campaigns in a real browser (Debian chromium) on the demo Hermod: a customer
// builds a templated campaign in the wizard (20 patients, one opted out; the text saved as a
// template; each recipient's message previewed with their own name), starts it under a rate
// cap, pauses and resumes it, watches it complete with every message delivered through the
// simulator, and downloads the recipients' statuses as CSV; a campaign the balance does not
// cover cannot be started until the customer chooses to send what it covers. Desktop and
// phone (375 px) screenshots under test-results/; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { demoHermod } from '../support/hermod.js';
import {
  DESKTOP,
  PHONE,
  navTo,
  openBrowser,
  signIn,
  unexpectedErrors,
  watchedPage,
} from '../support/browser.js';

const NAMES = ['Ada', 'Bo', 'Cy', 'Dee', 'Ed', 'Flo', 'Gus', 'Hal', 'Ida', 'Jo'];

test('console: a templated campaign from the wizard to complete statistics and the recipients CSV', async (t) => {
  const browser = await openBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const h = await demoHermod();
  t.after(() => h.stop());
  await h.engine.people.createMember('demo', 'owner', {
    email: 'owner@clinic.example',
    password: 'correct horse battery',
    chosen: true,
  });
  const demo = (await h.store.getUserByName('demo'))!;
  const patients = await h.engine.contacts.createGroup(demo.id, 'Patients');
  await h.engine.contacts.save(
    demo.id,
    Array.from({ length: 20 }, (_, i) => ({
      msisdn: `+4477009${String(i + 1).padStart(5, '0')}`,
      firstName: NAMES[i % 10],
      lastName: `Patient${i + 1}`,
      fields: { slot: `${9 + (i % 8)}:00` },
    })),
    patients.id,
  );
  // The 20th patient opted out of the clinic's sender: counted and skipped.
  await h.store.setOptOut('447700900020', 'Clinic', true);

  const base = `http://127.0.0.1:${h.apiPort}`;
  const w = await watchedPage(browser, DESKTOP);
  const { page } = w;
  page.setDefaultTimeout(15_000);
  await signIn(page, base, 'owner@clinic.example', 'correct horse battery');
  await navTo(page, 'Campaigns');
  await page.getByText('No campaigns yet').waitFor();

  // Step 1: audience.
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill('Flu shots');
  await page.getByLabel('From').fill('Clinic');
  await page
    .getByRole('group', { name: 'Send to these groups' })
    .getByLabel('Patients (20 contacts)')
    .check();
  await page.getByText('19 recipients will get the message; 1 opted out of Clinic').waitFor();
  await w.shot('campaign-wizard-audience-desktop');
  // Step 2: the text, checked by the wizard, then saved as a template and previewed per recipient.
  await page.getByRole('button', { name: 'Next: Message' }).click();
  await page.getByRole('button', { name: 'Next: Schedule' }).click();
  await page.getByText('Write the message.').waitFor();
  await page
    .getByLabel('Text', { exact: true })
    .fill('Hi {{first_name}}, your flu shot is at {{custom.slot}}.');
  await page.getByLabel('Template name').fill('flu-shot');
  await page.getByRole('button', { name: 'Save as template' }).click();
  await page
    .getByLabel('Template', { exact: true })
    .locator('option:checked', { hasText: 'flu-shot' })
    .waitFor({ state: 'attached' });
  const previews = page.getByRole('list', { name: 'Message preview per recipient' }).getByRole('listitem');
  await previews.first().getByText('Hi Ada, your flu shot is at 9:00.').waitFor();
  assert.deepEqual(
    (await previews.locator('.message-text').allInnerTexts()).map((s) => s.trim()),
    [
      'Hi Ada, your flu shot is at 9:00.',
      'Hi Bo, your flu shot is at 10:00.',
      'Hi Cy, your flu shot is at 11:00.',
    ],
  );
  await previews.first().getByText('Ada Patient1').waitFor();
  await w.shot('campaign-wizard-message-desktop');
  // Step 3: a rate cap slow enough to pause it on its way.
  await page.getByRole('button', { name: 'Next: Schedule' }).click();
  await page.getByLabel('Rate cap (messages per second)').fill('4');
  await w.shot('campaign-wizard-schedule-desktop');
  // Step 4: the estimate against the balance.
  await page.getByRole('button', { name: 'Next: Review' }).click();
  const estimate = page.getByRole('definition').filter({ hasText: /^0\.19/ });
  await estimate.first().waitFor();
  await w.shot('campaign-wizard-review-desktop');
  await page.getByRole('button', { name: 'Start campaign' }).click();

  // The campaign page: paused and resumed on its way, then complete.
  await page.getByRole('heading', { name: 'Flu shots' }).waitFor();
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.locator('.badge', { hasText: 'paused' }).waitFor();
  await page.getByText('paused by the customer').waitFor();
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.locator('.badge', { hasText: /^running$|^completed$/ }).waitFor();
  await page.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
  const stats = page.getByLabel('Statistics');
  const value = async (name: string) =>
    (
      await stats
        .locator('div', { has: page.getByRole('term').filter({ hasText: new RegExp(`^${name}$`) }) })
        .locator('dd')
        .innerText()
    ).trim();
  // Receipts arrive through the simulator: wait until all 19 are delivered.
  await stats.locator('div', { hasText: /^Delivered\s*19$/ }).waitFor({ timeout: 20_000 });
  assert.equal(await value('Recipients'), '20');
  assert.equal(await value('Opted out'), '1');
  assert.equal(await value('Failed'), '0');
  assert.equal(await value('Delivery rate'), '100.0%');
  assert.match(await value('Cost'), /^0\.190*$/);
  assert.equal(
    await page.getByRole('progressbar', { name: 'Campaign progress' }).getAttribute('value'),
    '20',
  );
  await w.shot('campaign-page-desktop');

  // Each recipient's status as CSV.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download recipients (CSV)' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  const header = csv[0].split(',');
  const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
  assert.equal(rows.length, 20);
  const messageState = header.find((c) => /^message_?state$/i.test(c))!;
  assert.deepEqual(
    rows.map((r) => `${r.state}:${r[messageState] || r.reason}`).sort((a, b) => a.localeCompare(b)),
    [...Array(1).fill('skipped:opted_out'), ...Array(19).fill('submitted:delivered')],
  );

  await navTo(page, 'Campaigns');
  await page.getByRole('progressbar', { name: 'Progress of Flu shots' }).waitFor();
  await page.getByRole('cell', { name: '19' }).first().waitFor();
  await w.shot('campaigns-desktop');

  // A campaign the balance does not cover: no Start until "send what the balance covers".
  const left = await h.store.getBalance(demo.id);
  await h.store.topUp(demo.id, { balanceMicros: -(left - 100_000), note: 'test: leave 0.10' });
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill('Too big');
  await page.getByLabel('From').fill('Clinic');
  await page
    .getByRole('group', { name: 'Send to these groups' })
    .getByLabel('Patients (20 contacts)')
    .check();
  await page.getByRole('button', { name: 'Next: Message' }).click();
  await page.getByText('Use a saved template').click();
  await page.getByLabel('Template', { exact: true }).selectOption({ label: 'flu-shot' });
  await page.getByRole('button', { name: 'Next: Schedule' }).click();
  // A time zone the API does not know: back at the Schedule step, the error under the field.
  await page.getByLabel('At a time').check();
  await page.getByLabel('Send at').fill('2030-01-01T09:00');
  await page.getByLabel('Time zone', { exact: true }).fill('Mars/Olympus');
  await page.getByRole('button', { name: 'Next: Review' }).click();
  await page.getByRole('heading', { name: 'Schedule', exact: true }).waitFor();
  await page
    .getByRole('alert')
    .filter({ hasText: /time_zone: unknown time zone "Mars\/Olympus"/ })
    .waitFor();
  await w.shot('campaign-wizard-field-error-desktop');
  await page.getByLabel('As soon as I start it').check();
  await page.getByRole('button', { name: 'Next: Review' }).click();
  await page.getByRole('alert').filter({ hasText: 'is more than your balance (0.10)' }).waitFor();
  const startButton = page.getByRole('button', { name: 'Start campaign' });
  assert.equal(await startButton.isDisabled(), true);
  await page.getByLabel('Send what the balance covers').check();
  await page.getByRole('alert').filter({ hasText: 'is more than your balance' }).waitFor();
  await startButton.and(page.locator(':enabled')).waitFor();
  await w.shot('campaign-wizard-over-balance-desktop');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  await page.locator('.badge', { hasText: 'draft' }).waitFor();
  await page.getByRole('button', { name: 'Delete draft' }).click();
  await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
  await page.getByRole('link', { name: 'Flu shots' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Too big' }).count(), 0);

  // Phone width: the list, the wizard and the campaign page.
  await page.setViewportSize(PHONE);
  await navTo(page, 'Campaigns');
  await page.getByRole('link', { name: 'Flu shots' }).waitFor();
  await w.shot('campaigns-phone');
  await page.getByRole('link', { name: 'Flu shots' }).click();
  await page.getByLabel('Statistics').waitFor();
  await w.shot('campaign-page-phone');
  await page.goto(`${base}/campaigns/new`);
  await page.getByLabel('Campaign name').fill('Phone');
  await page.getByLabel('From').fill('Clinic');
  await page
    .getByRole('group', { name: 'Send to these groups' })
    .getByLabel('Patients (20 contacts)')
    .check();
  await page.getByText('19 recipients will get the message').waitFor();
  await w.shot('campaign-wizard-audience-phone');
  await page.getByRole('button', { name: 'Next: Message' }).click();
  await page.getByText('Use a saved template').click();
  await page.getByLabel('Template', { exact: true }).selectOption({ label: 'flu-shot' });
  await previews.first().getByText('Hi Ada').waitFor();
  await w.shot('campaign-wizard-message-phone');
  const wide = await page.evaluate('document.documentElement.scrollWidth');
  assert.ok(Number(wide) <= PHONE.width, `the wizard is ${wide} px wide at 375 px`);
  // The one error expected: the 400 answering the unknown time zone.
  const errors = unexpectedErrors(w.errors);
  assert.deepEqual(
    errors.filter((e) => !/status of 400/.test(e)),
    [],
  );
  assert.equal(errors.length, 1, String(errors));
});
