/**
 * "AANMELDEN via itsme" in real Chromium, as a person clicks through it: the key choice, the
 * stand-in provider's phone number page and countdown, its stand-in phone with "Ik log in" and
 * the 5-digit code, and back at the backend logged in; and a refusal on the phone, a wrong code,
 * the countdown running out, an unreachable provider, an ID token signed with another key, for
 * another audience or expired, and a replayed callback, each of which brings the person back to
 * the key choice with a message that says what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWatchedPage, type WatchedPage } from './browser.js';
import { startTestBackend, type TestBackend } from './helpers.js';
import { ItsmePairs, JAN } from './itsme-pair.js';
import { pageText } from '../pages/texts/index.js';

const pairs = new ItsmePairs();
let tb: TestBackend;
let browser: Browser;

beforeAll(async () => {
  tb = await pairs.start();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await pairs.stopAll();
});

/** From the Dutch key choice to the stand-in phone's confirmation; answers the code the waiting page showed. */
async function reachStandInPhone(page: Page, backend = tb): Promise<string> {
  await page.goto(`${backend.server.url}/login?lang=nl&minLevel=500&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`);
  expect(await page.locator('#itsme-login').innerText()).toContain('AANMELDEN via itsme');
  expect(await page.getByText('Je itsme-account aanmaken').count()).toBe(1);
  await page.click('#itsme-login');
  await page.waitForSelector('#phone');
  expect(await page.locator('#stand-in').innerText()).toContain('Vervanger van itsme');
  expect(await page.locator('.prefix').innerText()).toBe('BE (+32)');
  await page.fill('#phone', JAN.phone);
  await page.getByRole('button', { name: 'Verstuur' }).click();
  await page.waitForSelector('#itsme-code');
  expect(await page.locator('#countdown').innerText()).toMatch(/^[23]:[0-5]\d$/);
  const code = await page.locator('#itsme-code').innerText();
  expect(code).toMatch(/^\d{5}$/);
  await page.click('#open-phone');
  await page.getByRole('button', { name: 'Ik log in' }).click();
  await page.waitForSelector('#code');
  return code;
}

