import type { CommandHandler } from './command.js';

/** Cancels one running or queued request (or all of them); the cancelled request answers USER_CANCELLED. */
export const cancel: CommandHandler<'cancel'> = async (args, ctx) => ({ cancelled: ctx.cancelRequest(args.requestId) });
