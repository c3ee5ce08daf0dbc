/** Command name → handler. One file per command in this folder. */
import type { CommandName } from '../../../shared/protocol.js';
import { authenticate } from './authenticate.js';
import { cancel } from './cancel.js';
import type { CommandHandler } from './command.js';
import { changePin } from './change-pin.js';
import { configureBackends } from './configure-backends.js';
import { getSigningCertificate } from './get-signing-certificate.js';
import { listCertificates } from './list-certificates.js';
import { quit } from './quit.js';
import { readIdentity } from './read-identity.js';
import { sign } from './sign.js';
import { status } from './status.js';

export const handlers: { [C in CommandName]: CommandHandler<C> } = {
  status,
  'list-certificates': listCertificates,
  authenticate,
  'get-signing-certificate': getSigningCertificate,
  sign,
  'read-identity': readIdentity,
  'change-pin': changePin,
  'configure-backends': configureBackends,
  cancel,
  quit,
};
