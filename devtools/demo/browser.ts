/**
 * Opens the browser on the backend's login page with the extension loaded
 * and the host registered in a profile of the demo's own. Headless, it also
 * plays the person: chooses eID, types the PIN in the extension's dialog, and
 * reports who is logged in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// Browser drivers are loaded only when the demo opens a browser: every other eid-bridge command starts faster.
import type { BrowserContext, Page } from 'playwright-core';
import type { Browser as PuppeteerBrowser, Page as PuppeteerPage } from 'puppeteer-core';
import { CHROME_EXTENSION_ID, GECKO_EXTENSION_ID } from '../../shared/native-host-name.js';
import { installHost } from '../../cli/host-registration.js';
import { CHROMIUM_PATH, chromiumExtensionArgs } from '../chromium.js';
import { launchFirefoxWithExtension, nextDialogWindow } from '../firefox.js';
import { StepFailure } from './steps.js';

export type DemoBrowser = 'chromium' | 'firefox';

export interface LoginOutcome {
  name: string;
  nationalNumber: string;
  /** The digital key and its assurance level, as the welcome page says it. */
  level: string;
  algorithm: string;
  screenshots: string[];
}

export interface OpenBrowser {
  /** Headless only: performs the login as a person would (choosing `certificate` when the dialog offers several). */
  login(pin: string, certificate?: string): Promise<LoginOutcome>;
  /** Headless only: logs in via the stand-in itsme provider, playing the phone with the code its page shows. */
  loginWithItsme(phone: string): Promise<LoginOutcome>;
  /** Resolves when the person closes the browser (headed). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * The extension ships no local origin among the government sites: the demo
 * adds its own backend's, as a person would on the options page (Chromium).
 */
async function addBackendAsGovernmentSite(context: BrowserContext, backendOrigin: string): Promise<void> {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${CHROME_EXTENSION_ID}/options.html`);
  const field = options.locator('#government-origins');
  const current = await field.inputValue();
  if (!current.split('\n').includes(backendOrigin)) await field.fill(`${current}\n${backendOrigin}`);
  await options.click('#save');
  await options.waitForSelector('#saved:not(:empty)');
  await options.close();
}

/**
 * Firefox's extension pages cannot be driven over WebDriver BiDi, so there the
 * demo adds its backend's origin as an administrator's policy: a managed-storage
 * file in the demo's own home.
 */
export function writeFirefoxPolicy(home: string, backendOrigin: string): void {
  const dir = join(home, '.mozilla', 'managed-storage');
  mkdirSync(dir, { recursive: true });
  const policy = { name: GECKO_EXTENSION_ID, description: 'eID Bridge demo', type: 'storage', data: { governmentOrigins: [backendOrigin] } };
  writeFileSync(join(dir, `${GECKO_EXTENSION_ID}.json`), JSON.stringify(policy, null, 2));
}

interface Options {
  browser: DemoBrowser;
  headless: boolean;
  stateDir: string;
  root: string;
  loginUrl: string;
  hostEnv: Record<string, string>;
  screenshotDir: string;
}

/**
 * Runs in the login page: notes the algorithm of the token the page sends to
 * the backend, in sessionStorage so it survives the move to the welcome page.
 * The demo only watches its own browser; the page and the login are unchanged.
 */
function noteTokenAlgorithm(): void {
  const send = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input).endsWith('/api/eid/login') && typeof init?.body === 'string') {
      try {
        const algorithm = (JSON.parse(init.body) as { authToken?: { algorithm?: string } }).authToken?.algorithm;
        if (algorithm) sessionStorage.setItem('eid-bridge-demo-algorithm', algorithm);
      } catch {
        // not the JSON we expect: nothing to note
      }
    }
    return send(input, init);
  };
}

function notedTokenAlgorithm(): string | null {
  return sessionStorage.getItem('eid-bridge-demo-algorithm');
}

/** Reads the dt/dd pairs of the welcome page's #person list (runs in the page). */
function readPersonFacts(): Array<[string, string]> {
  const dts = Array.from(document.querySelectorAll('#person dt'));
  return dts.map((dt) => [dt.textContent?.trim() ?? '', dt.nextElementSibling?.textContent?.trim() ?? '']);
}

/** The parts of a page both drivers offer, so one login routine serves both browsers. */
interface Driver {
  goto(url: string): Promise<void>;
  click(page: unknown, selector: string): Promise<void>;
  type(page: unknown, selector: string, text: string): Promise<void>;
  waitFor(page: unknown, selector: string, timeoutMs: number): Promise<void>;
  text(page: unknown, selector: string): Promise<string>;
  pressEnter(page: unknown, selector: string): Promise<void>;
  exists(page: unknown, selector: string): Promise<boolean>;
  /** The welcome page's facts about the person, as label → value pairs. */
  facts(page: unknown): Promise<Array<[string, string]>>;
  screenshot(page: unknown, path: string): Promise<void>;
  loginPage: unknown;
  nextDialog(): Promise<unknown>;
  evaluate<T>(page: unknown, fn: () => T): Promise<T>;
}

async function performLogin(d: Driver, loginUrl: string, pin: string, certificate: string | undefined, screenshotDir: string): Promise<LoginOutcome> {
  mkdirSync(screenshotDir, { recursive: true });
  const screenshots: string[] = [];
  await d.goto(loginUrl);
  await d.evaluate(d.loginPage, noteTokenAlgorithm);
  await d.click(d.loginPage, '[data-key="eid"]');
  await d.waitFor(d.loginPage, '#eid-login', 10_000);
  const dialogOpened = d.nextDialog();
  await d.click(d.loginPage, '#eid-login');
  const dialog = await dialogOpened;
  await d.waitFor(dialog, '#pin, input[name="certificate"]', 20_000);
  // Another card in another reader: the dialog asks which certificate; take the demo card's.
  const choice = `input[name="certificate"][value="${certificate}"]`;
  if (certificate && (await d.exists(dialog, choice))) await d.click(dialog, choice);
  await d.waitFor(dialog, '#pin:not([disabled])', 20_000);
  const dialogShot = join(screenshotDir, 'demo-dialog.png');
  await d.screenshot(dialog, dialogShot);
  screenshots.push(dialogShot);
  await d.type(dialog, '#pin', pin);
  await d.pressEnter(dialog, '#pin');
  try {
    await d.waitFor(d.loginPage, '#person', 30_000);
  } catch {
    const status = await d.text(d.loginPage, '#eid-status').catch(() => '');
    throw new StepFailure(`the login did not finish${status ? `: ${status}` : ''}`, 'run the demo headed (with a display) to watch, or look at the logs in the demo folder');
  }
  return welcomeOutcome(d, screenshotDir, screenshots, (await d.evaluate(d.loginPage, notedTokenAlgorithm)) ?? 'unknown');
}

/** Who the welcome page says is logged in, with a screenshot of it. */
async function welcomeOutcome(d: Driver, screenshotDir: string, screenshots: string[], algorithm: string): Promise<LoginOutcome> {
  const pageShot = join(screenshotDir, 'demo-logged-in.png');
  await d.screenshot(d.loginPage, pageShot);
  screenshots.push(pageShot);
  const facts = await d.facts(d.loginPage);
  const value = (label: RegExp) => facts.find(([k]) => label.test(k))?.[1] ?? '';
  return {
    name: value(/^(name|naam|nom)$/i) || (facts[0]?.[1] ?? ''),
    nationalNumber: value(/national|rijksregister|registre/i),
    level: value(/key|sleutel|clé|schlüssel/i),
    algorithm,
    screenshots,
  };
}

/**
 * "AANMELDEN via itsme" as the guides walk through it, at the stand-in provider: the phone
 * number after BE (+32), then on the stand-in phone "I log in" and the 5-digit code the
 * waiting page shows, then back at the welcome page. No extension and no card take part.
 */
async function performItsmeLogin(d: Driver, loginUrl: string, phone: string, screenshotDir: string): Promise<LoginOutcome> {
  mkdirSync(screenshotDir, { recursive: true });
  const screenshots: string[] = [];
  const page = d.loginPage;
  await d.goto(loginUrl);
  await d.click(page, '#itsme-login');
  await d.waitFor(page, '#phone', 20_000);
  await d.type(page, '#phone', phone);
  await d.click(page, 'button[value="phone"]');
  await d.waitFor(page, '#itsme-code', 20_000);
  const code = (await d.text(page, '#itsme-code')).trim();
  const waitingShot = join(screenshotDir, 'demo-itsme-waiting.png');
  await d.screenshot(page, waitingShot);
  screenshots.push(waitingShot);
  await d.click(page, '#open-phone');
  await d.waitFor(page, 'button[value="login"]', 20_000);
  await d.click(page, 'button[value="login"]');
  await d.waitFor(page, '#code', 20_000);
  await d.type(page, '#code', code);
  await d.click(page, 'button[value="confirm"]');
  try {
    await d.waitFor(page, '#person', 30_000);
  } catch {
    const status = await d.text(page, '#itsme-error').catch(() => '');
    throw new StepFailure(`the itsme login did not finish${status ? `: ${status}` : ''}`, 'look at itsme-provider.log and backend.log in the demo folder');
  }
  return welcomeOutcome(d, screenshotDir, screenshots, '');
}

/** The login routine's view of a Chromium page whose browser has the extension. */
function chromiumDriver(context: BrowserContext, page: Page): Driver {
  const asPage = (p: unknown) => p as Page;
  return {
    loginPage: page,
    goto: async (url) => void (await page.goto(url)),
    click: (p, s) => asPage(p).click(s),
    type: (p, s, t) => asPage(p).locator(s).pressSequentially(t),
    waitFor: async (p, s, timeout) => void (await asPage(p).waitForSelector(s, { timeout })),
    text: (p, s) => asPage(p).locator(s).innerText(),
    pressEnter: (p, s) => asPage(p).locator(s).press('Enter'),
    exists: async (p, s) => (await asPage(p).locator(s).count()) > 0,
    facts: (p) => asPage(p).evaluate(readPersonFacts),
    screenshot: async (p, path) => void (await asPage(p).screenshot({ path })),
    nextDialog: async () => {
      for (;;) {
        const p = await context.waitForEvent('page', { timeout: 20_000 });
        await p.waitForLoadState('domcontentloaded');
        if (p.url().startsWith(`chrome-extension://${CHROME_EXTENSION_ID}/dialog.html`)) return p;
      }
    },
    evaluate: (p, fn) => asPage(p).evaluate(fn),
  };
}

