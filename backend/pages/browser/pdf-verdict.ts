/**
 * Shows what the check of a signed PDF found (POST /api/signing/verify, or
 * the verdict /finish hands back with the signed document): a headline, then
 * per signature whether it holds, who signed, when (as claimed), what it
 * covers, the certificate's recorded status and, when it does not hold, why.
 * Everything from the document (names, issuer) goes in as text, never as
 * markup: the file is the uploader's.
 */
import type { PdfVerification } from '../../signing/verify-pdf.js';
import { COVERAGE_TEXTS, PROBLEM_TEXTS, REVOCATION_TEXTS } from '../verdict-texts.js';
import { formatNationalNumber } from '../../../shared/identifiers.js';
import type { TextParams } from '../../../shared/text/format.js';

type Translate = (key: string, params?: TextParams) => string;

const HEADLINE_TEXTS = { none: 'checkNoSignatures', valid: 'checkValid', invalid: 'checkInvalid' } as const;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** "CN=Citizen CA, SERIALNUMBER=…, C=BE" → "Citizen CA"; any other form as it is. */
function commonName(name: string): string {
  return /(?:^|,\s*)CN=([^,]+)/.exec(name)?.[1]?.trim() ?? name;
}

/** Replaces the container's content with the verdict, in the page's language. */
export function showVerdict(container: HTMLElement, verification: PdfVerification, tr: Translate, language: string): void {
  const when = new Intl.DateTimeFormat(`${language}-BE`, { dateStyle: 'long', timeStyle: 'short' });
  const verdict = verification.signatures.length === 0 ? 'none' : verification.valid ? 'valid' : 'invalid';
  const summary = element('p', tr(HEADLINE_TEXTS[verdict]), `status ${verification.valid ? 'ok' : 'error'}`);
  summary.dataset.verdict = verdict;
  const list = element('ol', undefined, 'signatures');
  for (const signature of verification.signatures) {
    const item = element('li');
    item.dataset.holds = String(signature.holds);
    item.append(element('h3', tr(signature.holds ? 'checkSignatureHolds' : 'checkSignatureFails', { n: signature.number })));
    const facts = element('dl', undefined, 'person');
    const fact = (label: string, value: string) => facts.append(element('dt', tr(label)), element('dd', value));
    fact('checkSigner', signature.signer?.name ?? tr('checkUnknownSigner'));
    if (signature.signer?.nationalNumber) fact('checkNationalNumber', formatNationalNumber(signature.signer.nationalNumber));
    if (signature.signer) fact('checkIssuer', commonName(signature.signer.issuer));
    if (signature.signingTime) fact('checkSignedOn', when.format(new Date(signature.signingTime.time)));
    fact('checkCovers', tr(COVERAGE_TEXTS[signature.coverage]));
    fact('checkRevocation', tr(REVOCATION_TEXTS[signature.revocation.status]));
    item.append(facts);
    if (signature.problems.length > 0) {
      const problems = element('ul', undefined, 'problems');
      // Two problems of one kind (say, two changed objects) read as one sentence.
      for (const code of new Set(signature.problems.map((p) => p.code))) problems.append(element('li', tr(PROBLEM_TEXTS[code])));
      item.append(element('p', tr('checkProblems')), problems);
    }
    list.append(item);
  }
  container.replaceChildren(element('h2', tr('checkResult')), summary, ...(verdict === 'none' ? [] : [list]));
  container.hidden = false;
}
