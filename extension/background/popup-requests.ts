/**
 * The background's side of the popup: host status, certificates, the reader
 * test, the backend choice, and "sign in with eID" or "via itsme" to the
 * reference backend (itsme: extension/popup/itsme-login.ts).
 *
 * The eID sign-in runs here, not in the popup: the card dialog takes the
 * focus and closes the popup, so the background fetches the challenge, runs
 * the extension's own authenticate flow (dialog, PIN) and posts the token.
 * The signature is bound to the origin of the backend URL in the settings,
 * never to anything the popup or a page says.
 */
import { EidBridgeError } from '../../shared/errors.js';
import { VERSION } from '../../shared/version.js';
import type { BrowserApi, MessageSender } from '../lib/browser-api.js';
import type { PageReply } from '../lib/messages.js';
import type { HostClient } from './native-client.js';
import { toPageError } from './request-flow.js';
import { loadSettings } from '../lib/settings.js';
import { BackendApi, BackendApiError, normalizeBackendUrl, type FetchLike } from '../popup/backend-api.js';
import { isPopupRequest, toReaderTestResult, type PopupErrorPayload, type PopupReply, type PopupRequest } from '../popup/messages.js';
import { saveBackendSession } from '../popup/session-store.js';
import { browserItsmeWindows, ItsmePopupLogins } from '../popup/itsme-login.js';

export interface PopupBackgroundDeps {
  api: Pick<
    BrowserApi,
    'onRuntimeMessage' | 'extensionUrl' | 'storageGet' | 'storageSet' | 'openWebPopupWindow' | 'closeWindow' | 'onTabUrlChanged' | 'onWindowRemoved' | 'sessionStorageGet' | 'sessionStorageSet'
  >;
  host: HostClient & { readonly hostVersion: string | undefined };
  /** The extension's authenticate flow (RequestFlow.handle). */
  authenticate(args: Record<string, unknown>, origin: string): Promise<PageReply>;
  fetch?: FetchLike;
  /** The popup's itsme logins; registerPopupMessages makes them on the real browser when not given. */
  itsmeLogins?: ItsmePopupLogins;
}

/** Messages from our own pages only: a content script's sender URL is the web page's. */
export function fromExtensionPage(sender: MessageSender, extensionRoot: string): boolean {
  return typeof sender.url === 'string' && sender.url.startsWith(extensionRoot);
}

export async function handlePopupRequest(deps: PopupBackgroundDeps, request: PopupRequest): Promise<unknown> {
  switch (request.op) {
    case 'status': {
      const status = await deps.host.request('status', {});
      return { ...status, version: deps.host.hostVersion ?? status.version, extensionVersion: VERSION };
    }
    case 'certificates':
      return deps.host.request('list-certificates', {});
    case 'test-reader': {
      const identity = await deps.host.request('read-identity', {
        includePhoto: false,
        includeAddress: false,
        ...(request.reader ? { reader: request.reader } : {}),
      });
      return toReaderTestResult(identity);
    }
    case 'configure-backends':
      return deps.host.request('configure-backends', {
        backends: request.backends,
        pkcs11Module: request.pkcs11Module,
        ...(request.pkcs11ModuleConfirmed ? { pkcs11ModuleConfirmed: true } : {}),
      });
    case 'eid-login':
      return eidLogin(deps, request.lang);
    case 'itsme-login':
      if (!deps.itsmeLogins) throw new EidBridgeError('INTERNAL_ERROR', 'itsme logins are not set up in this background');
      return deps.itsmeLogins.start(await backendUrlFromSettings(deps), request.lang);
  }
}

async function backendUrlFromSettings(deps: PopupBackgroundDeps): Promise<string> {
  const settings = await loadSettings(deps.api);
  const backendUrl = normalizeBackendUrl(settings.backendUrl);
  if (!backendUrl) throw new EidBridgeError('INVALID_ARGUMENT', 'The reference backend address in the options is not a URL', { argument: 'backendUrl' });
  return backendUrl;
}

async function eidLogin(deps: PopupBackgroundDeps, lang: string | undefined): Promise<unknown> {
  const backendUrl = await backendUrlFromSettings(deps);
  const origin = new URL(backendUrl).origin;
  const backend = new BackendApi(backendUrl, undefined, deps.fetch);
  const { challengeNonce } = await backend.challenge();
  const reply = await deps.authenticate({ challengeNonce, options: { lang } }, origin);
  if (!reply.ok) throw EidBridgeError.fromPayload({ ...reply.error, code: reply.error.bridgeCode });
  const loggedIn = await backend.eidLogin(reply.result);
  await saveBackendSession(deps.api, backendUrl, loggedIn.sessionToken);
  return { person: loggedIn.person, level: loggedIn.level, method: loggedIn.method };
}

/** Registers the popup's message type with the background (one call in the background entrypoint). */
export function registerPopupMessages(given: PopupBackgroundDeps): void {
  // Listening from the start: a background woken by the itsme window's tab finishes the login too.
  const deps = { ...given, itsmeLogins: given.itsmeLogins ?? new ItsmePopupLogins(browserItsmeWindows(given.api), given.api, given.fetch).watch() };
  deps.api.onRuntimeMessage((message, sender) => {
    if (!isPopupRequest(message) || !fromExtensionPage(sender, deps.api.extensionUrl('/'))) return undefined;
    return handlePopupRequest(deps, message).then(
      (result): PopupReply<unknown> => ({ ok: true, result }),
      (e: unknown): PopupReply<unknown> => ({ ok: false, error: backendAwareError(e) }),
    );
  });
}

function backendAwareError(e: unknown): PopupErrorPayload {
  if (e instanceof BackendApiError) {
    return { code: 'ERR_WEBEID_UNKNOWN_ERROR', bridgeCode: 'INTERNAL_ERROR', message: e.message, backendCode: e.code, backendStatus: e.status };
  }
  return toPageError(e);
}
