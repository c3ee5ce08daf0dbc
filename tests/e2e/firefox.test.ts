/**
 * End to end in the real Firefox ESR over WebDriver BiDi (puppeteer-core): the
 * built extension, the real native host registered with install-host into the
 * test's own HOME (~/.mozilla/native-messaging-hosts), and the virtual BELPIC
 * card in the vpcd reader of the real pcscd.
 */
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GECKO_EXTENSION_ID } from '../../shared/native-host-name.js';
import { artifactPath, ensureBuilt, FIREFOX_EXTENSION_DIR, hostEnv, HOST_SCRIPT, installHost, tempDir, type TempDir } from './helpers/browsers.js';
import { CARD_PIN, insertVirtualCard, type TestCard } from './helpers/card.js';
import { NO_PIN_TO_THE_OTHER_CARD, swapCardWhileTypingPin } from './helpers/card-swap.js';
import { chooseCertificate, enterPin, pressCancel, readDialog, switchLanguage, waitForDialogReady, waitForProblem, type DriverPage } from './helpers/dialog-driver.js';
import { startTestSite, type TestSite } from './helpers/test-site.js';
import { tokenVerifies, type Token } from './helpers/token.js';

/** A fixed internal UUID, so the test knows the extension's moz-extension:// origin. */
const EXTENSION_UUID = '5b2a1d5e-0c1f-4d4e-9a43-1e2b3c4d5e6f';
const EXTENSION_ORIGIN = `moz-extension://${EXTENSION_UUID}`;

async function launch(home: string): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    headless: true,
    acceptInsecureCerts: true,
    // Firefox looks for host manifests under $HOME/.mozilla/native-messaging-hosts.
    env: { ...process.env, HOME: home, MOZ_HEADLESS: '1' },
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_EXTENSION_ID]: EXTENSION_UUID }),
      'intl.locale.requested': 'en-US',
    },
  });
  const id = await browser.installExtension(FIREFOX_EXTENSION_DIR);
  if (id !== GECKO_EXTENSION_ID) throw new Error(`installed as ${id}`);
  return browser;
}

/**
 * The next dialog window. Over BiDi an extension window's url() may read
 * about:blank, so each new page is asked for its own location.
 */
async function nextDialog(browser: Browser, known: Set<Page>): Promise<Page> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    for (const page of await browser.pages()) {
      if (known.has(page)) continue;
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(`${EXTENSION_ORIGIN}/dialog.html`)) {
        known.add(page);
        await waitForDialogReady(page as unknown as DriverPage);
        return page;
      }
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error('no dialog window opened');
}

