/**
 * The texts a PDF signature verdict is shown with (pages/browser/pdf-verdict.ts),
 * for the pages that show one (/sign after signing, /check-document) to hand
 * to their script. Each problem code of backend/signing/verify-pdf.ts has
 * its sentence here, so the person reads it in their language.
 */
import type { PdfRevocationStatus, PdfSignatureCoverage, PdfSignatureProblemCode } from '../signing/verify-pdf.js';
import type { PageTextKey } from './texts/index.js';

export const PROBLEM_TEXTS: Readonly<Record<PdfSignatureProblemCode, PageTextKey>> = {
  'byte-range-invalid': 'checkProblemByteRange',
  'cms-unreadable': 'checkProblemUnreadable',
  'digest-mismatch': 'checkProblemDigest',
  'signature-invalid': 'checkProblemSignature',
  'signing-certificate-mismatch': 'checkProblemCertificateMismatch',
  'not-a-signing-certificate': 'checkProblemNotForSigning',
  'certificate-not-valid-now': 'checkProblemNotValidNow',
  untrusted: 'checkProblemUntrusted',
  revoked: 'checkProblemRevoked',
  'changed-after-signing': 'checkProblemChanged',
};

export const COVERAGE_TEXTS: Readonly<Record<PdfSignatureCoverage, PageTextKey>> = {
  'whole-document': 'checkCoverageWhole',
  'signatures-added': 'checkCoverageAdded',
  'changed-after-signing': 'checkCoverageChanged',
  unknown: 'checkCoverageUnknown',
};

export const REVOCATION_TEXTS: Readonly<Record<PdfRevocationStatus, PageTextKey>> = {
  good: 'checkRevocationGood',
  revoked: 'checkRevocationRevoked',
  unknown: 'checkRevocationUnknown',
  'not-checked': 'checkRevocationNotChecked',
};

/** Every text a verdict may use: what the pages pass to their script. */
export const VERDICT_TEXTS: readonly PageTextKey[] = [
  'checkResult', 'checkValid', 'checkInvalid', 'checkNoSignatures', 'checkSignatureHolds', 'checkSignatureFails', 'checkSigner', 'checkUnknownSigner',
  'checkNationalNumber', 'checkIssuer', 'checkSignedOn', 'checkCovers', 'checkRevocation', 'checkProblems',
  ...Object.values(PROBLEM_TEXTS), ...Object.values(COVERAGE_TEXTS), ...Object.values(REVOCATION_TEXTS),
];
