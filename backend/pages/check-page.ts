/** "Check a signed document": choose a signed PDF, read who signed it, when, and whether each signature holds. No account needed. */
import { type Language } from '../../shared/text/format.js';
import { esc, page } from './html.js';
import { pageText, type PageTextKey } from './texts/index.js';
import { VERDICT_TEXTS } from './verdict-texts.js';

export interface CheckPageInput {
  language: Language;
  maxPdfBytes: number;
}

const SCRIPT_TEXTS: Array<PageTextKey> = ['working', 'signTooLarge', 'checkNotPdf', 'checkFailed', ...VERDICT_TEXTS];

export function checkPage(input: CheckPageInput): string {
  const { language: l } = input;
  const body = `
<h1>${esc(pageText(l, 'checkTitle'))}</h1>
<p>${esc(pageText(l, 'checkIntro'))}</p>
<section class="card" id="check-panel">
  <form id="check-form">
    <label for="pdf-file">${esc(pageText(l, 'checkChoose', { size: Math.floor(input.maxPdfBytes / (1024 * 1024)) }))}</label>
    <input type="file" id="pdf-file" name="pdf" accept="application/pdf,.pdf" required>
    <div class="actions"><button type="submit" class="primary" id="check-document">${esc(pageText(l, 'checkButton'))}</button></div>
  </form>
  <p class="status" id="check-status" role="alert"></p>
</section>
<section class="card verdict" id="check-verdict" aria-live="polite" hidden></section>`;
  return page({
    language: l,
    title: pageText(l, 'checkTitle'),
    path: '/check-document',
    query: {},
    body,
    scripts: ['/assets/check.js'],
    scriptTexts: SCRIPT_TEXTS,
    scriptData: { maxPdfBytes: input.maxPdfBytes },
  });
}
