/**
 * The whole path on the backend's own login page: Chromium with the built
 * extension, the real native host and the virtual eID card in the vpcd
 * reader. The page speaks the Web eID protocol to the extension (any https
 * page) and window.eidBridge once the person allows the site; the backend
 * validates the card's token and the demo service shows the person.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertVirtualCard, type TestCard } from '../../tests/e2e/helpers/card.js';
import { logInWithCardOnKeyChoice, launchChromiumWithExtension, type ExtensionBrowser } from './extension-browser.js';
import { startTestBackend, type TestBackend } from './helpers.js';

describe('login page with the extension, the native host and the virtual card (Chromium)', () => {
  let tb: TestBackend;
  let card: TestCard;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    card = await insertVirtualCard();
    tb = await startTestBackend({ pki: card.card.pki, config: { http: false } });
    browser = await launchChromiumWithExtension({ profilePrefix: 'eid-bridge-backend-e2e-', locale: 'nl-BE' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await card?.close();
    await tb?.stop();
  });

  async function logInWithCard(page: Page): Promise<void> {
    await page.goto(`${tb.server.url}/demo?minLevel=500`);
    await page.click('#demo-login');
    await logInWithCardOnKeyChoice(browser, page, card, /\/demo\/welcome/);
    expect(await page.locator('#person').textContent()).toContain(`${card.card.pki.person.givenNames} ${card.card.pki.person.surname}`);
  }

  it('logs in over the Web eID protocol on a site the extension does not know', async () => {
    const page = await browser.context.newPage();
    expect(await page.evaluate(() => 'eidBridge' in window)).toBe(false);
    await logInWithCard(page);
    await page.close();
  });

  it('logs in through window.eidBridge once the person allows the site', async () => {
    await browser.allowSite(tb.server.origin);
    const page = await browser.context.newPage();
    await page.goto(`${tb.server.url}/login`);
    await expect.poll(() => page.evaluate(() => 'eidBridge' in window)).toBe(true);
    await logInWithCard(page);
    await page.close();
  });
});
