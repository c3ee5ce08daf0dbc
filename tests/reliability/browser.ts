/**
 * What the browser checks share: Chromium (Playwright) or Firefox (Puppeteer
 * over WebDriver BiDi) with the built extension and the real host registered
 * for the check's own profile, the test site in a tab, the card dialog played
 * like a person, and the host's process id read from its log, so a check can
 * kill exactly the host this browser started.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';
import { expect, it } from 'vitest';
import { ALL_ERROR_CODES, ERROR_CODES, type ErrorCode } from '../../shared/errors.js';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { CHROMIUM_PATH, chromiumExtensionArgs } from '../../devtools/chromium.js';
import { FIREFOX_EXTENSION_ORIGIN, launchFirefoxWithExtension, nextDialogWindow } from '../../devtools/firefox.js';
import { en as dialogTexts } from '../../extension/ui/dialog/texts/en.js';
import { CHROME_EXTENSION_DIR, ensureBuilt, FIREFOX_EXTENSION_DIR, hostEnv, HOST_SCRIPT, installHost, tempDir, type TempDir } from '../e2e/helpers/browsers.js';
import { enterPin, waitForDialogReady, type DriverPage } from '../e2e/helpers/dialog-driver.js';
import { startTestSite, type TestSite } from '../e2e/helpers/test-site.js';
import { CHECK_TIMEOUT_MS, type Tally } from './check.js';

const DIALOG_URL = `chrome-extension://${CHROME_EXTENSION_ID}/dialog.html`;

/** Every Web eID code the catalogue can give a page, but the one for errors nobody foresaw. */
export const TYPED_WEB_EID_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).filter((c) => c !== 'ERR_WEBEID_UNKNOWN_ERROR'));

/** A page's final Web eID reply, with the time (ms since the epoch, the machine's clock) it reached the page. */
export type PageReply = Record<string, unknown> & { action: string; error?: { code: string; message: string }; receivedAt: number };

/**
 * A tab or a dialog window, as the checks use it in either browser. Playwright
 * and Puppeteer pages share these calls; `evaluate` is only ever given one
 * argument, which both pass to the function the same way.
 */
export interface CheckPage extends DriverPage {
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>;
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T>;
  isClosed(): boolean;
  close(): Promise<void>;
}

export interface BrowserWithHost {
  name: 'Chromium' | 'Firefox';
  site: TestSite;
  /** A tab on the test site. */
  page: CheckPage;
  /** The process ids the host logged at each start, oldest first. */
  hostPids(): number[];
  /** The next dialog window the extension opens, once it shows what it asks. */
  nextDialog(timeout?: number): Promise<CheckPage>;
  /** Dialog windows open now. */
  openDialogs(): Promise<CheckPage[]>;
  close(): Promise<void>;
}

export interface ChromiumWithHost extends BrowserWithHost {
  context: BrowserContext;
  /** The same tab as `page`, with all of Playwright's calls. */
  tab: Page;
}

function loggedHostPids(log: string): number[] {
  return existsSync(log) ? [...readFileSync(log, 'utf8').matchAll(/host starting pid=(\d+)/g)].map((m) => Number(m[1])) : [];
}

/** Starts Chromium with the extension and the host; `env` adds to the host's environment (e.g. a private pcscd's socket). */
export async function launchChromiumWithHost(profilePrefix: string, env: Record<string, string> = {}): Promise<ChromiumWithHost> {
  ensureBuilt('chrome');
  const site = await startTestSite();
  const profile: TempDir = tempDir(profilePrefix);
  const log = join(profile.path, 'host.log');
  installHost({ browser: 'chromium', userDataDir: profile.path, hostScript: HOST_SCRIPT, env: { ...hostEnv(log), ...env } });
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ignoreHTTPSErrors: true,
    args: chromiumExtensionArgs(CHROME_EXTENSION_DIR),
  });
  const page = await context.newPage();
  await page.goto(`${site.httpsOrigin}/`);
  return {
    name: 'Chromium',
    context,
    site,
    tab: page,
    page: page as unknown as CheckPage,
    hostPids: () => loggedHostPids(log),
    nextDialog: async (timeout) => (await nextDialog(context, timeout)) as unknown as CheckPage,
    openDialogs: async () => context.pages().filter((p) => p.url().startsWith(DIALOG_URL)) as unknown as CheckPage[],
    close: async () => {
      await context.close().catch(() => undefined);
      await site.close();
      profile.remove();
    },
  };
}

async function firefoxDialogs(browser: FirefoxBrowser): Promise<FirefoxPage[]> {
  const dialogs: FirefoxPage[] = [];
  for (const p of await browser.pages()) {
    // Over WebDriver BiDi an extension window's url() may read about:blank: ask the page itself.
    const href = await Promise.race([p.evaluate(() => location.href).catch(() => ''), new Promise<string>((r) => setTimeout(() => r(''), 1000))]);
    if (href.startsWith(`${FIREFOX_EXTENSION_ORIGIN}/dialog.html`)) dialogs.push(p);
  }
  return dialogs;
}

