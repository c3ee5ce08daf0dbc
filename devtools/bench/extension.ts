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

/** The host's own account of its last authenticate: total and card time, and when it started and replied (wall clock). */
function hostTimes(log: string): { host: number; card: number; startedAt: number; repliedAt: number } {
  const done = [...log.matchAll(/request done command="authenticate" ms=(\d+) startedAt=([\d.]+) repliedAt=([\d.]+)/g)].at(-1);
  const card = [...log.matchAll(/card signed backend="\w+" ms=(\d+)/g)].at(-1)?.[1];
  return { host: Number(done?.[1] ?? NaN), card: Number(card ?? NaN), startedAt: Number(done?.[2] ?? NaN), repliedAt: Number(done?.[3] ?? NaN) };
}

/** The background's marks of the last request (extension/background/timing-trace.ts). */
type BackgroundMarks = Partial<Record<string, number>>;

/** An open dialog window under the bench's control. */
interface BenchDialog {
  typePin(pin: string): Promise<void>;
  /** Presses Enter; the dialog page stores the wall-clock time of the key press as benchEnterAt. */
  submit(): Promise<void>;
  /** storage.local of the extension, read and written from this extension page. */
  storage(set?: Record<string, unknown>): Promise<Record<string, unknown>>;
  cancel(): Promise<void>;
}

/** One browser under measurement: starts a login and hands over its dialog window. */
interface LoginDriver {
  /** Starts web-eid:authenticate on the page; resolves with the page's final reply, when the page posted the request and when it got the answer (wall clock). */
  authenticate(nonce: string): Promise<Record<string, unknown> & { postedAt: number; receivedAt: number }>;
  /** The next dialog window, once its PIN field is ready. */
  nextDialog(): Promise<BenchDialog>;
}

/**
 * What the bench uses of the extension namespace in its pages: `browser` in Firefox, `chrome` in
 * Chromium. The functions below run in the dialog page (the driver sends their source), so each
 * looks the namespace up itself.
 */
interface ExtensionScope {
  browser?: ExtensionNamespace;
  chrome?: ExtensionNamespace;
}
interface ExtensionNamespace {
  storage: { local: { get(keys: string[]): Promise<Record<string, unknown>>; set(values: Record<string, unknown>): Promise<void> } };
}

/**
 * In a dialog page: notes when Enter goes down, before the dialog's own handlers run, in
 * storage.local (the window closes with the answer; the next dialog reads it back).
 */
function noteEnter(): void {
  document.addEventListener(
    'keydown',
    (e) => {
      if (e.key !== 'Enter') return;
      const at = performance.timeOrigin + performance.now();
      const ns = ((globalThis as ExtensionScope).browser ?? (globalThis as ExtensionScope).chrome) as ExtensionNamespace;
      setTimeout(() => void ns.storage.local.set({ benchEnterAt: at }), 0);
    },
    { capture: true },
  );
}

/** In a dialog page: storage.local through whichever extension namespace the browser gives. */
async function extensionStorage(set: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  const ns = ((globalThis as ExtensionScope).browser ?? (globalThis as ExtensionScope).chrome) as ExtensionNamespace;
  if (set) await ns.storage.local.set(set);
  return (await ns.storage.local.get(['developerTimingTraceLast', 'benchEnterAt'])) as Record<string, unknown>;
}

/** The hops from the person's Enter in the dialog to the token at the page, in order. */
const HOPS = [
  ['dialog → background (the submit over the dialog port)', 'enter', 'dialog-submit-received'],
  ['background: submit → authenticate sent to the host', 'dialog-submit-received', 'host-sent:authenticate'],
  ['native messaging to the host, host reads the request', 'host-sent:authenticate', 'host-started'],
  ['host: authenticate (of which the card below)', 'host-started', 'host-replied'],
  ['host writes the reply, native messaging back', 'host-replied', 'host-replied:authenticate'],
  ['background: host reply → answer posted to the page', 'host-replied:authenticate', 'page-reply-posted'],
  ['background → content script → page', 'page-reply-posted', 'page'],
] as const;

/**
 * From the page's request to the dialog's PIN field, warm (host running): when each step was done,
 * counted from the page's request. The window and the card's view are prepared side by side.
 */
const TO_DIALOG = [
  ['background has the request (content script, page port)', 'page-request-received'],
  ['dialog window asked for', 'dialog-window-requested'],
  ['dialog window open (browser)', 'dialog-window-opened'],
  ['dialog page loaded and connected', 'dialog-connected'],
  ['host answered status', 'host-replied:status'],
  ['host answered list-certificates', 'host-replied:list-certificates'],
  ['card view sent to the dialog', 'dialog-card-view-sent'],
  ['PIN field ready, as the driver sees it', 'dialog-ready'],
] as const;

/** The host's start as its log tells it: when the process began, when its code ran, when the certificates were read. */
function hostStart(log: string): { processStartedAt: number; runningAt: number; certificatesAt: number } {
  const starts = [...log.matchAll(/^(\S+) INFO host starting .*processStartedAt=([\d.]+)/gm)];
  const start = starts.at(-1);
  const after = start ? log.slice(start.index) : '';
  const certificates = /request done command="list-certificates" .*repliedAt=([\d.]+)/.exec(after);
  return {
    processStartedAt: Number(start?.[2] ?? NaN),
    runningAt: start ? Date.parse(start[1] as string) : NaN,
    certificatesAt: Number(certificates?.[1] ?? NaN),
  };
}

/** Node's wall clock in ms, the same scale as the browser's and the host's marks. */
function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

