/**
 * Integrity of the identity data of a Belgian eID card (docs/card.md,
 * "Integrity of the identity data"):
 * - identity: file 4032 is the national register's (RRN) signature over the
 *   whole identity file 4031;
 * - address: file 4034 signs the address file 4033 without its trailing 00
 *   bytes, followed by the identity signature;
 * - photo: the hash of file 4035 equals identity tag 11;
 * - the RRN certificate (503C) must be issued directly by a trusted root, be
 *   no CA and be meant for signing, or the data is "not verified", whatever
 *   the signatures say. Its name only warns: the government's test cards
 *   call it "test RRN" (docs/card.md, "Which certificate may sign").
 *
 * RSA RRN keys (V1.1, applet 1.7) sign with PKCS#1 v1.5; the hash follows the
 * photo-hash length (20 SHA-1, 32 SHA-256, 48 SHA-384), and cards re-signed
 * under a newer CA use SHA-256 while their photo hash is still SHA-1. EC RRN
 * keys (applet 1.8) sign with ECDSA P-384 / SHA-384; the signature file holds
 * a DER signature zero-padded to the file length.
 *
 * Node only (node:crypto): verification runs in the native host and the CLI.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { IdentityVerification, RawCardFiles } from '../shared/identity.js';
import { IDENTITY_TAG, tlvContentLength, trimTrailingZeros } from '../shared/identity-parse.js';
import { decodeBelpicTlv } from '../shared/tlv.js';
import { bytesToHex, concatBytes } from '../shared/bytes.js';

export type CardFileId = keyof RawCardFiles;

/** Raw card files by file id, as bytes. */
export type CardFiles = Partial<Record<CardFileId, Uint8Array>>;

export interface VerifyIdentityOptions {
  /** Trusted root certificates (DER bytes, PEM text or parsed). Nothing else is trusted. */
  trustedRoots: ReadonlyArray<Uint8Array | string | X509Certificate>;
  /** The time to check certificate validity at (default now). */
  now?: Date;
}

type NodeHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const HASH_BY_LENGTH: Record<number, NodeHash> = { 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };
const HASH_LABEL: Record<NodeHash, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** The largest DER ECDSA P-384 signature: SEQUENCE of two 49-byte INTEGERs. */
const MAX_P384_DER_SIGNATURE = 104;

const CARD_FILE_ID = /^(4031|4032|4033|4034|4035|4040|5038|5039|503A|503B|503C)$/;

/**
 * The raw files of a ReadIdentityResult (base64) as bytes, so a server can
 * verify what a page sends it instead of trusting the verdict that came along.
 * Unknown keys and values that are not base64 strings are left out.
 */
export function decodeRawCardFiles(raw: Record<string, unknown>): CardFiles {
  const files: CardFiles = {};
  for (const [id, value] of Object.entries(raw)) {
    const key = id.toUpperCase();
    if (!CARD_FILE_ID.test(key) || typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) continue;
    files[key as CardFileId] = new Uint8Array(Buffer.from(value, 'base64'));
  }
  return files;
}

/**
 * A certificate file from the card is zero-padded; its DER header gives the
 * true length (30 82 LL LL → LLLL + 4, also short and 81 forms).
 */
export function trimDerCertificate(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x30) return bytes;
  const l = bytes[1]!;
  let total: number;
  if (l < 0x80) total = l + 2;
  else if (l === 0x81 && bytes.length >= 3) total = bytes[2]! + 3;
  else if (l === 0x82 && bytes.length >= 4) total = ((bytes[2]! << 8) | bytes[3]!) + 4;
  else if (l === 0x83 && bytes.length >= 5) total = ((bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) + 5;
  else return bytes;
  return total <= bytes.length ? bytes.subarray(0, total) : bytes;
}

/** True when the bytes are absent or all zero (a card without that certificate). */
export function isEmptyFile(bytes: Uint8Array | undefined): boolean {
  return !bytes || bytes.every((b) => b === 0);
}

export function parseCertificate(input: Uint8Array | string | X509Certificate): X509Certificate {
  if (input instanceof X509Certificate) return input;
  if (typeof input === 'string') return new X509Certificate(input);
  return new X509Certificate(Buffer.from(trimDerCertificate(input)));
}

/** A one-line name for display: "CN=RRN, O=RRN, C=BE". */
export function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(', ');
}

export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA-${details.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve;
    const name = curve === 'secp384r1' ? 'P-384' : curve === 'prime256v1' ? 'P-256' : curve === 'secp521r1' ? 'P-521' : curve;
    return `EC ${name ?? '?'}`;
  }
  return key.asymmetricKeyType ?? 'unknown';
}