/** Starts Firefox ESR with the extension and the host, in a home of its own (where Firefox looks for host manifests). */
export async function launchFirefoxWithHost(homePrefix: string, env: Record<string, string> = {}): Promise<BrowserWithHost> {
  ensureBuilt('firefox');
  const site = await startTestSite();
  const home: TempDir = tempDir(homePrefix);
  const log = join(home.path, 'host.log');
  installHost({ browser: 'firefox', home: home.path, platform: 'linux', hostScript: HOST_SCRIPT, env: { ...hostEnv(log), ...env } });
  const browser = await launchFirefoxWithExtension({ home: home.path, extensionDir: FIREFOX_EXTENSION_DIR, headless: true });
  const page = await browser.newPage();
  await page.goto(`${site.httpsOrigin}/`);
  const known = new Set<FirefoxPage>(await browser.pages());
  return {
    name: 'Firefox',
    site,
    page: page as unknown as CheckPage,
    hostPids: () => loggedHostPids(log),
    nextDialog: async (timeout = 30_000) => {
      const dialog = await nextDialogWindow(browser, known, timeout);
      if (!dialog) throw new Error('no dialog window opened');
      await waitForDialogReady(dialog as unknown as DriverPage);
      return dialog as unknown as CheckPage;
    },
    openDialogs: async () => (await firefoxDialogs(browser)) as unknown as CheckPage[],
    close: async () => {
      await browser.close().catch(() => undefined);
      await site.close();
      home.remove();
    },
  };
}

/** The last host this browser started, if it still runs. */
export function runningHostPid(browser: BrowserWithHost): number | undefined {
  const pid = browser.hostPids().at(-1);
  if (pid === undefined) return undefined;
  try {
    // Only ever the host: the id must still name a node process running the host script.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('eid-bridge-host') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends a raw Web eID request from the page; resolves with its final reply and when the page had it. */
export function webEid(page: CheckPage | Page, action: string, body: Record<string, unknown>): Promise<PageReply> {
  return (page as CheckPage).evaluate(
    async ([a, b]: readonly [string, Record<string, unknown>]) => {
      const reply = await (window as unknown as { webEid(a: string, b: unknown): Promise<Record<string, unknown> & { action: string }> }).webEid(a, b);
      return { ...reply, receivedAt: Date.now() };
    },
    [action, body] as const,
  ) as Promise<PageReply>;
}

/** The next dialog window Chromium opens, once it shows what it asks. */
export async function nextDialog(context: BrowserContext, timeout = 30_000): Promise<Page> {
  for (;;) {
    const page = await context.waitForEvent('page', { timeout });
    await page.waitForLoadState('domcontentloaded');
    if (page.url().startsWith(DIALOG_URL)) {
      await waitForDialogReady(page as unknown as DriverPage);
      return page;
    }
  }
}

/** The catalogue code whose English dialog text the dialog shows as its problem, if any. */
export function problemCode(text: string | null | undefined): ErrorCode | undefined {
  if (!text) return undefined;
  const texts = dialogTexts as Record<string, unknown>;
  return ALL_ERROR_CODES.find((code) => {
    const t = texts[`error.${code}`];
    return typeof t === 'string' && t === text.trim();
  });
}

/** Waits until the dialog shows a problem; its text and when it appeared there (the machine's clock, read in the dialog). */
export async function problemShown(dialog: CheckPage, timeout = 20_000): Promise<{ text: string; shownAt: number }> {
  const seen = dialog.evaluate(
    () =>
      new Promise<{ text: string; shownAt: number }>((resolve) => {
        const look = () => {
          const text = document.querySelector('#problem')?.textContent;
          if (!text) return false;
          resolve({ text, shownAt: Date.now() });
          return true;
        };
        if (look()) return;
        const watch = new MutationObserver(() => {
          if (look()) watch.disconnect();
        });
        watch.observe(document, { subtree: true, childList: true, characterData: true });
      }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the dialog showed no problem within ${timeout} ms`)), timeout);
  });
  try {
    return await Promise.race([seen, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes any dialog window still open, so one failed case does not hold up the queue for the next. */
export async function closeDialogs(browser: BrowserWithHost): Promise<void> {
  for (const p of await browser.openDialogs()) await p.close().catch(() => undefined);
}

/** Types the PIN and presses Enter; the window may close under the key press when the card answers at once. */
export async function submitPin(dialog: CheckPage, pin: string): Promise<void> {
  try {
    await enterPin(dialog, pin);
  } catch (e) {
    if (dialog.isClosed()) return;
    // Over BiDi the page object of a closed window may linger: it no longer answers.
    const answers = await Promise.race([dialog.evaluate(() => true).catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
    if (answers) throw e;
  }
}

/** The browsers a check can run in. */
export const BROWSER_LAUNCHERS = { Chromium: launchChromiumWithHost, Firefox: launchFirefoxWithHost } as const;

/**
 * One vitest test per browser in `runs` (its count of cases): starts the
 * browser, lets `check` count, reports the tally, and closes the browser.
 */
export function itInEachBrowser(
  what: string,
  options: { runs: Partial<Record<BrowserWithHost['name'], number>>; profilePrefix: string; env?: () => Record<string, string> },
  check: (browser: BrowserWithHost, runs: number) => Promise<Tally>,
): void {
  for (const [name, runs] of Object.entries(options.runs) as Array<[BrowserWithHost['name'], number]>) {
    it(
      `in ${name}: ${what}`,
      async () => {
        const browser = await BROWSER_LAUNCHERS[name](options.profilePrefix, options.env?.());
        try {
          const tally = await check(browser, runs);
          tally.report();
          expect(tally.shortfalls).toEqual([]);
        } finally {
          await browser.close();
        }
      },
      CHECK_TIMEOUT_MS,
    );
  }
}
