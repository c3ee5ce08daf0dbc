/**
 * Web eID authentication: the card signs H(origin) ‖ H(challengeNonce) with
 * the authentication key, and the reply is a web-eid:1.0 token. The origin
 * comes from the extension, which took it from the browser's sender tab.
 */
import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { EidBridgeError } from '../../../shared/errors.js';
import { type SignatureAlgorithmName } from '../../../shared/protocol.js';
import { bytesToBase64 } from '../../../shared/bytes.js';
import { VERSION } from '../../../shared/version.js';
import { backendFor, chooseCertificate, HASH_OF_ALGORITHM, keyInfo, nodeHashName, parseTokenCertificate } from '../certificates.js';
import type { CommandHandler } from './command.js';
import { withPin } from './with-pin.js';

export const APP_VERSION = `eid-bridge/${VERSION}`;

export function tokenAlgorithm(cert: X509Certificate): SignatureAlgorithmName {
  const key = keyInfo(cert);
  if (key.keyType === 'RSA') return 'RS256';
  if (key.curve === 'prime256v1') return 'ES256';
  if (key.curve === 'secp384r1') return 'ES384';
  if (key.curve === 'secp521r1') return 'ES512';
  throw new EidBridgeError('CARD_ERROR', `Unsupported EC curve ${key.curve ?? 'unknown'}`);
}

/** The bytes the token's signature covers: H(utf8(origin)) ‖ H(utf8(nonce)). */
export function authenticationSignedData(algorithm: SignatureAlgorithmName, origin: string, challengeNonce: string): Buffer {
  const hash = nodeHashName(HASH_OF_ALGORITHM[algorithm] ?? 'SHA-256');
  return Buffer.concat([createHash(hash).update(origin, 'utf8').digest(), createHash(hash).update(challengeNonce, 'utf8').digest()]);
}

export const authenticate: CommandHandler<'authenticate'> = async (args, ctx) => {
  const certificate = await chooseCertificate(ctx.backends, 'authentication', args.certificate);
  const x509 = parseTokenCertificate(certificate.der);
  const algorithm = tokenAlgorithm(x509);
  const digestAlgorithm = HASH_OF_ALGORITHM[algorithm] ?? 'SHA-256';
  const signedData = authenticationSignedData(algorithm, args.origin, args.challengeNonce);
  const digest = createHash(nodeHashName(digestAlgorithm)).update(signedData).digest();
  const backend = backendFor(ctx.backends, certificate);

  const cardStarted = performance.now();
  const signature = await withPin(args.pin, backend, certificate, ctx.signal, (pin) =>
    backend.sign({ certificate, digest, digestAlgorithm, pin, signal: ctx.signal }),
  );
  // The card's share of the request, for diagnosing slow readers (and the benchmark).
  ctx.log.info('card signed', { backend: backend.name, ms: Math.round(performance.now() - cardStarted) });

  // A card that answers garbage must not produce a token the server rejects later for no clear reason.
  const verifier = createVerify(nodeHashName(digestAlgorithm)).update(signedData);
  const valid = verifier.verify({ key: x509.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  if (!valid) throw new EidBridgeError('CARD_ERROR', 'The card returned a signature that does not verify with its certificate');

  return {
    unverifiedCertificate: bytesToBase64(certificate.der),
    algorithm,
    signature: bytesToBase64(signature),
    format: 'web-eid:1.0',
    appVersion: APP_VERSION,
  };
};
