import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { P384_GENERATOR, p384IsOnCurve, p384PublicPoint, signP384Digest } from './ecdsa-p384.js';

describe('ECDSA P-384 over a precomputed digest', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d!, 'base64url');

  it('uses curve constants that are consistent with node:crypto', () => {
    expect(p384IsOnCurve(P384_GENERATOR.x, P384_GENERATOR.y)).toBe(true);
    const point = p384PublicPoint(d);
    expect(Buffer.from(point.x).toString('base64url')).toBe(jwk.x);
    expect(Buffer.from(point.y).toString('base64url')).toBe(jwk.y);
  });

  it('produces raw r||s signatures node:crypto verifies over the original data', () => {
    const data = Buffer.from('data the caller hashed itself');
    for (const hash of ['sha384', 'sha256', 'sha512'] as const) {
      const signature = signP384Digest(d, createHash(hash).update(data).digest());
      expect(signature.length).toBe(96);
      expect(verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
      expect(verify(hash, Buffer.from('other data'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
    }
  });
});
