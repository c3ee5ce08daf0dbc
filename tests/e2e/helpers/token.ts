/** Checks a web-eid:1.0 token the way a server does, with node:crypto only: signature over H(origin) ‖ H(nonce). */
import { createHash, verify, X509Certificate } from 'node:crypto';

export interface Token {
  unverifiedCertificate: string;
  algorithm: string;
  signature: string;
  format: string;
}

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

export function tokenVerifies(token: Token, origin: string, nonce: string): boolean {
  const hash = HASHES[token.algorithm.slice(2)];
  if (!hash) throw new Error(`unknown algorithm ${token.algorithm}`);
  const certificate = new X509Certificate(Buffer.from(token.unverifiedCertificate, 'base64'));
  const data = Buffer.concat([createHash(hash).update(origin, 'utf8').digest(), createHash(hash).update(nonce, 'utf8').digest()]);
  const signature = Buffer.from(token.signature, 'base64');
  if (token.algorithm.startsWith('ES')) return verify(hash, data, { key: certificate.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  if (token.algorithm.startsWith('PS')) {
    return verify(hash, data, { key: certificate.publicKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: Number(token.algorithm.slice(2)) / 8 }, signature);
  }
  return verify(hash, data, certificate.publicKey, signature);
}
