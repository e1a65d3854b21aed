// The console's MMS in a real browser (Debian chromium) on the demo Hermod with its MMS
// connector (`mms`, MM7 to the in-process MMSC, as `hermod start` runs it): a PNG attached on
// the Send page shows as a thumbnail with the MMS price (one charge), a wrong file type is
// refused at the field in Hermod's words, the MMS is sent with its subject and reaches
// `delivered` with its thumbnail in Messages; an inbound MMS shows its picture in the Inbox
// thread, beside the picture sent to that number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, DEMO_API_KEY } from '../../src/config/index.js';
import { startHermod } from '../../src/compose/index.js';
import { GIF, PNG } from '../support/media-samples.js';
import {
  DESKTOP,
  PHONE,
  navTo,
  openBrowser,
  signIn,
  unexpectedErrors,
  watchedPage,
} from '../support/browser.js';

/**
 * Whether the picture at `selector` has loaded (the 1×1 samples). A function, not a string:
 * Playwright polls a string predicate with eval, which the console's CSP (no 'unsafe-eval') refuses.
 */
const loaded = (selector: string): boolean => {
  // Runs in the page: the test's own types have no DOM.
  const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
  const img = doc.querySelector(selector) as { complete: boolean; naturalWidth: number } | null;
  return img?.complete === true && img.naturalWidth === 1;
};

async function demoWithMms() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-console-mms-'));
  const config = loadConfig(
    { HERMOD_DATA_DIR: dataDir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0' },
    dataDir,
  );
  const h = await startHermod(config, { logger: pino({ level: 'silent' }), demoMms: true });
  return Object.assign(h, { dataDir });
}

