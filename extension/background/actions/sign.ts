/**
 * `sign`: sign the page's hash with the certificate the page named, showing the
 * hash (and, when the page describes it, the document: title, page count, first
 * page), after the person gave the PIN.
 */
import { base64ToBytes, bytesToHex } from '../../../shared/bytes.js';
import { EidBridgeError } from '../../../shared/errors.js';
import { parseSignDocumentPreview, type HashFunction } from '../../../shared/protocol.js';
import { validated, type ActionContext } from './action.js';

export function sign({ args, host, withDialog }: ActionContext) {
  const checked = validated('sign', { certificate: args.certificate, hash: args.hash, hashFunction: args.hashFunction });
  // Checked before the dialog opens, like the arguments: a malformed description is refused, never shown.
  const document = parseSignDocumentPreview(args.options);
  return withDialog({
    kind: 'sign',
    options: args.options,
    usage: 'signing',
    extra: {
      sign: {
        hashHex: bytesToHex(base64ToBytes(checked.hash)).toLowerCase(),
        hashFunction: checked.hashFunction as HashFunction,
        ...(document ? { document } : {}),
      },
      selectedCertificate: checked.certificate,
    },
    attempt: (input, certificate, timeoutMs) => {
      if (input.type !== 'submit') throw new EidBridgeError('INTERNAL_ERROR', 'unexpected dialog input');
      const request = { ...checked };
      if (input.pin !== undefined && !certificate?.pinPad) request.pin = input.pin;
      return host.request('sign', validated('sign', request), { timeoutMs });
    },
    // Only the certificate the page named may sign.
    filter: (certificates) => certificates.filter((c) => c.certificate === checked.certificate),
  });
}
