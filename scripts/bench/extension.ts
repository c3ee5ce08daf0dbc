/**
 * The extension's figures in real browsers: page → token for authenticate on
 * the virtual card, without the PIN typing, split into extension, host and
 * card time (host and card from the host's own log), and the size of what a
 * page loads: the content script and the page API.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { CHROME_EXTENSION_ID } from '../../shared/native-host-name.js';
import { installHost } from '../commands/install-host.js';
import { CHROME_EXTENSION_DIR, HOST_SCRIPT, hostEnv, tempDir } from '../../tests/e2e/helpers/browsers.js';
import { CARD_PIN, insertVirtualCard } from '../../tests/e2e/helpers/card.js';
import { startTestSite } from '../../tests/e2e/helpers/test-site.js';
import { median, ms, row } from './stats.js';

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

export async function benchChromium(rounds = 5): Promise<void> {
  console.log('\nChromium: page → token for authenticate on the virtual card (PIN typing excluded)');
  const site = await startTestSite();
  const card = await insertVirtualCard();
  const profile = tempDir('eid-bench-chromium-');
  const logFile = join(profile.path, 'host.log');
  installHost({ browser: 'chromium', userDataDir: profile.path, hostScript: HOST_SCRIPT, env: { ...hostEnv(logFile), EID_BRIDGE_LOG_LEVEL: 'info' } });
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    args: [
      `--disable-extensions-except=${CHROME_EXTENSION_DIR}`,
      `--load-extension=${CHROME_EXTENSION_DIR}`,
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--ignore-certificate-errors',
    ],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${site.httpsOrigin}/`);
    const toDialog: number[] = [];
    const afterPin: number[] = [];
    const hostMs: number[] = [];
    const cardMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const dialogPromise = (async (): Promise<Page> => {
        for (;;) {
          const p = await context.waitForEvent('page', { timeout: 20_000 });
          await p.waitForLoadState('domcontentloaded');
          if (p.url().startsWith(`chrome-extension://${CHROME_EXTENSION_ID}/dialog.html`)) return p;
        }
      })();
      const t0 = performance.now();
      const reply = page.evaluate(
        (n) => (window as unknown as { webEid(a: string, b: unknown): Promise<Record<string, unknown>> }).webEid('web-eid:authenticate', { challengeNonce: n }),
        randomBytes(32).toString('base64'),
      );
      const dialog = await dialogPromise;
      await dialog.waitForSelector('#pin:not([disabled])');
      const tDialog = performance.now();
      await dialog.fill('#pin', CARD_PIN);
      const tSubmit = performance.now();
      await dialog.press('#pin', 'Enter');
      const result = await reply;
      const tToken = performance.now();
      if (result.action !== 'web-eid:authenticate-success') throw new Error(`authenticate failed: ${JSON.stringify(result)}`);
      // The first round includes starting the host; report it separately.
      const times = hostTimes(readFileSync(logFile, 'utf8'));
      if (i === 0) {
        row('first login (host start, certificates read)', ms(tDialog - t0 + (tToken - tSubmit)));
        continue;
      }
      toDialog.push(tDialog - t0);
      afterPin.push(tToken - tSubmit);
      hostMs.push(times.host);
      cardMs.push(times.card);
    }
    const total = median(toDialog) + median(afterPin);
    row(`page → dialog ready (median of ${rounds - 1})`, ms(median(toDialog)));
    row('PIN submitted → token at the page', ms(median(afterPin)));
    row('  of which the host (authenticate)', ms(median(hostMs)));
    row('    of which the card (PIN + signature)', ms(median(cardMs)));
    row('  of which extension and messaging', ms(median(afterPin) - median(hostMs)));
    row('page → token without the person', ms(total));
  } finally {
    await context.close();
    await card.close();
    await site.close();
    profile.remove();
  }
}
