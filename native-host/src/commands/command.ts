/**
 * What a command handler gets and returns. One file per command in this
 * folder; native-host/src/commands/index.ts maps command names to handlers.
 */
import type { CommandMap, CommandName } from '../../../shared/protocol.js';
import type { CardBackend } from '../backends/card-backend.js';
import type { HostConfig } from '../config.js';
import type { Logger } from '../logger.js';

export interface CommandContext {
  /** Card backends that can run here, in order of preference (PC/SC first). */
  backends: readonly CardBackend[];
  /** Aborted when the browser sends `cancel` for this request, or the host shuts down. */
  signal: AbortSignal;
  log: Logger;
  /** Asks the host loop to stop after this reply. */
  requestQuit(): void;
  /** Replaces the card backends and saves the choice; returns the new backends. */
  reconfigure(config: HostConfig): Promise<readonly CardBackend[]>;
  /** Cancels a running request by id; true when one was running. */
  cancelRequest(id: string | number | undefined): boolean;
}

export type CommandHandler<C extends CommandName> = (
  args: CommandMap[C]['arguments'],
  ctx: CommandContext,
) => Promise<CommandMap[C]['result']>;

/** A context for running a handler outside the host loop (the CLI, tests): nothing to cancel, fixed backends. */
export function standaloneContext(backends: readonly CardBackend[], log: Logger, signal: AbortSignal = new AbortController().signal): CommandContext {
  return {
    backends,
    signal,
    log,
    requestQuit() {},
    cancelRequest: () => false,
    reconfigure: async () => backends,
  };
}
