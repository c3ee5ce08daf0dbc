/**
 * The popup end to end, the same scenarios in every browser: the built
 * extension, the real native host (install-host into the test's profile), the
 * virtual BELPIC card in the vpcd reader "Virtual PCD 00 01" of the real
 * pcscd, and the reference backend over https with a real SMTP server process
 * and a real HTTP SMS gateway. The person signs in with eID from the popup,
 * activates the SMS, e-mail and app keys, and then logs in with each key on
 * the backend's own login page. The backend is started as a person would run
 * it: no extension origin is configured. Every screen is saved in
 * test-artifacts/. The scenarios build on each other: run the whole file.
 *
 * A second group logs in via itsme from the popup against the stand-in
 * provider (its own process) and a backend configured for it, then sets up
 * the app key, as after an eID login.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard, type VirtualBelpicCard } from '../../../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../../../devtools/virtual-card/vpcd-client.js';
import { startTestBackend, type TestBackend } from '../../../backend/tests/helpers.js';
import { ItsmePairs, JAN } from '../../../backend/tests/itsme-pair.js';
import { artifactPath, ensureBuilt, tempDir, type TempDir } from './browsers.js';
import { chooseCertificate, enterPin, type DriverPage } from './dialog-driver.js';

/** What the scenarios do with a page: the calls Playwright and Puppeteer both offer, in one shape. */
export interface UiPage extends DriverPage {
  fill(selector: string, value: string): Promise<void>;
  selectOption(selector: string, value: string): Promise<void>;
  check(selector: string): Promise<void>;
  textContent(selector: string): Promise<string | null>;
  getAttribute(selector: string, name: string): Promise<string | null>;
  inputValue(selector: string): Promise<string>;
  /** The value of attribute `name` (or the class list, for "class") of every element that matches. */
  attributeOfAll(selector: string, name: string): Promise<Array<string | null>>;
  waitForText(selector: string, text: string): Promise<void>;
  goto(url: string): Promise<void>;
  close(): Promise<void>;
}

/** One browser with the extension and its own profile. */
export interface PopupBrowser {
  /** Opens one of the extension's pages ('/options.html') once `readySelector` is on it. */
  extensionPage(path: string, readySelector: string): Promise<UiPage>;
  /** A tab for a web page (the backend's login page). */
  webPage(): Promise<UiPage>;
  clearCookies(): Promise<void>;
  /** The next card dialog the extension opens after this call, once it is ready. */
  nextDialog(): Promise<UiPage>;
  /** The next window or tab opened after this call, once its address satisfies `reached`. */
  nextWindow(reached: (href: string) => boolean): Promise<UiPage>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  profile: TempDir;
  /** Registers the real native host for this profile, with extra environment for it. */
  host: boolean;
  hostEnv: Record<string, string>;
}

export interface PopupHarness {
  /** "Chromium", "Firefox ESR": in the test names. */
  name: string;
  /** Prefix of the screenshots in test-artifacts/. */
  artifactPrefix: string;
  build: 'chrome' | 'firefox';
  launch(options: LaunchOptions): Promise<PopupBrowser>;
}

/** "Virtual PCD 00 01": the second vpcd reader, so these tests do not take the card slot other e2e tests use. */
const VPCD_PORT = 35964;
const READER = 'Virtual PCD 00 01';
const PIN = '4711';
const USERNAME = 'jan.peeters';
const PASSWORD = 'koffie-met-twee-klontjes';
const EMAIL = 'jan.peeters@example.be';
const PHONE = '+32470123456';

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
function totpAt(secret: Buffer, timeMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 30_000)));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

function codeIn(text: string): string {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match?.[1]) throw new Error(`no 6-digit code in: ${text}`);
  return match[1];
}

async function waitForSms(backend: TestBackend, after: number): Promise<string> {
  await expect.poll(() => backend.sms!.messages.length, { timeout: 10_000 }).toBeGreaterThan(after);
  return codeIn(backend.sms!.messages[backend.sms!.messages.length - 1]!.text);
}

async function keyState(popup: UiPage, key: string): Promise<string | null> {
  return popup.getAttribute(`.key-card[data-key="${key}"] .key-state`, 'data-state');
}

