/**
 * "Sign a document" end to end: the backend's /sign page in Chromium with the
 * built extension, the real native host and the virtual eID card in the vpcd
 * reader. The person logs in with the card, chooses a PDF, sees it, shares
 * the signing certificate, sees the same document in the extension's sign
 * dialog (title, page count, first page) next to the fingerprint, types the
 * PIN and downloads a PDF that `pdfsig` (poppler-utils) reports valid. A
 * wrong PIN and a Cancel during signing leave no signed document (the
 * uploaded one still waits and is signed next); a downloaded signed PDF
 * signed again carries two valid signatures. With a Kids-ID in the reader
 * there is no signing certificate: the dialog and the page say why.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard } from '../../devtools/virtual-card/virtual-card.js';
import { formatNationalNumber } from '../../shared/identifiers.js';
import { connectToVpcd, type VpcdConnection } from '../../devtools/virtual-card/vpcd-client.js';
import { artifactPath } from '../../tests/e2e/helpers/browsers.js';
import { CARD_PIN, OTHER_VPCD_PORT, type TestCard } from '../../tests/e2e/helpers/card.js';
import { chooseCertificate, enterPin, pressCancel, readDialog, waitForProblem } from '../../tests/e2e/helpers/dialog-driver.js';
import { logInWithCardOnKeyChoice, startSigningScene, type ExtensionBrowser, type SigningScene } from './extension-browser.js';
import type { TestBackend } from './helpers.js';
import { contractPdf, nssDatabaseTrusting, pdfsig } from './signing-helpers.js';

describe('signing a document on the /sign page with the extension and the virtual card (Chromium)', () => {
  let scene: SigningScene;
  let tb: TestBackend;
  let card: TestCard;
  let browser: ExtensionBrowser;
  let workDir: string;

  beforeAll(async () => {
    scene = await startSigningScene('sign-e2e', { acceptDownloads: true });
    ({ card, tb, browser, workDir } = scene);
  }, 120_000);

  afterAll(async () => {
    await scene?.close();
  });

  /** Logs in with the card on the login page, which sends the person back to /sign; the PDF chosen and shown. */
  async function signPageWithDocument(document?: { name: string; pdf: Buffer }): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${tb.server.url}/sign?lang=en`);
    if (new URL(page.url()).pathname === '/login') {
      await logInWithCardOnKeyChoice(browser, page, card, /\/sign$/);
    }
    const chosen = document ?? { name: 'volmacht.pdf', pdf: Buffer.from(await contractPdf(3)) };
    await page.setInputFiles('#pdf-file', { name: chosen.name, mimeType: 'application/pdf', buffer: chosen.pdf });
    await page.click('#show-document');
    await page.waitForSelector('#document-panel:not([hidden])');
    return page;
  }

  it('shows the document on the page and in the sign dialog, and the downloaded PDF validates with pdfsig', async () => {
    const page = await signPageWithDocument();
    expect(await page.textContent('#document-title')).toBe('Volmacht');
    expect(await page.textContent('#document-pages')).toBe('3 pages');
    expect(await page.locator('#first-page').evaluate((img: HTMLImageElement) => img.complete && img.naturalHeight)).toBe(480);

    // First the signing certificate (a consent, no PIN).
    let dialogOpened = browser.nextDialog();
    await page.click('#sign-document');
    let dialog = await dialogOpened;
    expect((await readDialog(dialog)).pinField).toBeNull();
    await chooseCertificate(dialog, card.signingCertificate);
    await dialog.click('#submit');

    // Then the signature: the dialog shows what is signed next to the fingerprint, and says it binds.
    dialogOpened = browser.nextDialog();
    dialog = await dialogOpened;
    await chooseCertificate(dialog, card.signingCertificate);
    const view = await readDialog(dialog);
    expect(view.origin).toBe(new URL(tb.server.origin).host);
    expect(view.hash).toMatch(/^[0-9a-f]{96}$/);
    expect(view.algorithm).toBe('SHA-384');
    const shown = await dialog.evaluate(() => {
      const picture = document.querySelector<HTMLImageElement>('#sign-first-page');
      return {
        title: document.querySelector('#sign-title')?.textContent,
        pages: document.querySelector('#sign-page-count')?.textContent,
        picture: picture ? { loaded: picture.complete && picture.naturalWidth > 0, height: picture.naturalHeight, alt: picture.alt } : null,
        consent: document.querySelector('#sign-consent')?.textContent,
      };
    });
    expect(shown).toEqual({
      title: 'Volmacht',
      pages: '3 pages',
      picture: { loaded: true, height: 480, alt: 'The first page of Volmacht' },
      consent: expect.stringContaining('legally binding'),
    });
    await dialog.screenshot({ path: artifactPath('chromium-dialog-sign-document.png'), fullPage: true });
    await enterPin(dialog, CARD_PIN);

    await page.waitForSelector('#done-panel:not([hidden])', { timeout: 30_000 });
    // This scene has no OCSP responder, so no revocation data went into the document, and the page says what that means.
    expect(await page.textContent('#done-level')).toBe(
      'The status of your certificate could not be added to the signature (PAdES B-B). Whoever checks the signature later checks your certificate themselves.',
    );
    // The check of what is handed out, as anyone who receives it can make it.
    expect(await page.getAttribute('#done-verdict [data-verdict]', 'data-verdict')).toBe('valid');
    expect(await page.textContent('#done-verdict [data-verdict]')).toBe('Every signature in this document holds.');
    expect(await page.locator('#done-verdict li[data-holds="true"] h3').allTextContents()).toEqual(['Signature 1 holds']);
    expect(await page.textContent('#done-verdict dl')).toContain(`Signed by${card.card.pki.person.givenNames} ${card.card.pki.person.surname}`);
    const download = page.waitForEvent('download');
    await page.click('#download');
    const downloaded = await download;
    expect(downloaded.suggestedFilename()).toBe('volmacht-signed.pdf');
    const signedPath = join(workDir, 'volmacht-signed.pdf');
    await downloaded.saveAs(signedPath);
    const report = await pdfsig(signedPath, await nssDatabaseTrusting(card.card.pki, join(workDir, 'nss')));
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain(`Signer Certificate Common Name: ${card.card.pki.person.givenNames} ${card.card.pki.person.surname} (Signature)`);
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain('Total document signed');
    expect((await readFile(signedPath)).subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  /** Clicks Sign and shares the signing certificate (a consent, no PIN); the sign dialog that follows. */
  async function openSignDialog(page: Page): Promise<Awaited<ReturnType<ExtensionBrowser['nextDialog']>>> {
    const certificateDialogOpened = browser.nextDialog();
    await page.click('#sign-document');
    const certificateDialog = await certificateDialogOpened;
    await chooseCertificate(certificateDialog, card.signingCertificate);
    const signDialogOpened = browser.nextDialog();
    await certificateDialog.click('#submit');
    const signDialog = await signDialogOpened;
    await chooseCertificate(signDialog, card.signingCertificate);
    return signDialog;
  }

  /** The signed PDF the done panel offers, saved under `name` in the work directory. */
  async function downloadSigned(page: Page, name: string): Promise<string> {
    await page.waitForSelector('#done-panel:not([hidden])', { timeout: 30_000 });
    const download = page.waitForEvent('download');
    await page.click('#download');
    const path = join(workDir, name);
    await (await download).saveAs(path);
    return path;
  }

  /** The page's signed PDF downloaded: pdfsig finds one signature in it, valid. */
  async function expectOneValidSignature(page: Page, name: string): Promise<void> {
    const report = await pdfsig(await downloadSigned(page, name), await trustingDatabase());
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report.match(/Signature #\d+:/g)).toHaveLength(1);
    await page.close();
  }

  let nssDatabase: string | undefined;
  const trustingDatabase = async () => (nssDatabase ??= await nssDatabaseTrusting(card.card.pki, join(workDir, 'nss-again')));

  it('a wrong PIN shows the tries left and signs nothing; the document still waits, and the right PIN signs it', async () => {
    const page = await signPageWithDocument();
    const dialog = await openSignDialog(page);
    await enterPin(dialog, '0000');
    expect(await waitForProblem(dialog)).toBe('Wrong PIN. You have 2 tries left.');
    // Nothing signed reached the page: no download offered, the document still on show, no error either.
    expect(await page.isVisible('#done-panel')).toBe(false);
    expect(await page.isVisible('#document-panel')).toBe(true);
    expect(await page.getAttribute('#download', 'href')).toBeNull();
    await enterPin(dialog, CARD_PIN);
    await expectOneValidSignature(page, 'after-wrong-pin.pdf');
  });

  it('Cancel in the sign dialog signs nothing and says so; the document still waits and is signed next', async () => {
    const page = await signPageWithDocument();
    const dialog = await openSignDialog(page);
    await pressCancel(dialog);
    await expect.poll(() => page.textContent('#sign-status'), { timeout: 15_000 }).toBe('You cancelled. The document is not signed.');
    expect(await page.isVisible('#done-panel')).toBe(false);
    expect(await page.getAttribute('#download', 'href')).toBeNull();
    // Sign again: the same uploaded document, no new upload.
    await enterPin(await openSignDialog(page), CARD_PIN);
    await expectOneValidSignature(page, 'after-cancel.pdf');
  });

  it('a signed PDF signed again carries two signatures, both valid for pdfsig', async () => {
    const first = await signPageWithDocument();
    await enterPin(await openSignDialog(first), CARD_PIN);
    const once = await downloadSigned(first, 'once.pdf');
    await first.close();
    const second = await signPageWithDocument({ name: 'once.pdf', pdf: await readFile(once) });
    await enterPin(await openSignDialog(second), CARD_PIN);
    const twice = await downloadSigned(second, 'twice.pdf');
    // The first signature's bytes stay as they were: the second is appended after them.
    const [onceBytes, twiceBytes] = await Promise.all([readFile(once), readFile(twice)]);
    expect(twiceBytes.subarray(0, onceBytes.length).equals(onceBytes)).toBe(true);
    const report = await pdfsig(twice, await trustingDatabase());
    expect(report).toContain('Signature Field Name: Signature1');
    expect(report).toContain('Signature Field Name: Signature2');
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    await second.close();
  });

  it('"Check a signed document" (/check-document) shows who signed and that it holds; a changed copy does not hold, and a file that is no PDF is named', async () => {
    const signing = await signPageWithDocument();
    await enterPin(await openSignDialog(signing), CARD_PIN);
    const signed = await readFile(await downloadSigned(signing, 'to-check.pdf'));
    await signing.close();
    const page = await browser.context.newPage();
    await page.goto(`${tb.server.url}/check-document?lang=nl`);
    expect(await page.textContent('h1')).toBe('Een ondertekend document controleren');
    const check = async (name: string, buffer: Buffer) => {
      await page.setInputFiles('#pdf-file', { name, mimeType: 'application/pdf', buffer });
      await page.click('#check-document');
    };

    await check('volmacht-signed.pdf', signed);
    await page.waitForSelector('#check-verdict:not([hidden])');
    expect(await page.textContent('#check-verdict [data-verdict]')).toBe('Elke handtekening in dit document is geldig.');
    const facts = await page.locator('#check-verdict li dl').textContent();
    expect(facts).toContain(`Ondertekend door${card.card.pki.person.givenNames} ${card.card.pki.person.surname}`);
    expect(facts).toContain(`Rijksregisternummer${formatNationalNumber(card.card.pki.person.nationalNumber)}`);
    expect(facts).toContain('Omvathet hele document');
    expect(facts).toContain('Status van het certificaatniet in het document opgenomen, dus niet gecontroleerd');
    await page.screenshot({ path: artifactPath('chromium-check-document.png'), fullPage: true });

    // One byte of the signed content changed: the title "Volmacht" becomes "Wolmacht".
    const changed = Buffer.from(signed);
    const title = '/Title <FEFF0056';
    changed[changed.indexOf(title) + title.length - 1] = '7'.charCodeAt(0);
    await check('volmacht-changed.pdf', changed);
    await expect.poll(() => page.textContent('#check-verdict [data-verdict]')).toBe('Niet elke handtekening in dit document is geldig.');
    expect(await page.locator('#check-verdict li[data-holds="false"] h3').allTextContents()).toEqual(['Handtekening 1 is niet geldig']);
    expect(await page.locator('#check-verdict .problems li').allTextContents()).toContain(
      'Het document werd gewijzigd nadat het ondertekend werd: de inhoud komt niet meer overeen met de handtekening.',
    );

    await check('notes.pdf', Buffer.from('not a PDF at all'));
    await expect.poll(() => page.textContent('#check-status')).toBe('Dit bestand is geen leesbaar PDF-document.');
    expect(await page.isVisible('#check-verdict')).toBe(false);
    await page.close();
  });

  it('with a Kids-ID in the reader: the dialog says the card has no signing certificate, and the page explains why nothing was signed', async () => {
    const page = await signPageWithDocument();
    // The adult's card out, a Kids-ID in the other reader.
    await card.takeOut();
    const kids = await createVirtualCard({ profile: 'kids', pin: CARD_PIN });
    let kidsInReader: VpcdConnection | undefined;
    try {
      kidsInReader = await connectToVpcd(kids, { port: OTHER_VPCD_PORT, retryForMs: 10_000 });
      const dialogOpened = browser.nextDialog();
      await page.click('#sign-document');
      const dialog = await dialogOpened;
      await expect.poll(() => waitForProblem(dialog), { timeout: 30_000 }).toMatch(/Kids-ID/);
      expect(await waitForProblem(dialog)).toBe(
        'This card has no signing certificate, so it cannot sign documents. A Kids-ID (the card for children under 12) never has one. Sign with the identity card of an adult, or ask for help at your municipality.',
      );
      // Closing that dialog tells the page why (NO_SIGNING_CERTIFICATE), not just that the person cancelled.
      await pressCancel(dialog);
      await expect.poll(() => page.textContent('#sign-status'), { timeout: 15_000 }).toBe(
        'Your card has no signing certificate, so it cannot sign documents. A Kids-ID (the card for children under 12) never has one. Sign with the identity card of an adult.',
      );
      expect(await page.isVisible('#done-panel')).toBe(false);
    } finally {
      await kidsInReader?.close();
      await card.putBack();
    }
    await page.close();
  });
});
