/** `authenticate`: sign the page's challenge with the authentication key, after the person chose the certificate and gave the PIN. */
import { EidBridgeError } from '../../../shared/errors.js';
import type { AuthenticationToken } from '../../../shared/protocol.js';
import { validated, type ActionContext } from './action.js';

export function authenticate({ args, origin, settings, host, withDialog }: ActionContext): Promise<AuthenticationToken> {
  if (args.challengeNonce === undefined) throw new EidBridgeError('MISSING_PARAMETER', '"challengeNonce" is required', { argument: 'challengeNonce' });
  const checked = validated('authenticate', {
    challengeNonce: args.challengeNonce,
    origin,
    allowHttpLocalhost: settings.allowHttpLocalhost,
  });
  return withDialog({
    kind: 'authenticate',
    options: args.options,
    usage: 'authentication',
    attempt: (input, certificate, timeoutMs) => {
      if (input.type !== 'submit') throw new EidBridgeError('INTERNAL_ERROR', 'unexpected dialog input');
      const request = { ...checked };
      if (certificate) request.certificate = certificate.certificate;
      if (input.pin !== undefined && !certificate?.pinPad) request.pin = input.pin;
      return host.request('authenticate', validated('authenticate', request), { timeoutMs });
    },
  });
}