function findPhotoHash(identity: Uint8Array): Uint8Array | undefined {
  try {
    return decodeBelpicTlv(identity).find((e) => e.tag === IDENTITY_TAG.PHOTO_HASH)?.value;
  } catch {
    return undefined;
  }
}

function unique(list: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return list.filter((b) => {
    const k = bytesToHex(b);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function padTo(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(bytes.subarray(0, length));
  return out;
}

/**
 * The identity file as signed. A reader that strips trailing zero bytes may
 * cut off zero bytes that belong to the last value (a hash can end in 00), and
 * a reader that keeps padding adds some: the TLV walk gives the true end.
 */
function signedIdentityCandidates(identity: Uint8Array): Uint8Array[] {
  const end = tlvContentLength(identity);
  return unique([identity, end <= identity.length ? identity.subarray(0, end) : padTo(identity, end)]);
}

interface SignatureForm {
  signature: Uint8Array;
  dsaEncoding?: 'der' | 'ieee-p1363';
}

function rsaSignatureForms(signature: Uint8Array, key: KeyObject): SignatureForm[] {
  const bytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? signature.length * 8) / 8);
  if (signature.length === bytes) return [{ signature }];
  // Longer: padding after the signature. Shorter: zero bytes stripped by a reader.
  return [{ signature: padTo(signature, bytes) }];
}

/** The DER signature's own length (sig[1] + 2 for the short form), or undefined if not DER. */
function derSignatureLength(signature: Uint8Array): number | undefined {
  if (signature.length < 2 || signature[0] !== 0x30) return undefined;
  const l = signature[1]!;
  if (l < 0x80) return l + 2;
  if (l === 0x81 && signature.length >= 3) return signature[2]! + 3;
  return undefined;
}

function ecSignatureForms(signature: Uint8Array): SignatureForm[] {
  const forms: SignatureForm[] = [];
  const derLength = derSignatureLength(signature);
  if (derLength !== undefined) forms.push({ signature: padTo(signature, derLength), dsaEncoding: 'der' });
  // Some readers hand the raw r‖s (96 bytes for P-384) instead of DER.
  if (signature.length === 96) forms.push({ signature, dsaEncoding: 'ieee-p1363' });
  return forms;
}

/** What the address signature appends: the identity signature file, as read or in its exact DER form. */
function identitySignatureVariants(signature: Uint8Array, key: KeyObject): Uint8Array[] {
  if (key.asymmetricKeyType === 'rsa') return unique([signature, ...rsaSignatureForms(signature, key).map((f) => f.signature)]);
  const derLength = derSignatureLength(signature);
  const variants = [signature];
  if (derLength !== undefined) {
    variants.push(padTo(signature, derLength));
    variants.push(padTo(signature, Math.max(derLength, MAX_P384_DER_SIGNATURE)));
  }
  return unique(variants);
}

function verifyOne(hash: NodeHash, data: Uint8Array, key: KeyObject, form: SignatureForm): boolean {
  try {
    const keyInput = form.dsaEncoding ? { key, dsaEncoding: form.dsaEncoding } : key;
    return cryptoVerify(hash, data, keyInput, form.signature);
  } catch {
    return false;
  }
}

/** Tries each hash, data form and signature form; returns the hash that verified. */
function verifyAny(
  hashes: NodeHash[],
  dataForms: Uint8Array[],
  key: KeyObject,
  signature: Uint8Array,
): NodeHash | undefined {
  const forms = key.asymmetricKeyType === 'ec' ? ecSignatureForms(signature) : rsaSignatureForms(signature, key);
  for (const hash of hashes) {
    for (const data of dataForms) {
      for (const form of forms) if (verifyOne(hash, data, key, form)) return hash;
    }
  }
  return undefined;
}

function validAt(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime();
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Self-signed: a root. A CA below a root that someone configured as trusted is not one. */
function isRoot(cert: X509Certificate): boolean {
  return issuedBy(cert, cert);
}

/** The name the national register's certificate has on cards issued to people. */
export const RRN_CERTIFICATE_NAME = 'CN=RRN, O=RRN, C=BE';

const SIGNING_KEY_USAGE = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation;

/** True when the certificate's key usage allows signatures (digitalSignature or nonRepudiation). */
function isForSigning(cert: X509Certificate): boolean {
  try {
    const usage = new x509.X509Certificate(cert.raw).getExtension(x509.KeyUsagesExtension);
    return usage !== null && (usage.usages & SIGNING_KEY_USAGE) !== 0;
  } catch {
    return false;
  }
}

interface RrnCertificateJudgement {
  trusted: boolean;
  root?: X509Certificate;
  problems: string[];
  warnings: string[];
}

/**
 * Whether the certificate in 503C may vouch for identity data. What decides:
 * issued directly by a trusted root (the national register's certificate
 * hangs under the root itself, a citizen's under a Citizen CA), not a CA,
 * key usage for signing, valid now; the signatures are checked by the caller.
 * The name decides nothing and only warns when it is not the usual one.
 */
function judgeRrnCertificate(
  rrn: X509Certificate,
  cardCertificates: X509Certificate[],
  trusted: X509Certificate[],
  now: Date,
): RrnCertificateJudgement {
  const subject = oneLineName(rrn.subject);
  const issuer = oneLineName(rrn.issuer);
  const problems: string[] = [];
  const warnings: string[] = [];
  if (rrn.ca) problems.push(`The certificate in file 503C ("${subject}") is a CA certificate, so it is not an RRN certificate.`);
  if (!isForSigning(rrn)) {
    problems.push(`The certificate in file 503C ("${subject}") is not an RRN certificate: its key usage does not allow signing.`);
  }
  const roots = trusted.filter(isRoot);
  const rootCandidates = roots.filter((r) => issuedBy(rrn, r));
  if (rootCandidates.length === 0) {
    // A CA that is itself issued by someone (Citizen CA, Foreigner CA) issues the people's own certificates.
    const intermediate = [...cardCertificates, ...trusted].find((c) => !isRoot(c) && issuedBy(rrn, c));
    if (intermediate) {
      problems.push(
        `The certificate in file 503C ("${subject}") is not an RRN certificate: it is issued by the intermediate CA "${issuer}", and only a certificate issued directly by a trusted root may vouch for identity data.`,
      );
    } else if (trusted.length === 0) {
      problems.push('No trusted root certificates are configured, so the RRN certificate cannot be trusted.');
    } else {
      problems.push(`The RRN certificate (issued by "${issuer}") does not chain to a trusted root.`);
    }
    return { trusted: false, problems, warnings };
  }
  // The same root key may exist as several certificates (Belgium Root CA4 was re-issued with a later end date).
  const root = rootCandidates.find((r) => validAt(r, now)) ?? rootCandidates[0]!;
  if (!validAt(rrn, now)) {
    problems.push(`The certificate "${subject}" is not valid at ${now.toISOString().slice(0, 10)} (valid ${rrn.validFrom} to ${rrn.validTo}).`);
  }
  if (!validAt(root, now)) problems.push(`The trusted root "${oneLineName(root.subject)}" has expired.`);
  if (problems.length === 0 && subject !== RRN_CERTIFICATE_NAME) {
    warnings.push(
      `The RRN certificate is named "${subject}" (issued by "${oneLineName(root.subject)}"), not "${RRN_CERTIFICATE_NAME}" as on cards issued to people: the government's test cards are named like this. It was accepted because a trusted root issued it for signing and it verifies the signatures, not because of its name.`,
    );
  }
  return { trusted: problems.length === 0, root, problems, warnings };
}

/**
 * Verifies the identity files of one card. Never throws for bad data: every
 * failure becomes an outcome and a plain-language problem, and `verified` is
 * true only when everything that could be checked is valid and trusted.
 */
export function verifyIdentityFiles(files: CardFiles, options: VerifyIdentityOptions): IdentityVerification {
  const now = options.now ?? new Date();
  const problems: string[] = [];
  const warnings: string[] = [];
  const result: IdentityVerification = {
    verified: false,
    identitySignature: 'not-checked',
    addressSignature: 'not-checked',
    photoHash: 'not-checked',
    rrnCertificate: 'not-checked',
    problems,
    warnings,
  };
  const identity = files['4031'];
  const identitySignature = files['4032'];
  const address = files['4033'];
  const addressSignature = files['4034'];
  const photo = files['4035'];

  // Photo: needs only the identity file.
  if (photo && identity) {
    const expected = findPhotoHash(identity);
    const hash = expected ? HASH_BY_LENGTH[expected.length] : undefined;
    if (!expected || !hash) {
      result.photoHash = 'invalid';
      problems.push('The identity data holds no usable photo hash, so the photo cannot be checked.');
    } else {
      const actual = createHash(hash).update(photo).digest();
      if (Buffer.compare(actual, Buffer.from(expected)) === 0) result.photoHash = 'valid';
      else {
        result.photoHash = 'invalid';
        problems.push('The photo does not match the photo hash in the signed identity data: it was changed.');
      }
    }
  }

  // Applet 1.8: the basic key file must be the one the signed identity names (tag 1A).
  const basicKey = files['4040'];
  if (basicKey && basicKey.length > 0 && identity) {
    let expected: Uint8Array | undefined;
    try {
      expected = decodeBelpicTlv(identity).find((e) => e.tag === IDENTITY_TAG.BASIC_KEY_HASH)?.value;
    } catch {
      expected = undefined;
    }
    if (expected && expected.length === 48) {
      const same = Buffer.compare(createHash('sha384').update(basicKey).digest(), Buffer.from(expected)) === 0;
      result.basicKeyHash = same ? 'valid' : 'invalid';
      if (!same) problems.push('The card\'s basic key (file 4040) does not match the hash in the signed identity data.');
    }
  }

  let rrn: X509Certificate | undefined;
  const rrnFile = files['503C'];
  if (isEmptyFile(rrnFile)) {
    problems.push('The RRN certificate (file 503C) is missing, so the signatures cannot be checked.');
  } else {
    try {
      rrn = parseCertificate(rrnFile!);
      // A certificate whose key does not decode parses, then throws where the key is used.
      void rrn.publicKey;
    } catch {
      rrn = undefined;
      problems.push('The RRN certificate (file 503C) cannot be read.');
    }
  }

  if (!identity || !identitySignature) {
    problems.push('The identity file or its signature (4031, 4032) is missing.');
  }

  if (rrn) {
    const key = rrn.publicKey;
    result.rrnKeyType = describeKey(key);
    result.rrnSubject = oneLineName(rrn.subject);
    result.rrnIssuer = oneLineName(rrn.issuer);
    const photoHashLength = identity ? findPhotoHash(identity)?.length : undefined;
    let hashes: NodeHash[];
    if (key.asymmetricKeyType === 'ec') hashes = ['sha384'];
    else {
      const primary = (photoHashLength !== undefined ? HASH_BY_LENGTH[photoHashLength] : undefined) ?? 'sha1';
      // Cards re-signed under a newer CA keep a SHA-1 photo hash but sign with SHA-256.
      hashes = primary === 'sha1' ? ['sha1', 'sha256'] : [primary];
    }
    let usedHash: NodeHash | undefined;

    if (identity && identitySignature) {
      usedHash = verifyAny(hashes, signedIdentityCandidates(identity), key, identitySignature);
      if (usedHash) result.identitySignature = 'valid';
      else {
        result.identitySignature = 'invalid';
        problems.push('The identity data does not match its signature: it was changed after the national register signed it, or was signed by another key.');
      }
    }

    if (address && addressSignature && identitySignature) {
      const trimmed = trimTrailingZeros(address);
      const dataForms = identitySignatureVariants(identitySignature, key).map((sig) => concatBytes(trimmed, sig));
      const addressHashes = usedHash ? [usedHash, ...hashes.filter((h) => h !== usedHash)] : hashes;
      const addressHash = verifyAny(addressHashes, dataForms, key, addressSignature);
      if (addressHash) {
        result.addressSignature = 'valid';
        usedHash ??= addressHash;
      } else {
        result.addressSignature = 'invalid';
        problems.push('The address does not match its signature: it was changed after the national register signed it.');
      }
    } else if (address || addressSignature) {
      result.addressSignature = 'invalid';
      problems.push('The address file or its signature (4033, 4034) is missing, so the address cannot be checked.');
    }
    if (usedHash) result.signatureHash = HASH_LABEL[usedHash];

    // The RRN certificate itself: who issued it and what for.
    const trusted: X509Certificate[] = [];
    for (const root of options.trustedRoots) {
      try {
        trusted.push(parseCertificate(root));
      } catch {
        // An unreadable root is simply not trusted; the loader reports it.
      }
    }
    const cardCertificates: X509Certificate[] = [];
    for (const id of ['503A', '503B'] as const) {
      const bytes = files[id];
      if (isEmptyFile(bytes)) continue;
      try {
        cardCertificates.push(parseCertificate(bytes!));
      } catch {
        // Only used to name the issuer of a certificate that is not the RRN's.
      }
    }
    const judgement = judgeRrnCertificate(rrn, cardCertificates, trusted, now);
    if (judgement.root) result.trustedRoot = oneLineName(judgement.root.subject);
    result.rrnCertificate = judgement.trusted ? 'trusted' : 'untrusted';
    problems.push(...judgement.problems);
    // The name warning stands for a certificate that vouches for signatures that hold.
    if (result.identitySignature === 'valid') warnings.push(...judgement.warnings);
  }

  result.verified =
    result.identitySignature === 'valid' &&
    result.rrnCertificate === 'trusted' &&
    result.addressSignature !== 'invalid' &&
    result.photoHash !== 'invalid' &&
    result.basicKeyHash !== 'invalid' &&
    problems.length === 0;
  return result;
}
