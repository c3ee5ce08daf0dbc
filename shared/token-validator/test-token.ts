/**
 * Builds Web eID authentication tokens the way a card and the native host do,
 * for tests and benchmarks: sign H(origin) ‖ H(nonce) with the given key.
 */
import { bytesToBase64 } from '../bytes.js';
import { authenticationSignedData, hashForAlgorithm, type TokenAlgorithm, type WebEidAuthToken } from './validator.js';

export interface TestTokenInput {
  certificateDer: Uint8Array;
  privateKey: CryptoKey;
  origin: string;
  nonce: string;
  /** Defaults from the key: RSA → RS256, P-384 → ES384, P-256 → ES256, P-521 → ES512. */
  algorithm?: TokenAlgorithm;
  crypto?: Crypto;
}

export function defaultAlgorithmFor(key: CryptoKey): TokenAlgorithm {
  const algorithm = key.algorithm as EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA') return 'RS256';
  return algorithm.namedCurve === 'P-256' ? 'ES256' : algorithm.namedCurve === 'P-521' ? 'ES512' : 'ES384';
}

export async function createTestAuthToken(input: TestTokenInput): Promise<WebEidAuthToken> {
  const crypto = input.crypto ?? globalThis.crypto;
  const algorithm = input.algorithm ?? defaultAlgorithmFor(input.privateKey);
  const hash = hashForAlgorithm(algorithm);
  const data = await authenticationSignedData(input.origin, input.nonce, hash, crypto);
  let key = input.privateKey;
  let params: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  if (algorithm.startsWith('ES')) {
    params = { name: 'ECDSA', hash };
  } else {
    // The same RSA key signs either scheme; WebCrypto binds scheme and hash to the imported key.
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', input.privateKey);
    const pss = algorithm.startsWith('PS');
    key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
    params = pss ? { name: 'RSA-PSS', saltLength: Number(algorithm.slice(2)) / 8 } : { name: 'RSASSA-PKCS1-v1_5' };
  }
  const signature = new Uint8Array(await crypto.subtle.sign(params, key, data));
  return {
    unverifiedCertificate: bytesToBase64(input.certificateDer),
    algorithm,
    signature: bytesToBase64(signature),
    format: 'web-eid:1.0',
    appVersion: 'https://eid-bridge.test/test-token',
  };
}
