/**
 * Debian's Chromium driven by playwright-core, for the console tests: headless, no sandbox (CI
 * containers), no background traffic; pages fail their test on any console error or page error
 * except the refusals a test announces beforehand.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium executable, or undefined when none is installed. */
export const chromiumPath: string | undefined = CANDIDATES.find((p): p is string => p !== undefined && existsSync(p));

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath as string,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--disable-sync', '--no-first-run'],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far (expected refusals excluded). */
  errors: string[];
  /** The next failed request to a URL containing `urlPart` is a refusal the test causes on purpose. */
  expectRefusal(urlPart: string): void;
}

export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  // Well inside the test timeout, so that a missing element fails with its own message.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  const expected: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    // Chromium logs every 4xx answer to fetch as "Failed to load resource"; announced refusals are the test's point.
    const at = expected.findIndex((part) => url.includes(part) && message.text().startsWith('Failed to load resource'));
    if (at >= 0) expected.splice(at, 1);
    else errors.push(`${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return { page, context, errors, expectRefusal: (part) => expected.push(part) };
}
