/**
 * The popup end to end in the real Firefox ESR (Puppeteer over WebDriver
 * BiDi): the scenarios of helpers/popup-scenarios.ts, as Chromium runs them
 * (popup.test.ts). Firefox gives the extension a moz-extension:// origin of
 * its own; the backend is not told it.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchFirefoxWithExtension, nextDialogWindow, openFirefoxExtensionPage } from '../../devtools/firefox.js';
import { FIREFOX_EXTENSION_DIR, hostEnv, HOST_SCRIPT, installHost } from './helpers/browsers.js';
import { waitForDialogReady } from './helpers/dialog-driver.js';
import { popupScenarios, type LaunchOptions, type PopupBrowser, type UiPage } from './helpers/popup-scenarios.js';

/** Puppeteer's page calls in the scenarios' shape: like Playwright, each waits for its element first. */
function uiPage(page: Page): UiPage {
  const element = async (selector: string) => {
    const handle = await page.waitForSelector(selector, { timeout: 10_000 });
    if (!handle) throw new Error(`no ${selector}`);
    return handle;
  };
  return {
    evaluate: (fn) => page.evaluate(fn),
    click: (selector) => page.locator(selector).click(),
    type: (selector, text) => page.type(selector, text),
    focus: (selector) => page.focus(selector),
    waitForSelector: (selector, options) => page.waitForSelector(selector, options),
    keyboard: page.keyboard,
    screenshot: (options) => page.screenshot(options),
    fill: (selector, value) => page.locator(selector).fill(value),
    selectOption: async (selector, value) => void (await (await element(selector)).select(value)),
    check: async (selector) => {
      if (!(await (await element(selector)).evaluate((e) => (e as HTMLInputElement).checked))) await page.locator(selector).click();
    },
    textContent: async (selector) => (await element(selector)).evaluate((e) => e.textContent),
    getAttribute: async (selector, name) => (await element(selector)).evaluate((e, n) => e.getAttribute(n), name),
    inputValue: async (selector) => (await element(selector)).evaluate((e) => (e as HTMLInputElement).value),
    attributeOfAll: (selector, name) => page.$$eval(selector, (elements, n) => elements.map((e) => e.getAttribute(n)), name),
    waitForText: async (selector, text) => void (await page.waitForFunction((s, t) => document.querySelector(s)?.textContent?.includes(t), {}, selector, text)),
    goto: async (url) => void (await page.goto(url)),
    close: () => page.close(),
  };
}

async function launch(options: LaunchOptions): Promise<PopupBrowser> {
  // Firefox looks for host manifests under $HOME/.mozilla: the profile folder is this browser's home.
  if (options.host) {
    installHost({
      browser: 'firefox',
      home: options.profile.path,
      platform: 'linux',
      hostScript: HOST_SCRIPT,
      env: { ...hostEnv(join(options.profile.path, 'host.log')), ...options.hostEnv },
    });
  }
  const browser: Browser = await launchFirefoxWithExtension({ home: options.profile.path, extensionDir: FIREFOX_EXTENSION_DIR, headless: true, extensionPages: true });
  const newTab = async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 420, height: 720 });
    return page;
  };
  const windowsHandedOut = new Set<Page>();
  const extensionPage = async (path: string, readySelector: string) => {
    const page = await newTab();
    await openFirefoxExtensionPage(page, path, readySelector);
    return uiPage(page);
  };
  return {
    extensionPage,
    webPage: async () => uiPage(await newTab()),
    clearCookies: async () => browser.deleteCookie(...(await browser.cookies())),
    nextDialog() {
      // The windows open now; the dialog is the first new one.
      const known = browser.pages().then((pages) => new Set(pages));
      return known.then(async (set) => {
        const page = await nextDialogWindow(browser, set);
        if (!page) throw new Error('no dialog window opened');
        const dialog = uiPage(page);
        await waitForDialogReady(dialog);
        return dialog;
      });
    },
    async nextWindow(reached) {
      // Found by its address, not by being new: the window may open before the list of pages is read.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        for (const page of await browser.pages()) {
          if (windowsHandedOut.has(page)) continue;
          // Over WebDriver BiDi a new window's url() may lag: ask the page itself.
          if (reached(await page.evaluate(() => location.href).catch(() => ''))) {
            windowsHandedOut.add(page);
            return uiPage(page);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('no new window reached the expected address');
    },
    close: () => browser.close(),
  };
}

popupScenarios({ name: 'Firefox ESR', artifactPrefix: 'popup-firefox', build: 'firefox', launch });
