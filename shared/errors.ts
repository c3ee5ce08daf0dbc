/**
 * The one catalogue of error codes shared by the native host, the extension
 * and the page API. Each code says what went wrong in a way a caller can act
 * on, and is declared once (ERRORS) with the Web eID code a page speaking the
 * Web eID protocol receives and what the card dialog does with it. The
 * dialog's words for each code are in extension/ui/dialog/texts/.
 */

/**
 * What the card dialog does when an attempt ends with a code:
 * - `ends`: the request fails at once and the page receives the error;
 * - `resubmit`: the dialog stays open and shows the problem, and the person
 *   submits again (a PIN of the wrong form, a PIN pad left waiting, a host
 *   that stopped and is started again on the next attempt);
 * - `try-again`: the person fixes it outside the dialog (reader, card,
 *   middleware); the dialog shows it and offers "Try again";
 * - `pin`: a wrong or blocked PIN, which the dialog handles itself (the
 *   tries left, or only Close once the card is blocked).
 */
export type DialogRecovery = 'ends' | 'resubmit' | 'try-again' | 'pin';

export interface ErrorPolicy {
  /** What a page speaking the Web eID protocol receives. */
  readonly webEid: WebEidErrorCode;
  readonly recovery: DialogRecovery;
  /** The dialog looks at the readers again by itself, often, until the person has fixed it. */
  readonly autoRefresh?: true;
}

const ends = (webEid: WebEidErrorCode): ErrorPolicy => ({ webEid, recovery: 'ends' });
const resubmit = (webEid: WebEidErrorCode): ErrorPolicy => ({ webEid, recovery: 'resubmit' });
const tryAgain = (webEid: WebEidErrorCode, refresh?: 'auto-refresh'): ErrorPolicy =>
  refresh ? { webEid, recovery: 'try-again', autoRefresh: true } : { webEid, recovery: 'try-again' };
const pin = (webEid: WebEidErrorCode): ErrorPolicy => ({ webEid, recovery: 'pin' });

/** Every error code, once: its Web eID code and what the dialog does with it. */
export const ERRORS = {
  // Message and protocol level
  INVALID_MESSAGE: ends('ERR_WEBEID_NATIVE_INVALID_ARGUMENT'),
  MESSAGE_TOO_LARGE: ends('ERR_WEBEID_NATIVE_INVALID_ARGUMENT'),
  UNKNOWN_COMMAND: ends('ERR_WEBEID_NATIVE_INVALID_ARGUMENT'),
  INVALID_ARGUMENT: ends('ERR_WEBEID_NATIVE_INVALID_ARGUMENT'),
  MISSING_PARAMETER: ends('ERR_WEBEID_MISSING_PARAMETER'),
  VERSION_MISMATCH: ends('ERR_WEBEID_VERSION_MISMATCH'),
  VERSION_INVALID: ends('ERR_WEBEID_VERSION_INVALID'),
  // Environment: what is installed and running
  NATIVE_UNAVAILABLE: ends('ERR_WEBEID_NATIVE_UNAVAILABLE'),
  HOST_DISCONNECTED: resubmit('ERR_WEBEID_NATIVE_FATAL'),
  PCSC_UNAVAILABLE: tryAgain('ERR_WEBEID_NATIVE_FATAL'),
  PKCS11_MODULE_MISSING: tryAgain('ERR_WEBEID_NATIVE_FATAL'),
  PKCS11_MODULE_HUNG: tryAgain('ERR_WEBEID_NATIVE_FATAL'),
  NO_READER: tryAgain('ERR_WEBEID_NATIVE_FATAL', 'auto-refresh'),
  READER_REMOVED: tryAgain('ERR_WEBEID_NATIVE_FATAL', 'auto-refresh'),
  // Card level
  NO_CARD: tryAgain('ERR_WEBEID_NATIVE_FATAL', 'auto-refresh'),
  CARD_REMOVED: tryAgain('ERR_WEBEID_NATIVE_FATAL', 'auto-refresh'),
  UNSUPPORTED_CARD: tryAgain('ERR_WEBEID_NATIVE_FATAL'),
  CARD_ERROR: tryAgain('ERR_WEBEID_NATIVE_FATAL'),
  CERTIFICATE_NOT_FOUND: tryAgain('ERR_WEBEID_NATIVE_FATAL', 'auto-refresh'),
  NO_SIGNING_CERTIFICATE: tryAgain('ERR_WEBEID_NATIVE_FATAL'),
  CERTIFICATE_CHOICE_REQUIRED: resubmit('ERR_WEBEID_NATIVE_INVALID_ARGUMENT'),
  // PIN
  PIN_REQUIRED: resubmit('ERR_WEBEID_MISSING_PARAMETER'),
  PIN_INCORRECT: pin('ERR_WEBEID_NATIVE_FATAL'),
  PIN_BLOCKED: pin('ERR_WEBEID_NATIVE_FATAL'),
  PIN_FORMAT: resubmit('ERR_WEBEID_NATIVE_INVALID_ARGUMENT'),
  PIN_PAD_TIMEOUT: resubmit('ERR_WEBEID_USER_TIMEOUT'),
  // The person and the page
  USER_CANCELLED: ends('ERR_WEBEID_USER_CANCELLED'),
  USER_TIMEOUT: ends('ERR_WEBEID_USER_TIMEOUT'),
  ACTION_PENDING: ends('ERR_WEBEID_ACTION_PENDING'),
  CONTEXT_INSECURE: ends('ERR_WEBEID_CONTEXT_INSECURE'),
  ORIGIN_NOT_ALLOWED: ends('ERR_WEBEID_CONTEXT_INSECURE'),
  // Generic
  TIMEOUT: resubmit('ERR_WEBEID_ACTION_TIMEOUT'),
  BUSY: ends('ERR_WEBEID_ACTION_PENDING'),
  INTERNAL_ERROR: ends('ERR_WEBEID_UNKNOWN_ERROR'),
} as const satisfies Record<string, ErrorPolicy>;

export type ErrorCode = keyof typeof ERRORS;

export const ALL_ERROR_CODES = Object.keys(ERRORS) as readonly ErrorCode[];

/** Each code's Web eID code, read from the catalogue. */
export const ERROR_CODES: Readonly<Record<ErrorCode, WebEidErrorCode>> = Object.fromEntries(
  ALL_ERROR_CODES.map((code) => [code, ERRORS[code].webEid]),
) as Record<ErrorCode, WebEidErrorCode>;

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
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}

export function toWebEidCode(code: ErrorCode): WebEidErrorCode {
  return ERRORS[code].webEid;
}

function codesWhere(test: (policy: ErrorPolicy) => boolean): ReadonlySet<ErrorCode> {
  return new Set(ALL_ERROR_CODES.filter((code) => test(ERRORS[code])));
}

/** Codes after which the dialog stays open and the person can go on (`resubmit` and `try-again`). */
export const RECOVERABLE_IN_DIALOG = codesWhere((p) => p.recovery === 'resubmit' || p.recovery === 'try-again');
/** Codes the person fixes outside the dialog; the dialog offers "Try again". */
export const OFFERS_TRY_AGAIN = codesWhere((p) => p.recovery === 'try-again');
/** Codes the dialog re-checks by itself until the person has fixed them. */
export const AUTO_REFRESHED = codesWhere((p) => p.autoRefresh === true);

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

  /**
   * `options.cause` is the error this one wraps (ES2022), for logs and
   * debugging; it stays on this side: toPayload() does not send it.
   */
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
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
