// The web console in a real browser (Debian chromium) on the demo Hermod: served at /, sign
// in, the pages, a message sent and followed to `delivered` through the simulator; at
// desktop and phone width, with no console errors. Screenshots under test-results/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { demoHermod } from '../support/hermod.js';
import { DESKTOP, PHONE, openBrowser, signIn, watchedPage } from '../support/browser.js';
import { CONSOLE_DIST } from '../../src/http/console.js';

test('the console is served at / with a strict CSP, cached assets, and the API keeps its 404s', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const page = await h.api.inject({ method: 'GET', url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
  assert.equal(page.headers['cache-control'], 'no-cache');
  // A console path the browser routes: the same page.
  assert.equal((await h.api.inject({ method: 'GET', url: '/messages/abc' })).body, page.body);
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)![1];
  const js = await h.api.inject({ method: 'GET', url: asset });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['cache-control'] as string, /immutable/);
  // API paths never fall back to the page.
  const api = await h.api.inject({ method: 'GET', url: '/v1/no-such-thing' });
  assert.equal(api.statusCode, 404);
  assert.match(api.headers['content-type'] as string, /problem\+json/);
  // The budget: the JavaScript the first page loads, gzipped, under 300 KB.
  const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
  const bytes = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)]
    .map((m) => gzipSync(readFileSync(join(CONSOLE_DIST, m[1]))).length)
    .reduce((a, b) => a + b, 0);
  console.log(`console first load: ${(bytes / 1024).toFixed(1)} KB of JavaScript, gzipped (budget 300 KB)`);
  assert.ok(bytes < 300 * 1024, `first load ${bytes} bytes`);
});

for (const [width, viewport] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const) {
  test(`console (${width}): sign in, send a message and watch it reach delivered`, async (t) => {
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
    const base = `http://127.0.0.1:${h.apiPort}`;
    const w = await watchedPage(browser, viewport);
    const { page } = w;

    await page.goto(`${base}/dashboard`);
    // Not signed in: the sign-in page, its fields found by their labels.
    await page.getByLabel('Username').waitFor();
    await w.shot(`sign-in-${width}`);
    await page.getByLabel('Username').fill('owner@shop.example');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('100.00', { exact: false }).first().waitFor();
    await w.shot(`dashboard-${width}`);

    const nav = async (name: string) => {
      if (width === 'phone') await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
    };
    await nav('Send');
    await page.getByLabel('To').fill('+447700900123');
    await page.getByLabel('From').fill('Shop');
    await page.getByLabel('Message').fill('Hello “from” the console');
    // The curly quotes force UCS-2; one click puts GSM-7 quotes in their place.
    await page.getByText('UCS-2', { exact: false }).first().waitFor();
    await page.getByRole('button', { name: 'Replace with GSM-7 equivalents' }).click();
    assert.equal(await page.getByLabel('Message').inputValue(), 'Hello "from" the console');
    await page.getByText('GSM-7', { exact: false }).first().waitFor();
    await w.shot(`send-${width}`);
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
    await w.shot(`message-${width}`);

    await nav('Messages');
    await page
      .getByRole('cell', { name: /Hello "from" the console/ })
      .first()
      .waitFor();
    await w.shot(`messages-${width}`);
    await nav('Account');
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await w.shot(`account-${width}`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
    assert.deepEqual(
      w.errors.filter((e) => !/401|Unauthorized/.test(e)),
      [],
    );
  });
}

test('console: an operator stops and starts a connector and sees its state change; a customer is refused operator pages', async (t) => {
  const browser = await openBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const h = await demoHermod();
  t.after(() => h.stop());
  await h.engine.people.createOperator({
    email: 'ops@hermod.example',
    password: 'operator pass 1',
    chosen: true,
  });
  await h.engine.people.createMember('demo', 'owner', {
    email: 'owner@shop.example',
    password: 'correct horse battery',
    chosen: true,
  });
  const base = `http://127.0.0.1:${h.apiPort}`;
  const w = await watchedPage(browser, DESKTOP);
  const { page } = w;
  await signIn(page, base, 'ops@hermod.example', 'operator pass 1');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByText('1 of 1').waitFor();
  await w.shot('overview-desktop');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
  const state = page.getByTestId('state-sim');
  await state.getByText('bound').waitFor();
  await page.getByRole('button', { name: 'Stop sim' }).click();
  await state.getByText('stopped').waitFor();
  assert.equal(h.gateway.getConnector('sim')?.ready, false);
  await w.shot('connectors-desktop');
  await page.getByRole('button', { name: 'Start sim' }).click();
  await state.getByText('bound').waitFor({ timeout: 15_000 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await page.getByLabel('Top up demo').fill('5');
  await page.getByRole('button', { name: 'Add credit' }).click();
  await page.getByRole('cell', { name: '105.00', exact: false }).waitFor();
  await w.shot('customers-desktop');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // A customer: no operator links, and the page by URL says it is for operators.
  await signIn(page, base, 'owner@shop.example', 'correct horse battery');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Connectors' }).count(), 0);
  await page.goto(`${base}/connectors`);
  await page.getByRole('heading', { name: 'Operators only' }).waitFor();
  // And the API refuses the customer's session on the admin API whatever the page shows.
  const status = await page.evaluate(async () => (await fetch('/v1/admin/connectors')).status);
  assert.ok(status === 401 || status === 403, `admin API answered ${status}`);
  assert.deepEqual(
    w.errors.filter((e) => !/401|403|Unauthorized|Forbidden/.test(e)),
    [],
  );
});
