/**
 * End to end in the real Chromium: the built extension, the real native host
 * registered with install-host into the test profile, and the virtual BELPIC
 * card in the vpcd reader of the real pcscd. A person's part (choosing the
 * certificate, typing the PIN, cancelling) is played through the dialog window.
 */
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { artifactPath, CHROME_EXTENSION_DIR, ensureBuilt, hostEnv, HOST_SCRIPT, installHost, tempDir, type TempDir } from './helpers/browsers.js';
import { CARD_PIN, insertVirtualCard, type TestCard } from './helpers/card.js';
import { NO_PIN_TO_THE_OTHER_CARD, swapCardWhileTypingPin } from './helpers/card-swap.js';
import { chooseCertificate, enterPin, pressCancel, readDialog, switchLanguage, waitForDialogReady, waitForProblem, type DriverPage } from './helpers/dialog-driver.js';
import { startTestSite, type TestSite } from './helpers/test-site.js';
import { tokenVerifies, type Token } from './helpers/token.js';
import { CHROMIUM_PATH, chromiumExtensionArgs } from '../../devtools/chromium.js';

const EXTENSION_ORIGIN = `chrome-extension://${CHROME_EXTENSION_ID}`;

async function launch(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ignoreHTTPSErrors: true,
    args: chromiumExtensionArgs(CHROME_EXTENSION_DIR),
  });
}

/** The next dialog window the extension opens. */
async function nextDialog(context: BrowserContext): Promise<Page> {
  for (;;) {
    const page = await context.waitForEvent('page', { timeout: 20_000 });
    await page.waitForLoadState('domcontentloaded');
    if (page.url().startsWith(`${EXTENSION_ORIGIN}/dialog.html`)) {
      await waitForDialogReady(page as unknown as DriverPage);
      return page;
    }
  }
}

/** The options page, after the person added `origin` to the allowed sites and saved. */
async function optionsAllowing(context: BrowserContext, origin: string): Promise<Page> {
  const options = await context.newPage();
  await options.goto(`${EXTENSION_ORIGIN}/options.html`);
  await options.waitForSelector('#allowed-origins');
  await options.fill('#allowed-origins', origin);
  await options.click('#save');
  await options.waitForSelector('#saved:has-text("Saved")');
  return options;
}

function nonce(): string {
  return randomBytes(32).toString('base64');
}

type Reply = Record<string, unknown> & { action: string; ackMs?: number; error?: { code: string; message: string } };

function webEid(page: Page, action: string, body: Record<string, unknown>): Promise<Reply> {
  return page.evaluate(([a, b]) => (window as unknown as { webEid(a: string, b: unknown): Promise<Reply> }).webEid(a, b), [action, body] as const);
}

type BridgeReply = { ok: true; result: Record<string, unknown> } | { ok: false; code: string; webEidCode: string; name: string; message: string };

function bridge(page: Page, method: string, args: unknown[]): Promise<BridgeReply> {
  return page.evaluate(([m, a]) => (window as unknown as { bridgeCall(m: string, a: unknown[]): Promise<BridgeReply> }).bridgeCall(m, a), [method, args] as const);
}

