/**
 * Many tabs (issue #16, item 8): 50 tabs of the test site in Chromium call
 * web-eid:authenticate at the same moment. What the extension does by design
 * (extension/background/request-flow.ts): one card dialog at a time, in turn;
 * a few requests (MAX_DIALOG_REQUESTS there) running or waiting, the rest
 * answered ERR_WEBEID_ACTION_PENDING at once. The person answers each dialog with the
 * PIN as it comes. Each tab is a case: it holds when its answer is a token
 * that verifies for its own challenge after its dialog, or
 * ERR_WEBEID_ACTION_PENDING. Then three more cases: never two dialog windows
 * open at once (the windows' own open and close events), no dialog window
 * left afterwards, and the next login works.
 * Needs the shared pcscd with vpcd, Chromium and the build.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_PIN, insertVirtualCard, type TestCard } from '../e2e/helpers/card.js';
import { chooseCertificate, type DriverPage } from '../e2e/helpers/dialog-driver.js';
import { tokenVerifies, type Token } from '../e2e/helpers/token.js';
import { launchChromiumWithHost, nextDialog, submitPin, webEid, type ChromiumWithHost, type PageReply } from './browser.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount } from './check.js';

let card: TestCard;
let browser: ChromiumWithHost;

beforeAll(async () => {
  card = await insertVirtualCard();
  browser = await launchChromiumWithHost('eid-reliability-many-tabs-');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await card?.close();
});

function nonce(): string {
  return randomBytes(32).toString('base64');
}

/** Logs in from `page`, answering its dialog with the PIN. */
async function login(page: Page, challenge: string): Promise<PageReply> {
  const opened = nextDialog(browser.context);
  const reply = webEid(page, 'web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
  const dialog = await opened;
  await chooseCertificate(dialog as unknown as DriverPage, card.authenticationCertificate);
  await submitPin(dialog, CARD_PIN);
  return reply;
}

describe('many tabs asking at once, in Chromium', () => {
  it(
    'shows one dialog at a time, answers the rest as designed, leaves no dialog behind, and the next login works',
    async () => {
      const tabs = caseCount(50, 8);
      const tally = new Tally('browser: tabs authenticating at once (Chromium)');
      const pages: Page[] = [browser.tab];
      while (pages.length < tabs) {
        const page = await browser.context.newPage();
        await page.goto(`${browser.site.httpsOrigin}/`);
        pages.push(page);
      }

      // The dialog windows as the browser opens and closes them.
      let open = 0;
      let mostOpen = 0;
      const dialogs: Page[] = [];
      browser.context.on('page', (p) => {
        void p.waitForLoadState('domcontentloaded').then(() => {
          if (!p.url().includes('/dialog.html')) return;
          dialogs.push(p);
          mostOpen = Math.max(mostOpen, ++open);
          p.once('close', () => open--);
        });
      });

      // Every tab posts its request at the same moment of the machine's clock.
      const challenges = pages.map(() => nonce());
      const startAt = Date.now() + 3000;
      const replies = pages.map((page, i) =>
        page.evaluate(
          async ([at, challenge]) => {
            await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
            const w = window as unknown as { webEid(a: string, b: unknown): Promise<Record<string, unknown> & { action: string }> };
            const reply = await w.webEid('web-eid:authenticate', { challengeNonce: challenge, options: { lang: 'en' } });
            return { ...reply, receivedAt: Date.now() } as PageReply;
          },
          [startAt, challenges[i]!] as const,
        ),
      );
      const answered = new Set<number>();
      replies.forEach((r, i) => void r.then(() => answered.add(i)));

      // The person answers each dialog as it comes, until every tab has its answer.
      let dialogsAnswered = 0;
      while (answered.size < tabs) {
        const next = await Promise.race([
          nextDialog(browser.context, 60_000),
          Promise.all(replies).then(() => undefined),
        ]);
        if (!next) break;
        await chooseCertificate(next as unknown as DriverPage, card.authenticationCertificate);
        await submitPin(next, CARD_PIN);
        dialogsAnswered++;
      }
      const results = await Promise.all(replies);

      const answers = new Map<string, number>();
      results.forEach((reply, i) => {
        const answer = reply.error?.code ?? reply.action;
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
        const loggedIn = reply.action === 'web-eid:authenticate-success' && tokenVerifies(reply as unknown as Token, browser.site.httpsOrigin, challenges[i]!);
        tally.count(loggedIn || reply.error?.code === 'ERR_WEBEID_ACTION_PENDING', () => `tab ${i}: answered ${JSON.stringify(reply.error ?? reply.action)}`);
      });
      const loggedIn = answers.get('web-eid:authenticate-success') ?? 0;
      tally.count(
        mostOpen === 1 && dialogsAnswered === loggedIn && loggedIn > 0,
        () => `${dialogsAnswered} dialogs answered, at most ${mostOpen} open at once, ${loggedIn} logins`,
      );
      const leftBehind = async () => {
        const deadline = Date.now() + 5000;
        while ((await browser.openDialogs()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        return (await browser.openDialogs()).length;
      };
      const left = await leftBehind();
      tally.count(left === 0, () => `${left} dialog windows left open`);
      const challenge = nonce();
      const after = await login(pages[pages.length - 1]!, challenge).catch((e: Error) => e);
      tally.count(
        !(after instanceof Error) && after.action === 'web-eid:authenticate-success' && tokenVerifies(after as unknown as Token, browser.site.httpsOrigin, challenge),
        () => `the next login: ${after instanceof Error ? after.message : JSON.stringify(after.error ?? after.action)}`,
      );

      const refusedWithin = Math.max(0, ...results.filter((r) => r.error?.code === 'ERR_WEBEID_ACTION_PENDING').map((r) => r.receivedAt - startAt));
      tally.figures.push(
        `${tabs} tabs; answers: ${[...answers].map(([a, n]) => `${a} ${n}`).join(', ')}`,
        `the refusals reached their pages within ${refusedWithin} ms of the common start`,
        `${dialogsAnswered} dialogs, at most ${mostOpen} open at once, ${dialogs.length} windows in all`,
      );
      tally.report();
      for (const page of pages.slice(1)) await page.close();
      expect(tally.shortfalls).toEqual([]);
    },
    CHECK_TIMEOUT_MS,
  );
});
