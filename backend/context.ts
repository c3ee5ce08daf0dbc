/** What every route needs: settings, data, time, delivery, the token validator. */
import type { BackendConfig } from './config.js';
import type { DataStore } from './db/store.js';
import type { Clock } from './clock.js';
import type { Delivery } from './delivery/delivery.js';
import type { WebEidTokenValidator } from '../shared/token-validator/validator.js';
import type { LoginThrottle } from './security/throttle.js';

export interface BackendContext {
  config: BackendConfig;
  /** Known once the server listens (the port may be chosen then). */
  publicUrl: string;
  publicOrigin: string;
  store: DataStore;
  clock: Clock;
  delivery: Delivery;
  validator: WebEidTokenValidator;
  throttle: LoginThrottle;
  secureCookies: boolean;
}

/** Assurance levels of the federal authentication service (docs/digital-keys.md). */
export const LEVELS = { eid: 500, itsme: 500, totp: 400, sms: 400, email: 400, password: 200 } as const;
export type LoginMethod = 'eid' | 'itsme' | 'totp' | 'sms' | 'email' | 'password';

export const REGISTRATION_CODE_TTL_MS = 5 * 60_000;
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
export const ACTIVATION_LINK_TTL_MS = 14 * 24 * 3600_000;
export const REAUTH_WINDOW_MS = 5 * 60_000;
export const SESSION_TTL_MS = 8 * 3600_000;
export const ANONYMOUS_SESSION_TTL_MS = 30 * 60_000;
/** Wrong codes allowed for one request before it is void. */
export const MAX_CODE_ATTEMPTS = 5;
