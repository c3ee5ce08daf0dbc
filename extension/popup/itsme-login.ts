/**
 * "AANMELDEN via itsme" from the popup, run by the background: the OpenID
 * Connect login needs a browser window (the provider's pages), and that
 * window takes the focus and closes the popup.
 *
 * The background makes a one-time secret, opens the backend's itsme start in
 * a window of its own with the secret's SHA-256 (the challenge), and watches
 * that one tab. The backend ends the login on its done page with a one-time
 * handoff code in the fragment; the background reads it from the tab it
 * opened, closes the window, and trades code and secret for the popup's
 * bearer session. A page cannot inject a session: the code is taken only from
 * the tab the background opened, on the backend's origin, and the backend
 * hands the login over only with the secret, which never left the extension.
 * docs/digital-keys.md, "itsme in the popup", has the whole design.
 */
import { bytesToBase64 } from '../../shared/bytes.js';
import type { BrowserApi } from '../lib/browser-api.js';
import { BackendApi, BackendApiError, ITSME_PATHS, itsmeStartUrl, type FetchLike, type Person } from './backend-api.js';
import { saveBackendSession } from './session-store.js';

/** A popup login in its window: kept for the browser session only, so a restarted background can still finish it. */
export interface PendingItsmeLogin {
  backendUrl: string;
  verifier: string;
  windowId: number;
  tabId: number;
  expiresAt: number;
}

/** The browser as the popup's itsme login needs it. */
export interface ItsmeWindows {
  /** Opens the address in a window of its own; answers the window and its one tab. */
  open(url: string): Promise<{ windowId: number; tabId: number }>;
  close(windowId: number): Promise<void>;
  /** A tab's new address (the browser tells it where the extension holds host permission). */
  onTabAddress(listener: (tabId: number, url: string) => void): void;
  onWindowClosed(listener: (windowId: number) => void): void;
  remember(login: PendingItsmeLogin | undefined): Promise<void>;
  recall(): Promise<PendingItsmeLogin | undefined>;
}

export interface ItsmeLoginResult {
  person: Person;
  level: number;
  method: string;
}

/** As long as the backend keeps a pending login (10 minutes); a later done page is not taken. */
const PENDING_TTL_MS = 10 * 60_000;
const PENDING_KEY = 'popupItsmeLogin';
/** Why the window ended without a login, when the done page did not say: the person closed it. */
export const WINDOW_CLOSED = 'ITSME_WINDOW_CLOSED';

function base64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The secret and its challenge, as PKCE makes them (RFC 7636, S256). */
export async function itsmeSecret(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64Url(new Uint8Array(digest)) };
}

/** What the done page's address says: the handoff code (fragment) or the failure (query); nothing for any other address. */
export function doneOutcome(backendUrl: string, address: string): { code: string } | { failure: string } | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return undefined;
  }
  const done = new URL(ITSME_PATHS.popupDone, backendUrl);
  if (url.origin !== done.origin || url.pathname !== done.pathname) return undefined;
  const code = new URLSearchParams(url.hash.slice(1)).get('code');
  if (code) return { code };
  const failure = url.searchParams.get('error');
  return { failure: failure && /^[A-Z_]{1,40}$/.test(failure) ? failure : 'ITSME_REFUSED' };
}

export class ItsmePopupLogins {
  /** The popup's request, while this background still holds it (not after a restart). */
  private waiting: { tabId: number; resolve(result: ItsmeLoginResult): void; reject(error: unknown): void } | undefined;
  /** Tab events are handled one after another: a done page reported twice is taken once. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly windows: ItsmeWindows,
    private readonly api: Pick<BrowserApi, 'storageSet'>,
    private readonly fetchImpl?: FetchLike,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers the listeners; once, when the background starts, so a restarted background finishes a login too. */
  watch(): this {
    this.windows.onTabAddress((tabId, url) => this.serially(() => this.address(tabId, url)));
    this.windows.onWindowClosed((windowId) => this.serially(() => this.closed(windowId)));
    return this;
  }

  /** Opens the window; settles when the login is handed over, fails, or the window is closed. */
  async start(backendUrl: string, lang: string | undefined): Promise<ItsmeLoginResult> {
    const { verifier, challenge } = await itsmeSecret();
    // One popup login at a time: a new one replaces a window left open.
    const previous = await this.windows.recall();
    await this.windows.remember(undefined);
    this.settle({ error: new BackendApiError(0, WINDOW_CLOSED, 'Another itsme login started') });
    if (previous) await this.windows.close(previous.windowId).catch(() => undefined);
    const opened = await this.windows.open(itsmeStartUrl(backendUrl, challenge, lang));
    await this.windows.remember({ backendUrl, verifier, ...opened, expiresAt: this.now() + PENDING_TTL_MS });
    return new Promise((resolve, reject) => {
      this.waiting = { tabId: opened.tabId, resolve, reject };
    });
  }

  private serially(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch(() => undefined);
  }

  private settle(outcome: { result: ItsmeLoginResult } | { error: unknown }): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting) return;
    if ('result' in outcome) waiting.resolve(outcome.result);
    else waiting.reject(outcome.error);
  }

  private async address(tabId: number, address: string): Promise<void> {
    const pending = await this.windows.recall();
    if (!pending || pending.tabId !== tabId) return;
    const outcome = doneOutcome(pending.backendUrl, address);
    if (!outcome) return;
    // Used once, whatever happens next.
    await this.windows.remember(undefined);
    try {
      if (pending.expiresAt <= this.now()) throw new BackendApiError(0, 'ITSME_NOT_STARTED', 'The itsme login took too long');
      // A failure stays on the done page, which says what happened in the person's language.
      if ('failure' in outcome) throw new BackendApiError(0, outcome.failure, 'The itsme login did not succeed');
      const backend = new BackendApi(pending.backendUrl, undefined, this.fetchImpl);
      const loggedIn = await backend.itsmeHandoff(outcome.code, pending.verifier);
      await saveBackendSession(this.api, pending.backendUrl, loggedIn.sessionToken);
      await this.windows.close(pending.windowId).catch(() => undefined);
      this.settle({ result: { person: loggedIn.person, level: loggedIn.level, method: loggedIn.method } });
    } catch (e) {
      this.settle({ error: e });
    }
  }

  private async closed(windowId: number): Promise<void> {
    const pending = await this.windows.recall();
    if (!pending || pending.windowId !== windowId) return;
    await this.windows.remember(undefined);
    this.settle({ error: new BackendApiError(0, WINDOW_CLOSED, 'The itsme window was closed before the login finished') });
  }
}

/** The real browser, through the facade: a popup-type window, the tab's address changes, and session storage (memory only, never on disk). */
export function browserItsmeWindows(api: Pick<BrowserApi, 'openWebPopupWindow' | 'closeWindow' | 'onTabUrlChanged' | 'onWindowRemoved' | 'sessionStorageGet' | 'sessionStorageSet'>): ItsmeWindows {
  return {
    open: (url) => api.openWebPopupWindow(url, { width: 520, height: 760 }),
    close: (windowId) => api.closeWindow(windowId),
    onTabAddress: (listener) => api.onTabUrlChanged(listener),
    onWindowClosed: (listener) => api.onWindowRemoved(listener),
    remember: (login) => api.sessionStorageSet(PENDING_KEY, login),
    async recall() {
      const stored = (await api.sessionStorageGet(PENDING_KEY)) as PendingItsmeLogin | undefined;
      return stored && typeof stored.verifier === 'string' ? stored : undefined;
    },
  };
}
