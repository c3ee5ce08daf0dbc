/** What every page action gets to do its work (request-flow.ts gives it), and the argument check they share. */
import { parseRequest, RequestError, type CommandMap, type CommandName } from '../../../shared/protocol.js';
import type { Settings } from '../../lib/settings.js';
import type { DialogRequest } from '../dialog/dialog-loop.js';
import type { HostClient } from '../native-client.js';

/** What one page action gets to do its work. */
export interface ActionContext {
  /** The page's arguments, not yet checked. */
  args: Record<string, unknown>;
  /** The page's origin, from the browser (never from the page). */
  origin: string;
  settings: Settings;
  host: HostClient;
  /** Opens the card dialog and stays with the person until the attempt succeeds or they give up. */
  withDialog<T>(request: Omit<DialogRequest<T>, 'origin' | 'settings'>): Promise<T>;
}

export type ActionHandler = (context: ActionContext) => Promise<unknown>;

/** A command's arguments checked against the protocol, so a wrong argument fails before the person is asked anything. */
export function validated<C extends CommandName>(command: C, args: Record<string, unknown>): CommandMap[C]['arguments'] {
  try {
    return parseRequest({ id: 0, command, arguments: args }).arguments as CommandMap[C]['arguments'];
  } catch (e) {
    throw e instanceof RequestError ? e.error : e;
  }
}
