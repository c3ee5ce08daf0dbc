/**
 * The extension's figures in real browsers (Chromium, Firefox): page → token
 * for authenticate on the virtual card, without the PIN typing, split into extension, host and
 * card time (host and card from the host's own log), and the size of what a
 * page loads: the content script and the page API.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { launchFirefoxWithExtension, nextDialogWindow } from '../firefox.js';
import { installHost } from '../../cli/host-registration.js';
import { CHROME_EXTENSION_DIR, FIREFOX_EXTENSION_DIR, HOST_SCRIPT, hostEnv, tempDir } from '../../tests/e2e/helpers/browsers.js';
import { CARD_PIN, insertVirtualCard } from '../../tests/e2e/helpers/card.js';
import { startTestSite } from '../../tests/e2e/helpers/test-site.js';
import { median, ms, row } from './stats.js';
import { CHROMIUM_PATH, chromiumExtensionArgs } from '../chromium.js';

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function benchBundles(): void {
  console.log('\nExtension bundles (Chrome build)');
  for (const [label, file] of [
    ['content script (every https page)', 'content-scripts/content.js'],
    ['page API (window.eidBridge, government pages)', 'page-api.js'],
    ['background', 'background.js'],
  ] as const) {
    const path = join(CHROME_EXTENSION_DIR, file);
    row(label, `${kib(statSync(path).size)} (${kib(gzipSync(readFileSync(path)).length)} gzip)`);
  }
}

/** The host's own account of its last authenticate: total and card time. */
function hostTimes(log: string): { host: number; card: number } {
  const host = [...log.matchAll(/request done command="authenticate" ms=(\d+)/g)].at(-1)?.[1];
  const card = [...log.matchAll(/card signed backend="\w+" ms=(\d+)/g)].at(-1)?.[1];
  return { host: Number(host ?? NaN), card: Number(card ?? NaN) };
}

/** One browser under measurement: starts a login and hands over its dialog window. */
interface LoginDriver {
  /** Starts web-eid:authenticate on the page; resolves with the page's final reply. */
  authenticate(nonce: string): Promise<Record<string, unknown>>;
  /** The next dialog window, once its PIN field is ready. */
  nextDialog(): Promise<{ typePin(pin: string): Promise<void>; submit(): Promise<void> }>;
}

async function measureLogins(name: string, driver: LoginDriver, logFile: string, rounds: number): Promise<void> {
  const toDialog: number[] = [];
  const afterPin: number[] = [];
  const hostMs: number[] = [];
  const cardMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const dialogPromise = driver.nextDialog();
    const t0 = performance.now();
    const reply = driver.authenticate(randomBytes(32).toString('base64'));
    const dialog = await dialogPromise;
    const tDialog = performance.now();
    await dialog.typePin(CARD_PIN);
    const tSubmit = performance.now();
    await dialog.submit();
    const result = await reply;
    const tToken = performance.now();
    if (result.action !== 'web-eid:authenticate-success') throw new Error(`authenticate failed: ${JSON.stringify(result)}`);
    const times = hostTimes(readFileSync(logFile, 'utf8'));
    // The first round includes starting the host and reading the certificates; report it apart.
    if (i === 0) {
      row(`${name}: first login (host start, certificates read)`, ms(tDialog - t0 + (tToken - tSubmit)));
      continue;
    }
    toDialog.push(tDialog - t0);
    afterPin.push(tToken - tSubmit);
    hostMs.push(times.host);
    cardMs.push(times.card);
  }
  row(`${name}: page → dialog ready (median of ${rounds - 1})`, ms(median(toDialog)));
  row(`${name}: PIN submitted → token at the page`, ms(median(afterPin)));
  row('  of which the host (authenticate)', ms(median(hostMs)));
  row('    of which the card (PIN + signature)', ms(median(cardMs)));
  row('  of which extension and messaging', ms(median(afterPin) - median(hostMs)));
  row(`${name}: page → token without the person`, ms(median(toDialog) + median(afterPin)));
}

function webEidAuthenticate(nonce: string): Promise<Record<string, unknown>> {
  return (window as unknown as { webEid(a: string, b: unknown): Promise<Record<string, unknown>> }).webEid('web-eid:authenticate', { challengeNonce: nonce });
}

export async function benchBrowsers(rounds = 5): Promise<void> {
  console.log('\nPage → token for authenticate on the virtual card (PIN typing excluded)');
  const site = await startTestSite();
  const card = await insertVirtualCard();
  try {
    await benchChromium(site.httpsOrigin, rounds);
    await benchFirefox(site.httpsOrigin, rounds);
  } finally {
    await card.close();
    await site.close();
  }
}

async function benchChromium(origin: string, rounds: number): Promise<void> {
  const profile = tempDir('eid-bench-chromium-');
  const logFile = join(profile.path, 'host.log');
  installHost({ browser: 'chromium', userDataDir: profile.path, hostScript: HOST_SCRIPT, env: { ...hostEnv(logFile), EID_BRIDGE_LOG_LEVEL: 'info' } });
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ignoreHTTPSErrors: true,
    args: chromiumExtensionArgs(CHROME_EXTENSION_DIR),
  });
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await measureLogins('Chromium', {
      authenticate: (nonce) => page.evaluate(webEidAuthenticate, nonce),
      nextDialog: async () => {
        for (;;) {
          const p: Page = await context.waitForEvent('page', { timeout: 20_000 });
          await p.waitForLoadState('domcontentloaded');
          if (!p.url().startsWith(`chrome-extension://${CHROME_EXTENSION_ID}/dialog.html`)) continue;
          await p.waitForSelector('#pin:not([disabled])');
          return { typePin: (pin) => p.fill('#pin', pin), submit: () => p.press('#pin', 'Enter') };
        }
      },
    }, logFile, rounds);
  } finally {
    await context.close();
    profile.remove();
  }
}

async function benchFirefox(origin: string, rounds: number): Promise<void> {
  const home = tempDir('eid-bench-firefox-');
  const logFile = join(home.path, 'host.log');
  installHost({ browser: 'firefox', home: home.path, platform: 'linux', hostScript: HOST_SCRIPT, env: { ...hostEnv(logFile), EID_BRIDGE_LOG_LEVEL: 'info' } });
  const browser = await launchFirefoxWithExtension({ home: home.path, extensionDir: FIREFOX_EXTENSION_DIR, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const known = new Set(await browser.pages());
    await measureLogins('Firefox', {
      authenticate: (nonce) => page.evaluate(webEidAuthenticate, nonce),
      nextDialog: async () => {
        const p = await nextDialogWindow(browser, known);
        if (!p) throw new Error('no dialog window opened');
        await p.waitForSelector('#pin:not([disabled])');
        return {
          typePin: (pin) => p.type('#pin', pin),
          submit: async () => {
            await p.focus('#pin');
            await p.keyboard.press('Enter');
          },
        };
      },
    }, logFile, rounds);
  } finally {
    await browser.close();
    home.remove();
  }
}