async function openChromium(o: Options): Promise<OpenBrowser> {
  const extensionDir = join(o.root, '.output/chrome-mv3');
  const profile = join(o.stateDir, 'chromium-profile');
  installHost({ browser: 'chromium', userDataDir: profile, env: o.hostEnv });
  const { chromium } = await import('playwright-core');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: o.headless,
      // The backend's certificate is self-signed and local; only this demo profile skips the check.
      ignoreHTTPSErrors: true,
      args: chromiumExtensionArgs(extensionDir),
    });
  } catch (e) {
    throw new StepFailure(`Chromium did not start: ${(e as Error).message.split('\n')[0]}`, `install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  await addBackendAsGovernmentSite(context, new URL(o.loginUrl).origin);
  const page = context.pages()[0] ?? (await context.newPage());
  const closed = new Promise<void>((resolve) => context.on('close', () => resolve()));
  const driver = chromiumDriver(context, page);
  if (!o.headless) await page.goto(o.loginUrl);
  return {
    login: (pin, certificate) => performLogin(driver, o.loginUrl, pin, certificate, o.screenshotDir),
    loginWithItsme: (phone) => performItsmeLogin(driver, o.loginUrl, phone, o.screenshotDir),
    closed,
    close: () => context.close(),
  };
}

/** The login routine's view of a Firefox page whose browser has the extension; `known` holds the pages that are no dialog. */
function firefoxDriver(browser: PuppeteerBrowser, page: PuppeteerPage, known: Set<PuppeteerPage>): Driver {
  const asPage = (p: unknown) => p as PuppeteerPage;
  return {
    loginPage: page,
    goto: async (url) => void (await page.goto(url)),
    click: (p, s) => asPage(p).click(s),
    type: (p, s, t) => asPage(p).type(s, t),
    waitFor: async (p, s, timeout) => void (await asPage(p).waitForSelector(s, { timeout })),
    text: (p, s) => asPage(p).$eval(s, (el) => (el as HTMLElement).innerText),
    exists: async (p, s) => (await asPage(p).$(s)) !== null,
    pressEnter: async (p, s) => {
      await asPage(p).focus(s);
      await asPage(p).keyboard.press('Enter');
    },
    facts: (p) => asPage(p).evaluate(readPersonFacts),
    screenshot: async (p, path) => void (await asPage(p).screenshot({ path })),
    nextDialog: async () => {
      const p = await nextDialogWindow(browser, known);
      if (p) return p;
      throw new StepFailure('the eID dialog did not open', 'look at the host log in the demo folder');
    },
    evaluate: (p, fn) => asPage(p).evaluate(fn),
  };
}

async function openFirefox(o: Options): Promise<OpenBrowser> {
  const extensionDir = join(o.root, '.output/firefox-mv3');
  // Firefox finds host manifests under $HOME/.mozilla: give it a home of the demo's own.
  const home = join(o.stateDir, 'firefox-home');
  installHost({ browser: 'firefox', home, env: o.hostEnv });
  writeFirefoxPolicy(home, new URL(o.loginUrl).origin);
  let browser: PuppeteerBrowser;
  try {
    browser = await launchFirefoxWithExtension({ home, extensionDir, headless: o.headless });
  } catch (e) {
    throw new StepFailure(`Firefox did not start: ${(e as Error).message.split('\n')[0]}`, 'install it (apt-get install firefox-esr) or set FIREFOX_PATH');
  }
  const page = await browser.newPage();
  const driver = firefoxDriver(browser, page, new Set(await browser.pages()));
  const closed = new Promise<void>((resolve) => browser.on('disconnected', () => resolve()));
  if (!o.headless) await page.goto(o.loginUrl);
  return {
    login: (pin, certificate) => performLogin(driver, o.loginUrl, pin, certificate, o.screenshotDir),
    loginWithItsme: (phone) => performItsmeLogin(driver, o.loginUrl, phone, o.screenshotDir),
    closed,
    close: () => browser.close(),
  };
}

/**
 * Logs in as the headless demo does, in a browser the caller started with the
 * extension and the host in place some other way (the installed-package test).
 * In Firefox the backend's origin must already be a government site (writeFirefoxPolicy before the start).
 */
export async function loginInBrowser(
  browser: { chromium: BrowserContext } | { firefox: PuppeteerBrowser },
  o: { loginUrl: string; pin: string; certificate?: string; screenshotDir: string },
): Promise<LoginOutcome> {
  let driver: Driver;
  if ('chromium' in browser) {
    await addBackendAsGovernmentSite(browser.chromium, new URL(o.loginUrl).origin);
    driver = chromiumDriver(browser.chromium, browser.chromium.pages()[0] ?? (await browser.chromium.newPage()));
  } else {
    const page = await browser.firefox.newPage();
    driver = firefoxDriver(browser.firefox, page, new Set(await browser.firefox.pages()));
  }
  return performLogin(driver, o.loginUrl, o.pin, o.certificate, o.screenshotDir);
}

export function openBrowser(o: Options): Promise<OpenBrowser> {
  return o.browser === 'firefox' ? openFirefox(o) : openChromium(o);
}
