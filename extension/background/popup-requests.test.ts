import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../lib/testing/fakes.js';
import type { BrowserApi, MessageSender } from '../lib/browser-api.js';
import type { FetchLike } from '../popup/backend-api.js';
import { registerPopupMessages, type PopupBackgroundDeps } from './popup-requests.js';
import { BACKEND_SESSION_KEY } from '../popup/session-store.js';
import { ItsmePopupLogins } from '../popup/itsme-login.js';
import { FakeItsmeWindows } from '../popup/fake-itsme-windows.js';

function setUp(options: { backendUrl: string; authenticateOk?: boolean }) {
  const browser = new FakeBrowser();
  browser.storage.backendUrl = options.backendUrl;
  let listener: ((message: unknown, sender: MessageSender) => Promise<unknown> | undefined) | undefined;
  const api: BrowserApi = { ...browser.api, onRuntimeMessage: (l) => void (listener = l) };
  const origins: string[] = [];
  const requests: string[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    requests.push(`${init?.method} ${url}`);
    if (url.endsWith('/api/eid/challenge')) return new Response(JSON.stringify({ challengeNonce: 'N'.repeat(44) }), { status: 200 });
    return new Response(JSON.stringify({ status: 'logged-in', person: { givenNames: 'A', surname: 'P' }, level: 500, method: 'eid', sessionToken: 'sess' }), { status: 200 });
  };
  const deps: PopupBackgroundDeps = {
    api,
    host: { hostVersion: '0.1.0', connect: async () => undefined, cancelAll: () => undefined, request: (async () => ({})) as PopupBackgroundDeps['host']['request'] },
    authenticate: async (args, origin) => {
      origins.push(origin);
      return options.authenticateOk === false
        ? { ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED', bridgeCode: 'USER_CANCELLED', message: 'cancelled' } }
        : { ok: true, result: { format: 'web-eid:1.0', nonce: args.challengeNonce } };
    },
    fetch: fetchImpl,
    itsmeLogins: new ItsmePopupLogins(new FakeItsmeWindows(), api, fetchImpl),
  };
  registerPopupMessages(deps);
  const send = (message: unknown, sender: MessageSender) => listener!(message, sender);
  return { browser, send, origins, requests };
}

const POPUP: MessageSender = { url: 'chrome-extension://test/popup.html', id: 'test' };

describe('the popup’s eID sign-in in the background', () => {
  it('binds the signature to the backend URL’s origin from the settings, posts the token and keeps the session', async () => {
    const { browser, send, origins, requests } = setUp({ backendUrl: 'https://idp.example:8443/base/' });
    const reply = await send({ type: 'eid-bridge:popup', op: 'eid-login', lang: 'nl' }, POPUP);
    expect(reply).toMatchObject({ ok: true, result: { level: 500 } });
    expect(origins).toEqual(['https://idp.example:8443']);
    expect(requests).toEqual(['POST https://idp.example:8443/base/api/eid/challenge', 'POST https://idp.example:8443/base/api/eid/login']);
    expect(browser.storage[BACKEND_SESSION_KEY]).toEqual({ backendUrl: 'https://idp.example:8443/base', token: 'sess' });
  });

  it('answers nothing to a message from a web page (content script sender)', () => {
    const { send } = setUp({ backendUrl: 'https://idp.example' });
    expect(send({ type: 'eid-bridge:popup', op: 'eid-login' }, { url: 'https://evil.example/', tab: { id: 1, url: 'https://evil.example/' } })).toBeUndefined();
  });

  it('passes a cancelled dialog back as the error, without logging in', async () => {
    const { send, requests } = setUp({ backendUrl: 'https://idp.example', authenticateOk: false });
    const reply = await send({ type: 'eid-bridge:popup', op: 'eid-login' }, POPUP);
    expect(reply).toMatchObject({ ok: false, error: { bridgeCode: 'USER_CANCELLED' } });
    expect(requests).toEqual(['POST https://idp.example/api/eid/challenge']);
  });

  it('ignores messages that are not well-formed popup requests', () => {
    const { send } = setUp({ backendUrl: 'https://idp.example' });
    expect(send({ type: 'eid-bridge:popup', op: 'configure-backends', backends: ['smartcard'], pkcs11Module: null }, POPUP)).toBeUndefined();
    expect(send({ type: 'eid-bridge:popup', op: 'delete-everything' }, POPUP)).toBeUndefined();
  });
});
