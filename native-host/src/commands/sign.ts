/** Signs a hash the site computed (e.g. of a document) with the signing (non-repudiation) key. */
import { base64ToBytes, bytesToBase64 } from '../../../shared/bytes.js';
import { backendFor, chooseCertificate } from '../certificates.js';
import type { CommandHandler } from './command.js';
import { signatureAlgorithmFor } from './get-signing-certificate.js';
import { withPin } from './with-pin.js';

export const sign: CommandHandler<'sign'> = async (args, ctx) => {
  const certificate = await chooseCertificate(ctx.backends, 'signing', args.certificate);
  const backend = backendFor(ctx.backends, certificate);
  const digest = base64ToBytes(args.hash);
  const signature = await withPin(args.pin, backend, certificate, ctx.signal, (pin) =>
    backend.sign({ certificate, digest, digestAlgorithm: args.hashFunction, pin, signal: ctx.signal }),
  );
  return { signature: bytesToBase64(signature), signatureAlgorithm: signatureAlgorithmFor(certificate.der, args.hashFunction) };
};
