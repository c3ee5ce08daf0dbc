/**
 * Where the popup keeps its sign-in to the reference backend: the bearer
 * token with the backend URL it belongs to, so a token is never sent to
 * another backend after the URL changes in the options.
 */
import type { BrowserApi } from '../lib/browser-api.js';

export const BACKEND_SESSION_KEY = 'popupBackendSession';

export interface StoredBackendSession {
  backendUrl: string;
  token: string;
}

export async function loadBackendSession(api: Pick<BrowserApi, 'storageGet'>, backendUrl: string): Promise<string | undefined> {
  const stored = (await api.storageGet([BACKEND_SESSION_KEY]))[BACKEND_SESSION_KEY] as Partial<StoredBackendSession> | undefined;
  return stored && stored.backendUrl === backendUrl && typeof stored.token === 'string' ? stored.token : undefined;
}

export async function saveBackendSession(api: Pick<BrowserApi, 'storageSet'>, backendUrl: string, token: string | undefined): Promise<void> {
  await api.storageSet({ [BACKEND_SESSION_KEY]: token ? { backendUrl, token } : null });
}
