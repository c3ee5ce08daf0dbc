/** The page actions, one file each, like the host's commands (native-host/src/commands/). */
import type { PageAction } from '../../lib/messages.js';
import type { ActionHandler } from './action.js';
import { authenticate } from './authenticate.js';
import { getSigningCertificate } from './get-signing-certificate.js';
import { readIdentity } from './read-identity.js';
import { sign } from './sign.js';
import { status } from './status.js';

export const PAGE_ACTION_HANDLERS: Readonly<Record<PageAction, ActionHandler>> = {
  status,
  authenticate,
  'get-signing-certificate': getSigningCertificate,
  sign,
  'read-identity': readIdentity,
};