for (const [width, viewport] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)
  test(`console MMS (${width}): attach a picture (thumbnail, MMS price), a wrong type refused at the field, sent and delivered with its thumbnail; an inbound MMS in the Inbox`, async (t) => {
    const browser = await openBrowser(t);
    if (!browser) return;
    t.after(() => browser.close());
    const h = await demoWithMms();
    t.after(() => h.stop());
    assert.ok(h.demoMms, 'the demo MMSC runs');
    await h.engine.people.createMember('demo', 'owner', {
      email: 'owner@shop.example',
      password: 'correct horse battery',
      chosen: true,
    });
    const files = mkdtempSync(join(tmpdir(), 'hermod-console-mms-files-'));
    const png = join(files, 'dot.png');
    writeFileSync(png, PNG);
    const gif = join(files, 'dot.gif');
    writeFileSync(gif, GIF);
    const pdf = join(files, 'terms.pdf');
    writeFileSync(pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const quote = await h.api.inject({
      method: 'GET',
      url: '/v1/rates?to=%2B447700900123&type=mms',
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
    });
    const mmsPrice = (quote.json() as { total: string; type: string }).total;
    assert.equal((quote.json() as { type: string }).type, 'mms');

    const base = `http://127.0.0.1:${h.apiPort}`;
    const w = await watchedPage(browser, viewport);
    const { page } = w;
    await signIn(page, base, 'owner@shop.example', 'correct horse battery');
    await navTo(page, 'Send');
    await page.getByLabel('To').fill('+447700900123');
    await page.getByLabel('From').fill('Shop');
    await page.getByLabel('Message').fill('Our new shop front');
    const attach = page.getByLabel('Attach picture, video or audio');
    assert.equal(await page.getByLabel('Subject (optional)').count(), 0, 'no subject for an SMS');

    // A PDF: Hermod's refusal (415) at the field, described by it, nothing attached.
    await attach.setInputFiles(pdf);
    const refusal = page.getByRole('alert').filter({ hasText: 'terms.pdf' });
    await refusal.waitFor();
    assert.ok((await attach.getAttribute('aria-describedby'))!.includes((await refusal.getAttribute('id'))!));
    assert.equal(await page.getByRole('list', { name: 'Attached' }).count(), 0);

    // A message with placeholders goes as a campaign, which carries no media: attaching is off, said why.
    await page.getByLabel('Message').fill('Hi {{first_name}}');
    assert.equal(await attach.isDisabled(), true);
    await page.getByText('campaigns carry text only').waitFor();
    await page.getByLabel('Message').fill('Our new shop front');
    assert.equal(await attach.isEnabled(), true);

    // A GIF attached, then removed.
    await attach.setInputFiles(gif);
    await page
      .getByRole('list', { name: 'Attached' })
      .getByRole('img', { name: 'Picture dot.gif' })
      .waitFor();
    await page.getByRole('button', { name: 'Remove dot.gif' }).click();
    assert.equal(await page.getByRole('list', { name: 'Attached' }).count(), 0);
    assert.equal(await page.getByLabel('Subject (optional)').count(), 0, 'no media, no subject');

    // The PNG: its thumbnail, a Remove button, the subject field and the MMS price.
    await attach.setInputFiles(png);
    const attached = page.getByRole('list', { name: 'Attached' });
    await attached.getByRole('img', { name: 'Picture dot.png' }).waitFor();
    await attached.getByRole('button', { name: 'Remove dot.png' }).waitFor();
    assert.equal(await refusal.count(), 0, 'a new choice clears the old refusal');
    await page.getByText(`MMS: ${mmsPrice} per message`).waitFor();
    await page.getByText('an MMS carries the text whole').waitFor();
    await page.getByLabel('Subject (optional)').fill('New shop');
    await attached.getByText(`dot.png (${PNG.length} B)`).waitFor(); // uploaded: its size as Hermod stored it
    await w.shot(`send-mms-${width}`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const followed = page.getByRole('link', { name: /follow message/ });
    await followed.or(page.getByRole('alert')).first().waitFor();
    assert.equal(
      await page.getByRole('alert').count(),
      0,
      await page.getByRole('alert').allInnerTexts().then(String),
    );
    await followed.click();
    await page.getByRole('heading', { name: /Message to/ }).waitFor();
    await page.locator('h1 .badge', { hasText: 'delivered' }).waitFor({ timeout: 20_000 });
    const thumb = page
      .getByRole('list', { name: 'Media of this message' })
      .getByRole('img', { name: 'Picture dot.png' });
    await thumb.waitFor();
    await page.waitForFunction(loaded, '.media-list img');
    await page.getByText('New shop', { exact: true }).waitFor();
    await page.getByText('MMS, one charge').waitFor();
    await w.shot(`message-mms-${width}`);
    assert.equal(h.demoMms.mmsc.submitted.length, 1, 'the MMS went over MM7');

    // Messages: the MMS badge on its row.
    await navTo(page, 'Messages');
    await page
      .getByRole('row')
      .filter({ hasText: 'Our new shop front' })
      .getByText('MMS', { exact: true })
      .waitFor();
    await w.shot(`messages-mms-${width}`);

    // An inbound MMS from the number the MMS went to: its picture as a thumbnail in the
    // conversation, beside the picture sent to them (the thread carries media either way).
    const rsp = await h.demoMms.mmsc.deliver({
      from: { kind: 'number', value: '+447700900123' },
      to: [{ kind: 'shortCode', value: '12345' }],
      parts: [
        { contentType: 'image/png', contentId: 'p', contentLocation: 'them.png', bytes: PNG },
        { contentType: 'text/plain', contentId: 't', bytes: Buffer.from('Look at this') },
      ],
    });
    assert.equal(rsp.status.code, 1000);
    await navTo(page, 'Inbox');
    await page.getByText('+447700900123').first().click();
    const received = page.getByRole('list', { name: 'What they sent' });
    await received.getByRole('img', { name: 'Picture them.png' }).waitFor({ timeout: 30_000 });
    const ours = page.getByRole('list', { name: 'What you sent' });
    await ours.getByRole('img', { name: 'Picture dot.png' }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(loaded, '.bubble.in .media-list img');
    await page.waitForFunction(loaded, '.bubble.out .media-list img');
    await w.shot(`inbox-mms-${width}`);

    // The 415 of the PDF is the one console error expected.
    assert.deepEqual(
      unexpectedErrors(w.errors).filter((e) => !/\b415\b/.test(e)),
      [],
    );
  });
