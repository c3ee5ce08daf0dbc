/**
 * The whole path on the backend's own login page: Chromium with the built
 * extension, the real native host and the virtual eID card in the vpcd
 * reader. The page speaks the Web eID protocol to the extension (any https
 * page) and window.eidBridge once the person allows the site; the backend
 * validates the card's token and the demo service shows the person.
 */
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { CHROME_EXTENSION_DIR, ensureBuilt, hostEnv, HOST_SCRIPT, installHost, tempDir, type TempDir } from '../../tests/e2e/helpers/browsers.js';
import { CARD_PIN, insertVirtualCard, type TestCard } from '../../tests/e2e/helpers/card.js';
import { chooseCertificate, enterPin, waitForDialogReady, type DriverPage } from '../../tests/e2e/helpers/dialog-driver.js';
import { startTestBackend, type TestBackend } from './helpers.js';
import { chromiumExtensionArgs } from '../../devtools/chromium.js';

const EXTENSION_ORIGIN = `chrome-extension://${CHROME_EXTENSION_ID}`;

describe('login page with the extension, the native host and the virtual card (Chromium)', () => {
  let tb: TestBackend;
  let card: TestCard;
  let profile: TempDir;
  let context: BrowserContext;

  beforeAll(async () => {
    ensureBuilt('chrome');
    card = await insertVirtualCard();
    tb = await startTestBackend({ pki: card.card.pki, config: { http: false } });
    profile = tempDir('eid-bridge-backend-e2e-');
    installHost({ browser: 'chromium', userDataDir: profile.path, hostScript: HOST_SCRIPT, env: hostEnv(join(profile.path, 'host.log')) });
    context = await chromium.launchPersistentContext(profile.path, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      ignoreHTTPSErrors: true,
      locale: 'nl-BE',
      args: chromiumExtensionArgs(CHROME_EXTENSION_DIR),
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await card?.close();
    await tb?.stop();
    profile?.remove();
  });

  async function nextDialog(): Promise<DriverPage> {
    for (;;) {
      const page = await context.waitForEvent('page', { timeout: 20_000 });
      await page.waitForLoadState('domcontentloaded');
      if (page.url().startsWith(`${EXTENSION_ORIGIN}/dialog.html`)) {
        await waitForDialogReady(page as unknown as DriverPage);
        return page as unknown as DriverPage;
      }
    }
  }

  async function logInWithCard(page: Page): Promise<void> {
    await page.goto(`${tb.server.url}/demo?minLevel=500`);
    await page.click('#demo-login');
    await page.click('button[data-key=eid]');
    const dialogOpened = nextDialog();
    await page.click('#eid-login');
    const dialog = await dialogOpened;
    await chooseCertificate(dialog, card.authenticationCertificate);
    await enterPin(dialog, CARD_PIN);
    await page.waitForURL(/\/demo\/welcome/, { timeout: 30_000 });
    expect(await page.locator('#person').textContent()).toContain(`${card.card.pki.person.givenNames} ${card.card.pki.person.surname}`);
  }

  it('logs in over the Web eID protocol on a site the extension does not know', async () => {
    const page = await context.newPage();
    expect(await page.evaluate(() => 'eidBridge' in window)).toBe(false);
    await logInWithCard(page);
    await page.close();
  });

  it('logs in through window.eidBridge once the person allows the site', async () => {
    const options = await context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    await options.waitForSelector('#allowed-origins');
    await options.fill('#allowed-origins', tb.server.origin);
    await options.click('#save');
    await options.waitForSelector('#saved');
    await options.close();
    const page = await context.newPage();
    await page.goto(`${tb.server.url}/login`);
    await expect.poll(() => page.evaluate(() => 'eidBridge' in window)).toBe(true);
    await logInWithCard(page);
    await page.close();
  });
});
