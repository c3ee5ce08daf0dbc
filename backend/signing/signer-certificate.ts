/**
 * Whose certificate signs a document: the backend signs only with the
 * logged-in person's own signing certificate, issued under a CA the backend
 * trusts and valid now. The chain found here goes into the CMS, so a verifier
 * can build the path without fetching anything.
 */
import { X509Certificate } from 'node:crypto';
import { KeyUsageFlags, KeyUsagesExtension, X509Certificate as PeculiarCertificate } from '@peculiar/x509';

export type SignerCertificateProblem = 'not-a-certificate' | 'not-a-signing-certificate' | 'not-yours' | 'expired' | 'untrusted';

export class SignerCertificateError extends Error {
  override readonly name = 'SignerCertificateError';
  constructor(
    readonly problem: SignerCertificateProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Issuing CAs above a card certificate: Citizen CA and root, with room to spare. */
const MAX_PATH_LENGTH = 4;

function parse(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new SignerCertificateError('not-a-certificate', 'the signing certificate is not a DER X.509 certificate');
  }
}

/** The subject's serialNumber attribute (OID 2.5.4.5): the national register number on eID certificates. */
function subjectSerialNumber(certificateDer: Uint8Array): string | undefined {
  const name = new PeculiarCertificate(new Uint8Array(certificateDer)).subjectName;
  return name.getField('2.5.4.5')[0];
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return child.checkIssued(issuer) && issuer.ca && child.verify(issuer.publicKey);
}

/**
 * Checks that `certificateDer` is `nationalNumber`'s signing certificate
 * (non-repudiation key usage), valid at `now`, with a path to one of the
 * `trusted` certificates through `trusted` and `intermediates`; returns the
 * issuers on that path, nearest first (what the CMS carries after the signer).
 */
export function checkSignerCertificate(input: {
  certificateDer: Uint8Array;
  nationalNumber: string;
  trusted: readonly Uint8Array[];
  intermediates?: readonly Uint8Array[];
  now: Date;
}): Uint8Array[] {
  const leaf = parse(input.certificateDer);
  const keyUsage = new PeculiarCertificate(new Uint8Array(input.certificateDer)).getExtension(KeyUsagesExtension);
  // The authentication certificate has digital signature only; a Kids-ID has no other certificate.
  if (!keyUsage || (keyUsage.usages & KeyUsageFlags.nonRepudiation) === 0) {
    throw new SignerCertificateError('not-a-signing-certificate', 'this is not a certificate for signatures (no non-repudiation key usage)');
  }
  if (subjectSerialNumber(input.certificateDer) !== input.nationalNumber) {
    throw new SignerCertificateError('not-yours', "the signing certificate is not the logged-in person's");
  }
  if (input.now < new Date(leaf.validFrom) || input.now > new Date(leaf.validTo)) {
    throw new SignerCertificateError('expired', 'the signing certificate is not valid now');
  }
  const path = trustedPath({ certificateDer: input.certificateDer, trusted: input.trusted, intermediates: input.intermediates, at: input.now });
  if (path) return path;
  throw new SignerCertificateError('untrusted', 'the signing certificate does not chain to a trusted certificate authority');
}

/**
 * The issuers from a certificate to one of the `trusted` certificates,
 * through `trusted` and `intermediates`, each valid at `at`; nearest first,
 * ending with the trusted root when it is among `trusted`. Undefined when
 * there is no such path. The signature check of a signed PDF
 * (verify-pdf.ts) uses it too.
 */
export function trustedPath(input: { certificateDer: Uint8Array; trusted: readonly Uint8Array[]; intermediates?: readonly Uint8Array[]; at: Date }): Uint8Array[] | undefined {
  const trusted = input.trusted.map((der) => new X509Certificate(der));
  const candidates = [...trusted, ...(input.intermediates ?? []).map((der) => new X509Certificate(der))];
  const path: X509Certificate[] = [];
  let current = new X509Certificate(input.certificateDer);
  for (let depth = 0; depth < MAX_PATH_LENGTH; depth++) {
    const issuer = candidates.find((candidate) => !path.includes(candidate) && issuedBy(current, candidate));
    if (!issuer) break;
    if (input.at < new Date(issuer.validFrom) || input.at > new Date(issuer.validTo)) break;
    path.push(issuer);
    if (trusted.includes(issuer)) {
      // A trusted issuing CA ends the path; its root, when also trusted, completes it for verifiers.
      const root = trusted.find((t) => t !== issuer && issuedBy(issuer, t));
      if (root && !path.includes(root)) path.push(root);
      return path.map((c) => new Uint8Array(c.raw));
    }
    current = issuer;
  }
  return undefined;
}
