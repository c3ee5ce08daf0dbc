// Placeholder until the identity reader lands (owned by the identity work): answers a clear error.
import { EidBridgeError } from '../../../shared/errors.js';
import type { CommandHandler } from './command.js';

export const readIdentity: CommandHandler<'read-identity'> = async () => {
  throw new EidBridgeError('UNSUPPORTED_CARD', 'Reading identity data is not available in this build');
};
