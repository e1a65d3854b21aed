// The operators' pages in a real browser on the demo Hermod: routes reordered (the order
// survives a reload) and Test a number; a connector added with a bad value (the config
// checker's message names the key) then fixed; a customer created and disabled; opt-outs,
// webhook deliveries and the audit log listing those actions; a customer refused the
// operator pages by URL and by the admin API. Desktop and phone (375 px) screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
import { DEMO_ADMIN_KEY } from '../../src/config/index.js';

/** Screenshot name, navigation link (the customer's page: its link on Customers), heading. */
const PAGES = [
  ['overview', 'Overview', 'Overview'],
  ['routes', 'Routes', 'Routes'],
  ['connectors', 'Connectors', 'Connectors'],
  ['customers', 'Customers', 'Customers'],
  ['customer', 'acme', 'Customer acme'],
  ['opt-outs', 'Opt-outs', 'Opt-outs'],
  ['webhooks', 'Webhooks', 'Webhook deliveries'],
  ['audit', 'Audit log', 'Audit log'],
] as const;

test('console: an operator orders routes, tests a number, adds a connector, manages a customer, reads the logs; a customer is refused', async (t) => {
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
  const admin = (method: 'PUT' | 'POST' | 'GET', url: string, payload?: object) =>
    h.api.inject({ method, url, headers: { authorization: `Bearer ${DEMO_ADMIN_KEY}` }, payload });
  // MT routes: UK, UK mobiles (never reached while UK comes first), the catch-all; an opt-out.
  const put = await admin('PUT', '/v1/admin/routes', {
    routes: [
      { name: 'uk', type: 'static', prefixes: ['44'], connectors: ['sim'], rate: 0.05 },
      { name: 'uk-mobile', type: 'static', prefixes: ['447'], connectors: ['sim'], rate: 0.04 },
      { name: 'default', type: 'static', connectors: ['sim'] },
    ],
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(
    (await admin('POST', '/v1/admin/optouts', { msisdn: '+447700900999', sender: 'Shop' })).statusCode,
    201,
  );

  const base = `http://127.0.0.1:${h.apiPort}`;
  const w = await watchedPage(browser, DESKTOP);
  const { page } = w;
  await signIn(page, base, 'ops@hermod.example', 'operator pass 1');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByText('1 of 1').waitFor();
  await page.getByText('Nothing needs attention.').waitFor();

  // Routes: move uk-mobile above uk (Move up), saved at once; a reload keeps the order.
  await navTo(page, 'Routes');
  const mt = page.getByRole('list', { name: 'MT routes in order' }).getByRole('listitem');
  const routeNames = async () =>
    (await admin('GET', '/v1/admin/routes')).json().routes.map((r: { name: string }) => r.name);
  await mt.first().getByText('uk', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Move route uk-mobile up' }).click();
  await page.getByRole('status').getByText('Routes saved.').waitFor();
  await page.reload();
  await mt.first().getByText('uk-mobile', { exact: true }).waitFor();
  assert.deepEqual(await routeNames(), ['uk-mobile', 'uk', 'default']);
  // Test a number: the route, its connector and the price.
  await page.getByLabel('Number to test').fill('+447700900123');
  await page.getByLabel('As account (optional)').fill('demo');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  const result = page.getByRole('definition');
  await result.filter({ hasText: '#1 uk-mobile (static)' }).waitFor();
  await result.filter({ hasText: /^sim$/ }).waitFor();
  await result.filter({ hasText: '0.04 (from the route)' }).waitFor();
  await w.shot('routes-test-desktop');
  // The catch-all cannot go first: the checker's reason is shown.
  await page.getByRole('button', { name: 'Move route default up' }).click();
  await page
    .getByRole('alert')
    .getByText(/put the default route last/)
    .waitFor();
  // And uk-mobile back down with the keyboard: its handle, Space, ArrowDown, Space; each
  // key waits for dnd-kit's own announcement of the step before the next.
  await page.getByRole('button', { name: 'Drag route uk-mobile' }).focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Drag route uk-mobile', pressed: true }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.getByText(/was moved over droppable area uk\./).waitFor({ state: 'attached' });
  await page.keyboard.press('Space');
  await page.getByRole('status').getByText('Routes saved.').waitFor();
  await mt.first().getByText('uk', { exact: true }).waitFor();
  assert.deepEqual(await routeNames(), ['uk', 'uk-mobile', 'default']);

  // Connectors: a port out of range is refused with the checker's words at the Port field.
  await navTo(page, 'Connectors');
  await page.getByRole('button', { name: 'Add a connector' }).click();
  await page.getByLabel('Connector id').fill('smsc2');
  await page.getByLabel('Type').selectOption('smpp');
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill('99999');
  await page.getByLabel('System id').fill('hermod');
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Save connector' }).click();
  const portError = page
    .locator('.field.invalid')
    .filter({ has: page.getByLabel('Port') })
    .getByRole('alert');
  await portError.getByText('connector.port: expected an integer 1..65535, got 99999').waitFor();
  await w.shot('connectors-error-desktop');
  await page.getByLabel('Port').fill('2775');
  await page.getByRole('button', { name: 'Save connector' }).click();
  await page.getByTestId('state-smsc2').waitFor();
  assert.ok(h.gateway.getConnector('smsc2'));

  // Customers: create acme, then disable it.
  await navTo(page, 'Customers');
  await page.getByRole('button', { name: 'Create a customer' }).click();
  await page.getByLabel('Username').fill('acme');
  await page.getByLabel('Password').fill('secret12');
  await page.getByLabel('Opening credit').fill('10');
  await page.getByLabel('Price per part').fill('0.02');
  await page.getByRole('button', { name: 'Create customer' }).click();
  const acme = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'acme' }) });
  await acme.getByText('enabled').waitFor();
  await page.getByRole('button', { name: 'Disable acme' }).click();
  await acme.getByText('disabled').waitFor();
  await page.getByRole('button', { name: 'Enable acme' }).waitFor();
  assert.equal((await h.gateway.services.accounts.byName('acme'))?.enabled, false);
  await acme.getByRole('link', { name: 'acme' }).click();
  await page.getByRole('heading', { name: 'Customer acme' }).waitFor();
  // Its limits: an SMPP throughput cap and no hex content.
  await page.getByLabel('SMPP throughput (per second)').fill('5');
  await page.getByLabel('hexContent').uncheck();
  await page.getByRole('button', { name: 'Save limits' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await page.getByText('HTTP no cap · SMPP 5/s').waitFor();
  await page.getByText('Not bound now.').waitFor();
  const acmeNow = await h.gateway.services.accounts.byName('acme');
  assert.equal(acmeNow?.settings.throughput.smpp, 5);
  assert.equal(acmeNow?.settings.authorizations.hexContent, false);

  // Opt-outs, webhook deliveries, and the audit log of what was done above.
  await navTo(page, 'Opt-outs');
  await page.getByRole('cell', { name: '447700900999', exact: true }).waitFor();
  await navTo(page, 'Webhooks');
  await page.getByRole('heading', { name: 'Webhook deliveries' }).waitFor();
  await page.getByText('No callback is waiting.').waitFor();
  await navTo(page, 'Audit log');
  const actions = page.getByRole('table', { name: 'Operator actions' });
  for (const [action, result] of [
    ['PATCH /v1/admin/users/acme', '200'],
    ['POST /v1/admin/users', '201'],
    ['PUT /v1/admin/connectors/smsc2', '201'],
    ['PUT /v1/admin/connectors/smsc2', '400'],
    ['PUT /v1/admin/routes', '200'],
    ['PUT /v1/admin/routes', '400'],
    ['POST /v1/admin/optouts', '201'],
  ])
    await actions
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: action, exact: true }) })
      .filter({ has: page.getByRole('cell', { name: result, exact: true }) })
      .first()
      .waitFor();
  assert.ok((await actions.getByRole('cell', { name: 'ops@hermod.example' }).count()) >= 5);
  await actions.getByRole('cell', { name: 'admin token' }).first().waitFor();

  // Every page at desktop and phone width.
  for (const [viewport, width] of [
    [DESKTOP, 'desktop'],
    [PHONE, 'phone'],
  ] as const) {
    await page.setViewportSize(viewport);
    // Within the page (no reload): the overview's chart keeps its readings.
    for (const [name, link, heading] of PAGES) {
      if (name === 'customer') await page.getByRole('link', { name: link, exact: true }).click();
      else await navTo(page, link);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      if (name === 'overview') {
        // The new connector (not bound: nothing listens there) is counted and alerted.
        await page.getByText('1 of 2').waitFor();
        await page.getByText(/Connector smsc2 is/).waitFor();
        await page.getByRole('img', { name: /Throughput/ }).waitFor();
      }
      await w.shot(`${name}-${width}`);
    }
  }
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Username').waitFor();

  // A customer: the operator pages say so, and the admin API refuses the session.
  await page.setViewportSize(DESKTOP);
  await signIn(page, base, 'owner@shop.example', 'correct horse battery');
  for (const path of ['/routes', '/audit']) {
    await page.goto(`${base}${path}`);
    await page.getByRole('heading', { name: 'Operators only' }).waitFor();
  }
  const status = await page.evaluate(async () => (await fetch('/v1/admin/audit')).status);
  assert.equal(status, 403);
  // The two 400s were asked for: the catch-all moved first, the bad port.
  const errors = unexpectedErrors(w.errors);
  assert.deepEqual(
    errors.filter((e) => !/status of 400/.test(e)),
    [],
  );
  assert.ok(errors.length <= 2, errors.join('\n'));
});
