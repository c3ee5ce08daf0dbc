/** `get-signing-certificate`: share the signing certificate the person chose. No PIN. */
import type { ActionContext } from './action.js';

export function getSigningCertificate({ args, host, withDialog }: ActionContext) {
  return withDialog({
    kind: 'get-signing-certificate',
    options: args.options,
    usage: 'signing',
    attempt: (_input, certificate, timeoutMs) =>
      host.request('get-signing-certificate', certificate ? { certificate: certificate.certificate } : {}, { timeoutMs }),
  });
}
