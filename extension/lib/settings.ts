/**
 * The extension's settings in storage.local, their defaults, and the origin
 * rules built on them (which sites count as government sites, which pages get
 * window.eidBridge, when http://localhost is allowed).
 */
import type { BrowserApi } from './browser-api.js';

export type LanguageSetting = 'auto' | 'nl' | 'fr' | 'de' | 'en';

export interface Settings {
  /** Developer setting: let http://localhost and http://127.0.0.1 pages use eID. */
  allowHttpLocalhost: boolean;
  /** Known government origins: no warning in the dialog, and window.eidBridge. */
  governmentOrigins: string[];
  /** Origins the person added: window.eidBridge, but the dialog still says it is not a government site. */
  allowedOrigins: string[];
  language: LanguageSetting;
  /** The reference backend (digital keys), used by the popup. */
  backendUrl: string;
}

/**
 * The shipped government origins. A "*." entry only for a zone registered to a
 * government body, so that nobody else can get a name under it; Brussels
 * regional services by exact host name, because .brussels is a public
 * top-level domain anyone can register under. No local addresses: the demo and
 * the tests add the reference backend's origin themselves.
 */
export const DEFAULT_GOVERNMENT_ORIGINS: readonly string[] = [
  '*.belgium.be',
  '*.fgov.be',
  '*.vlaanderen.be',
  '*.wallonie.be',
  '*.csam.be',
  '*.socialsecurity.be',
  'be.brussels',
  'www.be.brussels',
  'irisbox.brussels',
];

export const DEFAULT_SETTINGS: Settings = {
  allowHttpLocalhost: false,
  governmentOrigins: [...DEFAULT_GOVERNMENT_ORIGINS],
  allowedOrigins: [],
  language: 'auto',
  backendUrl: 'https://127.0.0.1:8443',
};

export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as Array<keyof Settings>;

const LANGUAGES: readonly LanguageSetting[] = ['auto', 'nl', 'fr', 'de', 'en'];

function stringList(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : fallback;
}

/** Reads settings, falling back to the default for anything missing or malformed. */
export function parseSettings(stored: Record<string, unknown>): Settings {
  return {
    allowHttpLocalhost: typeof stored.allowHttpLocalhost === 'boolean' ? stored.allowHttpLocalhost : DEFAULT_SETTINGS.allowHttpLocalhost,
    governmentOrigins: stringList(stored.governmentOrigins, DEFAULT_SETTINGS.governmentOrigins),
    allowedOrigins: stringList(stored.allowedOrigins, DEFAULT_SETTINGS.allowedOrigins),
    language: LANGUAGES.includes(stored.language as LanguageSetting) ? (stored.language as LanguageSetting) : 'auto',
    backendUrl: typeof stored.backendUrl === 'string' ? stored.backendUrl : DEFAULT_SETTINGS.backendUrl,
  };
}

/** The settings the person saved (the options page edits these). */
export async function loadStoredSettings(api: Pick<BrowserApi, 'storageGet'>): Promise<Settings> {
  return parseSettings(await api.storageGet(SETTING_KEYS));
}

/**
 * The settings in force: the person's, plus the government and allowed origins
 * an administrator's policy adds (managed storage; how the demo and the
 * Firefox tests add the reference backend's origin).
 */
export async function loadSettings(api: Pick<BrowserApi, 'storageGet'> & Partial<Pick<BrowserApi, 'managedStorageGet'>>): Promise<Settings> {
  const settings = await loadStoredSettings(api);
  const managed = (await api.managedStorageGet?.(['governmentOrigins', 'allowedOrigins'])) ?? {};
  const add = (list: string[], extra: unknown) => [...list, ...stringList(extra, []).filter((p) => !list.includes(p))];
  return {
    ...settings,
    governmentOrigins: add(settings.governmentOrigins, managed.governmentOrigins),
    allowedOrigins: add(settings.allowedOrigins, managed.allowedOrigins),
  };
}

export async function saveSettings(api: Pick<BrowserApi, 'storageSet'>, settings: Partial<Settings>): Promise<void> {
  await api.storageSet(settings as Record<string, unknown>);
}

/**
 * Does `origin` (scheme://host[:port]) match `pattern`? A pattern is either a
 * host with an optional leading "*." (https on the default port, the domain
 * itself and every subdomain), or a full origin whose host may start with "*.".
 */
export function originMatches(origin: string, pattern: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const trimmed = pattern.trim().toLowerCase().replace(/\/+$/, '');
  if (!trimmed) return false;
  let scheme = 'https:';
  let hostPattern = trimmed;
  let port = '';
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/.exec(trimmed);
  if (schemeMatch) {
    scheme = `${schemeMatch[1]}:`;
    hostPattern = schemeMatch[2] ?? '';
  }
  const portMatch = /^(.*?)(?::(\d+))?$/.exec(hostPattern);
  hostPattern = portMatch?.[1] ?? hostPattern;
  port = portMatch?.[2] ?? '';
  if (url.protocol !== scheme) return false;
  const defaultPort = scheme === 'https:' ? '443' : scheme === 'http:' ? '80' : '';
  if ((url.port || defaultPort) !== (port || defaultPort)) return false;
  const host = url.hostname.toLowerCase();
  if (hostPattern.startsWith('*.')) {
    const domain = hostPattern.slice(2);
    return host === domain || host.endsWith(`.${domain}`);
  }
  return host === hostPattern;
}

export function isGovernmentOrigin(origin: string, settings: Pick<Settings, 'governmentOrigins'>): boolean {
  return settings.governmentOrigins.some((p) => originMatches(origin, p));
}

/** Pages that get our own window.eidBridge API (the Web eID protocol works on every https page). */
export function hasPageApi(origin: string, settings: Pick<Settings, 'governmentOrigins' | 'allowedOrigins'>): boolean {
  return isGovernmentOrigin(origin, settings) || settings.allowedOrigins.some((p) => originMatches(origin, p));
}
