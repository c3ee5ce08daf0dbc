/**
 * The one list of error codes shared by the native host, the extension and the
 * page API. Each code says what went wrong in a way a caller can act on; the
 * Web eID code is what a page speaking the Web eID protocol receives.
 */

export const ERROR_CODES = {
  // Message and protocol level
  INVALID_MESSAGE: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT',
  MESSAGE_TOO_LARGE: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT',
  UNKNOWN_COMMAND: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT',
  INVALID_ARGUMENT: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT',
  MISSING_PARAMETER: 'ERR_WEBEID_MISSING_PARAMETER',
  VERSION_MISMATCH: 'ERR_WEBEID_VERSION_MISMATCH',
  VERSION_INVALID: 'ERR_WEBEID_VERSION_INVALID',
  // Environment: what is installed and running
  NATIVE_UNAVAILABLE: 'ERR_WEBEID_NATIVE_UNAVAILABLE',
  HOST_DISCONNECTED: 'ERR_WEBEID_NATIVE_FATAL',
  PCSC_UNAVAILABLE: 'ERR_WEBEID_NATIVE_FATAL',
  PKCS11_MODULE_MISSING: 'ERR_WEBEID_NATIVE_FATAL',
  NO_READER: 'ERR_WEBEID_NATIVE_FATAL',
  READER_REMOVED: 'ERR_WEBEID_NATIVE_FATAL',
  // Card level
  NO_CARD: 'ERR_WEBEID_NATIVE_FATAL',
  CARD_REMOVED: 'ERR_WEBEID_NATIVE_FATAL',
  UNSUPPORTED_CARD: 'ERR_WEBEID_NATIVE_FATAL',
  CARD_ERROR: 'ERR_WEBEID_NATIVE_FATAL',
  CERTIFICATE_NOT_FOUND: 'ERR_WEBEID_NATIVE_FATAL',
  NO_SIGNING_CERTIFICATE: 'ERR_WEBEID_NATIVE_FATAL',
  CERTIFICATE_CHOICE_REQUIRED: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT',
  // PIN
  PIN_REQUIRED: 'ERR_WEBEID_MISSING_PARAMETER',
  PIN_INCORRECT: 'ERR_WEBEID_NATIVE_FATAL',
  PIN_BLOCKED: 'ERR_WEBEID_NATIVE_FATAL',
  PIN_FORMAT: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT',
  PIN_PAD_TIMEOUT: 'ERR_WEBEID_USER_TIMEOUT',
  // The person and the page
  USER_CANCELLED: 'ERR_WEBEID_USER_CANCELLED',
  USER_TIMEOUT: 'ERR_WEBEID_USER_TIMEOUT',
  ACTION_PENDING: 'ERR_WEBEID_ACTION_PENDING',
  CONTEXT_INSECURE: 'ERR_WEBEID_CONTEXT_INSECURE',
  ORIGIN_NOT_ALLOWED: 'ERR_WEBEID_CONTEXT_INSECURE',
  // Generic
  TIMEOUT: 'ERR_WEBEID_ACTION_TIMEOUT',
  BUSY: 'ERR_WEBEID_ACTION_PENDING',
  INTERNAL_ERROR: 'ERR_WEBEID_UNKNOWN_ERROR',
} as const satisfies Record<string, WebEidErrorCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export type WebEidErrorCode =
  | 'ERR_WEBEID_ACTION_TIMEOUT'
  | 'ERR_WEBEID_USER_TIMEOUT'
  | 'ERR_WEBEID_VERSION_MISMATCH'
  | 'ERR_WEBEID_VERSION_INVALID'
  | 'ERR_WEBEID_EXTENSION_UNAVAILABLE'
  | 'ERR_WEBEID_NATIVE_UNAVAILABLE'
  | 'ERR_WEBEID_UNKNOWN_ERROR'
  | 'ERR_WEBEID_CONTEXT_INSECURE'
  | 'ERR_WEBEID_USER_CANCELLED'
  | 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT'
  | 'ERR_WEBEID_NATIVE_FATAL'
  | 'ERR_WEBEID_ACTION_PENDING'
  | 'ERR_WEBEID_MISSING_PARAMETER';

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function toWebEidCode(code: ErrorCode): WebEidErrorCode {
  return ERROR_CODES[code];
}

/** Extra fields an error may carry; every one is safe to show to the page. */
export interface ErrorDetails {
  /** PIN tries left after PIN_INCORRECT, when the card tells. */
  triesLeft?: number;
  /** Certificates to choose from, for CERTIFICATE_CHOICE_REQUIRED. */
  choices?: Array<{ certificate: string; subject: string; tokenLabel?: string }>;
  /** The card's ATR (hex), for UNSUPPORTED_CARD. */
  atr?: string;
  /** Versions, for VERSION_MISMATCH. */
  requiresUpdate?: { extension: boolean; nativeApp: boolean };
  /** What the person or administrator should install or do. */
  hint?: string;
  /** The argument that was wrong, for INVALID_ARGUMENT and MISSING_PARAMETER. */
  argument?: string;
}

export interface ErrorPayload extends ErrorDetails {
  code: ErrorCode;
  message: string;
}

/**
 * The typed error every part of eID Bridge throws. A caller switches on
 * `code`; `message` is plain English for logs and developers, and the
 * extension shows its own translated text for the code.
 */
export class EidBridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'EidBridgeError';
    this.code = code;
    this.details = details;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, ...this.details };
  }

  static fromPayload(payload: ErrorPayload): EidBridgeError {
    const { code, message, ...details } = payload;
    return new EidBridgeError(isErrorCode(code) ? code : 'INTERNAL_ERROR', message, details);
  }
}

export function isEidBridgeError(e: unknown, code?: ErrorCode): e is EidBridgeError {
  return e instanceof EidBridgeError && (code === undefined || e.code === code);
}