async function measureLogins(name: string, driver: LoginDriver, logFile: string, rounds: number): Promise<void> {
  const toDialog: number[] = [];
  const afterPin: number[] = [];
  const enterToPage: number[] = [];
  const hops: number[][] = HOPS.map(() => []);
  const cardMs: number[] = [];
  const toDialogSteps: number[][] = TO_DIALOG.map(() => []);
  let previous: { postedAt: number; dialogReadyAt: number; receivedAt: number; host: ReturnType<typeof hostTimes> } | undefined;
  const account = (marks: BackgroundMarks, enterAt: number) => {
    if (!previous) return;
    const steps: Record<string, number | undefined> = { ...marks, 'dialog-ready': previous.dialogReadyAt };
    TO_DIALOG.forEach(([, mark], i) => toDialogSteps[i]!.push((steps[mark] ?? NaN) - previous!.postedAt));
    const at: Record<string, number> = {
      ...marks,
      enter: enterAt,
      'host-started': previous.host.startedAt,
      'host-replied': previous.host.repliedAt,
      page: previous.receivedAt,
    };
    HOPS.forEach(([, from, to], i) => hops[i]!.push((at[to] ?? NaN) - (at[from] ?? NaN)));
    enterToPage.push(previous.receivedAt - enterAt);
    cardMs.push(previous.host.card);
  };
  // One more round than measured: each dialog reads the background's marks of the round before it.
  for (let i = 0; i <= rounds; i++) {
    const dialogPromise = driver.nextDialog();
    const t0 = performance.now();
    const reply = driver.authenticate(randomBytes(32).toString('base64'));
    const dialog = await dialogPromise;
    const tDialog = performance.now();
    const dialogReadyAt = wallClock();
    // The first dialog turns the background's timing trace on for the rounds after it; the last,
    // which only reads the marks of the round before, turns it off again.
    const stored = await dialog.storage(i === 0 || i === rounds ? { developerTimingTrace: i === 0 } : undefined);
    account((stored.developerTimingTraceLast ?? {}) as BackgroundMarks, Number(stored.benchEnterAt));
    if (i === rounds) {
      await dialog.cancel();
      await reply;
      break;
    }
    await dialog.typePin(CARD_PIN);
    const tSubmit = performance.now();
    await dialog.submit();
    const result = await reply;
    const tToken = performance.now();
    if (result.action !== 'web-eid:authenticate-success') throw new Error(`authenticate failed: ${JSON.stringify(result)}`);
    const log = readFileSync(logFile, 'utf8');
    previous = { postedAt: result.postedAt, dialogReadyAt, receivedAt: result.receivedAt, host: hostTimes(log) };
    // The first round includes starting the host and reading the certificates; report it apart.
    if (i === 0) {
      row(`${name}: first login (host start, certificates read)`, ms(tDialog - t0 + (tToken - tSubmit)));
      const start = hostStart(log);
      row('  page → host process started (browser starts the host)', ms(start.processStartedAt - result.postedAt));
      row('  host process started → host code running (Node, bundle)', ms(start.runningAt - start.processStartedAt));
      row('  host code running → certificates read', ms(start.certificatesAt - start.runningAt));
      row('  certificates read → PIN field ready, as the driver sees it', ms(dialogReadyAt - start.certificatesAt));
      row('  PIN submitted → token, as the driver sees it', ms(tToken - tSubmit));
      previous = undefined;
      continue;
    }
    toDialog.push(tDialog - t0);
    afterPin.push(tToken - tSubmit);
  }
  const measured = rounds - 1;
  row(`${name}: page → dialog ready (median of ${measured})`, ms(median(toDialog)));
  TO_DIALOG.forEach(([label], i) => row(`  ${label}`, `at +${ms(median(toDialogSteps[i]!))}`));
  row(`${name}: PIN submitted → token at the page, by the driver`, ms(median(afterPin)));
  row(`${name}: Enter in the dialog → token at the page, in the browser`, ms(median(enterToPage)));
  HOPS.forEach(([label], i) => row(`  ${label}`, ms(median(hops[i]!))));
  row('    of which the card (PIN + signature)', ms(median(cardMs)));
  const ours = enterToPage.map((total, i) => total - (hops[3]![i] ?? NaN));
  row(`${name}: extension and messaging (all but the host's authenticate)`, ms(median(ours)));
}

function webEidAuthenticate(nonce: string): Promise<Record<string, unknown> & { postedAt: number; receivedAt: number }> {
  // The wall-clock time the page got the answer, noted by a listener of its own before the page script's.
  let receivedAt = NaN;
  const note = (event: MessageEvent) => {
    const action = (event.data as { action?: unknown } | null)?.action;
    if (action === 'web-eid:authenticate-success' || action === 'web-eid:authenticate-failure') {
      receivedAt = performance.timeOrigin + performance.now();
      window.removeEventListener('message', note);
    }
  };
  window.addEventListener('message', note);
  const page = window as unknown as { webEid(a: string, b: unknown): Promise<Record<string, unknown>> };
  const postedAt = performance.timeOrigin + performance.now();
  return page.webEid('web-eid:authenticate', { challengeNonce: nonce }).then((reply) => ({ ...reply, postedAt, receivedAt }));
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
          await p.evaluate(noteEnter);
          return {
            typePin: (pin) => p.fill('#pin', pin),
            submit: () => p.press('#pin', 'Enter'),
            storage: (set) => p.evaluate(extensionStorage, set),
            cancel: () => p.keyboard.press('Escape').catch(() => undefined),
          };
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
        await p.evaluate(noteEnter);
        return {
          typePin: (pin) => p.type('#pin', pin),
          submit: async () => {
            await p.focus('#pin');
            await p.keyboard.press('Enter');
          },
          storage: (set) => p.evaluate(extensionStorage, set),
          cancel: () => p.keyboard.press('Escape').catch(() => undefined),
        };
      },
    }, logFile, rounds);
  } finally {
    await browser.close();
    home.remove();
  }
}
