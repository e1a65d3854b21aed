// The console's Account page and sign-in (issue 15) in a real browser on the demo Hermod:
// the demo hint on the sign-in page; an API key created, used with fetch against
// /v1/balance, revoked and refused; a webhook URL set; a top-up seen in the ledger; a
// member invited; an operator turns on two-factor sign-in and signs in with a code computed
// here; desktop and phone screenshots; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { demoHermod } from '../support/hermod.js';
import { PHONE, navTo, openBrowser, signIn, unexpectedErrors, watchedPage } from '../support/browser.js';
import { DEMO_ADMIN_KEY } from '../../src/config/index.js';

test('console account: keys, webhook, ledger, team; sign-in hint; operator two-factor sign-in', async (t) => {
  const browser = await openBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const h = await demoHermod();
  t.after(() => h.stop());
  const base = `http://127.0.0.1:${h.apiPort}`;
  const w = await watchedPage(browser);
  const { page } = w;

  await page.goto(`${base}/`);
  await page.getByText('This is the demo.').waitFor();
  await w.shot('sign-in-demo-desktop');
  await signIn(page, base, 'demo', 'demo');

  // A top-up by the operator shows in the ledger.
  const credit = await fetch(`${base}/v1/admin/users/demo/credit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '5', note: 'invoice 7' }),
  });
  assert.equal(credit.status, 200);
  await navTo(page, 'Account');
  await page.getByRole('heading', { name: 'Balance & ledger' }).waitFor();
  await page.getByRole('cell', { name: 'invoice 7' }).waitFor();

  // An API key: created, shown once, it works; revoked, it is refused.
  await page.getByLabel("New key's label").fill('e2e');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const shown = page.getByLabel(/^New API key #\d+$/);
  const key = (await shown.textContent())!;
  assert.match(key, /^hk_/);
  const balance = (k: string) => fetch(`${base}/v1/balance`, { headers: { authorization: `Bearer ${k}` } });
  assert.equal((await balance(key)).status, 200);
  const id = /#(\d+)/.exec((await shown.getAttribute('aria-label'))!)![1];
  await page.getByRole('button', { name: `Revoke key #${id}` }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await page.getByRole('button', { name: `Revoke key #${id}` }).waitFor({ state: 'detached' });
  assert.equal((await balance(key)).status, 401);

  // The webhook URL, and a bad one named where it was typed.
  await page.getByLabel('Status webhook URL').fill('ftp://hooks.example/x');
  await page.getByRole('button', { name: 'Save URL' }).click();
  await page.getByText(/^url: refused/).waitFor();
  await page.getByLabel('Status webhook URL').fill('https://hooks.example/hermod');
  await page.getByRole('button', { name: 'Save URL' }).click();
  await page.getByText('Saved.').waitFor();
  assert.equal(
    await h.engine.account.callbackUrl((await h.gateway.services.accounts.byName('demo'))!.id),
    'https://hooks.example/hermod',
  );

  // A member invited with a role.
  await page.getByLabel('Email').fill('new@shop.example');
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  await page.getByRole('cell', { name: /^new@shop\.example/ }).waitFor();
  // Hermod sends no email: the invitation's token is shown once, to hand over.
  assert.match((await page.getByLabel('Invitation token for new@shop.example').textContent())!, /^hsp_/);
  await w.shot('account-settings-desktop');
  // The same page at phone width.
  await page.setViewportSize(PHONE);
  await page.getByRole('heading', { name: 'Team' }).scrollIntoViewIfNeeded();
  await w.shot('account-settings-phone');
  // Expected: the refused webhook URL's 400.
  assert.deepEqual(
    unexpectedErrors(w.errors).filter((e) => !/status of 400/.test(e)),
    [],
  );

  // Phone width: the operator turns on two-factor sign-in, then signs in with a code.
  const p = await watchedPage(browser, PHONE);
  await p.page.goto(`${base}/`);
  await p.page.getByText('This is the demo.').waitFor();
  await p.shot('sign-in-demo-phone');
  // At phone width the navigation is folded behind Menu (signIn waits for it); the first page says it is signed in.
  await signIn(p.page, base, 'admin', 'admin');
  await p.page.getByRole('heading', { name: 'Overview' }).waitFor();
  await navTo(p.page, 'Account');
  await p.page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const secret = (await p.page.getByLabel('Two-factor key').textContent())!;
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  await p.page.getByLabel('Code').fill(totp.generate());
  await p.page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await p.page.getByText('On: signing in asks for the code').waitFor();
  await p.shot('account-two-factor-phone');
  await p.page.getByRole('button', { name: 'Sign out' }).click();
  await p.page.getByLabel('Username').fill('admin');
  await p.page.getByLabel('Password').fill('admin');
  await p.page.getByRole('button', { name: 'Sign in' }).click();
  await p.page.getByLabel('Code').fill(totp.generate());
  await p.page.getByRole('button', { name: 'Sign in' }).click();
  // Back where the operator signed out from.
  await p.page.getByRole('heading', { name: 'Your sign-in' }).waitFor();
  await p.page.getByText('On: signing in asks for the code').waitFor();
  assert.deepEqual(unexpectedErrors(p.errors), []);
});
