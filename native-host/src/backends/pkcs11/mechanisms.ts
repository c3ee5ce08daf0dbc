/**
 * What goes into C_Sign. CKM_RSA_PKCS only pads, so the DigestInfo is ours to
 * add; CKM_ECDSA signs the bare digest and returns raw r‖s.
 */
import { EidBridgeError } from '../../../../shared/errors.js';
import { DIGEST_INFO_PREFIX } from '../../../../shared/belpic/card-constants.js';
import type { DigestAlgorithm } from '../card-backend.js';

export const DIGEST_LENGTHS: Record<DigestAlgorithm, number> = {
  'SHA-1': 20,
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
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
  return Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[algorithm]), Buffer.from(digest)]);
}
