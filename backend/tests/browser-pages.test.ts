/**
 * The login and activation pages in a real browser (headless Chromium,
 * without the extension): the scripts run under the CSP, the code login
 * reaches the demo service, and the eID button says the extension is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWatchedPage } from './browser.js';
import { STAFF, startTestBackend, type TestBackend } from './helpers.js';

const USERNAME = 'browser.user';
const PASSWORD = 'walking along the Meuse';
const EMAIL = 'browser.user@example.be';

let tb: TestBackend;
let browser: Browser;
let problems: string[] = [];

async function latestOutbox(match: (m: { recipient: string; subject: string; body: string }) => boolean): Promise<string> {
  const r = await tb.client().get('/api/dev/outbox', STAFF);
  const m = (r.json.messages as Array<{ recipient: string; subject: string; body: string }>).find(match);
  if (!m) throw new Error('no such message in the outbox');
  return m.body;
}

/** A page of a Dutch-speaking browser; console errors other than expected HTTP refusals are collected. */
async function newPage(): Promise<Page> {
  const opened = await openWatchedPage(browser);
  problems = opened.problems;
  return opened.page;
}

beforeAll(async () => {
  tb = await startTestBackend();
  browser = await launchBrowser();
  // An account with username, password and the e-mail key, made over the API.
  const owner = tb.client();
  await tb.eidLogin(owner);
  await owner.put('/api/keys/password', { username: USERNAME, password: PASSWORD });
  await owner.put('/api/profile/email', { email: EMAIL });
  const start = await owner.post('/api/keys/email/start', {});
  const body = await latestOutbox((m) => m.recipient === EMAIL && m.subject === 'Uw registratiecode');
  await owner.post('/api/keys/email/confirm', { registrationId: start.json.registrationId, code: /\d{6}/.exec(body)![0] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await tb?.stop();
});

describe('login page in Chromium', () => {
  it('logs in with username, password and an e-mail code, and reaches the demo service', async () => {
    const page = await newPage();
    await page.goto(`${tb.server.url}/demo?minLevel=400`);
    await page.click('#demo-login');
    await page.waitForURL(/\/login\?/);
    await page.getByRole('heading', { name: 'Kies uw digitale sleutel om aan te melden' }).waitFor();
    await page.click('button[data-key=email]');
    await page.fill('#username', USERNAME);
    await page.fill('#password', PASSWORD);
    await page.click('#credentials-form button[type=submit]');
    await page.locator('#code-form').waitFor({ state: 'visible', timeout: 10_000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nstatus: ${await page.locator('#code-status').textContent()}\nurl: ${page.url()}`);
    });
    expect(await page.locator('#code-info').textContent()).toContain('b***@example.be');
    const body = await latestOutbox((m) => m.recipient === EMAIL && m.subject === 'Uw beveiligingscode');
    await page.fill('#code', /\d{6}/.exec(body)![0]);
    await page.click('#code-form button[type=submit]');
    await page.waitForURL(/\/demo\/welcome/);
    await expect(page.locator('#person').textContent()).resolves.toContain('Alice Marie Peeters');
    await page.click('#logout');
    await page.waitForURL(/\/demo(\?|$)/);
    await page.goto(`${tb.server.url}/demo/welcome?minLevel=400`);
    await page.waitForURL(/\/login\?/); // logged out: the service sends the person to the login page
    expect(problems).toEqual([]);
  });

  it('shows a wrong password plainly and offers no weaker key than the service asks', async () => {
    const page = await newPage();
    await page.goto(`${tb.server.url}/login?minLevel=500&lang=en`);
    expect(await page.locator('button[data-key=email]').isDisabled()).toBe(true);
    expect(await page.locator('button[data-key=eid]').isDisabled()).toBe(false);
    await page.goto(`${tb.server.url}/login?lang=en`);
    await page.click('button[data-key=totp]');
    await page.fill('#username', USERNAME);
    await page.fill('#password', 'not the password at all');
    await page.click('#credentials-form button[type=submit]');
    await page.locator('#code-status').filter({ hasText: 'Login failed' }).waitFor();
  });

  it('says clearly that the extension is missing when the eID button is used without it', async () => {
    const page = await newPage();
    await page.goto(`${tb.server.url}/login?lang=nl`);
    await page.click('button[data-key=eid]');
    await page.click('#eid-login');
    await page.locator('#eid-status').filter({ hasText: 'extensie werd niet gevonden' }).waitFor({ timeout: 5000 });
    expect(await page.locator('#eid-status').textContent()).toContain('Installeer de extensie');
  });
});

describe('activation page in Chromium', () => {
  it('walks through paper code, key choice and registration code', async () => {
    const staff = await tb.client().post('/api/lra/activation-codes', { nationalNumber: '85073000160', email: 'piet@example.be', givenNames: 'Piet', surname: 'Wouters' }, { Authorization: 'Bearer test-admin-token' });
    const mail = await latestOutbox((m) => m.recipient === 'piet@example.be' && m.subject.includes('activatie'));
    const link = /(http:\/\/\S+)/.exec(mail)![1]!;
    const page = await newPage();
    await page.goto(link);
    await page.fill('#activation-code', staff.json.activationCode as string);
    await page.click('#activation-form button[type=submit]');
    await page.locator('#key-step').waitFor({ state: 'visible' });
    await page.fill('#new-username', 'piet.wouters');
    await page.fill('#new-password', 'a quiet street in Namur');
    await page.fill('#new-password-2', 'a quiet street in Namur');
    await page.click('#key-form button[type=submit]');
    await page.locator('#confirm-step').waitFor({ state: 'visible' });
    const code = /\d{6}/.exec(await latestOutbox((m) => m.recipient === 'piet@example.be' && m.subject === 'Uw registratiecode'))![0];
    await page.fill('#registration-code', code);
    await page.click('#confirm-form button[type=submit]');
    await page.locator('#done-step').filter({ hasText: 'Uw digitale sleutel is nu geactiveerd.' }).waitFor();
    expect(problems).toEqual([]);
  });
});
