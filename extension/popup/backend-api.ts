/**
 * The reference backend's API as the popup uses it: eID, itsme and password +
 * code sign-in, the digital-keys overview and changes, and activation with a
 * registration-office code.
 *
 * The popup and the background call the backend as the extension, which
 * holds host permission for it, so the browser applies no CORS and the
 * backend needs no list of extension origins (Firefox gives every profile a
 * random one). No request carries the person's cookie: the backend hands the
 * extension its session token in the JSON answer (the first challenge, login
 * or activation step starts an anonymous session), and every later request
 * sends it as a bearer token. docs/digital-keys.md, "The popup", says why
 * this is safe.
 */

export type KeyName = 'eid' | 'password' | 'email' | 'sms' | 'totp';
export type CodeKey = 'email' | 'sms' | 'totp';
export type LoginKey = CodeKey | 'password';

export interface Person {
  givenNames: string;
  surname: string;
  [field: string]: unknown;
}

export interface KeyState {
  key: KeyName;
  level: number;
  active: boolean;
  username?: string | null;
  sentTo?: string | null;
  activatedAt?: string | null;
  changedAt?: string | null;
}

export interface KeysOverview {
  person: Person;
  contact: { email: string | null; phone: string | null };
  keys: KeyState[];
}

export interface LoggedIn {
  status: 'logged-in';
  person: Person;
  level: number;
  method: string;
  sessionToken?: string;
}

export interface CodeRequired {
  status: 'code-required';
  loginRequestId: string;
  channel: CodeKey;
  sentTo?: string;
  expiresAt: string;
}

/** A code key being set up: where the code went, or the TOTP secret to scan, and until when the code holds. */
export interface KeySetupStarted {
  key: CodeKey;
  expiresAt: string;
  sentTo?: string;
  secret?: string;
  otpauthUri?: string;
  qrCode?: string;
}

export interface RegistrationStarted extends KeySetupStarted {
  registrationId: string;
}

export interface ActivationStarted {
  activationId: string;
  person: Person;
  email: string;
}

export interface ActivationKeyStarted extends KeySetupStarted {
  activationId: string;
}

export interface SessionInfo {
  authenticated: boolean;
  person?: Person;
  level?: number;
  method?: string;
  changesAllowedUntil?: string;
}

/** An answer of the backend that is not a success, with its error code (e.g. CODE_INCORRECT). */
export class BackendApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BackendApiError';
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The backend's itsme addresses (backend/routes/itsme.ts). */
export const ITSME_PATHS = { available: '/api/itsme', start: '/itsme/start', popupDone: '/itsme/popup-done', handoff: '/api/itsme/handoff' } as const;

/** Where the window for a popup login starts: the backend's itsme start with the challenge of the extension's secret. */
export function itsmeStartUrl(backendUrl: string, challenge: string, lang: string | undefined): string {
  return `${backendUrl}${ITSME_PATHS.start}?${new URLSearchParams({ popup: challenge, ...(lang ? { lang } : {}) })}`;
}

/** The backend's base URL: http(s), no credentials, query or fragment; returned without a trailing slash. */
export function normalizeBackendUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) return undefined;
  return url.href.replace(/\/+$/, '');
}

/** The activation link token from a pasted link (…/activate?token=…) or the token itself. */
export function activationTokenFrom(input: string): string {
  const text = input.trim();
  try {
    const url = new URL(text);
    return url.searchParams.get('token') ?? '';
  } catch {
    return text;
  }
}

export class BackendApi {
  constructor(
    readonly baseUrl: string,
    private sessionToken: string | undefined,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  get token(): string | undefined {
    return this.sessionToken;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.sessionToken) headers.Authorization = `Bearer ${this.sessionToken}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        // The bearer token is the popup's only credential: a request from an extension page that
        // carried the cookie would be refused (backend/server.ts).
        credentials: 'omit',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new BackendApiError(0, 'UNREACHABLE', e instanceof Error ? e.message : String(e));
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const { code, message, ...details } = (error ?? {}) as Record<string, unknown>;
      throw new BackendApiError(response.status, typeof code === 'string' ? code : `HTTP_${response.status}`, typeof message === 'string' ? message : response.statusText, details);
    }
    // A session the backend started or renewed for this caller (challenge, code sent, activation, login).
    const sessionToken = (json as { sessionToken?: unknown } | undefined)?.sessionToken;
    if (typeof sessionToken === 'string') this.sessionToken = sessionToken;
    return json as T;
  }

  health(): Promise<{ status: string; version: string }> {
    return this.call('GET', '/healthz');
  }

  session(): Promise<SessionInfo> {
    return this.call('GET', '/api/session');
  }

  challenge(): Promise<{ challengeNonce: string; expiresAt: string }> {
    return this.call('POST', '/api/eid/challenge', {});
  }

  eidLogin(authToken: unknown): Promise<LoggedIn> {
    return this.call('POST', '/api/eid/login', { authToken });
  }

  /** Whether the backend has an itsme provider: its itsme routes exist only then. */
  async itsmeAvailable(): Promise<boolean> {
    try {
      await this.call('GET', ITSME_PATHS.available);
      return true;
    } catch (e) {
      if (e instanceof BackendApiError && e.status === 404) return false;
      throw e;
    }
  }

  /** Takes over an itsme login finished in the window: the handoff code from there and the secret kept here. */
  itsmeHandoff(code: string, verifier: string): Promise<LoggedIn> {
    return this.call('POST', ITSME_PATHS.handoff, { code, verifier });
  }

  passwordLogin(username: string, password: string, key: LoginKey): Promise<LoggedIn | CodeRequired> {
    return this.call('POST', '/api/login/password', { username, password, key });
  }

  codeLogin(loginRequestId: string, code: string): Promise<LoggedIn> {
    return this.call('POST', '/api/login/code', { loginRequestId, code });
  }

  async logout(): Promise<void> {
    try {
      await this.call('POST', '/api/logout', {});
    } finally {
      this.sessionToken = undefined;
    }
  }

  keys(): Promise<KeysOverview> {
    return this.call('GET', '/api/keys');
  }

  setPassword(username: string, password: string): Promise<KeysOverview> {
    return this.call('PUT', '/api/keys/password', { username, password });
  }

  setEmail(email: string): Promise<KeysOverview> {
    return this.call('PUT', '/api/profile/email', { email });
  }

  startKey(key: CodeKey, contact: { email?: string; phone?: string } = {}): Promise<RegistrationStarted> {
    return this.call('POST', `/api/keys/${key}/start`, contact);
  }

  confirmKey(key: CodeKey, registrationId: string, code: string): Promise<KeysOverview> {
    return this.call('POST', `/api/keys/${key}/confirm`, { registrationId, code });
  }

  deactivateKey(key: CodeKey): Promise<KeysOverview> {
    return this.call('DELETE', `/api/keys/${key}`);
  }

  activationStart(token: string, activationCode: string): Promise<ActivationStarted> {
    return this.call('POST', '/api/activation/start', { token, activationCode });
  }

  activationKey(activationId: string, key: CodeKey, username: string, password: string, phone?: string): Promise<ActivationKeyStarted> {
    return this.call('POST', '/api/activation/key', { activationId, key, username, password, ...(phone ? { phone } : {}) });
  }

  activationConfirm(activationId: string, code: string): Promise<{ status: 'activated'; key: CodeKey }> {
    return this.call('POST', '/api/activation/confirm', { activationId, code });
  }
}
