/**
 * PAdES B-LT after a signature is made: when the signer's certificate has a
 * good, checked OCSP answer now, the chain and that answer go into the
 * document security store (document-security-store.ts); without an answer
 * the document stays B-B and the reason is said. A revoked certificate signs
 * nothing: it may have been revoked between prepare and finish. One flow for
 * every place a person signs (routes/signing.ts, access/signed-documents.ts).
 */
import { addDocumentSecurityStore } from './document-security-store.js';
import type { PendingPdfSignature } from './pades.js';
import { signerRevocation, type SigningOcspOptions } from './signer-revocation.js';

export type LongTermOutcome =
  | { signed: Uint8Array; level: 'B-LT' }
  | { signed: Uint8Array; level: 'B-B'; levelReason: string }
  | { revoked: string };

export async function withLongTermData(signed: Uint8Array, pending: PendingPdfSignature, ocsp: SigningOcspOptions, now: Date): Promise<LongTermOutcome> {
  const revocation = await signerRevocation(pending.signerCertificate, pending.chain, ocsp, now);
  if (revocation.status === 'revoked') return { revoked: revocation.reason };
  if (revocation.status === 'unavailable') return { signed, level: 'B-B', levelReason: revocation.reason };
  return { signed: await addDocumentSecurityStore(signed, { certificates: [pending.signerCertificate, ...pending.chain], ocspResponses: [revocation.ocspResponse] }), level: 'B-LT' };
}
