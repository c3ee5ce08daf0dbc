/**
 * What goes into C_Sign. CKM_RSA_PKCS only pads, so the DigestInfo is ours to
 * add; CKM_ECDSA signs the bare digest and returns raw r‖s.
 */
import { EidBridgeError } from '../../../../shared/errors.js';
import type { DigestAlgorithm } from '../card-backend.js';

export const DIGEST_LENGTHS: Record<DigestAlgorithm, number> = {
  'SHA-1': 20,
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** DER DigestInfo headers before the hash value (RFC 8017, section 9.2, note 1). */
const DIGEST_INFO_PREFIXES: Record<DigestAlgorithm, readonly number[]> = {
  'SHA-1': [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14],
  'SHA-224': [0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c],
  'SHA-256': [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20],
  'SHA-384': [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30],
  'SHA-512': [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40],
};

export function checkDigest(digest: Uint8Array, algorithm: DigestAlgorithm): void {
  const expected = DIGEST_LENGTHS[algorithm];
  if (expected === undefined) {
    throw new EidBridgeError('INVALID_ARGUMENT', `Unsupported digest algorithm ${String(algorithm)}`, { argument: 'hashFunction' });
  }
  if (digest.length !== expected) {
    throw new EidBridgeError('INVALID_ARGUMENT', `A ${algorithm} digest is ${expected} bytes, not ${digest.length}`, { argument: 'hash' });
  }
}

/** DigestInfo ‖ digest: the input CKM_RSA_PKCS turns into a PKCS#1 v1.5 signature. */
export function rsaPkcs1DigestInfo(digest: Uint8Array, algorithm: DigestAlgorithm): Buffer {
  checkDigest(digest, algorithm);
  return Buffer.concat([Buffer.from(DIGEST_INFO_PREFIXES[algorithm]), Buffer.from(digest)]);
}
