import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { FakeBrowser } from '../lib/testing/fakes.js';
import type { FetchLike } from './backend-api.js';
import { FakeItsmeWindows } from './fake-itsme-windows.js';
import { doneOutcome, ItsmePopupLogins, WINDOW_CLOSED } from './itsme-login.js';
import { BACKEND_SESSION_KEY } from './session-store.js';

const BACKEND = 'https://idp.example';

function setUp() {
  const browser = new FakeBrowser();
  const windows = new FakeItsmeWindows();
  const handoffs: Array<Record<string, unknown>> = [];
  const fetchImpl: FetchLike = async (url, init) => {
    expect(url).toBe(`${BACKEND}/api/itsme/handoff`);
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    handoffs.push(body);
    return new Response(JSON.stringify({ status: 'logged-in', person: { givenNames: 'Jan', surname: 'Janssens' }, level: 500, method: 'itsme', sessionToken: 'bearer-1' }), { status: 200 });
  };
  const logins = () => new ItsmePopupLogins(windows, browser.api, fetchImpl).watch();
  return { browser, windows, handoffs, logins };
}

/** The window opens once the secret is made (an await on WebCrypto). */
function windowOpened(windows: FakeItsmeWindows): Promise<void> {
  return vi.waitFor(() => expect(windows.opened).toHaveLength(1));
}

/** The start address's challenge is the SHA-256 of the secret the handoff sends (PKCE S256). */
function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

describe('the popup’s itsme login in the background', () => {
  it('opens the backend’s itsme start, takes the handoff code from the done page with its secret, keeps the session and closes the window', async () => {
    const { browser, windows, handoffs, logins } = setUp();
    const login = logins().start(BACKEND, 'fr');
    await windowOpened(windows);
    const [opened] = windows.opened;
    const start = new URL(opened!.url);
    expect(start.origin + start.pathname).toBe(`${BACKEND}/itsme/start`);
    expect(start.searchParams.get('lang')).toBe('fr');
    windows.tabAddress.emit(opened!.tabId, `${BACKEND}/itsme/popup-done?lang=fr#code=handoff-1`);
    await expect(login).resolves.toEqual({ person: { givenNames: 'Jan', surname: 'Janssens' }, level: 500, method: 'itsme' });
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]!.code).toBe('handoff-1');
    expect(challengeOf(handoffs[0]!.verifier as string)).toBe(start.searchParams.get('popup'));
    expect(browser.storage[BACKEND_SESSION_KEY]).toEqual({ backendUrl: BACKEND, token: 'bearer-1' });
    expect(windows.closedWindows).toEqual([opened!.windowId]);
    expect(windows.stored).toBeUndefined();
  });

  it('takes a code only from the tab it opened and only on the backend’s done page, once', async () => {
    const { windows, handoffs, logins } = setUp();
    const login = logins().start(BACKEND, 'nl');
    await windowOpened(windows);
    const { tabId } = windows.opened[0]!;
    // Another tab, another site, another path of the backend: none counts.
    windows.tabAddress.emit(tabId + 100, `${BACKEND}/itsme/popup-done#code=from-another-tab`);
    windows.tabAddress.emit(tabId, `https://evil.example/itsme/popup-done#code=from-a-page`);
    windows.tabAddress.emit(tabId, `${BACKEND}/login#code=elsewhere`);
    // The browser reports the done page twice (loading, then complete).
    windows.tabAddress.emit(tabId, `${BACKEND}/itsme/popup-done?lang=nl#code=right`);
    windows.tabAddress.emit(tabId, `${BACKEND}/itsme/popup-done?lang=nl#code=right`);
    await login;
    expect(handoffs.map((h) => h.code)).toEqual(['right']);
  });

  it('answers the done page’s failure and leaves the window open to show its message', async () => {
    const { windows, handoffs, logins } = setUp();
    const login = logins().start(BACKEND, 'en');
    await windowOpened(windows);
    windows.tabAddress.emit(windows.opened[0]!.tabId, `${BACKEND}/itsme/popup-done?lang=en&error=ITSME_CANCELLED`);
    await expect(login).rejects.toMatchObject({ code: 'ITSME_CANCELLED' });
    expect(handoffs).toHaveLength(0);
    expect(windows.closedWindows).toEqual([]);
  });

  it('answers that the window was closed when the person closes it before the end', async () => {
    const { windows, logins } = setUp();
    const login = logins().start(BACKEND, 'de');
    await windowOpened(windows);
    windows.windowClosed.emit(windows.opened[0]!.windowId);
    await expect(login).rejects.toMatchObject({ code: WINDOW_CLOSED });
    expect(windows.stored).toBeUndefined();
  });

  it('finishes the login in a background that restarted while the person was on the phone', async () => {
    const { browser, windows, handoffs, logins } = setUp();
    void logins().start(BACKEND, 'nl').catch(() => undefined);
    await windowOpened(windows);
    // The first background is gone (its listeners too); the new one registered its own at start.
    const first = windows.tabAddress.listeners.splice(0);
    windows.windowClosed.listeners.splice(0);
    expect(first).toHaveLength(1);
    logins();
    windows.tabAddress.emit(windows.opened[0]!.tabId, `${BACKEND}/itsme/popup-done?lang=nl#code=after-restart`);
    await vi.waitFor(() => expect(browser.storage[BACKEND_SESSION_KEY]).toBeTruthy());
    expect(handoffs.map((h) => h.code)).toEqual(['after-restart']);
    expect(browser.storage[BACKEND_SESSION_KEY]).toEqual({ backendUrl: BACKEND, token: 'bearer-1' });
  });
});

describe('doneOutcome', () => {
  it('reads the code from the fragment and a failure from the query, only on the backend’s done page', () => {
    expect(doneOutcome(BACKEND, `${BACKEND}/itsme/popup-done?lang=nl#code=abc`)).toEqual({ code: 'abc' });
    expect(doneOutcome(BACKEND, `${BACKEND}/itsme/popup-done?error=ITSME_EXPIRED`)).toEqual({ failure: 'ITSME_EXPIRED' });
    expect(doneOutcome(BACKEND, `${BACKEND}/itsme/popup-done?error=<script>`)).toEqual({ failure: 'ITSME_REFUSED' });
    expect(doneOutcome(BACKEND, `http://idp.example/itsme/popup-done#code=abc`)).toBeUndefined();
    expect(doneOutcome(BACKEND, 'not a url')).toBeUndefined();
  });
});
