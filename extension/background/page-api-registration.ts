/**
 * window.eidBridge reaches a page as a script the browser runs in the page's
 * own world (entrypoints/page-api.ts), registered here for the government
 * origins and the origins the person added, and for no other page. Nothing of
 * the extension is web-accessible: a page cannot load a file of ours to learn
 * the extension is there, and in Firefox no per-install moz-extension://
 * address reaches the page.
 */
import type { BrowserApi } from '../lib/browser-api.js';
import type { Settings } from '../lib/settings.js';

export const PAGE_API_SCRIPT_ID = 'eid-bridge-page-api';
export const PAGE_API_SCRIPT_FILE = 'page-api.js';

const HOST = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/;

/**
 * The match pattern of one origin pattern of the settings (see originMatches),
 * or undefined when it cannot be one. Match patterns carry no port, so an
 * origin with a port matches its host on every port here; the content script
 * still answers window.eidBridge only on the exact origin.
 */
export function matchPattern(pattern: string): string | undefined {
  const trimmed = pattern.trim().toLowerCase().replace(/\/+$/, '');
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/.exec(trimmed);
  const scheme = withScheme?.[1] ?? 'https';
  const host = (withScheme?.[2] ?? trimmed).replace(/:\d+$/, '');
  if (!HOST.test(host)) return undefined;
  // The content script, which carries the requests, runs on https pages and on http only for local development.
  if (scheme !== 'https' && !(scheme === 'http' && (host === 'localhost' || host === '127.0.0.1'))) return undefined;
  return `${scheme}://${host}/*`;
}

export function pageApiMatches(settings: Pick<Settings, 'governmentOrigins' | 'allowedOrigins'>): string[] {
  const patterns = [...settings.governmentOrigins, ...settings.allowedOrigins].map(matchPattern);
  return [...new Set(patterns.filter((p): p is string => p !== undefined))];
}

/** Registers window.eidBridge for the origins the settings name now. */
export async function registerPageApi(api: Pick<BrowserApi, 'setMainWorldScript'>, settings: Settings): Promise<void> {
  await api.setMainWorldScript(PAGE_API_SCRIPT_ID, PAGE_API_SCRIPT_FILE, pageApiMatches(settings));
}
