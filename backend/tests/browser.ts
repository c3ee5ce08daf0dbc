/** A headless Chromium for the page tests, and pages whose console errors and script failures are collected. */
import { chromium, type Browser, type Page } from 'playwright-core';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

export interface WatchedPage {
  page: Page;
  /** Console errors other than the browser's note on an expected HTTP refusal (4xx), and uncaught script errors. */
  problems: string[];
}

/** A page of a Dutch-speaking browser, with these cookies for the backend. */
export async function openWatchedPage(browser: Browser, cookies: Array<{ name: string; value: string; url: string }> = []): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: 'nl-BE' });
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/the server responded with a status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}
