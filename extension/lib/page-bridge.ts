/**
 * The content script's side of the page protocols.
 *
 * Web eID: the page posts {action: "web-eid:<name>", ...}; we answer
 * "<action>-ack" at once (web-eid.js gives up after 1 s without it), then
 * "<action>-success" with the result or "<action>-failure" with {error}.
 *
 * eID Bridge: window.eidBridge (injected on government and allowed origins)
 * posts {eidBridge: "request", id, action, args} and gets
 * {eidBridge: "reply", id, ok, result | error}.
 *
 * Only messages from this window itself count, and only one request per
 * action may be pending. Nothing from the page decides the origin: the
 * background takes it from the browser. A page with an opaque origin (a
 * sandboxed page) gets ERR_WEBEID_CONTEXT_INSECURE for everything.
 */
import { isRecord } from '../../shared/protocol.js';
import type { PageAction, PageErrorPayload, PageReply, PageRequestMessage } from './messages.js';

export const WEB_EID_ACTIONS: Record<string, PageAction> = {
  'web-eid:status': 'status',
  'web-eid:authenticate': 'authenticate',
  'web-eid:get-signing-certificate': 'get-signing-certificate',
  'web-eid:sign': 'sign',
};

const BRIDGE_ACTIONS: readonly PageAction[] = ['status', 'authenticate', 'get-signing-certificate', 'sign', 'read-identity'];

export interface PageBridgeDeps {
  /** window.postMessage(message, own origin) */
  postToPage(message: unknown): void;
  sendToBackground(message: PageRequestMessage): Promise<PageReply>;
  /** Whether this page may use window.eidBridge (government or allowed origin). */
  pageApiAllowed(): boolean | Promise<boolean>;
  /** The page's origin is opaque (a sandboxed page): it has no origin a token could be bound to. */
  opaqueOrigin?: boolean;
}

function opaqueOriginError(): PageErrorPayload {
  return { code: 'ERR_WEBEID_CONTEXT_INSECURE', bridgeCode: 'CONTEXT_INSECURE', message: 'A sandboxed page (opaque origin) cannot use the eID card' };
}

function pendingError(action: string): PageErrorPayload {
  return { code: 'ERR_WEBEID_ACTION_PENDING', bridgeCode: 'ACTION_PENDING', message: `A "${action}" request is already in progress` };
}

function unavailableError(e: unknown): PageErrorPayload {
  // The background could not be reached: the extension was updated or disabled under the page.
  return {
    code: 'ERR_WEBEID_EXTENSION_UNAVAILABLE',
    bridgeCode: 'INTERNAL_ERROR',
    message: `The eID Bridge extension did not answer: ${e instanceof Error ? e.message : String(e)}`,
  };
}

/** Web eID result fields: only what the protocol defines for each action. */
function webEidResult(action: PageAction, result: unknown, libraryVersion: unknown): Record<string, unknown> {
  const r = isRecord(result) ? result : {};
  if (action === 'status') {
    const status: Record<string, unknown> = { extension: r.extension, nativeApp: r.nativeApp };
    if (typeof libraryVersion === 'string') status.library = libraryVersion;
    return status;
  }
  return r;
}

export class PageBridge {
  private readonly pendingWebEid = new Set<PageAction>();
  private readonly pendingBridge = new Set<PageAction>();

  constructor(private readonly deps: PageBridgeDeps) {}

  /** Handles one window "message" event; `source === window` is checked by the caller. */
  onWindowMessage(data: unknown): void {
    if (!isRecord(data)) return;
    if (typeof data.action === 'string' && data.action.startsWith('web-eid:')) {
      void this.onWebEid(data.action, data);
      return;
    }
    if (data.eidBridge === 'request') void this.onBridge(data);
  }

  private async onWebEid(actionName: string, data: Record<string, unknown>): Promise<void> {
    const action = WEB_EID_ACTIONS[actionName];
    // Our own replies (-ack, -success, -failure), warnings and unknown actions are not requests.
    if (!action) return;
    this.deps.postToPage({ action: `${actionName}-ack` });
    if (this.pendingWebEid.has(action)) {
      this.deps.postToPage({ action: `${actionName}-failure`, error: pendingError(actionName) });
      return;
    }
    this.pendingWebEid.add(action);
    const { action: _action, libraryVersion, ...args } = data;
    try {
      const reply = await this.ask(action, args);
      if (reply.ok) this.deps.postToPage({ action: `${actionName}-success`, ...webEidResult(action, reply.result, libraryVersion) });
      else this.deps.postToPage({ action: `${actionName}-failure`, error: reply.error });
    } finally {
      this.pendingWebEid.delete(action);
    }
  }

  private async onBridge(data: Record<string, unknown>): Promise<void> {
    const id = data.id;
    const action = data.action as PageAction;
    if ((typeof id !== 'string' && typeof id !== 'number') || !BRIDGE_ACTIONS.includes(action)) return;
    const allowed = this.deps.pageApiAllowed();
    if (!(typeof allowed === 'boolean' ? allowed : await allowed)) return;
    if (this.pendingBridge.has(action)) {
      this.deps.postToPage({ eidBridge: 'reply', id, ok: false, error: pendingError(action) });
      return;
    }
    this.pendingBridge.add(action);
    try {
      const reply = await this.ask(action, isRecord(data.args) ? data.args : {});
      this.deps.postToPage({ eidBridge: 'reply', id, ...reply });
    } finally {
      this.pendingBridge.delete(action);
    }
  }

  private async ask(action: PageAction, args: Record<string, unknown>): Promise<PageReply> {
    if (this.deps.opaqueOrigin) return { ok: false, error: opaqueOriginError() };
    try {
      const reply = await this.deps.sendToBackground({ type: 'eid-bridge:page-request', action, args });
      if (isRecord(reply) && typeof reply.ok === 'boolean') return reply;
      return { ok: false, error: unavailableError('no reply') };
    } catch (e) {
      return { ok: false, error: unavailableError(e) };
    }
  }
}
