/**
 * Chooses the card backends (PC/SC, PKCS#11 or both, in order) and the
 * PKCS#11 module, as set in the extension's options page. The choice is saved
 * for later starts and takes effect for the next request.
 */
import type { CommandHandler } from './command.js';

export const configureBackends: CommandHandler<'configure-backends'> = async (args, ctx) => {
  const backends = await ctx.reconfigure({
    backends: args.backends,
    ...(args.pkcs11Module ? { pkcs11Module: args.pkcs11Module } : {}),
  });
  return { backends: await Promise.all(backends.map((b) => b.status())) };
};
