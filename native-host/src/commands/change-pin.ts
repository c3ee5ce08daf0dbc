/** Changes the card's PIN (BELPIC over PC/SC; on a PIN-pad reader both PINs are typed on the reader). */
import { EidBridgeError } from '../../../shared/errors.js';
import { canChangePin } from '../backends/card-backend.js';
import type { CommandHandler } from './command.js';

export const changePin: CommandHandler<'change-pin'> = async (args, ctx) => {
  const backend = ctx.backends.find(canChangePin);
  if (!backend) throw new EidBridgeError('UNSUPPORTED_CARD', 'Changing the PIN needs the PC/SC card backend');
  const currentPin = args.currentPin === undefined ? undefined : Buffer.from(args.currentPin, 'ascii');
  const newPin = args.newPin === undefined ? undefined : Buffer.from(args.newPin, 'ascii');
  try {
    await backend.changePin({ reader: args.reader, currentPin, newPin, signal: ctx.signal });
    return { changed: true };
  } finally {
    currentPin?.fill(0);
    newPin?.fill(0);
  }
};