describe('Chromium with the extension, the native host and a card', () => {
  let site: TestSite;
  let card: TestCard;
  let profile: TempDir;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt('chrome');
    site = await startTestSite();
    card = await insertVirtualCard();
    profile = tempDir('eid-e2e-chromium-');
    installHost({
      browser: 'chromium',
      userDataDir: profile.path,
      hostScript: HOST_SCRIPT,
      env: hostEnv(join(profile.path, 'host.log')),
    });
    context = await launch(profile.path);
    // The person adds the test site on the options page, so it gets window.eidBridge too.
    await (await optionsAllowing(context, site.httpsOrigin)).close();
    page = await context.newPage();
    await page.goto(`${site.httpsOrigin}/`);
  }, 120_000);

  // A failed test must not leave its dialog open: the next request would wait behind it in the queue.
  afterEach(async () => {
    for (const p of context?.pages() ?? []) {
      if (p.url().startsWith(`${EXTENSION_ORIGIN}/dialog.html`)) await p.close();
    }
  });

  afterAll(async () => {
    await context?.close();
    // The host's log is kept as a test artifact, for when something fails on a CI machine.
    if (profile && existsSync(join(profile.path, 'host.log'))) copyFileSync(join(profile.path, 'host.log'), artifactPath('chromium-host.log'));
    await card?.close();
    await site?.close();
    profile?.remove();
  });

  it('answers web-eid:status with the extension and native host versions, acked within 1 s', async () => {
    const reply = await webEid(page, 'web-eid:status', {});
    expect(reply).toMatchObject({ action: 'web-eid:status-success', extension: '0.1.0', nativeApp: '0.1.0' });
    expect(reply.ackMs).toBeLessThan(1000);
  });

  it('logs in through raw Web eID messages: the person types the PIN, the token verifies for this origin', async () => {
    const challenge = nonce();
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const dialog = await dialogOpened;
    const view = await readDialog(dialog as unknown as DriverPage);
    expect(view.origin).toBe(new URL(site.httpsOrigin).host);
    expect(view.warning).toBe(true); // added by the person, not a known government site
    expect(view.pinField).toEqual({ type: 'password', inputMode: 'numeric', labelled: true });
    await chooseCertificate(dialog as unknown as DriverPage, card.authenticationCertificate);
    await enterPin(dialog as unknown as DriverPage, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.action).toBe('web-eid:authenticate-success');
    expect(reply.ackMs).toBeLessThan(1000);
    const token = reply as unknown as Token;
    expect(token.format).toBe('web-eid:1.0');
    expect(token.unverifiedCertificate).toBe(card.authenticationCertificate);
    expect(tokenVerifies(token, site.httpsOrigin, challenge)).toBe(true);
    expect(tokenVerifies(token, 'https://evil.example', challenge)).toBe(false);
    await expect.poll(() => dialog.isClosed()).toBe(true);
  });

  it('logs in through window.eidBridge on an allowed origin', async () => {
    const challenge = nonce();
    const dialogOpened = nextDialog(context);
    const replyPromise = bridge(page, 'authenticate', [challenge, { lang: 'en' }]);
    const dialog = await dialogOpened;
    await chooseCertificate(dialog as unknown as DriverPage, card.authenticationCertificate);
    await enterPin(dialog as unknown as DriverPage, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(tokenVerifies(reply.result as unknown as Token, site.httpsOrigin, challenge)).toBe(true);
  });

  it('shows the tries left after a wrong PIN and lets the person retry in the same dialog', async () => {
    const challenge = nonce();
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const dialog = (await dialogOpened) as unknown as DriverPage;
    await chooseCertificate(dialog, card.authenticationCertificate);
    await enterPin(dialog, '0000');
    expect(await waitForProblem(dialog)).toBe('Wrong PIN. You have 2 tries left.');
    await dialog.screenshot({ path: artifactPath('chromium-dialog-wrong-pin.png'), fullPage: true });
    await enterPin(dialog, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.action).toBe('web-eid:authenticate-success');
    expect(tokenVerifies(reply as unknown as Token, site.httpsOrigin, challenge)).toBe(true);
  });

  it('answers ERR_WEBEID_USER_CANCELLED on Cancel, on Escape and when the window is closed', async () => {
    for (const how of ['button', 'escape', 'close'] as const) {
      const dialogOpened = nextDialog(context);
      const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
      const dialog = await dialogOpened;
      if (how === 'button') await pressCancel(dialog);
      // Escape closes the window, which Playwright reports as an error of the key press itself.
      else if (how === 'escape') await dialog.keyboard.press('Escape').catch(() => undefined);
      else await dialog.close();
      const reply = await replyPromise;
      expect(reply, how).toMatchObject({ action: 'web-eid:authenticate-failure', error: { code: 'ERR_WEBEID_USER_CANCELLED' } });
    }
  });

  it('refuses a second request of the same action while one is pending', async () => {
    const dialogOpened = nextDialog(context);
    await page.evaluate(() => {
      (window as unknown as { webEidLog: unknown[] }).webEidLog.length = 0;
    });
    const first = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    const dialog = await dialogOpened;
    // Both page listeners hear the same failure broadcast, so look at the message log instead.
    await webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    await pressCancel(dialog);
    await first;
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { webEidLog: Array<{ action: string; error?: { code: string } }> }).webEidLog.map((m) => m.error?.code ?? m.action)))
      .toEqual([
        'web-eid:authenticate',
        'web-eid:authenticate-ack',
        'web-eid:authenticate',
        'web-eid:authenticate-ack',
        'ERR_WEBEID_ACTION_PENDING',
        'ERR_WEBEID_USER_CANCELLED',
      ]);
  });

  it('tells window.eidBridge.status() only the versions and whether a card is present', async () => {
    const reply = await bridge(page, 'status', []);
    expect(reply).toEqual({ ok: true, result: { extension: '0.1.0', nativeApp: '0.1.0', cardPresent: true } });
  });

  it('refuses a second dialog request from the same tab at once, and closes the dialog when the page navigates away', async () => {
    const dialogOpened = nextDialog(context);
    const first = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    const dialog = await dialogOpened;
    const second = await bridge(page, 'readIdentity', [{ lang: 'en' }]);
    expect(second).toMatchObject({ ok: false, webEidCode: 'ERR_WEBEID_ACTION_PENDING' });
    void first.catch(() => undefined); // the page that waited for it is gone
    await page.reload();
    await expect.poll(() => dialog.isClosed(), { timeout: 10_000 }).toBe(true);
    // The tab's place is free again for the new page.
    const dialogAgain = nextDialog(context);
    const again = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    await pressCancel(await dialogAgain);
    expect((await again).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
  });

  it('refuses a sandboxed page (opaque origin) with ERR_WEBEID_CONTEXT_INSECURE', async () => {
    const sandboxed = await context.newPage();
    await sandboxed.goto(`${site.httpsOrigin}/sandboxed`);
    expect(await sandboxed.evaluate(() => window.origin)).toBe('null');
    const reply = await webEid(sandboxed, 'web-eid:authenticate', { challengeNonce: nonce() });
    expect(reply).toMatchObject({ action: 'web-eid:authenticate-failure', error: { code: 'ERR_WEBEID_CONTEXT_INSECURE' } });
    await sandboxed.close();
  });

  it('exposes no web-accessible file, and gives window.eidBridge only to the origins the person added', async () => {
    const manifest = JSON.parse(readFileSync(join(CHROME_EXTENSION_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.web_accessible_resources).toBeUndefined();
    const probe = await page.evaluate(async (url) => fetch(url).then(() => 'loaded', () => 'refused'), `${EXTENSION_ORIGIN}/page-api.js`);
    expect(probe).toBe('refused');
    expect(await page.evaluate(() => 'eidBridge' in window)).toBe(true);
    const other = await context.newPage();
    await other.goto(`https://localhost:${new URL(site.httpsOrigin).port}/`);
    expect(await other.evaluate(() => 'eidBridge' in window)).toBe(false);
    await other.close();
  });

  it('honours userInteractionTimeout with ERR_WEBEID_USER_TIMEOUT', async () => {
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce(), options: { userInteractionTimeout: 1500 } });
    const dialog = await dialogOpened;
    const reply = await replyPromise;
    expect(reply.error?.code).toBe('ERR_WEBEID_USER_TIMEOUT');
    await expect.poll(() => dialog.isClosed()).toBe(true);
  });

  it('signs with consent: the dialog shows the hash and algorithm, and the signature verifies', async () => {
    // First the site asks for the signing certificate (a consent, no PIN).
    let dialogOpened = nextDialog(context);
    const certificatePromise = webEid(page, 'web-eid:get-signing-certificate', { options: { lang: 'en' } });
    let dialog = await dialogOpened;
    expect((await readDialog(dialog as unknown as DriverPage)).pinField).toBeNull();
    await chooseCertificate(dialog as unknown as DriverPage, card.signingCertificate);
    await dialog.click('#submit');
    const certificateReply = await certificatePromise;
    expect(certificateReply).toMatchObject({ action: 'web-eid:get-signing-certificate-success', certificate: card.signingCertificate });
    expect(certificateReply.supportedSignatureAlgorithms).toContainEqual(expect.objectContaining({ cryptoAlgorithm: 'ECC' }));

    const document = Buffer.from('Ik verklaar dat alles klopt.');
    const hash = createHash('sha384').update(document).digest();
    dialogOpened = nextDialog(context);
    const signPromise = webEid(page, 'web-eid:sign', { certificate: card.signingCertificate, hash: hash.toString('base64'), hashFunction: 'SHA-384', options: { lang: 'en' } });
    dialog = await dialogOpened;
    await chooseCertificate(dialog as unknown as DriverPage, card.signingCertificate);
    const view = await readDialog(dialog as unknown as DriverPage);
    expect(view.hash).toBe(hash.toString('hex'));
    expect(view.algorithm).toBe('SHA-384');
    await dialog.screenshot({ path: artifactPath('chromium-dialog-sign.png'), fullPage: true });
    await enterPin(dialog as unknown as DriverPage, CARD_PIN);
    const signed = await signPromise;
    expect(signed.action).toBe('web-eid:sign-success');
    const certificate = new X509Certificate(Buffer.from(card.signingCertificate, 'base64'));
    expect(verify('sha384', document, { key: certificate.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.signature as string, 'base64'))).toBe(true);
  });

  it('reads identity through window.eidBridge after consent, the photo only when ticked', async () => {
    const dialogOpened = nextDialog(context);
    const replyPromise = bridge(page, 'readIdentity', [{ includePhoto: true, lang: 'en' }]);
    const dialog = await dialogOpened;
    const view = await readDialog(dialog as unknown as DriverPage);
    expect(view.identityFields).toContain('National register number');
    expect(view.identityFields).toContain('Address');
    expect(view.photoChoice).toBe(true);
    await dialog.screenshot({ path: artifactPath('chromium-dialog-identity.png'), fullPage: true });
    await chooseCertificate(dialog as unknown as DriverPage, card.authenticationCertificate);
    await dialog.click('#include-photo'); // the person unticks the photo
    await dialog.click('#submit');
    const reply = await replyPromise;
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.result).toMatchObject({ identity: { surname: card.card.pki.person.surname, nationalNumber: card.card.pki.person.nationalNumber } });
    expect(reply.result.photo).toBeUndefined();
  });

  it('refuses an http page unless the developer setting allows it', async () => {
    const http = await context.newPage();
    await http.goto(`${site.httpOrigin}/`);
    const reply = await webEid(http, 'web-eid:authenticate', { challengeNonce: nonce() });
    expect(reply).toMatchObject({ action: 'web-eid:authenticate-failure', error: { code: 'ERR_WEBEID_CONTEXT_INSECURE' } });
    await http.close();
  });

  it('lets developers allow http://127.0.0.1 with the setting on the options page', async () => {
    const options = await context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    await options.check('#allow-http-localhost');
    await options.click('#save');
    await options.waitForSelector('#saved:has-text("Saved")');
    const http = await context.newPage();
    await http.goto(`${site.httpOrigin}/`);
    expect(await webEid(http, 'web-eid:status', {})).toMatchObject({ action: 'web-eid:status-success', nativeApp: '0.1.0' });
    await options.uncheck('#allow-http-localhost');
    await options.click('#save');
    await options.waitForSelector('#saved:has-text("Saved")');
    expect((await webEid(http, 'web-eid:status', {})).error?.code).toBe('ERR_WEBEID_CONTEXT_INSECURE');
    await http.close();
    await options.close();
  });

  it('shows on the options page that the host answers', async () => {
    const options = await context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    await expect.poll(() => options.textContent('#host-status')).toBe('Connected, version 0.1.0.');
    await options.close();
  });

  it('shows the dialog in Dutch, French, German and English (screenshots)', async () => {
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce(), options: { lang: 'nl' } });
    const dialog = await dialogOpened;
    const driver = dialog as unknown as DriverPage;
    const titles: Record<string, string> = {};
    for (const language of ['nl', 'fr', 'de', 'en']) {
      await switchLanguage(driver, language);
      titles[language] = (await readDialog(driver)).title;
      await dialog.screenshot({ path: artifactPath(`chromium-dialog-${language}.png`), fullPage: true });
    }
    expect(titles).toEqual({ nl: 'Aanmelden met eID', fr: "Se connecter avec l'eID", de: 'Mit eID anmelden', en: 'Log in with eID' });
    await dialog.keyboard.press('Escape').catch(() => undefined);
    expect((await replyPromise).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
  });

  it('keeps the request alive while the person takes more than 30 s to type the PIN', async () => {
    const challenge = nonce();
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const dialog = await dialogOpened;
    await new Promise((r) => setTimeout(r, 32_000));
    await chooseCertificate(dialog as unknown as DriverPage, card.authenticationCertificate);
    await enterPin(dialog as unknown as DriverPage, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.action).toBe('web-eid:authenticate-success');
    expect(tokenVerifies(reply as unknown as Token, site.httpsOrigin, challenge)).toBe(true);
  }, 90_000);

  it('sends no PIN to another card swapped in while the person typed it: the dialog asks for the right card', async () => {
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce(), options: { lang: 'en' } });
    const dialog = await dialogOpened;
    await chooseCertificate(dialog as unknown as DriverPage, card.authenticationCertificate);
    expect(await swapCardWhileTypingPin(dialog as unknown as DriverPage, card, CARD_PIN)).toEqual(NO_PIN_TO_THE_OTHER_CARD);
    await pressCancel(dialog);
    expect((await replyPromise).error?.code).toBe('ERR_WEBEID_USER_CANCELLED');
  }, 60_000);

  // Last with the card: it blocks the card's PIN.
  it('explains a blocked PIN after the last wrong try, and answers the page when the person closes', async () => {
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: nonce(), options: { lang: 'nl' } });
    const dialog = (await dialogOpened) as unknown as DriverPage;
    await chooseCertificate(dialog, card.authenticationCertificate);
    await enterPin(dialog, '0000');
    expect(await waitForProblem(dialog)).toBe('Verkeerde pincode. U hebt nog 2 pogingen.');
    await enterPin(dialog, '0001');
    await dialog.waitForSelector('#problem:has-text("nog maar één poging")');
    await enterPin(dialog, '0002');
    await dialog.waitForSelector('#blocked-title');
    const text = await (dialog as unknown as Page).textContent('.blocked');
    expect(text).toContain('Uw pincode is geblokkeerd');
    expect(text).toContain('gemeentehuis');
    await dialog.screenshot({ path: artifactPath('chromium-dialog-blocked-nl.png'), fullPage: true });
    await pressCancel(dialog); // "Sluiten"
    const reply = await replyPromise;
    expect(reply.error?.code).toBe('ERR_WEBEID_NATIVE_FATAL');
  });

  it('wrote the host log where install-host said (the launcher passed the env)', () => {
    expect(readFileSync(join(profile.path, 'host.log'), 'utf8')).toMatch(/host starting/);
  });
});