describe('itsme login in Chromium against the stand-in provider', () => {
  let watched: WatchedPage;
  beforeAll(async () => {
    watched = await openWatchedPage(browser);
  });

  it('logs the person in at level 500 through the provider pages and the stand-in phone', async () => {
    const { page, problems } = watched;
    const code = await reachStandInPhone(page);
    await page.fill('#code', code);
    await page.getByRole('button', { name: 'Bevestig' }).click();
    await page.waitForSelector('#person', { timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/demo/welcome');
    const facts = await page.locator('#person').innerText();
    expect(facts).toContain(JAN.name);
    expect(facts).toContain('AANMELDEN via itsme (niveau 500)');
    expect(problems).toEqual([]);
  }, 60_000);

  it('brings the person back to the key choice with what to do when they refuse on the phone', async () => {
    const { page, problems } = await openWatchedPage(browser);
    await reachStandInPhone(page);
    await page.getByRole('button', { name: 'Weigeren' }).click();
    await page.waitForSelector('#itsme-error');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/login');
    expect(url.searchParams.get('error')).toBe('ITSME_CANCELLED');
    expect(await page.locator('#itsme-error').innerText()).toBe(pageText('nl', 'itsmeCancelled'));
    // Still the key choice: the person can try again or take another key.
    expect(await page.locator('#itsme-login').isVisible()).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('brings the person back with what to do after a wrong 5-digit code', async () => {
    const { page, problems } = await openWatchedPage(browser);
    const code = await reachStandInPhone(page);
    await page.fill('#code', String((Number(code) + 1) % 100_000).padStart(5, '0'));
    await page.getByRole('button', { name: 'Bevestig' }).click();
    await page.waitForSelector('#itsme-error');
    expect(new URL(page.url()).searchParams.get('error')).toBe('ITSME_WRONG_CODE');
    expect(await page.locator('#itsme-error').innerText()).toBe(pageText('nl', 'itsmeWrongCode'));
    expect(problems).toEqual([]);
  }, 60_000);

  it('ends the login when the countdown runs out and says the time ran out', async () => {
    // The stand-in's 3 minutes shortened to 3 seconds: the waiting page's countdown ends the login by itself.
    const shortTime = await pairs.start({ confirmSeconds: 3 });
    const { page, problems } = await openWatchedPage(browser);
    await page.goto(`${shortTime.server.url}/login?lang=nl`);
    await page.click('#itsme-login');
    await page.fill('#phone', JAN.phone);
    await page.getByRole('button', { name: 'Verstuur' }).click();
    await page.waitForSelector('#itsme-code');
    await page.waitForSelector('#itsme-error', { timeout: 15_000 });
    expect(new URL(page.url()).searchParams.get('error')).toBe('ITSME_EXPIRED');
    expect(await page.locator('#itsme-error').innerText()).toBe(pageText('nl', 'itsmeExpired'));
    expect(problems).toEqual([]);
  }, 60_000);

  for (const tamper of ['other-key', 'other-audience', 'expired'] as const) {
    it(`refuses an ID token ${tamper === 'other-key' ? 'signed with another key' : tamper === 'other-audience' ? 'for another audience' : 'that has expired'}: the person is back at the key choice, not logged in`, async () => {
      const tampered = await pairs.start({ tamper });
      const { page } = await openWatchedPage(browser);
      const code = await reachStandInPhone(page, tampered);
      await page.fill('#code', code);
      await page.getByRole('button', { name: 'Bevestig' }).click();
      await page.waitForSelector('#itsme-error', { timeout: 20_000 });
      const url = new URL(page.url());
      expect(url.pathname).toBe('/login');
      expect(url.searchParams.get('error')).toBe('ITSME_REFUSED');
      expect(await page.locator('#itsme-error').innerText()).toBe(pageText('nl', 'itsmeRefused'));
      expect(await page.evaluate(() => fetch('/api/session').then((r) => r.json()))).toMatchObject({ authenticated: false });
    }, 60_000);
  }

  it('refuses the same callback shown again (a replay): the person is sent back to the key choice', async () => {
    const { page } = await openWatchedPage(browser);
    const code = await reachStandInPhone(page);
    let callback: string | undefined;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/itsme/callback') callback = request.url();
    });
    await page.fill('#code', code);
    await page.getByRole('button', { name: 'Bevestig' }).click();
    await page.waitForSelector('#person', { timeout: 20_000 });
    expect(callback).toBeDefined();
    // Logged out, then the same callback again, as someone who captured it would try.
    await page.evaluate(() => fetch('/api/logout', { method: 'POST' }));
    await page.goto(callback!);
    await page.waitForSelector('#itsme-error');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('error')).toBe('ITSME_NOT_STARTED');
    expect(await page.evaluate(() => fetch('/api/session').then((r) => r.json()))).toMatchObject({ authenticated: false });
  }, 60_000);

  it('says itsme cannot be reached when the provider does not answer', async () => {
    // A loopback port nothing listens on: the provider's metadata cannot be read.
    const unreachable = await startTestBackend({ config: { itsme: { issuerUrl: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y', nationalNumberClaim: 'national_number' } } });
    try {
      const { page } = await openWatchedPage(browser);
      await page.goto(`${unreachable.server.url}/login?lang=nl`);
      await page.click('#itsme-login');
      await page.waitForSelector('#itsme-error');
      expect(new URL(page.url()).searchParams.get('error')).toBe('ITSME_UNREACHABLE');
      expect(await page.locator('#itsme-error').innerText()).toBe(pageText('nl', 'itsmeUnreachable'));
    } finally {
      await unreachable.stop();
    }
  }, 60_000);
});
