/**
 * What the background does with every page request, whatever the action:
 * check the page's origin, look up the action (one file each in actions/),
 * and, for an action that touches the card on the person's behalf, open the
 * card dialog (dialog/dialog-loop.ts), one at a time. Each request belongs to
 * its tab: at most one dialog request per tab and a few in all may wait, and
 * one whose page is gone is dropped (its dialog closes, the host stops).
 * Every failure becomes a Web eID error reply.
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

/** Dialog requests that may be running or waiting at once, over all tabs. */
export const MAX_DIALOG_REQUESTS = 3;

/** Who asked: the tab, and a signal aborted when the page that asked is gone. */
export interface Requester {
  tabId?: number;
  signal?: AbortSignal;
}

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

/**
 * The origin of the page that sent a message, from the browser's sender
 * record. An opaque origin (a sandboxed page, "null") is refused: it is not
 * the origin its URL names.
 */
export function senderOrigin(sender: { origin?: string; url?: string; tab?: { url?: string } }): string {
  if (sender.origin === 'null') throw new EidBridgeError('CONTEXT_INSECURE', 'The page that asked has an opaque origin (a sandboxed page)');
  const candidate = sender.origin ?? sender.url ?? sender.tab?.url;
  if (!candidate) throw new EidBridgeError('CONTEXT_INSECURE', 'The page that asked has no origin');
  try {
    return new URL(candidate).origin;
  } catch {
    throw new EidBridgeError('CONTEXT_INSECURE', 'The page that asked has no usable origin');
  }
}

export class RequestFlow {
  private readonly queue = new SerialQueue();
  private readonly tabsWithDialogRequest = new Set<number>();
  private dialogRequests = 0;

  constructor(
    private readonly deps: RequestFlowDeps,
    private readonly actions: Readonly<Record<PageAction, ActionHandler>> = PAGE_ACTION_HANDLERS,
  ) {}

  /** Answers one page request; never throws (errors become a failure reply). */
  async handle(action: PageAction, args: Record<string, unknown>, origin: string, requester: Requester = {}): Promise<PageReply> {
    try {
      const settings = await this.deps.settings();
      validateOrigin(origin, settings.allowHttpLocalhost);
      const result = await this.actions[action]({
        args,
        origin,
        settings,
        host: this.deps.host,
        withDialog: (request) => this.withDialog({ ...request, origin, settings, signal: requester.signal }, requester.tabId),
      });
      return { ok: true, result };
    } catch (e) {
      return { ok: false, error: toPageError(e) };
    }
  }

  private async withDialog<T>(request: DialogRequest<T>, tabId: number | undefined): Promise<T> {
    const { host, dialogs, uiLanguage } = this.deps;
    const now = this.deps.now ?? Date.now;
    const signal = request.signal;
    // A page that asks again and again gets no pile of PIN dialogs.
    if ((tabId !== undefined && this.tabsWithDialogRequest.has(tabId)) || this.dialogRequests >= MAX_DIALOG_REQUESTS) {
      throw new EidBridgeError('ACTION_PENDING', 'Another eID request is already waiting for the person');
    }
    this.dialogRequests++;
    if (tabId !== undefined) this.tabsWithDialogRequest.add(tabId);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.dialogRequests--;
      if (tabId !== undefined) this.tabsWithDialogRequest.delete(tabId);
    };
    // A page that is gone frees its place at once, even while its turn has not come.
    signal?.addEventListener('abort', release, { once: true });
    try {
      // Fail fast when the host is missing: no dialog for something the person cannot do.
      await host.connect();
      return await this.queue.run(() => {
        if (signal?.aborted) throw new EidBridgeError('USER_CANCELLED', 'The page that asked navigated away or was closed');
        return runDialog({ host, dialogs, uiLanguage, now }, request);
      });
    } finally {
      signal?.removeEventListener('abort', release);
      release();
    }
  }
}