describe('Chromium without the native host', () => {
  let site: TestSite;
  let profile: TempDir;
  let context: BrowserContext;

  beforeAll(async () => {
    ensureBuilt('chrome');
    site = await startTestSite();
    profile = tempDir('eid-e2e-chromium-nohost-');
    context = await launch(profile.path);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await site?.close();
    profile?.remove();
  });

  it('answers ERR_WEBEID_NATIVE_UNAVAILABLE with install instructions, and opens no dialog', async () => {
    const page = await context.newPage();
    await page.goto(`${site.httpsOrigin}/`);
    const pagesBefore = context.pages().length;
    const reply = await webEid(page, 'web-eid:authenticate', { challengeNonce: nonce() });
    expect(reply).toMatchObject({ action: 'web-eid:authenticate-failure', error: { code: 'ERR_WEBEID_NATIVE_UNAVAILABLE' } });
    expect((reply.error as unknown as { hint: string }).hint).toMatch(/install-host/);
    expect(context.pages().length).toBe(pagesBefore);
    const status = await webEid(page, 'web-eid:status', {});
    expect(status.error?.code).toBe('ERR_WEBEID_NATIVE_UNAVAILABLE');
    const options = await context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    await expect.poll(() => options.textContent('#host-status')).toMatch(/not installed.*install-host/);
  });
});

