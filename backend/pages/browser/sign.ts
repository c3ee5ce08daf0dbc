/**
 * The "Sign a document" page's script, served as /assets/sign.js: upload the
 * chosen PDF (the backend answers with its title, page count and first page),
 * then with the eID: the signing certificate, the hash the backend prepared
 * for it, the card's signature over that hash (the sign request carries the
 * document's description, for the extension's dialog to show), and the signed
 * PDF to download. window.eidBridge when the extension offers it on this site,
 * else the Web eID page protocol over window.postMessage.
 */
import { byId, bytesToBase64, callApi, codeOf, readPageData, setStatus, translator, type Json } from './page.js';
import { showVerdict } from './pdf-verdict.js';
import type { PdfVerification } from '../../signing/verify-pdf.js';
import { cardErrorCode, cardSignature, signingCertificate, type DocumentDescription } from './card-signing.js';
import { CardFailure } from './web-eid.js';

interface SignPageData {
  csrfToken: string;
  maxPdfBytes: number;
}

const data = readPageData();
const page = data as unknown as SignPageData;
const tr = translator(data);

const api = (path: string, body: unknown): Promise<Json> => callApi('POST', path, body, { 'X-CSRF-Token': page.csrfToken });

function errorCodeOf(e: unknown): string | undefined {
  return cardErrorCode(e, codeOf(e));
}

/** What the person reads when a step fails: the card, the extension or the backend, each in their words. */
function failureText(e: unknown): string {
  const code = errorCodeOf(e) || 'NETWORK';
  const sizeMb = Math.floor(page.maxPdfBytes / (1024 * 1024));
  switch (code) {
    case 'ERR_WEBEID_EXTENSION_UNAVAILABLE':
      return tr('extensionMissing');
    case 'NATIVE_UNAVAILABLE':
    case 'HOST_DISCONNECTED':
    case 'ERR_WEBEID_NATIVE_UNAVAILABLE':
      return tr('hostMissing');
    case 'NO_READER':
    case 'NO_CARD':
    case 'PCSC_UNAVAILABLE':
    case 'CARD_REMOVED':
      return tr('noReader');
    case 'USER_CANCELLED':
    case 'ERR_WEBEID_USER_CANCELLED':
    case 'USER_TIMEOUT':
    case 'ERR_WEBEID_USER_TIMEOUT':
      return tr('signCancelled');
    case 'NO_SIGNING_CERTIFICATE':
      return tr('signKidsId');
    case 'NO_CERTIFICATE_SHARED':
      return tr('signNoCertificateShared');
    case 'NOT_A_SIGNING_CERTIFICATE':
      return tr('signWrongCertificate');
    case 'SIGNING_CERTIFICATE_NOT_YOURS':
      return tr('signNotYours');
    case 'CERTIFICATE_REVOKED':
      return tr('signCertificateRevoked');
    case 'CERTIFICATE_EXPIRED':
    case 'CERTIFICATE_UNTRUSTED':
    case 'CERTIFICATE_INVALID':
      return tr('signCertificateRefused', { code });
    case 'PDF_TOO_LARGE':
      return tr('signTooLarge', { size: sizeMb });
    case 'PDF_INVALID':
      return tr('signNotPdf');
    case 'SIGNING_DOCUMENT_EXPIRED':
      return tr('signExpired');
    default:
      return tr('signFailed', { code });
  }
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let documentId: string | undefined;
let description: DocumentDescription | undefined;

function showDocument(uploaded: Json): void {
  documentId = uploaded.documentId as string;
  const firstPage = typeof uploaded.firstPage === 'string' ? uploaded.firstPage : undefined;
  description = { title: uploaded.title as string, pageCount: uploaded.pageCount as number, ...(firstPage ? { firstPage } : {}) };
  byId('document-title').textContent = description.title;
  byId('document-pages').textContent = tr('signPageCount', { n: description.pageCount });
  const picture = byId<HTMLImageElement>('first-page');
  if (firstPage) {
    picture.src = `data:image/png;base64,${firstPage}`;
    picture.alt = tr('signFirstPage', { title: description.title });
  }
  picture.hidden = !firstPage;
  byId('no-picture').hidden = Boolean(firstPage);
  byId('choose-panel').hidden = true;
  byId('document-panel').hidden = false;
  byId('sign-document').focus();
}

let busy = false;

byId('choose-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const file = byId<HTMLInputElement>('pdf-file').files?.[0];
  if (!file || busy) return;
  const status = byId('choose-status');
  if (file.size > page.maxPdfBytes) {
    setStatus(status, tr('signTooLarge', { size: Math.floor(page.maxPdfBytes / (1024 * 1024)) }), 'error');
    return;
  }
  busy = true;
  setStatus(status, tr('working'));
  file
    .arrayBuffer()
    .then((buffer) => api('/api/signing/documents', { fileName: file.name, pdf: bytesToBase64(new Uint8Array(buffer)) }))
    .then((uploaded) => {
      setStatus(status, '');
      showDocument(uploaded);
    })
    .catch((e: unknown) => setStatus(status, failureText(e), 'error'))
    .then(() => {
      busy = false;
    });
});

byId('sign-document').addEventListener('click', () => {
  if (busy || !documentId || !description) return;
  busy = true;
  const button = byId<HTMLButtonElement>('sign-document');
  button.disabled = true;
  const status = byId('sign-status');
  setStatus(status, tr('working'));
  const id = encodeURIComponent(documentId);
  const shown = description;
  (async () => {
    const certificate = await signingCertificate(data.lang).catch((e: unknown) => {
      // A Kids-ID has no signing certificate: its dialog says so, and all the person can do there is cancel.
      const code = errorCodeOf(e);
      throw code === 'USER_CANCELLED' || code === 'ERR_WEBEID_USER_CANCELLED' ? new CardFailure('no signing certificate shared', 'NO_CERTIFICATE_SHARED') : e;
    });
    const prepared = await api(`/api/signing/documents/${id}/prepare`, { certificate });
    const signature = await cardSignature(data.lang, certificate, prepared.hash as string, prepared.hashFunction as string, shown);
    const signed = await api(`/api/signing/documents/${id}/finish`, { certificate, signature });
    const link = byId<HTMLAnchorElement>('download');
    link.href = URL.createObjectURL(new Blob([base64ToBytes(signed.signedPdf as string)], { type: 'application/pdf' }));
    link.download = signed.fileName as string;
    // Whether the revocation data made it into the document decides how long the signature can be checked.
    byId('done-level').textContent = tr(signed.level === 'B-LT' ? 'signLevelLongTerm' : 'signLevelBasic');
    setStatus(status, '');
    byId('document-panel').hidden = true;
    byId('done-panel').hidden = false;
    // The same check anyone who receives the document can make (/check-document), run on what is handed out.
    if (signed.verification) showVerdict(byId('done-verdict'), signed.verification as PdfVerification, tr, data.lang);
    link.focus();
  })()
    .catch((e: unknown) => setStatus(status, failureText(e), 'error'))
    .then(() => {
      busy = false;
      button.disabled = false;
    });
});
