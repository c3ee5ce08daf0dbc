import { type HashFunction, type SignatureAlgorithm } from '../../../shared/protocol.js';
import { bytesToBase64 } from '../../../shared/bytes.js';
import { chooseCertificate, keyInfo, parseTokenCertificate } from '../certificates.js';
import type { CommandHandler } from './command.js';

const HASHES: HashFunction[] = ['SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'];

/** What the card can sign with this key: the caller hashes, the card adds the padding (RSA) or signs the hash (ECDSA). */
export function signatureAlgorithmFor(der: Uint8Array, hashFunction: HashFunction): SignatureAlgorithm {
  const { keyType } = keyInfo(parseTokenCertificate(der));
  return keyType === 'RSA'
    ? { cryptoAlgorithm: 'RSA', hashFunction, paddingScheme: 'PKCS1.5' }
    : { cryptoAlgorithm: 'ECC', hashFunction, paddingScheme: 'NONE' };
}

export function supportedSignatureAlgorithms(der: Uint8Array): SignatureAlgorithm[] {
  return HASHES.map((hashFunction) => signatureAlgorithmFor(der, hashFunction));
}

export const getSigningCertificate: CommandHandler<'get-signing-certificate'> = async (args, ctx) => {
  const certificate = await chooseCertificate(ctx.backends, 'signing', args.certificate);
  return { certificate: bytesToBase64(certificate.der), supportedSignatureAlgorithms: supportedSignatureAlgorithms(certificate.der) };
};
