/**
 * Opens the card dialog (an extension page in its own popup window) and talks
 * to it over a runtime port: the background sends what to show, the page sends
 * back what the person did. Closing the window counts as Cancel.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import type { BrowserApi, PagePort } from '../../lib/browser-api.js';
import { timingTrace } from '../timing-trace.js';
import { DIALOG_PORT_PREFIX, isDialogAction, type DialogAction, type DialogMessage, type DialogState } from '../../lib/messages.js';

export type DialogInput = Exclude<DialogAction, { type: 'cancel' }>;

export interface DialogSession {
  readonly id: string;
  /** What the dialog shows now. */
  readonly state: DialogState;
  /** Shows a new state (merged into the current one). */
  update(patch: Partial<DialogState>): void;
  /** The next submit or retry; rejects with USER_CANCELLED on Cancel, Escape or closing the window. */
  next(): Promise<DialogInput>;
  /** Rejects with USER_CANCELLED when the person cancels; never resolves. */
  readonly cancelled: Promise<never>;
  close(): Promise<void>;
}

export interface DialogOpener {
  open(state: DialogState): Promise<DialogSession>;
}

export const DIALOG_SIZE = { width: 480, height: 680 };

type DialogApi = Pick<BrowserApi, 'openPopupWindow' | 'closeWindow' | 'onWindowRemoved' | 'onRuntimeConnect'>;

class Session implements DialogSession {
  state: DialogState;
  windowId: number | undefined;
  port: PagePort | undefined;
  private inputs: DialogInput[] = [];
  private waiters: Array<{ resolve(input: DialogInput): void; reject(e: EidBridgeError): void }> = [];
  private ended = false;
  readonly cancelled: Promise<never>;
  private cancel!: (e: EidBridgeError) => void;

  constructor(
    readonly id: string,
    state: DialogState,
    private readonly manager: DialogWindows,
  ) {
    this.state = state;
    this.cancelled = new Promise<never>((_, reject) => {
      this.cancel = reject;
    });
    // Nobody may be awaiting it yet; the rejection is still seen by later awaiters.
    this.cancelled.catch(() => undefined);
  }

  update(patch: Partial<DialogState>): void {
    this.state = { ...this.state, ...patch };
    this.post({ type: 'state', state: this.state });
  }

  post(message: DialogMessage): void {
    try {
      this.port?.postMessage(message);
    } catch {
      // The page is gone; its disconnect ends the session.
    }
  }

  next(): Promise<DialogInput> {
    if (this.ended) return Promise.reject(cancelledError());
    const input = this.inputs.shift();
    if (input) return Promise.resolve(input);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  receive(action: DialogAction): void {
    if (this.ended) return;
    if (action.type === 'cancel') {
      this.end();
      return;
    }
    if (action.type === 'submit') timingTrace.mark('dialog-submit-received');
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(action);
    else this.inputs.push(action);
  }

  /** The person left: Cancel, Escape, or the window closed. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const error = cancelledError();
    for (const w of this.waiters.splice(0)) w.reject(error);
    this.cancel(error);
  }

  async close(): Promise<void> {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w.reject(cancelledError());
    this.manager.forget(this);
    this.post({ type: 'close' });
    if (this.windowId !== undefined) {
      const windowId = this.windowId;
      this.windowId = undefined;
      await this.manager.api.closeWindow(windowId).catch(() => undefined);
    }
  }
}

function cancelledError(): EidBridgeError {
  return new EidBridgeError('USER_CANCELLED', 'The person cancelled');
}

export class DialogWindows implements DialogOpener {
  private readonly sessions = new Map<string, Session>();
  private counter = 0;

  constructor(readonly api: DialogApi) {
    api.onRuntimeConnect((port) => this.onConnect(port));
    api.onWindowRemoved((windowId) => {
      for (const session of this.sessions.values()) {
        if (session.windowId === windowId) {
          session.windowId = undefined;
          session.end();
        }
      }
    });
  }

  async open(state: DialogState): Promise<DialogSession> {
    const id = `${Date.now().toString(36)}-${++this.counter}-${Math.random().toString(36).slice(2, 10)}`;
    const session = new Session(id, state, this);
    this.sessions.set(id, session);
    try {
      timingTrace.mark('dialog-window-requested');
      session.windowId = await this.api.openPopupWindow(`/dialog.html?session=${encodeURIComponent(id)}`, DIALOG_SIZE);
      timingTrace.mark('dialog-window-opened');
    } catch (e) {
      this.sessions.delete(id);
      throw new EidBridgeError('INTERNAL_ERROR', `The eID dialog could not be opened: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
    }
    return session;
  }

  forget(session: Session): void {
    this.sessions.delete(session.id);
  }

  private onConnect(port: PagePort): void {
    if (!port.name.startsWith(DIALOG_PORT_PREFIX)) return;
    const session = this.sessions.get(port.name.slice(DIALOG_PORT_PREFIX.length));
    if (!session) {
      // A dialog left over from an earlier background (or a reload): close it.
      port.postMessage({ type: 'close' } satisfies DialogMessage);
      return;
    }
    session.port = port;
    timingTrace.mark('dialog-connected');
    port.onMessage.addListener((message) => {
      if (isDialogAction(message)) session.receive(message);
    });
    port.onDisconnect.addListener(() => {
      if (session.port === port) session.port = undefined;
      session.end();
    });
    session.post({ type: 'state', state: session.state });
  }
}
