import type { CommandHandler } from './command.js';

export const quit: CommandHandler<'quit'> = async (_args, ctx) => {
  ctx.requestQuit();
  return { quitting: true };
};
