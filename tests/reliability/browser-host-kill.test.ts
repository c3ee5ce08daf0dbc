/**
 * Host killed (issue #16, item 6, the browser part): in Chromium and in
 * Firefox with the extension, the host the browser started gets SIGKILL in the middle of a
 * request, at one of three moments in turn:
 * - a page request without a dialog (web-eid:status) is with the host: the
 *   host is first stopped (SIGSTOP) so the request is surely unanswered when
 *   the kill comes; the page must get a catalogued Web eID error within 1 s;
 * - the card is signing (authenticate or sign, killed when the card gets the
 *   PSO: COMPUTE DIGITAL SIGNATURE): the request has a dialog, and by design
 *   (request-flow.test.ts) the dialog stays open and shows the catalogued
 *   HOST_DISCONNECTED message, which must appear within 1 s; the person
 *   submits again and it must succeed;
 * - the PIN dialog waits for the person: nothing is asked of the host then,
 *   so the PIN the person types next must simply work.
 * Each time, the next request must be served by a newly started host.
 * Needs the shared pcscd with vpcd, Chromium, Firefox ESR and the build.
 */
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { INS } from '../../shared/belpic/card-constants.js';
import { CARD_PIN, insertVirtualCard, type TestCard } from '../e2e/helpers/card.js';
import { chooseCertificate } from '../e2e/helpers/dialog-driver.js';
import { tokenVerifies, type Token } from '../e2e/helpers/token.js';
import { closeDialogs, itInEachBrowser, problemCode, problemShown, submitPin, runningHostPid, TYPED_WEB_EID_CODES, webEid, type BrowserWithHost } from './browser.js';
import { Tally, caseCount } from './check.js';

const ERROR_LIMIT_MS = 1000;
const MOMENTS = ['page request', 'authenticate signature', 'PIN dialog open', 'sign signature'] as const;
type Moment = (typeof MOMENTS)[number];

let card: TestCard;
/** The browser of the check running now. */
let browser: BrowserWithHost;

beforeAll(async () => {
  card = await insertVirtualCard();
}, 60_000);

afterAll(async () => {
  if (card) card.card.onTransmit = undefined;
  await card?.close();
});

function nonce(): string {
  return randomBytes(32).toString('base64');
}

/** Waits until the browser has a host running (the first request starts it); its pid. */
async function hostRunning(): Promise<number> {
  const reply = await webEid(browser.page, 'web-eid:status', {});
  const pid = runningHostPid(browser);
  if (reply.action !== 'web-eid:status-success' || pid === undefined) throw new Error(`no host answers: ${JSON.stringify(reply)}`);
  return pid;
}

interface Outcome {
  /** What the person or page saw of the fault: a catalogued code, and how long after the kill. */
  errorCode?: string;
  errorMs?: number;
  /** The request that followed (or the same request, resubmitted) worked. */
  workedAfter: boolean;
  note: string;
}

/** Kills the host when the card gets the signature command; resolves with the time of the kill. */
function killAtSignature(pid: number): Promise<number> {
  return new Promise((resolve) => {
    card.card.onTransmit = (command) => {
      if (command[1] !== INS.PSO) return;
      card.card.onTransmit = undefined;
      process.kill(pid, 'SIGKILL');
      resolve(Date.now());
    };
  });
}

async function duringPageRequest(pid: number): Promise<Outcome> {
  process.kill(pid, 'SIGSTOP');
  const reply = webEid(browser.page, 'web-eid:status', {});
  // Long enough for the request to reach the stopped host's input.
  await new Promise((r) => setTimeout(r, 300));
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const answer = await reply;
  const next = await webEid(browser.page, 'web-eid:status', {});
  return {
    errorCode: answer.error?.code,
    errorMs: answer.receivedAt - killedAt,
    workedAfter: next.action === 'web-eid:status-success',
    note: `page got ${answer.error?.code ?? answer.action}; next status ${next.error?.code ?? next.action}`,
  };
}

