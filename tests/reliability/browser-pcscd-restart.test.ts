/**
 * pcscd restarted with the browser open (issue #16, item 6, the browser
 * part): Chromium, then Firefox, with the extension, its host talking to a
 * pcscd of the check's own (private-pcscd.ts, so the shared pcscd is never
 * stopped); the virtual card in that pcscd's vpcd reader. The person logs in;
 * when the card gets the VERIFY with the PIN, or the first or second command
 * after it, pcscd is stopped, then started again. The request has a dialog, and by design the
 * dialog stays open with the fault: it must show the catalogue's
 * PCSC_UNAVAILABLE problem, which says what happened (or the login completes,
 * when the stop came too late to matter). Then the person
 * tries again in the same dialog, as its "Try again" asks, and the login must
 * work with the same host process and the same browser.
 * Needs root, unshare, pcscd with vpcd, Chromium, Firefox ESR and the build.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { INS } from '../../shared/belpic/card-constants.js';
import { createVirtualCard, type VirtualBelpicCard } from '../../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../../devtools/virtual-card/vpcd-client.js';
import { chooseCertificate } from '../e2e/helpers/dialog-driver.js';
import { tokenVerifies, type Token } from '../e2e/helpers/token.js';
import { closeDialogs, itInEachBrowser, problemCode, problemShown, submitPin, runningHostPid, webEid, type BrowserWithHost } from './browser.js';
import { Tally, caseCount } from './check.js';
import { startPrivatePcscd, type PrivatePcscd } from './private-pcscd.js';

/** Away from the shared pcscd's 35963/35964 and the service-faults check's 30100, below the ephemeral ports (private-pcscd.ts). */
const PRIVATE_VPCD_PORT = 30110;
const PIN = '2580';
const PROBLEM_LIMIT_MS = 5000;
/** pcscd starting, vpcd's card reconnecting (its retry pauses grow to 2 s), the reader polling and the dialog's next look. */
const RECOVERY_LIMIT_MS = 30_000;

let pcscd: PrivatePcscd;
let card: VirtualBelpicCard;
let vpcd: VpcdConnection | undefined;
/** The browser of the check running now. */
let browser: BrowserWithHost;
let certificate: string;

beforeAll(async () => {
  pcscd = await startPrivatePcscd(PRIVATE_VPCD_PORT);
  card = await createVirtualCard({ profile: '1.8', pin: PIN });
  certificate = Buffer.from(card.pki.authentication.der).toString('base64');
  // The card keeps dialling while pcscd is away, as the emulator does when vpcd closes the link.
  vpcd = await connectToVpcd(card, { port: PRIVATE_VPCD_PORT, retryForMs: 60_000 });
}, 60_000);

afterAll(async () => {
  if (card) card.onTransmit = undefined;
  await vpcd?.close();
  await pcscd?.remove();
});

interface Run {
  /** The catalogue code the dialog showed, or 'completed' when the login finished before the stop mattered. */
  fault: string;
  problemMs?: number;
  recoveredMs?: number;
  loggedIn: boolean;
}

