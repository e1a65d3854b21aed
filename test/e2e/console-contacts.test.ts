// The console's Contacts page in a real browser (Debian chromium) on the demo Hermod: a
// contact added (its field error shown at the field) and edited, a group made and filled,
// a 1,000-row CSV with bad rows imported through the wizard (columns mapped, preview, the
// progress bar to the end, the error report read in the page and downloaded), the table
// filtered by group and searched, the export downloaded; the Send page's groups and
// templates; at desktop and phone width, with no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { demoHermod } from '../support/hermod.js';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { PHONE, navTo, openBrowser, signIn, unexpectedErrors, watchedPage } from '../support/browser.js';

const EMAIL = 'owner@shop.example';
const PASSWORD = 'correct horse battery';

/** 1,000 rows; bad ones at known lines (line 1 is the header). */
function patientsCsv(): { csv: string; bad: Map<number, string> } {
  const bad = new Map<number, string>([
    [4, 'call me'],
    [6, ''],
    [500, 'abc-def'],
    [900, '12'],
    [1001, ''],
  ]);
  const lines = ['Phone,Given name,Surname,Loyalty Code,Internal'];
  for (let line = 2; line <= 1001; line++) {
    const number =
      bad.get(line) ??
      // Line 9 repeats line 2; line 700 is the contact added by hand.
      (line === 9 ? '+447700910002' : line === 700 ? '+447700900111' : `+4477009${String(10000 + line)}`);
    // Line 700 has no names: an import's empty cells leave Ada's.
    lines.push(line === 700 ? `${number},,,L700,x` : `${number},Pat${line},Smith,L${line},x`);
  }
  return { csv: lines.join('\n') + '\n', bad };
}

async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await d.path())!, 'utf8');
}

