/** How eID Bridge starts Firefox with the extension: the demo and the benchmarks (over WebDriver BiDi, puppeteer-core). */
import type { Browser, Page } from 'puppeteer-core';
import { GECKO_EXTENSION_ID } from '../shared/native-host-name.js';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** A fixed internal UUID for the extension, so its pages have a known moz-extension:// origin. */
export const FIREFOX_EXTENSION_UUID = '7d1c3f0e-2b4a-4c5d-8e6f-0a1b2c3d4e5f';
export const FIREFOX_EXTENSION_ORIGIN = `moz-extension://${FIREFOX_EXTENSION_UUID}`;

export interface FirefoxOptions {
  /** Firefox finds native-host manifests under $HOME/.mozilla: each run gets a home of its own. */
  home: string;
  /** The built extension folder (.output/firefox-mv3). */
  extensionDir: string;
  headless: boolean;
  /**
   * Lets the driver open the extension's own pages (popup.html, options.html) in a tab. Firefox's
   * WebDriver BiDi refuses to navigate to a moz-extension:// address unless it is started with
   * --remote-allow-system-access, which also opens its privileged browser parts to the driver: for
   * tests and the demo only, never a browser a person uses.
   */
  extensionPages?: boolean;
}

export async function launchFirefoxWithExtension(o: FirefoxOptions): Promise<Browser> {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: o.headless,
    acceptInsecureCerts: true,
    ...(o.extensionPages ? { args: ['--remote-allow-system-access'] } : {}),
    env: { ...process.env, HOME: o.home, ...(o.headless ? { MOZ_HEADLESS: '1' } : {}) },
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_EXTENSION_ID]: FIREFOX_EXTENSION_UUID }) },
  });
  try {
    await browser.installExtension(o.extensionDir);
  } catch (e) {
    await browser.close();
    throw e;
  }
  return browser;
}

/**
 * The next window of the extension's card dialog that is not among `known`
 * (which it joins), or undefined after `timeoutMs`.
 */
export async function nextDialogWindow(browser: Browser, known: Set<Page>, timeoutMs = 20_000): Promise<Page | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const p of await browser.pages()) {
      if (known.has(p)) continue;
      // Over WebDriver BiDi an extension window's url() may read about:blank: ask the page itself.
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(`${FIREFOX_EXTENSION_ORIGIN}/dialog.html`)) {
        known.add(p);
        return p;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/**
 * Opens one of the extension's pages (e.g. '/popup.html') in `page`, a tab of a browser launched
 * with `extensionPages`, and waits until `readySelector` is on it. The navigation itself is not
 * awaited: Firefox moves the tab into the extension process, and the driver never hears that the
 * load finished (the page answers all the same).
 */
export async function openFirefoxExtensionPage(page: Page, path: string, readySelector: string): Promise<void> {
  // Now and then, on a busy machine, the driver's wait fails inside Firefox's remote agent while the
  // tab changes process ("right-hand side of 'in' should be an object, got null"): navigate again.
  for (let attempt = 1; ; attempt++) {
    page.goto(`${FIREFOX_EXTENSION_ORIGIN}${path}`).catch(() => undefined);
    try {
      await page.waitForSelector(readySelector, { timeout: 20_000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}
