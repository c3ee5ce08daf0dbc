/**
 * Chromium with the built extension and the real native host registered in a
 * profile of its own, for the tests that drive the backend's pages with the
 * virtual card: the browser, the next card dialog the extension opens, and
 * the options-page step by which a person allows a site window.eidBridge;
 * and the whole scene of the signing tests (startSigningScene).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { chromiumExtensionArgs } from '../../devtools/chromium.js';
import { CHROME_EXTENSION_DIR, ensureBuilt, hostEnv, HOST_SCRIPT, installHost, tempDir, type TempDir } from '../../tests/e2e/helpers/browsers.js';
import { CARD_PIN, insertVirtualCard, type TestCard } from '../../tests/e2e/helpers/card.js';
import { chooseCertificate, enterPin, waitForDialogReady, type DriverPage } from '../../tests/e2e/helpers/dialog-driver.js';
import { startTestBackend, type TestBackend } from './helpers.js';

export const EXTENSION_ORIGIN = `chrome-extension://${CHROME_EXTENSION_ID}`;

export interface ExtensionBrowser {
  context: BrowserContext;
  /** The next card dialog window the extension opens, once it shows the site. */
  nextDialog(): Promise<DriverPage>;
  /** Adds `origin` to the allowed sites on the options page, as a person does. */
  allowSite(origin: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchChromiumWithExtension(options: { profilePrefix: string; locale: string; acceptDownloads?: boolean }): Promise<ExtensionBrowser> {
  ensureBuilt('chrome');
  const profile: TempDir = tempDir(options.profilePrefix);
  installHost({ browser: 'chromium', userDataDir: profile.path, hostScript: HOST_SCRIPT, env: hostEnv(join(profile.path, 'host.log')) });
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    locale: options.locale,
    ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
    args: chromiumExtensionArgs(CHROME_EXTENSION_DIR),
  });
  return {
    context,
    async nextDialog() {
      for (;;) {
        const page = await context.waitForEvent('page', { timeout: 20_000 });
        await page.waitForLoadState('domcontentloaded');
        if (page.url().startsWith(`${EXTENSION_ORIGIN}/dialog.html`)) {
          await waitForDialogReady(page as unknown as DriverPage);
          return page as unknown as DriverPage;
        }
      }
    },
    async allowSite(origin) {
      const page = await context.newPage();
      await page.goto(`${EXTENSION_ORIGIN}/options.html`);
      await page.waitForSelector('#allowed-origins');
      await page.fill('#allowed-origins', origin);
      await page.click('#save');
      await page.waitForSelector('#saved');
      await page.close();
    },
    async close() {
      await context.close();
      profile.remove();
    },
  };
}

/** What the signing tests stand on: the virtual card, a backend trusting its PKI, Chromium allowed on that backend, a work folder. */
export interface SigningScene {
  card: TestCard;
  tb: TestBackend;
  browser: ExtensionBrowser;
  workDir: string;
  close(): Promise<void>;
}

export async function startSigningScene(name: string, options: { acceptDownloads?: boolean } = {}): Promise<SigningScene> {
  const card = await insertVirtualCard();
  const tb = await startTestBackend({ pki: card.card.pki, config: { http: false } });
  const workDir = await mkdtemp(join(tmpdir(), `eid-bridge-${name}-`));
  const browser = await launchChromiumWithExtension({ profilePrefix: `eid-bridge-${name}-`, locale: 'en-GB', ...options });
  // The person allows the backend's site on the options page, so its pages get window.eidBridge.
  await browser.allowSite(tb.server.origin);
  return {
    card,
    tb,
    browser,
    workDir,
    async close() {
      await browser.close();
      await card.close();
      await tb.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * On the backend's key choice (the login page `page` shows): "AANMELDEN met eID kaartlezer", the
 * card's authentication certificate and PIN in the extension's dialog, then back at `backTo`.
 */
export async function logInWithCardOnKeyChoice(browser: ExtensionBrowser, page: Page, card: TestCard, backTo: RegExp): Promise<void> {
  await page.click('button[data-key=eid]');
  const dialogOpened = browser.nextDialog();
  await page.click('#eid-login');
  const dialog = await dialogOpened;
  await chooseCertificate(dialog, card.authenticationCertificate);
  await enterPin(dialog, CARD_PIN);
  await page.waitForURL(backTo, { timeout: 30_000 });
}
