/**
 * The revocation status of a signing certificate, for PAdES B-LT: the same
 * OCSP check as the eID login (shared/token-validator/ocsp.ts, configured by
 * backend/trust.ts: the certificate's AIA responder through the guarded
 * fetcher, or the operator's EID_BRIDGE_OCSP_URL, under the same policy), but
 * its outcome is one of three answers instead of an exception:
 *   good:        the checked OCSP response, which the signed PDF then keeps;
 *   revoked:     the card's signing certificate was revoked (the person
 *                reported the card lost or stolen): nothing is signed with it;
 *   unavailable: no usable answer (policy off, no responder, responder down,
 *                an answer that does not check out, status unknown): the
 *                document is signed at level B-B and the reason is said.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { checkOcsp } from '../../shared/token-validator/ocsp.js';
import { isTokenValidationError } from '../../shared/token-validator/errors.js';
import { toCertificate, type TokenValidatorOptions } from '../../shared/token-validator/validator.js';

export type SignerRevocation =
  | { status: 'good'; ocspResponse: Uint8Array }
  | { status: 'revoked'; reason: string }
  | { status: 'unavailable'; reason: string };

/** What backend/trust.ts's eidCheckOptions(...).ocsp gives: undefined when the policy is off. */
export type SigningOcspOptions = TokenValidatorOptions['ocsp'];

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * `chain` is the signer's issuers, nearest first (checkSignerCertificate's
 * answer); `now` is the time the answer must be fresh for.
 */
export async function signerRevocation(signerCertificate: Uint8Array, chain: readonly Uint8Array[], ocsp: SigningOcspOptions, now: Date): Promise<SignerRevocation> {
  if (!ocsp) return { status: 'unavailable', reason: 'revocation checking is switched off (EID_BRIDGE_OCSP=off)' };
  const issuer = chain[0];
  if (!issuer) return { status: 'unavailable', reason: "the signing certificate's issuer is unknown" };
  // The 'belgian-roots' policy asks about certificates under the Belgian roots only, as for the login.
  const anchors = ocsp.trustAnchors?.map((anchor) => new Uint8Array(toCertificate(anchor).rawData));
  if (anchors && !chain.some((der) => anchors.some((anchor) => sameBytes(anchor, der)))) {
    return { status: 'unavailable', reason: 'revocation is checked only for certificates under the Belgian roots (EID_BRIDGE_OCSP=belgian-roots)' };
  }
  try {
    const ocspResponse = await checkOcsp(new x509.X509Certificate(new Uint8Array(signerCertificate)), new x509.X509Certificate(new Uint8Array(issuer)), {
      ...ocsp,
      clock: { now: () => now.getTime() },
      crypto: webcrypto as unknown as Crypto,
    });
    return { status: 'good', ocspResponse };
  } catch (e) {
    if (!isTokenValidationError(e)) throw e;
    if (e.code === 'CERTIFICATE_REVOKED') return { status: 'revoked', reason: e.message };
    return { status: 'unavailable', reason: e.message };
  }
}
