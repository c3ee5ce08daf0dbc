/**
 * The "Check a signed document" page's script, served as /assets/check.js:
 * the chosen PDF goes to POST /api/signing/verify (no session; nothing is
 * kept) and the verdict is shown under the form. Choosing another file and
 * checking again replaces it.
 */
import { byId, bytesToBase64, callApi, codeOf, readPageData, setStatus, translator } from './page.js';
import { showVerdict } from './pdf-verdict.js';
import type { PdfVerification } from '../../signing/verify-pdf.js';

const data = readPageData();
const maxPdfBytes = data.maxPdfBytes as number;
const tr = translator(data);
const tooLarge = () => tr('signTooLarge', { size: Math.floor(maxPdfBytes / (1024 * 1024)) });
let busy = false;

function failureText(e: unknown): string {
  const code = codeOf(e) ?? 'NETWORK';
  if (code === 'PDF_INVALID') return tr('checkNotPdf');
  if (code === 'PDF_TOO_LARGE') return tooLarge();
  return tr('checkFailed', { code });
}

byId('check-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const file = byId<HTMLInputElement>('pdf-file').files?.[0];
  if (!file || busy) return;
  const status = byId('check-status');
  const verdict = byId('check-verdict');
  verdict.hidden = true;
  if (file.size > maxPdfBytes) {
    setStatus(status, tooLarge(), 'error');
    return;
  }
  busy = true;
  setStatus(status, tr('working'));
  file
    .arrayBuffer()
    .then((buffer) => callApi('POST', '/api/signing/verify', { pdf: bytesToBase64(new Uint8Array(buffer)) }))
    .then((result) => {
      setStatus(status, '');
      showVerdict(verdict, result as unknown as PdfVerification, tr, data.lang);
    })
    .catch((e: unknown) => setStatus(status, failureText(e), 'error'))
    .then(() => {
      busy = false;
    });
});