test('console contacts: add, edit, group, import 1,000 rows with bad ones, filter, export, send to a group', async (t) => {
  const browser = await openBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const h = await demoHermod();
  t.after(() => h.stop());
  await h.engine.people.createMember('demo', 'owner', { email: EMAIL, password: PASSWORD, chosen: true });
  const template = await h.api.inject({
    method: 'POST',
    url: '/v1/templates',
    headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    payload: { name: 'Reminder', text: 'Hi {{first_name|there}}, see you soon' },
  });
  assert.equal(template.statusCode, 201);
  const base = `http://127.0.0.1:${h.apiPort}`;
  const w = await watchedPage(browser);
  const { page } = w;
  page.setDefaultTimeout(10_000);
  // The API's answer to a refused request, in the test's output (the browser logs only the status).
  page.on('response', (r) => {
    if (r.status() >= 400) void r.text().then((b) => console.log('HTTP', r.status(), r.url(), b));
  });
  page.on('dialog', (d) => void d.accept());
  await signIn(page, base, EMAIL, PASSWORD);
  await navTo(page, 'Contacts');
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();

  // Add: a bad number is told at the Number field; then the contact, edited.
  await page.getByRole('button', { name: 'Add contact' }).click();
  await page.getByLabel('Number', { exact: true }).fill('call me');
  await page.getByRole('button', { name: 'Add contact' }).last().click();
  // The API's words, at the field: the alert is part of the Number input's description.
  const numberError = page.getByRole('alert').filter({ hasText: /number/ });
  await numberError.waitFor();
  const describedBy = await page.getByLabel('Number', { exact: true }).getAttribute('aria-describedby');
  assert.ok(describedBy?.split(' ').includes((await numberError.getAttribute('id'))!), describedBy ?? '');
  await page.getByLabel('Number', { exact: true }).fill('+447700900111');
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Custom fields').fill('tier: gold');
  await page.getByRole('button', { name: 'Add contact' }).last().click();
  await page.getByRole('cell', { name: 'tier: gold' }).waitFor();
  await page.getByRole('button', { name: 'Edit +447700900111' }).click();
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByRole('button', { name: 'Save contact' }).click();
  await page.getByRole('cell', { name: 'Ada Lovelace' }).waitFor();

  // Groups: made, and Ada put in them.
  for (const name of ['Patients', 'VIP']) {
    await page.getByLabel('New group').fill(name);
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('button', { name: `Rename ${name}` }).waitFor();
  }
  await page.getByLabel('Select +447700900111').check();
  await page.getByLabel('Put the selected contacts in').selectOption({ label: 'VIP' });
  await page.getByRole('button', { name: 'Add to group' }).click();
  await page.getByRole('cell', { name: 'VIP' }).waitFor();

  // Import: the file, the columns (Internal ignored, Loyalty Code as "code"), the preview.
  await page.getByRole('link', { name: 'Import CSV' }).click();
  const { csv, bad } = patientsCsv();
  await page
    .getByLabel('CSV file')
    .setInputFiles({ name: 'patients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  assert.equal(await page.getByLabel('Column 1 (Phone)').inputValue(), 'number');
  assert.equal(await page.getByLabel('Column 2 (Given name)').inputValue(), 'first_name');
  assert.equal(await page.getByLabel('Column 3 (Surname)').inputValue(), 'last_name');
  await page.getByLabel('Field name for “Loyalty Code”').fill('code');
  await page.getByLabel('Column 5 (Internal)').selectOption({ label: 'Ignore' });
  await page.getByLabel('Add the contacts to a group').selectOption({ label: 'Patients' });
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('table', { name: 'Preview' });
  await preview.getByText('Rejected: invalid number').waitFor();
  await preview.getByText('Rejected: no number').waitFor();
  await preview.getByText('Merged with line 2').waitFor();
  assert.ok(await preview.getByRole('cell', { name: 'code: L2', exact: true }).isVisible());
  await w.shot('contacts-import-preview-desktop');

  // The import, followed to its end; the counts; the report in the page and downloaded.
  await page.getByRole('button', { name: 'Import patients.csv' }).click();
  await page.getByText('Import complete 100%').waitFor();
  assert.equal(await page.locator('progress').getAttribute('value'), '100');
  // 1,000 rows: 5 rejected, 2 merged (line 9 into line 2, line 700 into Ada), 993 new.
  await page.getByText('1000 rows read: 993 added, 2 updated, 5 rejected.').waitFor();
  const rejected = page.getByRole('table', { name: 'Rejected rows' });
  await rejected.getByRole('cell', { name: 'call me' }).waitFor();
  assert.equal(await rejected.locator('tbody tr').count(), 5);
  assert.match(await rejected.innerText(), /no number/);
  await w.shot('contacts-import-desktop');
  const report = await download(page, () =>
    page.getByRole('link', { name: 'Download error report' }).click(),
  );
  const reportLines = report.trim().split(/\r?\n/);
  assert.equal(reportLines[0], 'line,number,reason,row');
  assert.deepEqual(
    reportLines.slice(1).map((l) => Number(l.split(',')[0])),
    [...bad.keys()],
  );
  assert.match(report, /^4,call me,"?invalid number/m);
  assert.match(report, /^6,,no number,/m);

  // The table by group (994: the 993 new and Ada), by name, then the export of what it shows.
  await page.getByRole('link', { name: '← Contacts' }).click();
  await page.getByLabel('Group', { exact: true }).selectOption({ label: 'Patients (994)' });
  assert.equal(await page.getByRole('table', { name: 'Contacts' }).locator('tbody tr').count(), 50);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByRole('button', { name: 'Previous page' }).and(page.locator(':enabled')).waitFor();
  await page.getByLabel('Search').fill('ada');
  await page.getByRole('cell', { name: 'Ada Lovelace' }).waitFor();
  await page
    .getByRole('table', { name: 'Contacts' })
    .locator('tbody tr')
    .nth(1)
    .waitFor({ state: 'detached' });
  const exported = await download(page, () => page.getByRole('link', { name: 'Export CSV' }).click());
  await w.shot('contacts-desktop');
  const rows = exported.trim().split(/\r?\n/);
  assert.equal(rows.length, 2, exported);
  assert.match(rows[1], /^\+447700900111,Ada,Lovelace,/);
  assert.match(rows[1], /Patients;VIP|VIP;Patients/);
  assert.match(rows[1], /L700/);

  // Send to a group with a saved template: a one-off campaign.
  await navTo(page, 'Send');
  await page.getByLabel('VIP (1)').check();
  await page.getByLabel('From').fill('Shop');
  await page.getByLabel('Template').selectOption({ label: 'Reminder' });
  assert.equal(await page.getByLabel('Message').inputValue(), 'Hi {{first_name|there}}, see you soon');
  await page.getByRole('button', { name: 'Send to the recipients' }).click();
  await page
    .getByRole('link', { name: /follow campaign \d+/ })
    .or(page.getByRole('alert'))
    .first()
    .waitFor();
  assert.equal(
    await page.getByRole('alert').count(),
    0,
    await page.getByRole('alert').allInnerTexts().then(String),
  );
  // The one 400 the browser logs is the bad number's, asked for above.
  assert.deepEqual(
    unexpectedErrors(w.errors).filter((e) => !/status of 400/.test(e)),
    [],
  );
  assert.equal(w.errors.filter((e) => /status of 400/.test(e)).length, 1, String(w.errors));

  // At phone width: the list and the wizard's mapping.
  const p = await watchedPage(browser, PHONE);
  await signIn(p.page, base, EMAIL, PASSWORD);
  await navTo(p.page, 'Contacts');
  await p.page.getByText('Ada Lovelace').waitFor();
  await p.shot('contacts-phone');
  await p.page.getByRole('link', { name: 'Import CSV' }).click();
  await p.page
    .getByLabel('CSV file')
    .setInputFiles({ name: 'patients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.slice(0, 2000)) });
  await p.page.getByRole('button', { name: 'Preview' }).click();
  await p.page.getByRole('table', { name: 'Preview' }).waitFor();
  await p.shot('contacts-import-phone');
  assert.deepEqual(unexpectedErrors(p.errors), []);
});