/** A browser for `profile`, the host registered (or not), the backend URL set on the options page as a person does, then the popup open. */
async function browserWith(harness: PopupHarness, options: { profile: TempDir; backendUrl: string; host: boolean; extraHostEnv?: Record<string, string> }): Promise<PopupBrowser & { popup: UiPage }> {
  const browser = await harness.launch({
    profile: options.profile,
    host: options.host,
    hostEnv: { EID_BRIDGE_CONFIG: join(options.profile.path, 'host-config.json'), ...options.extraHostEnv },
  });
  const optionsPage = await browser.extensionPage('/options.html', '#backend-url');
  await optionsPage.fill('#backend-url', options.backendUrl);
  await optionsPage.selectOption('#language', 'nl');
  await optionsPage.click('#save');
  await optionsPage.waitForSelector('#saved:not(:empty)');
  await optionsPage.close();
  return { ...browser, popup: await browser.extensionPage('/popup.html', '#tab-keys') };
}

export function popupScenarios(harness: PopupHarness): void {
  const shot = (page: UiPage, name: string) => page.screenshot({ path: artifactPath(`${harness.artifactPrefix}-${name}.png`), fullPage: true });

  describe(`the popup in ${harness.name}, with the host, the virtual card and the reference backend`, () => {
    let backend: TestBackend;
    let card: VirtualBelpicCard;
    let vpcd: VpcdConnection | undefined;
    let profile: TempDir;
    let browser: PopupBrowser & { popup: UiPage };
    let popup: UiPage;
    let totpSecret = '';
    let lastTotpStep = 0;

    beforeAll(async () => {
      ensureBuilt(harness.build);
      // A holder of its own, so the screens show this test's card and not another test's in the other reader.
      card = await createVirtualCard({ profile: '1.8', pin: PIN, person: { givenNames: 'Jan Pieter', surname: 'Claes', nationalNumber: '01010100126' } });
      vpcd = await connectToVpcd(card, { port: VPCD_PORT, retryForMs: 10_000 });
      backend = await startTestBackend({ smtp: true, sms: true, pki: card.pki, config: { http: false } });
      profile = tempDir('eid-e2e-popup-');
      browser = await browserWith(harness, { profile, backendUrl: backend.server.url, host: true });
      popup = browser.popup;
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await vpcd?.close();
      await backend?.stop();
      // POPUP_E2E_KEEP=1 keeps the profile (host.log) for a look after a failure.
      if (process.env.POPUP_E2E_KEEP) console.log(`profile kept: ${profile?.path}`);
      else profile?.remove();
    });

    it('shows the host version, the reader, the holder of the virtual card, its type and the PIN tries left', async () => {
      const reader = `li.reader[data-reader="${READER}"]`;
      await popup.waitForSelector(`${reader} .holder`, { timeout: 20_000 });
      expect(await popup.textContent('#host-state')).toMatch(/^Geïnstalleerd, versie \d+\.\d+\.\d+/);
      expect(await popup.textContent(`${reader} .holder`)).toBe(`${card.pki.person.givenNames} ${card.pki.person.surname}`);
      expect(await popup.textContent(`${reader} .virtual`)).toContain('Virtuele kaart');
      expect(await popup.textContent(`${reader} .card-type`)).toMatch(/eID|BELPIC/);
      expect(await popup.textContent(`${reader} .pin-tries`)).toBe('3');
      await shot(popup, '01-status');
    });

    it('tests the reader: reads the card and shows the first names', async () => {
      const reader = `li.reader[data-reader="${READER}"]`;
      await popup.click(`${reader} button.test-reader`);
      await popup.waitForSelector(`${reader} #first-names`, { timeout: 20_000 });
      expect(await popup.textContent(`${reader} #first-names`)).toBe(card.pki.person.givenNames);
      await shot(popup, '02-reader-test');
    });

    it('diagnostics: every link works, and the report for the helpdesk is copied', async () => {
      await popup.click('#tab-help');
      await popup.waitForSelector('#diagnostic-steps li[data-step="backend"][data-state="ok"]', { timeout: 20_000 });
      const steps = await popup.attributeOfAll('#diagnostic-steps li', 'data-step');
      const states = await popup.attributeOfAll('#diagnostic-steps li', 'data-state');
      expect(steps.map((step, i) => `${step}:${states[i]}`)).toEqual(['extension:ok', 'host:ok', 'pcsc:ok', 'reader:ok', 'card:ok', 'certificates:ok', 'backend:ok']);
      expect(await popup.getAttribute('#advice', 'data-step')).toBe('');
      // A headless browser gives an extension page no clipboard to read back: keep what the button writes.
      await popup.evaluate(() => {
        navigator.clipboard.writeText = async (text: string) => void ((window as unknown as { copiedReport: string }).copiedReport = text);
      });
      await popup.click('#copy-report');
      await popup.waitForSelector('#copied:not(:empty)');
      const report = await popup.evaluate(() => (window as unknown as { copiedReport: string }).copiedReport);
      expect(report).toContain('[OK] Kaartlezer');
      expect(report).toContain(backend.server.url);
      await shot(popup, '03-diagnostics-ok');
    });

    it('signs in with eID through the extension’s own dialog; the token is bound to the backend’s origin', async () => {
      await popup.click('#tab-keys');
      await popup.waitForSelector('#login-eid');
      await shot(popup, '04-keys-login');
      const dialogOpened = browser.nextDialog();
      await popup.click('#login-eid');
      const dialog = await dialogOpened;
      expect(await dialog.textContent('#origin')).toBe(new URL(backend.server.url).host);
      await chooseCertificate(dialog, Buffer.from(card.pki.authentication.der).toString('base64'));
      await shot(dialog, '05-eid-dialog');
      await enterPin(dialog, PIN);
      await popup.waitForSelector('#keys-overview', { timeout: 20_000 });
      expect(await popup.textContent('#welcome')).toBe(`Welkom, ${card.pki.person.givenNames} ${card.pki.person.surname}`);
      expect(await keyState(popup, 'eid')).toBe('active');
      expect(await keyState(popup, 'sms')).toBe('inactive');
      await shot(popup, '05-keys-overview');
    });

    it('sets username and password, refusing a short password and a mismatch first', async () => {
      await popup.click('.key-card[data-key="password"] [data-action="change"]');
      await popup.fill('#username', USERNAME);
      await popup.fill('#new-password', 'kort');
      await popup.fill('#confirm-password', 'anders');
      await popup.click('#wizard-next');
      expect(await popup.textContent('#new-password-error')).toBe('Het wachtwoord moet minstens 8 tekens lang zijn.');
      expect(await popup.textContent('#confirm-password-error')).toBe('De wachtwoorden komen niet overeen.');
      await shot(popup, '06-password-validation');
      await popup.fill('#new-password', PASSWORD);
      await popup.fill('#confirm-password', PASSWORD);
      await popup.click('#wizard-next');
      await popup.click('#back-to-keys');
      expect(await keyState(popup, 'password')).toBe('active');
    });

    it('activates the app key: QR code, then the code the app computes', async () => {
      await popup.click('.key-card[data-key="totp"] [data-action="activate"]');
      await popup.click('#wizard-next');
      await popup.waitForSelector('#totp-qr');
      totpSecret = ((await popup.textContent('#totp-secret')) ?? '').replace(/\s/g, '');
      expect(await popup.getAttribute('#totp-secret', 'data-uri')).toContain(`secret=${totpSecret}`);
      await shot(popup, '07-app-qr');
      const now = Date.now();
      lastTotpStep = Math.floor(now / 30_000);
      await popup.fill('#registration-code', totpAt(base32Decode(totpSecret), now));
      await popup.click('#wizard-next');
      await popup.waitForSelector('#wizard-done');
      await popup.click('#back-to-keys');
      expect(await keyState(popup, 'totp')).toBe('active');
    });

    it('activates the SMS key in 3 steps with the step indicator, reading the registration code from the SMS gateway', async () => {
      await popup.click('.key-card[data-key="sms"] [data-action="activate"]');
      await popup.waitForSelector('#wizard-sms');
      expect(await popup.attributeOfAll('.steps li', 'class')).toEqual(['current', 'todo', 'todo']);
      await popup.fill('#contact-email', 'geen-adres');
      await popup.click('#wizard-next');
      expect(await popup.textContent('#contact-email-error')).toBe('Dit is geen geldig e-mailadres.');
      await popup.fill('#contact-email', EMAIL);
      await shot(popup, '08-sms-step1');
      await popup.click('#wizard-next');
      await popup.waitForSelector('#phone');
      expect(await popup.attributeOfAll('.steps li', 'class')).toEqual(['done', 'current', 'todo']);
      await popup.fill('#phone', '+32 470 12 34 56');
      await popup.click('#send-code');
      expect(await popup.textContent('#phone-error')).toContain('zonder spaties');
      const before = backend.sms!.messages.length;
      await popup.fill('#phone', PHONE);
      await popup.click('#send-code');
      const code = await waitForSms(backend, before);
      await popup.waitForSelector('#sent-to');
      await popup.fill('#registration-code', code === '000000' ? '111111' : '000000');
      await popup.click('#wizard-next');
      await popup.waitForSelector('#error');
      expect(await popup.textContent('#error')).toMatch(/De code is niet correct\. U hebt nog \d poging/);
      await popup.fill('#registration-code', code);
      await shot(popup, '09-sms-step2');
      await popup.click('#wizard-next');
      await popup.waitForSelector('#wizard-done');
      expect(await popup.attributeOfAll('.steps li', 'class')).toEqual(['done', 'done', 'current']);
      await shot(popup, '10-sms-step3');
      await popup.click('#back-to-keys');
      expect(await keyState(popup, 'sms')).toBe('active');
    });

    it('activates the e-mail key with the registration code from the SMTP server', async () => {
      await popup.click('.key-card[data-key="email"] [data-action="activate"]');
      await popup.waitForSelector('#wizard-email');
      expect(await popup.inputValue('#contact-email')).toBe(EMAIL);
      const after = backend.smtp!.messages.length;
      await popup.click('#send-code');
      const mail = await backend.smtp!.waitFor(EMAIL, (m) => /\b\d{6}\b/.test(m.text), after);
      await popup.waitForSelector('#registration-code');
      await popup.fill('#registration-code', codeIn(mail.text));
      await shot(popup, '11-email-code');
      await popup.click('#wizard-next');
      await popup.waitForSelector('#wizard-done');
      await popup.click('#back-to-keys');
      expect(await keyState(popup, 'email')).toBe('active');
      await shot(popup, '12-keys-all-active');
    });

    it('logs out, then logs in on the backend’s login page with the SMS, e-mail and app keys', async () => {
      await popup.click('#logout');
      await popup.waitForSelector('#login-eid');
      const site = await browser.webPage();
      const loginWith = async (key: 'sms' | 'email' | 'totp', code: () => Promise<string>) => {
        await browser.clearCookies();
        await site.goto(`${backend.server.url}/login?lang=nl&minLevel=400`);
        await site.click(`button.key[data-key="${key}"]`);
        await site.fill('#username', USERNAME);
        await site.fill('#password', PASSWORD);
        await site.click('#credentials-form button[type="submit"]');
        await site.waitForSelector('#code-form:not([hidden])');
        await site.fill('#code', await code());
        await site.click('#code-form button[type="submit"]');
        await site.waitForSelector('#person', { timeout: 10_000 });
        expect(await site.textContent('#person')).toContain(card.pki.person.surname);
        await site.screenshot({ path: artifactPath(`${harness.artifactPrefix}-13-backend-login-${key}.png`) });
      };
      let smsBefore = backend.sms!.messages.length;
      await loginWith('sms', () => waitForSms(backend, smsBefore));
      const mailsBefore = backend.smtp!.messages.length;
      await loginWith('email', async () => codeIn((await backend.smtp!.waitFor(EMAIL, (m) => /\b\d{6}\b/.test(m.text), mailsBefore)).text));
      await loginWith('totp', async () => {
        // A code is accepted once per 30-second step: wait for a step newer than the activation's.
        while (Math.floor(Date.now() / 30_000) <= lastTotpStep) await new Promise((r) => setTimeout(r, 500));
        lastTotpStep = Math.floor(Date.now() / 30_000);
        return totpAt(base32Decode(totpSecret), Date.now());
      });
      await site.close();
      smsBefore = backend.sms!.messages.length;
      expect(smsBefore).toBeGreaterThan(0);
    }, 60_000);

    it('logs in in the popup with username, password and e-mail code, then deactivates the SMS key', async () => {
      await popup.selectOption('#login-key', 'email');
      await popup.fill('#login-username', USERNAME);
      await popup.fill('#login-password', 'verkeerd-wachtwoord');
      await popup.click('#login-next');
      await popup.waitForSelector('#login-error');
      expect(await popup.textContent('#login-error')).toBe('Verkeerde gebruikersnaam, wachtwoord of code.');
      await popup.fill('#login-password', PASSWORD);
      const after = backend.smtp!.messages.length;
      await popup.click('#login-next');
      await popup.waitForSelector('#login-code');
      const mail = await backend.smtp!.waitFor(EMAIL, (m) => /\b\d{6}\b/.test(m.text), after);
      await popup.fill('#login-code', codeIn(mail.text));
      await shot(popup, '14-popup-code-login');
      await popup.click('#login-code-next');
      await popup.waitForSelector('#keys-overview');
      await popup.click('.key-card[data-key="sms"] [data-action="deactivate"]');
      await shot(popup, '15-deactivate');
      await popup.click('#confirm-deactivate');
      await popup.waitForSelector('#keys-overview');
      expect(await keyState(popup, 'sms')).toBe('inactive');
      expect(await keyState(popup, 'email')).toBe('active');
    });

    it('activates a key with a registration-office code: paper code and e-mail link, key, username and password, registration code', async () => {
      const lraEmail = 'marc.janssens@example.be';
      const staff = await backend.server.app.inject({
        method: 'POST',
        url: '/api/lra/activation-codes',
        headers: { authorization: 'Bearer test-admin-token' },
        payload: { nationalNumber: '85073000160', email: lraEmail, givenNames: 'Marc', surname: 'Janssens', language: 'nl' },
      });
      expect(staff.statusCode).toBe(201);
      const paperCode = (staff.json() as { activationCode: string }).activationCode;
      const activationMail = await backend.smtp!.waitFor(lraEmail, (m) => m.text.includes('/activate?token='));
      const link = /https?:\/\/\S+\/activate\?token=[^\s&]+/.exec(activationMail.text)![0];

      await popup.click('#logout');
      await popup.click('#open-lra');
      await popup.waitForSelector('#wizard-lra');
      await popup.fill('#activation-link', link);
      await popup.fill('#activation-code', 'AAAA-BBBB-CCCC-DDDD');
      await popup.click('#wizard-next');
      await popup.waitForSelector('#error');
      expect(await popup.textContent('#error')).toContain('Deze activatielink of activatiecode is niet (meer) geldig.');
      await popup.fill('#activation-code', paperCode);
      await shot(popup, '16-lra-step1');
      await popup.click('#wizard-next');
      await popup.waitForSelector('input[name="lra-key"]');
      await popup.fill('#username', 'marc.janssens');
      await popup.fill('#new-password', 'wandelen-langs-de-dijle');
      await popup.fill('#confirm-password', 'wandelen-langs-de-dijle');
      await shot(popup, '17-lra-step2');
      const before = backend.smtp!.messages.length;
      await popup.click('#wizard-next');
      const registration = await backend.smtp!.waitFor(lraEmail, (m) => /\b\d{6}\b/.test(m.text), before);
      await popup.waitForSelector('#registration-code');
      await popup.fill('#registration-code', codeIn(registration.text));
      await popup.click('#wizard-next');
      await popup.waitForSelector('#wizard-done');
      await shot(popup, '18-lra-done');
      await popup.click('#back-to-keys');

      // The new key works: log in with it in the popup.
      await popup.waitForSelector('#login-key');
      await popup.selectOption('#login-key', 'email');
      await popup.fill('#login-username', 'marc.janssens');
      await popup.fill('#login-password', 'wandelen-langs-de-dijle');
      const beforeLogin = backend.smtp!.messages.length;
      await popup.click('#login-next');
      const loginMail = await backend.smtp!.waitFor(lraEmail, (m) => /\b\d{6}\b/.test(m.text), beforeLogin);
      await popup.waitForSelector('#login-code');
      await popup.fill('#login-code', codeIn(loginMail.text));
      await popup.click('#login-code-next');
      await popup.waitForSelector('#keys-overview');
      expect(await popup.textContent('#welcome')).toBe('Welkom, Marc Janssens');
      expect(await keyState(popup, 'email')).toBe('active');
    });

    it('diagnostics name the card as the broken link when the card is removed', async () => {
      await vpcd?.close();
      vpcd = undefined;
      await popup.click('#tab-help');
      await popup.click('#run-diagnostics').catch(() => undefined);
      await popup.waitForSelector('#advice[data-step="card"]', { timeout: 20_000 });
      expect(await popup.getAttribute('li[data-step="card"]', 'data-finding')).toBe('card.none');
      expect(await popup.textContent('#advice')).toContain('Er zit geen kaart in de lezer');
      await shot(popup, '19-diagnostics-no-card');
    });

    it('options page: the card access choice goes to the host, which saves it', async () => {
      const page = await browser.extensionPage('/options.html', '#backend-pcsc:checked');
      await page.check('#backend-pkcs11');
      await page.fill('#pkcs11-module', 'libsofthsm2.so');
      expect(await page.textContent('#pkcs11-module-error')).toContain('volledige pad');
      await page.fill('#pkcs11-module', '/usr/lib/softhsm/libsofthsm2.so');
      // Not a known card-module location: without the person's word of trust the host refuses it.
      await page.click('#apply-backends');
      await page.waitForSelector('#backends-result:not(:empty)');
      expect(await page.textContent('#backends-result')).toContain('Bevestig dat u ze vertrouwt');
      await page.check('#pkcs11-module-trust');
      await page.click('#apply-backends');
      await page.waitForText('#backends-result', 'gebruikt nu');
      expect(await page.textContent('#backends-result')).toContain('Het eID Bridge-programma gebruikt nu: PC/SC, PKCS#11.');
      expect(JSON.parse(readFileSync(join(profile.path, 'host-config.json'), 'utf8'))).toEqual({ backends: ['pcsc', 'pkcs11'], pkcs11Module: '/usr/lib/softhsm/libsofthsm2.so' });
      await page.click('#check-backend');
      await page.waitForSelector('#backend-check:not(:empty)');
      expect(await page.textContent('#backend-check')).toMatch(/De referentie-backend antwoordt \(versie \d+\.\d+\.\d+\)\./);
      await shot(page, '22-options');
      await page.close();
    });

    it('diagnostics name the host when it is not installed', async () => {
      const other = tempDir('eid-e2e-popup-nohost-');
      const bare = await browserWith(harness, { profile: other, backendUrl: backend.server.url, host: false });
      try {
        await bare.popup.click('#tab-help');
        await bare.popup.waitForSelector('#advice[data-step="host"]', { timeout: 20_000 });
        expect(await bare.popup.getAttribute('li[data-step="host"]', 'data-finding')).toBe('host.missing');
        await bare.popup.waitForSelector('li[data-step="backend"]:not([data-state="pending"])', { timeout: 20_000 });
        expect(await bare.popup.getAttribute('li[data-step="backend"]', 'data-state')).toBe('ok');
        await shot(bare.popup, '20-diagnostics-no-host');
      } finally {
        await bare.close();
        other.remove();
      }
    });

    it('diagnostics name the PC/SC service when the host cannot reach it', async () => {
      // The host's PC/SC client looks for the service's socket where PCSCLITE_CSOCK_NAME says: a path
      // where nothing listens is a PC/SC service that is not running, for this host only.
      const other = tempDir('eid-e2e-popup-nopcsc-');
      const noPcsc = await browserWith(harness, {
        profile: other,
        backendUrl: backend.server.url,
        host: true,
        extraHostEnv: { PCSCLITE_CSOCK_NAME: join(other.path, 'no-pcscd.comm') },
      });
      try {
        await noPcsc.popup.click('#tab-help');
        await noPcsc.popup.waitForSelector('#advice[data-step="pcsc"]', { timeout: 20_000 });
        expect(await noPcsc.popup.getAttribute('li[data-step="pcsc"]', 'data-finding')).toBe('pcsc.unavailable');
        expect(await noPcsc.popup.getAttribute('li[data-step="host"]', 'data-state')).toBe('ok');
        await shot(noPcsc.popup, '21-diagnostics-no-pcsc');
      } finally {
        await noPcsc.close();
        other.remove();
      }
    });
  });
  describe(`the popup in ${harness.name}: AANMELDEN via itsme`, () => {
    const pairs = new ItsmePairs();
    let backend: TestBackend;
    let profile: TempDir;
    let browser: PopupBrowser & { popup: UiPage };
    let popup: UiPage;

    beforeAll(async () => {
      ensureBuilt(harness.build);
      backend = await pairs.start();
      profile = tempDir('eid-e2e-popup-itsme-');
      // The itsme key needs no card and no native host.
      browser = await browserWith(harness, { profile, backendUrl: backend.server.url, host: false });
      popup = browser.popup;
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await pairs.stopAll();
      profile?.remove();
    });

    /** The stand-in's pages in the window the extension opened, up to its phone asking for the 5-digit code; answers the code and the window. */
    async function reachStandInPhone(): Promise<{ window: UiPage; code: string }> {
      const opened = browser.nextWindow((href) => href.includes('/interaction/'));
      await popup.click('#login-itsme');
      const window = await opened;
      await window.waitForSelector('#phone');
      expect(await window.textContent('#stand-in')).toContain('Vervanger van itsme');
      await window.fill('#phone', JAN.phone);
      await window.click('button[value="phone"]');
      await window.waitForSelector('#itsme-code');
      const code = (await window.textContent('#itsme-code')) ?? '';
      expect(code).toMatch(/^\d{5}$/);
      await window.click('#open-phone');
      await window.click('button[value="login"]');
      await window.waitForSelector('#code');
      return { window, code };
    }

    it('offers "AANMELDEN via itsme" on the key choice because the backend has a provider', async () => {
      await popup.click('#tab-keys');
      await popup.waitForSelector('#login-itsme');
      expect(await popup.textContent('#login-itsme')).toBe('AANMELDEN via itsme');
      expect(await popup.textContent('#itsme-create')).toBe('Je itsme-account aanmaken');
      await shot(popup, 'itsme-01-key-choice');
    });

    it('a refusal on the stand-in phone: the window says what happened, the popup too, and nobody is logged in', async () => {
      const { window } = await reachStandInPhone();
      await window.click('button[value="refuse"]');
      await window.waitForSelector('#itsme-error');
      expect(await window.textContent('#itsme-error')).toContain('U hebt het aanmelden in de itsme-app geweigerd.');
      await popup.waitForText('#login-error', 'Het aanmelden werd geweigerd in de itsme-app.');
      await shot(popup, 'itsme-02-refused');
      await window.close();
      expect(await popup.attributeOfAll('#keys-overview', 'id')).toEqual([]);
    }, 60_000);

    it('logs in via itsme in a window of its own, which closes; the popup shows the person and their keys', async () => {
      const { window, code } = await reachStandInPhone();
      await window.fill('#code', code);
      // The extension closes the window as soon as the login is handed over: the click may outlive its page.
      await window.click('button[value="confirm"]').catch(() => undefined);
      await popup.waitForSelector('#keys-overview', { timeout: 20_000 });
      expect(await popup.textContent('#welcome')).toBe(`Welkom, ${JAN.name}`);
      expect(await keyState(popup, 'totp')).toBe('inactive');
      await shot(popup, 'itsme-03-keys-overview');
    }, 60_000);

    it('after the itsme login, sets a username and password and activates the app key, as after an eID login', async () => {
      await popup.click('.key-card[data-key="password"] [data-action="change"]');
      await popup.fill('#username', 'jan.janssens');
      await popup.fill('#new-password', PASSWORD);
      await popup.fill('#confirm-password', PASSWORD);
      await popup.click('#wizard-next');
      await popup.click('#back-to-keys');
      expect(await keyState(popup, 'password')).toBe('active');
      await popup.click('.key-card[data-key="totp"] [data-action="activate"]');
      await popup.click('#wizard-next');
      await popup.waitForSelector('#totp-qr');
      const secret = ((await popup.textContent('#totp-secret')) ?? '').replace(/\s/g, '');
      await popup.fill('#registration-code', totpAt(base32Decode(secret), Date.now()));
      await popup.click('#wizard-next');
      await popup.waitForSelector('#wizard-done');
      await popup.click('#back-to-keys');
      expect(await keyState(popup, 'totp')).toBe('active');
      await shot(popup, 'itsme-04-app-key-active');
    }, 60_000);
  });
}