/**
 * The card read through PKCS#11: the person sets the options page to PKCS#11
 * with OpenSC's module, which reads the virtual 1.7 card (RSA) in the vpcd
 * reader, and logs in. OpenSC's module is a known location, so the options
 * page takes it without the trust confirmation.
 */
describe('Chromium with the options page set to PKCS#11 (OpenSC) and the 1.7 card', () => {
  const OPENSC_PKCS11 = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
  let site: TestSite;
  let card: TestCard;
  let profile: TempDir;
  let context: BrowserContext;

  beforeAll(async () => {
    ensureBuilt('chrome');
    site = await startTestSite();
    card = await insertVirtualCard('1.7');
    profile = tempDir('eid-e2e-chromium-pkcs11-');
    // No backend from the environment: the options page's choice, saved in this profile's config file, decides.
    const { EID_BRIDGE_BACKENDS: _fromEnvironment, ...env } = hostEnv(join(profile.path, 'host.log'));
    installHost({ browser: 'chromium', userDataDir: profile.path, hostScript: HOST_SCRIPT, env: { ...env, EID_BRIDGE_CONFIG: join(profile.path, 'host.json') } });
    context = await launch(profile.path);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await card?.close();
    await site?.close();
    profile?.remove();
  });

  it('the person chooses PKCS#11 with OpenSC on the options page, then logs in: the RS256 token verifies for this origin', async () => {
    const options = await optionsAllowing(context, site.httpsOrigin);
    await options.waitForSelector('#backend-pkcs11');
    await options.uncheck('#backend-pcsc');
    await options.check('#backend-pkcs11');
    await options.fill('#pkcs11-module', OPENSC_PKCS11);
    await options.click('#apply-backends');
    await options.waitForSelector('#backends-result:has-text("PKCS#11")');
    expect(await options.textContent('#backends-result')).toBe('The eID Bridge program now uses: PKCS#11.');
    // Taken without the trust confirmation: a known module location.
    expect(await options.isChecked('#pkcs11-module-trust')).toBe(false);
    await options.close();
    // The host saved the choice for its next starts: PKCS#11 only, with OpenSC's module.
    expect(JSON.parse(readFileSync(join(profile.path, 'host.json'), 'utf8'))).toEqual({ backends: ['pkcs11'], pkcs11Module: OPENSC_PKCS11 });

    const page = await context.newPage();
    await page.goto(`${site.httpsOrigin}/`);
    const challenge = nonce();
    const dialogOpened = nextDialog(context);
    const replyPromise = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
    const dialog = await dialogOpened;
    await chooseCertificate(dialog as unknown as DriverPage, card.authenticationCertificate);
    await enterPin(dialog as unknown as DriverPage, CARD_PIN);
    const reply = await replyPromise;
    expect(reply.error).toBeUndefined();
    expect(reply.action).toBe('web-eid:authenticate-success');
    const token = reply as unknown as Token;
    expect(token).toMatchObject({ format: 'web-eid:1.0', algorithm: 'RS256', unverifiedCertificate: card.authenticationCertificate });
    expect(tokenVerifies(token, site.httpsOrigin, challenge)).toBe(true);
    expect(tokenVerifies(token, 'https://evil.example', challenge)).toBe(false);
  });
});
