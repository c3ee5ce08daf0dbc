/**
 * `read-identity`: the identity and address files, and the photo only when the
 * page asked and the person left it ticked. Only for government sites and
 * sites the person added.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import { hasPageApi } from '../../lib/settings.js';
import type { ActionContext } from './action.js';

export function readIdentity({ args, origin, settings, host, withDialog }: ActionContext) {
  if (!hasPageApi(origin, settings)) {
    throw new EidBridgeError('ORIGIN_NOT_ALLOWED', 'Only government sites and sites you added may read identity data');
  }
  const photoRequested = args.includePhoto === true;
  return withDialog({
    kind: 'read-identity',
    options: args.options,
    // Identity reading needs a card, not a particular certificate: any card with an authentication certificate will do.
    usage: 'authentication',
    extra: { identity: { photoRequested } },
    attempt: (input, _certificate, timeoutMs) => {
      if (input.type !== 'submit') throw new EidBridgeError('INTERNAL_ERROR', 'unexpected dialog input');
      const includePhoto = photoRequested && input.includePhoto === true;
      return host.request('read-identity', { includePhoto, includeAddress: true }, { timeoutMs });
    },
  });
}
