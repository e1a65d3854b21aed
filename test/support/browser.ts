/**
 * A real browser for the console tests: Debian's chromium driven by playwright-core. Skips
 * loudly without it (fails under CI=true). Every page opened records its console errors
 * and uncaught exceptions, which a test asserts are none; screenshots go under
 * test-results/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireTool } from './services.js';

export const CHROMIUM = process.env.HERMOD_CHROMIUM ?? '/usr/bin/chromium';

export async function openBrowser(t: TestContext): Promise<Browser | undefined> {
  if (
    !requireTool(t, `chromium at ${CHROMIUM}`, () => {
      if (!existsSync(CHROMIUM)) throw new Error('not installed (apt-get install chromium)');
    })
  )
    return undefined;
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  /** A full-page screenshot as test-results/<name>.png. */
  shot(name: string): Promise<void>;
}

export async function watchedPage(browser: Browser, viewport = DESKTOP): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  mkdirSync('test-results', { recursive: true });
  return {
    page,
    errors,
    shot: async (name) => {
      await page.screenshot({ path: `test-results/${name}.png`, fullPage: true });
    },
  };
}

/**
 * Signs in on the sign-in page at `base` (the console's origin) and waits for the first page:
 * its main navigation, or at phone width the Menu button that folds it.
 */
export async function signIn(page: Page, base: string, user: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByRole('navigation', { name: 'Main' })
    .or(page.getByRole('button', { name: 'Menu' }))
    .filter({ visible: true })
    .first()
    .waitFor();
}

/** Follows a link of the main navigation, opening the menu first at phone width. */
export async function navTo(page: Page, name: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

/** Console errors a test may expect: the 401 of a signed-out page, the 403 of a refused one. */
export const unexpectedErrors = (errors: string[]): string[] =>
  errors.filter((e) => !/\b(401|403)\b|Unauthorized|Forbidden/.test(e));
