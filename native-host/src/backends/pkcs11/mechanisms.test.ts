import { createHash, generateKeyPairSync, publicDecrypt, sign, constants } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EidBridgeError } from '../../../../shared/errors.js';
import type { DigestAlgorithm } from '../card-backend.js';
import { checkDigest, DIGEST_LENGTHS, rsaPkcs1DigestInfo } from './mechanisms.js';

const NODE_HASH: Record<DigestAlgorithm, string> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

describe('rsaPkcs1DigestInfo', () => {
  // OpenSSL builds the DigestInfo itself when it signs; opening its signature shows the bytes a card must get.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });

  it.each(Object.keys(NODE_HASH) as DigestAlgorithm[])('builds the same DigestInfo as OpenSSL for %s', (algorithm) => {
    const message = Buffer.from('message');
    const digest = createHash(NODE_HASH[algorithm]).update(message).digest();
    const opened = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, sign(NODE_HASH[algorithm], message, privateKey));
    expect(rsaPkcs1DigestInfo(new Uint8Array(digest), algorithm).toString('hex')).toBe(opened.toString('hex'));
    expect(digest.length).toBe(DIGEST_LENGTHS[algorithm]);
  });

  it('refuses a digest whose length does not fit the algorithm', () => {
    expect(() => rsaPkcs1DigestInfo(new Uint8Array(32), 'SHA-384')).toThrow(EidBridgeError);
    expect(() => checkDigest(new Uint8Array(48), 'SHA-384')).not.toThrow();
    try {
      checkDigest(new Uint8Array(31), 'SHA-256');
    } catch (e) {
      expect((e as EidBridgeError).code).toBe('INVALID_ARGUMENT');
    }
    expect(() => checkDigest(new Uint8Array(16), 'MD5' as DigestAlgorithm)).toThrow(/Unsupported/);
  });
});