/** One login with pcscd stopped at the card's `stopAt`-th command after the PIN was submitted. */
async function loginThroughRestart(stopAt: number): Promise<Run> {
  const challenge = randomBytes(32).toString('base64');
  const opened = browser.nextDialog();
  const reply = webEid(browser.page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
  const dialog = await opened;
  await chooseCertificate(dialog, certificate, RECOVERY_LIMIT_MS);
  let stopped: Promise<void> | undefined;
  let stoppedAt = 0;
  let commands = 0;
  // Counted from the VERIFY that carries the PIN, so the dialog's own looks at the card do not count.
  card.onTransmit = (command) => {
    if (commands === 0 && !(command[1] === INS.VERIFY && command.length > 5)) return;
    if (++commands !== stopAt) return;
    card.onTransmit = undefined;
    stoppedAt = Date.now();
    stopped = pcscd.stop();
  };
  await submitPin(dialog, PIN);
  // A dialog that closes with the login shows no problem: that wait then never ends the race.
  const problem = problemShown(dialog, RECOVERY_LIMIT_MS).then(
    (p) => ({ problem: p }),
    () => new Promise<never>(() => undefined),
  );
  const first = await Promise.race([reply.then((r) => ({ reply: r })), problem]);
  card.onTransmit = undefined;
  const verifies = (r: Record<string, unknown> & { action: string }) => r.action === 'web-eid:authenticate-success' && tokenVerifies(r as unknown as Token, browser.site.httpsOrigin, challenge);
  if ('reply' in first) {
    // The stop came after the card's last answer the login needed (or there was none).
    if (stopped) {
      await stopped;
      await pcscd.start();
    }
    return { fault: 'completed', loggedIn: verifies(first.reply) };
  }
  await stopped;
  await pcscd.start();
  const restartedAt = Date.now();
  // The person waits for the card to show again (pressing "Try again" if offered) and submits the PIN again.
  await chooseCertificate(dialog, certificate, RECOVERY_LIMIT_MS);
  await submitPin(dialog, PIN);
  const answer = await reply;
  return {
    fault: problemCode(first.problem.text) ?? `unknown problem "${first.problem.text}"`,
    problemMs: first.problem.shownAt - stoppedAt,
    recoveredMs: answer.receivedAt - restartedAt,
    loggedIn: verifies(answer),
  };
}

/** Restarts pcscd during `runs` logins; counts what the person saw and whether the login worked again. */
async function pcscdRestartCheck(runs: number): Promise<Tally> {
  // The first login starts the host and proves the private pcscd is seen.
  const before = await loginThroughRestart(Number.POSITIVE_INFINITY);
  expect(before.loggedIn, 'a login before any fault').toBe(true);
  const host = runningHostPid(browser);
  const tally = new Tally(`browser: pcscd restarted during a login (${browser.name})`);
  const faults = new Map<string, number>();
  let slowestProblem = 0;
  let slowestRecovery = 0;
  for (let i = 0; i < runs; i++) {
    const stopAt = 1 + (i % 3);
    const run = await loginThroughRestart(stopAt).catch(async (e: Error) => {
      card.onTransmit = undefined;
      await closeDialogs(browser);
      await pcscd.start().catch(() => undefined);
      return { fault: `broke off: ${e.message}`, loggedIn: false } as Run;
    });
    faults.set(run.fault, (faults.get(run.fault) ?? 0) + 1);
    slowestProblem = Math.max(slowestProblem, run.problemMs ?? 0);
    slowestRecovery = Math.max(slowestRecovery, run.recoveredMs ?? 0);
    const sameHost = host !== undefined && runningHostPid(browser) === host;
    // The dialog says what happened: the PC/SC service stopped (not a card or reader problem the person would look for).
    const told = run.fault === 'completed' || run.fault === 'PCSC_UNAVAILABLE';
    tally.count(
      told && (run.problemMs ?? 0) < PROBLEM_LIMIT_MS && run.loggedIn && sameHost,
      () => `run ${i} (pcscd stopped at command ${stopAt}): ${run.fault} after ${run.problemMs ?? '-'} ms; logged in ${run.loggedIn} after ${run.recoveredMs ?? '-'} ms; host ${host} → ${runningHostPid(browser) ?? 'none'}`,
    );
  }
  tally.figures.push(
    `dialog showed: ${[...faults].map(([f, n]) => `${f} ${n}`).join(', ')}`,
    `stop to problem at most ${slowestProblem} ms, pcscd back to login at most ${slowestRecovery} ms`,
    `host processes started: ${browser.hostPids().length}`,
  );
  return tally;
}

describe('pcscd restarted in the middle of a login', () => {
  itInEachBrowser(
    'a typed error in the dialog, and the login works again with the same host and browser once pcscd is back',
    { runs: { Chromium: caseCount(5, 1), Firefox: caseCount(3, 1) }, profilePrefix: 'eid-reliability-pcscd-', env: () => ({ PCSCLITE_CSOCK_NAME: pcscd.socket }) },
    (started, runs) => {
      browser = started;
      return pcscdRestartCheck(runs);
    },
  );
});
