/**
 * The popup end to end in the real Chromium (Playwright): the scenarios of
 * helpers/popup-scenarios.ts, which Firefox ESR runs too (popup-firefox.test.ts).
 */
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { CHROME_EXTENSION_DIR, hostEnv, HOST_SCRIPT, installHost } from './helpers/browsers.js';
import { waitForDialogReady } from './helpers/dialog-driver.js';
import { popupScenarios, type LaunchOptions, type PopupBrowser, type UiPage } from './helpers/popup-scenarios.js';
import { CHROMIUM_PATH, chromiumExtensionArgs } from '../../devtools/chromium.js';

const EXTENSION_ORIGIN = `chrome-extension://${CHROME_EXTENSION_ID}`;

function uiPage(page: Page): UiPage {
  return {
    evaluate: (fn) => page.evaluate(fn),
    click: (selector) => page.click(selector),
    type: (selector, text) => page.type(selector, text),
    focus: (selector) => page.focus(selector),
    waitForSelector: (selector, options) => page.waitForSelector(selector, options),
    keyboard: page.keyboard,
    screenshot: (options) => page.screenshot(options),
    fill: (selector, value) => page.fill(selector, value),
    selectOption: async (selector, value) => void (await page.selectOption(selector, value)),
    check: (selector) => page.check(selector),
    textContent: (selector) => page.textContent(selector),
    getAttribute: (selector, name) => page.getAttribute(selector, name),
    inputValue: (selector) => page.inputValue(selector),
    attributeOfAll: (selector, name) => page.$$eval(selector, (elements, n) => elements.map((e) => e.getAttribute(n)), name),
    waitForText: async (selector, text) => void (await page.waitForFunction(([s, t]) => document.querySelector(s)?.textContent?.includes(t), [selector, text] as const)),
    goto: async (url) => void (await page.goto(url)),
    close: () => page.close(),
  };
}

async function launch(options: LaunchOptions): Promise<PopupBrowser> {
  if (options.host) {
    installHost({
      browser: 'chromium',
      userDataDir: options.profile.path,
      hostScript: HOST_SCRIPT,
      env: { ...hostEnv(join(options.profile.path, 'host.log')), ...options.hostEnv },
    });
  }
  const context: BrowserContext = await chromium.launchPersistentContext(options.profile.path, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 420, height: 720 },
    args: chromiumExtensionArgs(CHROME_EXTENSION_DIR),
  });
  const extensionPage = async (path: string, readySelector: string) => {
    const page = await context.newPage();
    await page.goto(`${EXTENSION_ORIGIN}${path}`);
    await page.waitForSelector(readySelector);
    return uiPage(page);
  };
  return {
    extensionPage,
    webPage: async () => uiPage(await context.newPage()),
    clearCookies: () => context.clearCookies(),
    async nextDialog() {
      for (;;) {
        const page = await context.waitForEvent('page', { timeout: 20_000 });
        await page.waitForLoadState('domcontentloaded');
        if (page.url().startsWith(`${EXTENSION_ORIGIN}/dialog.html`)) {
          const dialog = uiPage(page);
          await waitForDialogReady(dialog);
          return dialog;
        }
      }
    },
    async nextWindow(reached) {
      const page = await context.waitForEvent('page', { timeout: 20_000 });
      await page.waitForURL((url) => reached(url.href), { timeout: 20_000 });
      return uiPage(page);
    },
    close: () => context.close(),
  };
}

popupScenarios({ name: 'Chromium', artifactPrefix: 'popup', build: 'chrome', launch });
