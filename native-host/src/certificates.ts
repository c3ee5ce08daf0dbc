/**
 * Describing certificates for the extension (which carries no X.509 parser)
 * and choosing the one a command should use.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { EidBridgeError } from '../../shared/errors.js';
import { type CertificateDescription, type CertificateUsage } from '../../shared/protocol.js';
import { bytesToBase64 } from '../../shared/bytes.js';
import type { CardBackend, DigestAlgorithm, TokenCertificate } from './backends/card-backend.js';

export interface KeyInfo {
  keyType: 'RSA' | 'EC';
  keySize: number;
  /** EC curve name as node names it (prime256v1, secp384r1, secp521r1) */
  curve?: string;
}

export function keyInfo(cert: X509Certificate): KeyInfo {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return { keyType: 'RSA', keySize: details.modulusLength ?? 0 };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? '';
    const bits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
    return { keyType: 'EC', keySize: bits[curve] ?? 0, curve };
  }
  throw new EidBridgeError('CARD_ERROR', `Unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** "C=BE, CN=Alice Peeters (Authentication), SN=Peeters" (certificate order) from node's newline-separated form. */
function formatName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function commonName(name: string): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(name)?.[1] ?? '';
}

/**
 * A certificate read from a card or token. A damaged one is the card's
 * problem, told as CARD_ERROR, not an exception nobody expected.
 */
export function parseTokenCertificate(der: Uint8Array): X509Certificate {
  try {
    const cert = new X509Certificate(der);
    // What the host reads later must read now: a damaged key or date fails here, told the same way.
    void cert.publicKey;
    if (Number.isNaN(Date.parse(cert.validFrom)) || Number.isNaN(Date.parse(cert.validTo))) throw new RangeError('unreadable validity dates');
    return cert;
  } catch (e) {
    throw new EidBridgeError('CARD_ERROR', 'A certificate on the card cannot be read: it is damaged or not X.509', {}, { cause: e });
  }
}

export function describeCertificate(token: TokenCertificate): CertificateDescription {
  const cert = parseTokenCertificate(token.der);
  const key = keyInfo(cert);
  return {
    certificate: bytesToBase64(token.der),
    usage: token.usage,
    subject: formatName(cert.subject),
    commonName: commonName(cert.subject),
    issuer: formatName(cert.issuer),
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    keyType: key.keyType,
    keySize: key.keySize,
    tokenId: token.tokenId,
    tokenLabel: token.tokenLabel,
    reader: token.reader,
  };
}

/** Every certificate from every backend, read once. A backend that cannot run contributes none, and says why. */
export async function allCertificates(backends: readonly CardBackend[]): Promise<{ found: TokenCertificate[]; failures: EidBridgeError[] }> {
  const found: TokenCertificate[] = [];
  const failures: EidBridgeError[] = [];
  for (const backend of backends) {
    try {
      found.push(...(await backend.certificates()));
    } catch (e) {
      failures.push(e instanceof EidBridgeError ? e : new EidBridgeError('INTERNAL_ERROR', String(e), {}, { cause: e }));
    }
  }
  return { found, failures };
}

/** The backend that holds a certificate: backends prefix their token ids with their name. */
export function backendFor(backends: readonly CardBackend[], cert: TokenCertificate): CardBackend {
  const backend = backends.find((b) => cert.tokenId.startsWith(`${b.name}:`));
  if (!backend) throw new EidBridgeError('INTERNAL_ERROR', `No backend for token ${cert.tokenId}`);
  return backend;
}

/** Failures that mean a card or its path went away during the reading, not that it was never there. */
const WENT_AWAY: ReadonlySet<string> = new Set(['CARD_REMOVED', 'READER_REMOVED', 'PCSC_UNAVAILABLE', 'PKCS11_MODULE_HUNG']);

/**
 * Picks the certificate to use: the one the caller named (base64 DER), or the
 * only one there is. Several without a choice → CERTIFICATE_CHOICE_REQUIRED,
 * listing them; none → the most telling failure (no reader, no card, ...).
 */
export async function chooseCertificate(
  backends: readonly CardBackend[],
  usage: CertificateUsage,
  wanted: string | undefined,
): Promise<TokenCertificate> {
  const all = await allCertificates(backends);
  const found = all.found.filter((c) => c.usage === usage);
  const { failures } = all;
  if (wanted !== undefined) {
    const match = found.find((c) => bytesToBase64(c.der) === wanted);
    if (match) return match;
    // A card, reader or service that went away while the certificates were read held the chosen one, most likely: say so.
    const wentAway = failures.filter((f) => WENT_AWAY.has(f.code));
    if (wentAway.length) throw mostTellingFailure(wentAway);
    throw new EidBridgeError('CERTIFICATE_NOT_FOUND', 'The chosen certificate is not on any card or token present');
  }
  // The same certificate may be visible through two backends (PC/SC and the
  // official middleware's PKCS#11): count it once, preferring the first backend.
  const unique = new Map<string, TokenCertificate>();
  for (const c of found) {
    const fingerprint = createHash('sha256').update(c.der).digest('hex');
    if (!unique.has(fingerprint)) unique.set(fingerprint, c);
  }
  const candidates = [...unique.values()];
  if (candidates.length === 1) return candidates[0] as TokenCertificate;
  if (candidates.length > 1) {
    throw new EidBridgeError('CERTIFICATE_CHOICE_REQUIRED', `${candidates.length} ${usage} certificates are available: choose one`, {
      choices: candidates.map((c) => ({
        certificate: bytesToBase64(c.der),
        subject: describeCertificate(c).subject,
        tokenLabel: c.tokenLabel,
      })),
    });
  }
  if (usage === 'signing') {
    if (all.found.some((c) => c.usage === 'authentication')) {
      throw new EidBridgeError('NO_SIGNING_CERTIFICATE', 'The card has no signing certificate (a Kids-ID, or a card whose signing certificate was never activated)');
    }
  }
  throw mostTellingFailure(failures);
}

/**
 * When no certificate was found, the failure that tells the person most: a
 * card problem says more than a missing reader, which says more than a
 * PKCS#11 module that is simply not installed.
 */
const FAILURE_PRIORITY: Partial<Record<string, number>> = {
  CARD_REMOVED: 8,
  UNSUPPORTED_CARD: 7,
  // The card may well be behind the module that stopped answering: more telling than no card over PC/SC.
  PKCS11_MODULE_HUNG: 6,
  NO_CARD: 5,
  READER_REMOVED: 4,
  NO_READER: 3,
  PCSC_UNAVAILABLE: 2,
  PKCS11_MODULE_MISSING: 1,
};

export function mostTellingFailure(failures: EidBridgeError[]): EidBridgeError {
  const ranked = [...failures].sort((a, b) => (FAILURE_PRIORITY[b.code] ?? 0) - (FAILURE_PRIORITY[a.code] ?? 0));
  return ranked[0] ?? new EidBridgeError('NO_CARD', 'No eID card or token with a certificate was found: insert your card');
}

export const HASH_OF_ALGORITHM: Record<string, DigestAlgorithm> = {
  RS256: 'SHA-256',
  PS256: 'SHA-256',
  ES256: 'SHA-256',
  RS384: 'SHA-384',
  PS384: 'SHA-384',
  ES384: 'SHA-384',
  RS512: 'SHA-512',
  PS512: 'SHA-512',
  ES512: 'SHA-512',
};

export function nodeHashName(algorithm: DigestAlgorithm): string {
  return algorithm.replace('-', '').toLowerCase();
}
