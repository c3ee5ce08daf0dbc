/**
 * Chooses the card backends (PC/SC, PKCS#11 or both, in order) and the
 * PKCS#11 module, as set in the extension's options page. The choice is saved
 * for later starts and takes effect for the next request.
 */
import { checkChosenModule } from '../backends/pkcs11/module-paths.js';
import type { CommandHandler } from './command.js';

export const configureBackends: CommandHandler<'configure-backends'> = async (args, ctx) => {
  // A module runs native code inside the host: only known locations, or one the person confirmed, never a planted file.
  if (args.pkcs11Module) checkChosenModule({ path: args.pkcs11Module, confirmedByPerson: args.pkcs11ModuleConfirmed === true });
  const backends = await ctx.reconfigure({
    backends: args.backends,
    ...(args.pkcs11Module ? { pkcs11Module: args.pkcs11Module } : {}),
  });
  return { backends: await Promise.all(backends.map((b) => b.status())) };
};
