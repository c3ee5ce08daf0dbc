/** "Een document ondertekenen": choose a PDF, see what it is, sign it with the eID, download it. */
import { type Language } from '../../shared/text/format.js';
import type { Person } from '../db/store.js';
import { personJson } from '../people.js';
import { pageText, type PageTextKey } from './texts/index.js';
import { esc, page } from './html.js';
import { VERDICT_TEXTS } from './verdict-texts.js';

export interface SignPageInput {
  language: Language;
  person: Person;
  csrfToken: string;
  maxPdfBytes: number;
}

const SCRIPT_TEXTS: Array<PageTextKey> = [
  'working', 'extensionMissing', 'hostMissing', 'noReader', 'signPageCount', 'signFirstPage', 'signNoPicture', 'signDone', 'signLevelLongTerm', 'signLevelBasic', 'signKidsId', 'signNoCertificateShared',
  'signWrongCertificate', 'signNotYours', 'signCertificateRevoked', 'signCertificateRefused', 'signTooLarge', 'signNotPdf', 'signExpired', 'signCancelled', 'signFailed',
  ...VERDICT_TEXTS,
];

export function signPage(input: SignPageInput): string {
  const { language: l } = input;
  const sizeMb = Math.floor(input.maxPdfBytes / (1024 * 1024));
  const body = `
<h1>${esc(pageText(l, 'signTitle'))}</h1>
<p>${esc(pageText(l, 'signIntro'))}</p>
<section class="card" id="choose-panel">
  <form id="choose-form">
    <label for="pdf-file">${esc(pageText(l, 'signChoose', { size: sizeMb }))}</label>
    <input type="file" id="pdf-file" name="pdf" accept="application/pdf,.pdf" required>
    <div class="actions"><button type="submit" class="primary" id="show-document">${esc(pageText(l, 'signShow'))}</button></div>
  </form>
  <p class="status" id="choose-status" role="alert"></p>
</section>

<section class="card" id="document-panel" hidden>
  <h2>${esc(pageText(l, 'signWhat'))}</h2>
  <div class="document-preview">
    <img id="first-page" class="first-page" alt="" hidden>
    <p id="no-picture" class="hint" hidden>${esc(pageText(l, 'signNoPicture'))}</p>
    <dl class="person">
      <dt>${esc(pageText(l, 'signDocumentTitle'))}</dt><dd id="document-title"></dd>
      <dt>${esc(pageText(l, 'signPages'))}</dt><dd id="document-pages"></dd>
      <dt>${esc(pageText(l, 'name'))}</dt><dd id="signer">${esc(personJson(input.person).name)}</dd>
    </dl>
  </div>
  <p class="hint">${esc(pageText(l, 'signSteps'))}</p>
  <div class="actions">
    <button type="button" class="primary" id="sign-document">${esc(pageText(l, 'signButton'))}</button>
    <a href="/sign?lang=${l}" class="back">${esc(pageText(l, 'signAnother'))}</a>
  </div>
  <p class="status" id="sign-status" role="status" aria-live="polite"></p>
</section>

<section class="card" id="done-panel" hidden>
  <p class="status ok" id="done-status">${esc(pageText(l, 'signDone'))}</p>
  <p class="hint" id="done-level"></p>
  <p><a class="button primary" id="download" download>${esc(pageText(l, 'signDownload'))}</a></p>
  <div class="verdict" id="done-verdict" hidden></div>
  <p><a href="/sign?lang=${l}">${esc(pageText(l, 'signAnother'))}</a> · <a href="/check-document?lang=${l}" id="check-link">${esc(pageText(l, 'checkTitle'))}</a></p>
</section>`;
  return page({
    language: l,
    title: pageText(l, 'signTitle'),
    path: '/sign',
    query: {},
    body,
    scripts: ['/assets/sign.js'],
    scriptTexts: SCRIPT_TEXTS,
    scriptData: { csrfToken: input.csrfToken, maxPdfBytes: input.maxPdfBytes },
  });
}