async function waitClosed(browser: Browser, page: Page): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (page.isClosed() || !(await browser.pages()).includes(page)) return;
    // A page object of a closed window may linger in the list; it no longer answers.
    const alive = await Promise.race([page.evaluate(() => true).catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
    if (!alive) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error('the dialog did not close');
}

function nonce(): string {
  return randomBytes(32).toString('base64');
}

type Reply = Record<string, unknown> & { action: string; ackMs?: number; error?: { code: string; message: string; hint?: string } };

function webEid(page: Page, action: string, body: Record<string, unknown>): Promise<Reply> {
  return page.evaluate((a, b) => (window as unknown as { webEid(a: string, b: unknown): Promise<Reply> }).webEid(a, b), action, body);
}

type BridgeReply = { ok: true; result: Record<string, unknown> } | { ok: false; code: string; webEidCode: string; message: string };

function bridge(page: Page, method: string, args: unknown[]): Promise<BridgeReply> {
  return page.evaluate((m, a) => (window as unknown as { bridgeCall(m: string, a: unknown[]): Promise<BridgeReply> }).bridgeCall(m, a), method, args);
}

describe('Firefox with the extension, the native host and a card', () => {
  let site: TestSite;
  let card: TestCard;
  let home: TempDir;
  let browser: Browser;
  let page: Page;
  const known = new Set<Page>();

  beforeAll(async () => {
    ensureBuilt('firefox');
    site = await startTestSite();
    card = await insertVirtualCard();
    home = tempDir('eid-e2e-firefox-');
    installHost({ browser: 'firefox', home: home.path, platform: 'linux', hostScript: HOST_SCRIPT, env: hostEnv(join(home.path, 'host.log')) });
    browser = await launch(home.path);
    page = await browser.newPage();
    for (const p of await browser.pages()) known.add(p);
    await page.goto(`${site.httpsOrigin}/`);
  }, 120_000);

  // A failed test must not leave its dialog open: the next request would wait behind it in the queue.
  afterEach(async () => {
    for (const p of (await browser?.pages()) ?? []) {
      if (p === page) continue;
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(`${EXTENSION_ORIGIN}/dialog.html`)) await p.close().catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    if (home && existsSync(join(home.path, 'host.log'))) copyFileSync(join(home.path, 'host.log'), artifactPath('firefox-host.log'));
    await card?.close();
    await site?.close();
    home?.remove();
  });

  it('shows the dialog in the four languages (screenshots)', async () => {
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    const dialog = (await nextDialog(browser, known)) as unknown as DriverPage;
    for (const language of ['nl', 'fr', 'de', 'en']) {
      await switchLanguage(dialog, language);
      await dialog.screenshot({ path: artifactPath(`firefox-dialog-${language}.png`), fullPage: true });
    }
    await dialog.keyboard.press('Escape').catch(() => undefined);
    expect((await replyPromise).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
  });

  it('logs in through raw Web eID messages: acked within 1 s, the token verifies for this origin', async () => {
    const challenge = nonce();
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const dialog = (await nextDialog(browser, known)) as unknown as DriverPage;
    const view = await readDialog(dialog);
    expect(view.origin).toBe(new URL(site.httpsOrigin).host);
    expect(view.warning).toBe(true);
    expect(view.pinField).toEqual({ type: 'password', inputMode: 'numeric', labelled: true });
    await chooseCertificate(dialog, card.authenticationCertificate);
    await enterPin(dialog, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.action).toBe('web-eid:authenticate-success');
    expect(reply.ackMs).toBeLessThan(1000);
    expect(tokenVerifies(reply as unknown as Token, site.httpsOrigin, challenge)).toBe(true);
  });

  it('shows the tries left after a wrong PIN and lets the person retry', async () => {
    const challenge = nonce();
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const dialog = (await nextDialog(browser, known)) as unknown as DriverPage;
    await chooseCertificate(dialog, card.authenticationCertificate);
    await enterPin(dialog, '9999');
    expect(await waitForProblem(dialog)).toBe('Wrong PIN. You have 2 tries left.');
    await enterPin(dialog, CARD_PIN);
    const reply = await replyPromise;
    expect(tokenVerifies(reply as unknown as Token, site.httpsOrigin, challenge)).toBe(true);
  });

  it('answers ERR_WEBEID_USER_CANCELLED on Cancel and when the window is closed', async () => {
    let replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    let dialog = await nextDialog(browser, known);
    await pressCancel(dialog);
    expect((await replyPromise).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
    await waitClosed(browser, dialog);

    replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    dialog = await nextDialog(browser, known);
    await dialog.close();
    expect((await replyPromise).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
  });

  it('signs with consent after sharing the signing certificate', async () => {
    const certificatePromise = webEid(page, 'web-eid:get-signing-certificate', { options: { lang: 'en' } });
    let dialog = await nextDialog(browser, known);
    await chooseCertificate(dialog as unknown as DriverPage, card.signingCertificate);
    await dialog.click('#submit');
    const certificateReply = await certificatePromise;
    expect(certificateReply.certificate).toBe(card.signingCertificate);

    const document = Buffer.from('Je déclare que tout est exact.');
    const hash = createHash('sha384').update(document).digest();
    const signPromise = webEid(page, 'web-eid:sign', { certificate: card.signingCertificate, hash: hash.toString('base64'), hashFunction: 'SHA-384', options: { lang: 'fr' } });
    dialog = await nextDialog(browser, known);
    await chooseCertificate(dialog as unknown as DriverPage, card.signingCertificate);
    const view = await readDialog(dialog as unknown as DriverPage);
    expect(view.title).toBe("Signer avec l'eID");
    expect(view.hash).toBe(hash.toString('hex'));
    await enterPin(dialog as unknown as DriverPage, CARD_PIN);
    const signed = await signPromise;
    expect(signed.action).toBe('web-eid:sign-success');
    const certificate = new X509Certificate(Buffer.from(card.signingCertificate, 'base64'));
    expect(verify('sha384', document, { key: certificate.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.signature as string, 'base64'))).toBe(true);
  });

  it('gives window.eidBridge to an origin the person added, and it logs in and reads identity', async () => {
    // The options page is not reachable over BiDi navigation; the dialog is an extension page too, so the
    // setting is written from there, exactly as the options page writes it.
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    const dialog = await nextDialog(browser, known);
    await dialog.evaluate(
      new Function(`return browser.storage.local.set({ allowedOrigins: [${JSON.stringify(site.httpsOrigin)}] });`) as () => Promise<void>,
    );
    // Escape closes the window, which the driver reports as an error of the key press itself.
    await dialog.keyboard.press('Escape').catch(() => undefined);
    expect((await replyPromise).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
    // The background registers window.eidBridge for the new origin when the setting changes.
    const deadline = Date.now() + 10_000;
    do await page.reload();
    while (!(await page.evaluate(() => 'eidBridge' in window)) && Date.now() < deadline);
    expect(await bridge(page, 'status', [])).toEqual({ ok: true, result: { extension: '0.1.0', nativeApp: '0.1.0', cardPresent: true } });

    const challenge = nonce();
    const loginPromise = bridge(page, 'authenticate', [challenge, { lang: 'en' }]);
    const loginDialog = (await nextDialog(browser, known)) as unknown as DriverPage;
    await chooseCertificate(loginDialog, card.authenticationCertificate);
    await enterPin(loginDialog, CARD_PIN);
    const login = await loginPromise;
    expect(login.ok).toBe(true);
    if (login.ok) expect(tokenVerifies(login.result as unknown as Token, site.httpsOrigin, challenge)).toBe(true);

    const identityPromise = bridge(page, 'readIdentity', [{ includePhoto: true, lang: 'de' }]);
    const identityDialog = await nextDialog(browser, known);
    const view = await readDialog(identityDialog as unknown as DriverPage);
    expect(view.identityFields).toContain('Nationalregisternummer');
    expect(view.photoChoice).toBe(true);
    await chooseCertificate(identityDialog as unknown as DriverPage, card.authenticationCertificate);
    await identityDialog.click('#submit');
    const identity = await identityPromise;
    expect(identity.ok).toBe(true);
    if (identity.ok) {
      expect(identity.result).toMatchObject({ identity: { nationalNumber: card.card.pki.person.nationalNumber } });
      expect(typeof identity.result.photo).toBe('string');
    }
  });

  it('keeps the request alive while the person takes more than 30 s to type the PIN', async () => {
    const challenge = nonce();
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const dialog = (await nextDialog(browser, known)) as unknown as DriverPage;
    await new Promise((r) => setTimeout(r, 32_000));
    await chooseCertificate(dialog, card.authenticationCertificate);
    await enterPin(dialog, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.action).toBe('web-eid:authenticate-success');
    expect(tokenVerifies(reply as unknown as Token, site.httpsOrigin, challenge)).toBe(true);
  }, 90_000);

  it('sends no PIN to another card swapped in while the person typed it: the dialog asks for the right card', async () => {
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce(), options: { lang: 'en' } });
    const dialog = (await nextDialog(browser, known)) as unknown as DriverPage;
    await chooseCertificate(dialog, card.authenticationCertificate);
    expect(await swapCardWhileTypingPin(dialog, card, CARD_PIN)).toEqual(NO_PIN_TO_THE_OTHER_CARD);
    await pressCancel(dialog);
    expect((await replyPromise).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
  }, 60_000);

  it('refuses an http page', async () => {
    const http = await browser.newPage();
    known.add(http);
    await http.goto(`${site.httpOrigin}/`);
    const reply = await webEid(http, 'web-eid:authenticate', { challengeNonce: nonce() });
    expect(reply.error?.code).toBe('ERR_WEBEID_CONTEXT_INSECURE');
    await http.close();
  });

  it('refuses a sandboxed page (opaque origin) with ERR_WEBEID_CONTEXT_INSECURE', async () => {
    const sandboxed = await browser.newPage();
    known.add(sandboxed);
    await sandboxed.goto(`${site.httpsOrigin}/sandboxed`);
    const reply = await webEid(sandboxed, 'web-eid:authenticate', { challengeNonce: nonce() });
    expect(reply.error?.code).toBe('ERR_WEBEID_CONTEXT_INSECURE');
    await sandboxed.close();
  });

  it('exposes no web-accessible file: the extension\'s moz-extension:// address is not loadable from a page', async () => {
    const manifest = JSON.parse(readFileSync(join(FIREFOX_EXTENSION_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.web_accessible_resources).toBeUndefined();
    const probe = await page.evaluate(async (url) => fetch(url).then(() => 'loaded', () => 'refused'), `${EXTENSION_ORIGIN}/page-api.js`);
    expect(probe).toBe('refused');
  });

  it('closes the dialog when the page navigates away, and the reloaded page logs in', async () => {
    // Posted without waiting in the driver: an evaluation still running when the page navigates was seen
    // to run again in the new page (puppeteer over WebDriver BiDi), posting a second, real request whose
    // dialog then stood in the way of the next test.
    await page.evaluate((challengeNonce) => {
      void (window as unknown as { webEid(a: string, b: unknown): Promise<unknown> }).webEid('web-eid:authenticate', { challengeNonce });
    }, nonce());
    const dialog = await nextDialog(browser, known);
    await page.reload();
    await waitClosed(browser, dialog);

    const challenge = nonce();
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const next = (await nextDialog(browser, known)) as unknown as DriverPage;
    await chooseCertificate(next, card.authenticationCertificate);
    await enterPin(next, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.action).toBe('web-eid:authenticate-success');
    expect(tokenVerifies(reply as unknown as Token, site.httpsOrigin, challenge)).toBe(true);
  });
});

describe('Firefox without the native host', () => {
  let site: TestSite;
  let home: TempDir;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt('firefox');
    site = await startTestSite();
    home = tempDir('eid-e2e-firefox-nohost-');
    browser = await launch(home.path);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    home?.remove();
  });

  it('answers ERR_WEBEID_NATIVE_UNAVAILABLE with install instructions', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.httpsOrigin}/`);
    const reply = await webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    expect(reply).toMatchObject({ action: 'web-eid:authenticate-failure', error: { code: 'ERR_WEBEID_NATIVE_UNAVAILABLE' } });
    expect(reply.error?.hint).toMatch(/install-host/);
  });
});
