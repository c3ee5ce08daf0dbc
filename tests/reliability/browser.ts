/**
 * What the browser checks share: Chromium with the built extension and the
 * real host registered for its own profile, the test site in a tab, the card
 * dialog played like a person, and the host's process id read from its log,
 * so a check can kill exactly the host this browser started.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ALL_ERROR_CODES, ERROR_CODES, type ErrorCode } from '../../shared/errors.js';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { CHROMIUM_PATH, chromiumExtensionArgs } from '../../devtools/chromium.js';
import { en as dialogTexts } from '../../extension/ui/dialog/texts/en.js';
import { CHROME_EXTENSION_DIR, ensureBuilt, hostEnv, HOST_SCRIPT, installHost, tempDir, type TempDir } from '../e2e/helpers/browsers.js';
import { waitForDialogReady, type DriverPage } from '../e2e/helpers/dialog-driver.js';
import { startTestSite, type TestSite } from '../e2e/helpers/test-site.js';

const DIALOG_URL = `chrome-extension://${CHROME_EXTENSION_ID}/dialog.html`;

/** Every Web eID code the catalogue can give a page, but the one for errors nobody foresaw. */
export const TYPED_WEB_EID_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).filter((c) => c !== 'ERR_WEBEID_UNKNOWN_ERROR'));

/** A page's final Web eID reply, with the time (ms since the epoch, the machine's clock) it reached the page. */
export type PageReply = Record<string, unknown> & { action: string; error?: { code: string; message: string }; receivedAt: number };

export interface ChromiumWithHost {
  context: BrowserContext;
  site: TestSite;
  /** A tab on the test site. */
  page: Page;
  /** The process ids the host logged at each start, oldest first. */
  hostPids(): number[];
  /** Dialog windows open now. */
  openDialogs(): Page[];
  close(): Promise<void>;
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
    context,
    site,
    page,
    hostPids: () => (existsSync(log) ? [...readFileSync(log, 'utf8').matchAll(/host starting pid=(\d+)/g)].map((m) => Number(m[1])) : []),
    openDialogs: () => context.pages().filter((p) => p.url().startsWith(DIALOG_URL)),
    close: async () => {
      await context.close().catch(() => undefined);
      await site.close();
      profile.remove();
    },
  };
}

/** The last host this browser started, if it still runs. */
export function runningHostPid(browser: ChromiumWithHost): number | undefined {
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
export function webEid(page: Page, action: string, body: Record<string, unknown>): Promise<PageReply> {
  return page.evaluate(
    async ([a, b]) => {
      const reply = await (window as unknown as { webEid(a: string, b: unknown): Promise<Record<string, unknown> & { action: string }> }).webEid(a, b);
      return { ...reply, receivedAt: Date.now() };
    },
    [action, body] as const,
  ) as Promise<PageReply>;
}

/** The next dialog window the extension opens, once it shows what it asks. */
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

/** Waits until the dialog shows a problem; its text and when it appeared there (the machine's clock). */
export async function problemShown(dialog: Page, timeout = 20_000): Promise<{ text: string; shownAt: number }> {
  const handle = await dialog.waitForFunction(
    () => {
      const text = document.querySelector('#problem')?.textContent;
      return text ? { text, shownAt: Date.now() } : false;
    },
    undefined,
    { timeout, polling: 20 },
  );
  return (await handle.jsonValue()) as { text: string; shownAt: number };
}

/** Closes any dialog window still open, so one failed case does not hold up the queue for the next. */
export async function closeDialogs(browser: ChromiumWithHost): Promise<void> {
  for (const p of browser.openDialogs()) await p.close().catch(() => undefined);
}
