/**
 * What the background does with every page request, whatever the action:
 * check the page's origin, look up the action (one file each in actions/),
 * and, for an action that touches the card on the person's behalf, open the
 * card dialog (dialog/dialog-loop.ts), one at a time. Every failure becomes a
 * Web eID error reply.
 */
import { EidBridgeError, isEidBridgeError, toWebEidCode } from '../../shared/errors.js';
import { RequestError, validateOrigin } from '../../shared/protocol.js';
import type { PageAction, PageErrorPayload, PageReply } from '../lib/messages.js';
import type { Settings } from '../lib/settings.js';
import type { ActionHandler } from './actions/action.js';
import { PAGE_ACTION_HANDLERS } from './actions/index.js';
import { runDialog, type DialogRequest } from './dialog/dialog-loop.js';
import type { DialogOpener } from './dialog/dialog-windows.js';
import type { HostClient } from './native-client.js';
import { SerialQueue } from './serial-queue.js';

export interface RequestFlowDeps {
  host: HostClient;
  dialogs: DialogOpener;
  settings(): Promise<Settings>;
  uiLanguage(): string;
  now?: () => number;
}

export function toPageError(e: unknown): PageErrorPayload {
  const error = isEidBridgeError(e)
    ? e
    : e instanceof RequestError
      ? e.error
      : new EidBridgeError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e), {}, { cause: e });
  return { ...error.details, code: toWebEidCode(error.code), bridgeCode: error.code, message: error.message };
}

/** The origin of the page that sent a message, from the browser's sender record. */
export function senderOrigin(sender: { origin?: string; url?: string; tab?: { url?: string } }): string {
  const candidate = sender.origin && sender.origin !== 'null' ? sender.origin : (sender.url ?? sender.tab?.url);
  if (!candidate) throw new EidBridgeError('CONTEXT_INSECURE', 'The page that asked has no origin');
  try {
    return new URL(candidate).origin;
  } catch {
    throw new EidBridgeError('CONTEXT_INSECURE', 'The page that asked has no usable origin');
  }
}

export class RequestFlow {
  private readonly queue = new SerialQueue();

  constructor(
    private readonly deps: RequestFlowDeps,
    private readonly actions: Readonly<Record<PageAction, ActionHandler>> = PAGE_ACTION_HANDLERS,
  ) {}

  /** Answers one page request; never throws (errors become a failure reply). */
  async handle(action: PageAction, args: Record<string, unknown>, origin: string): Promise<PageReply> {
    try {
      const settings = await this.deps.settings();
      validateOrigin(origin, settings.allowHttpLocalhost);
      const result = await this.actions[action]({
        args,
        origin,
        settings,
        host: this.deps.host,
        withDialog: (request) => this.withDialog({ ...request, origin, settings }),
      });
      return { ok: true, result };
    } catch (e) {
      return { ok: false, error: toPageError(e) };
    }
  }

  private withDialog<T>(request: DialogRequest<T>): Promise<T> {
    const { host, dialogs, uiLanguage } = this.deps;
    const now = this.deps.now ?? Date.now;
    // Fail fast when the host is missing: no dialog for something the person cannot do.
    return host.connect().then(() => this.queue.run(() => runDialog({ host, dialogs, uiLanguage, now }, request)));
  }
}