async function duringSignature(pid: number, action: 'authenticate' | 'sign'): Promise<Outcome> {
  const challenge = nonce();
  const document = randomBytes(64);
  const hash = createHash('sha384').update(document).digest().toString('base64');
  const certificate = action === 'authenticate' ? card.authenticationCertificate : card.signingCertificate;
  const opened = browser.nextDialog();
  const reply =
    action === 'authenticate'
      ? webEid(browser.page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } })
      : webEid(browser.page, 'web-eid:sign', { certificate, hash, hashFunction: 'SHA-384', options: { lang: 'en' } });
  const dialog = await opened;
  await chooseCertificate(dialog, certificate);
  const killed = killAtSignature(pid);
  await submitPin(dialog, CARD_PIN);
  const killedAt = await killed;
  const shown = await problemShown(dialog);
  const errorCode = problemCode(shown.text);
  // The person submits again in the same dialog.
  await submitPin(dialog, CARD_PIN);
  const answer = await reply;
  let worked = answer.action === `web-eid:${action}-success`;
  if (worked && action === 'authenticate') worked = tokenVerifies(answer as unknown as Token, browser.site.httpsOrigin, challenge);
  if (worked && action === 'sign') {
    const key = new X509Certificate(Buffer.from(certificate, 'base64')).publicKey;
    worked = verify('sha384', document, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(answer.signature as string, 'base64'));
  }
  return { errorCode, errorMs: shown.shownAt - killedAt, workedAfter: worked, note: `dialog showed "${shown.text}"; page got ${answer.error?.code ?? answer.action} after the second submit` };
}

async function whileDialogWaits(pid: number): Promise<Outcome> {
  const challenge = nonce();
  const opened = browser.nextDialog();
  const reply = webEid(browser.page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
  const dialog = await opened;
  await chooseCertificate(dialog, card.authenticationCertificate);
  await dialog.waitForSelector('#pin:not([disabled])');
  process.kill(pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  // A kill that met the dialog's own look at the readers empties its list until the next look.
  await chooseCertificate(dialog, card.authenticationCertificate);
  await submitPin(dialog, CARD_PIN);
  const answer = await reply;
  const worked = answer.action === 'web-eid:authenticate-success' && tokenVerifies(answer as unknown as Token, browser.site.httpsOrigin, challenge);
  return { workedAfter: worked, note: `page got ${answer.error?.code ?? answer.action}` };
}

/** Kills the host `runs` times, the moments in turn; counts what the page or the person saw. */
async function hostKillCheck(runs: number): Promise<Tally> {
  const tally = new Tally(`browser: host killed during a request (${browser.name})`);
  const slowest = new Map<Moment, number>();
  for (let i = 0; i < runs; i++) {
    const moment = MOMENTS[i % MOMENTS.length]!;
    const pid = await hostRunning();
    let outcome: Outcome;
    try {
      if (moment === 'page request') outcome = await duringPageRequest(pid);
      else if (moment === 'authenticate signature') outcome = await duringSignature(pid, 'authenticate');
      else if (moment === 'sign signature') outcome = await duringSignature(pid, 'sign');
      else outcome = await whileDialogWaits(pid);
    } catch (e) {
      outcome = { workedAfter: false, note: `the run broke off: ${e instanceof Error ? e.message : String(e)}` };
      card.card.onTransmit = undefined;
      await closeDialogs(browser);
    }
    const newHost = runningHostPid(browser);
    const restarted = newHost !== undefined && newHost !== pid;
    // The page request's fault reaches the page as a Web eID code; a dialog's as the catalogue's HOST_DISCONNECTED.
    const expectsError = moment !== 'PIN dialog open';
    const typed = moment === 'page request' ? TYPED_WEB_EID_CODES.has(outcome.errorCode ?? '') : outcome.errorCode === 'HOST_DISCONNECTED';
    const inTime = outcome.errorMs !== undefined && outcome.errorMs < ERROR_LIMIT_MS;
    if (expectsError && outcome.errorMs !== undefined) slowest.set(moment, Math.max(slowest.get(moment) ?? 0, outcome.errorMs));
    tally.count(
      (!expectsError || (typed && inTime)) && outcome.workedAfter && restarted,
      () => `run ${i} (${moment}): ${outcome.note}; error ${outcome.errorCode ?? 'none'} after ${outcome.errorMs ?? '-'} ms; host ${pid} → ${newHost ?? 'none'}`,
    );
  }
  tally.figures.push(
    `kill to error, slowest: ${[...slowest].map(([m, ms]) => `${m} ${ms} ms`).join(', ')}`,
    `host processes started: ${browser.hostPids().length}`,
  );
  return tally;
}

describe('the host killed in the middle of a request', () => {
  itInEachBrowser(
    'a typed error within 1 s (to the page, or in the open dialog), and the next request starts a new host that works',
    { runs: { Chromium: caseCount(20, MOMENTS.length), Firefox: caseCount(12, MOMENTS.length) }, profilePrefix: 'eid-reliability-host-kill-' },
    (started, runs) => {
      browser = started;
      return hostKillCheck(runs);
    },
  );
});
