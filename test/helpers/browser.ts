import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); never a browser downloaded by Playwright. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Where screenshots go: test-results/screenshots/ (ignored by git), so a test run leaves the
 * tracked files as they were; `UPDATE_SCREENSHOTS=1 npm test` refreshes docs/screenshots/.
 */
export const SCREENSHOTS_DIR = path.resolve(process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots');

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a message on a
 * developer's machine, but in CI (CI set) a missing browser is a failure, never a silent skip.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  if (process.env.CI) throw new Error(`CI is set but ${CHROMIUM_PATH} is missing: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  const reason = `browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  console.warn(reason);
  return reason;
}

/** Headless Chromium with a fresh temporary profile (Playwright's default for launch()). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'],
  });
}

/** Problems the page reported: CSP violations, script errors, failed same-origin requests. */
export interface PageProblems {
  messages: string[];
}

/**
 * A new browser context (its own cookies) on `baseUrl`, phone-sized when asked, recording every
 * console error and page error so a test can assert that the page works under its CSP.
 */
export async function openPage(browser: Browser, baseUrl: string, options: { mobile?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
    viewport: options.mobile ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const problems: PageProblems = { messages: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.messages.push(message.text());
  });
  page.on('pageerror', (error) => problems.messages.push(error.message));
  return { context, page, problems };
}

/** Saves a full-page PNG under SCREENSHOTS_DIR. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A TCP port that was free a moment ago, so PUBLIC_URL can name the port before the server listens. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
