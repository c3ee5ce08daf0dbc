/**
 * PKCS#11 return values and token flags, and how they become the typed
 * errors the rest of eID Bridge acts on. The numbers are those of the
 * PKCS#11 standard (pkcs11t.h); they are kept here so this mapping can be
 * tested without loading a module.
 */
import { EidBridgeError, type ErrorCode, type ErrorDetails } from '../../../../shared/errors.js';

export const CKR = {
  OK: 0x00,
  SLOT_ID_INVALID: 0x03,
  GENERAL_ERROR: 0x05,
  FUNCTION_FAILED: 0x06,
  DATA_LEN_RANGE: 0x21,
  FUNCTION_NOT_SUPPORTED: 0x54,
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  FUNCTION_CANCELED: 0x50,
  KEY_HANDLE_INVALID: 0x60,
  KEY_TYPE_INCONSISTENT: 0x63,
  KEY_FUNCTION_NOT_PERMITTED: 0x68,
  MECHANISM_INVALID: 0x70,
  OBJECT_HANDLE_INVALID: 0x82,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

/** CK_TOKEN_INFO flags (PKCS#11 v2.40, section 3.2). */
export const CKF_TOKEN = {
  LOGIN_REQUIRED: 0x4,
  USER_PIN_INITIALIZED: 0x8,
  PROTECTED_AUTHENTICATION_PATH: 0x100,
  TOKEN_INITIALIZED: 0x400,
  /** "An incorrect user PIN has been entered at least once since the last successful authentication." */
  USER_PIN_COUNT_LOW: 0x10000,
  /** "Supplying an incorrect user PIN will cause it to become locked." */
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
} as const;

/** CK_SLOT_INFO flags. */
export const CKF_SLOT = {
  TOKEN_PRESENT: 0x1,
  REMOVABLE_DEVICE: 0x2,
  HW_SLOT: 0x4,
} as const;

const CKR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(CKR).map(([name, value]) => [value, `CKR_${name}`]));

export function ckrName(code: number): string {
  return CKR_NAMES[code] ?? `CKR 0x${code.toString(16).padStart(8, '0')}`;
}

/** The CK_RV of an error thrown by pkcs11js (Pkcs11Error.code), if it is one. */
export function pkcs11ReturnValue(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (name !== 'Pkcs11Error' || typeof code !== 'number' || code === 0) return undefined;
  return code;
}

export function isReturnValue(error: unknown, code: number): boolean {
  return pkcs11ReturnValue(error) === code;
}

/**
 * What the token flags say about the user PIN. PKCS#11 has no retry counter:
 * FINAL_TRY means exactly one try is left; COUNT_LOW only means a wrong PIN
 * was entered since the last right one (SoftHSM2 sets it after any wrong PIN
 * and never locks), so it gives a number only for a card whose number of
 * tries is known: with 3 tries (the Belgian card), "a wrong PIN was entered"
 * and "not the final try" leave exactly 2.
 */
export function pinStateFromTokenFlags(flags: number, maxPinTries?: number): { locked: boolean; triesLeft?: number } {
  if (flags & CKF_TOKEN.USER_PIN_LOCKED) return { locked: true, triesLeft: 0 };
  if (flags & CKF_TOKEN.USER_PIN_FINAL_TRY) return { locked: false, triesLeft: 1 };
  if (flags & CKF_TOKEN.USER_PIN_COUNT_LOW && maxPinTries === 3) return { locked: false, triesLeft: 2 };
  return { locked: false };
}

export interface MappingContext {
  /** Token flags read after the failure, when they could be read. */
  tokenFlags?: number;
  /** The card's number of PIN tries, when known (3 for the Belgian card). */
  maxPinTries?: number;
  /** What was being done, for the message: "log in", "sign", ... */
  operation: string;
  tokenLabel?: string;
}

/**
 * What to do when the module will not sign with a key of the card: OpenSC
 * never signs with the Belgian Signature key, and before 0.26 offers no ECDSA
 * for applet 1.8 (docs/card.md, "Through PKCS#11"); other modules may lack a
 * mechanism too.
 */
export const MODULE_CANNOT_SIGN_HINT =
  'Choose the PC/SC backend in the options page (it needs no module), or a PKCS#11 module that signs with this card, such as the official Belgian eID middleware.';

/** Turns a pkcs11js error into the EidBridgeError a caller can act on. Never sees the PIN. */
export function mapPkcs11Error(error: unknown, context: MappingContext): EidBridgeError {
  if (error instanceof EidBridgeError) return error;
  const wrapped = (code: ErrorCode, message: string, details: ErrorDetails = {}) => new EidBridgeError(code, message, details, { cause: error });
  const rv = pkcs11ReturnValue(error);
  const on = context.tokenLabel ? ` on token "${context.tokenLabel}"` : '';
  if (rv === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return wrapped('CARD_ERROR', `PKCS#11 ${context.operation} failed${on}: ${message}`);
  }
  const name = ckrName(rv);
  switch (rv) {
    case CKR.PIN_INCORRECT: {
      const state = context.tokenFlags === undefined ? { locked: false } : pinStateFromTokenFlags(context.tokenFlags, context.maxPinTries);
      if (state.locked) return wrapped('PIN_BLOCKED', `Wrong PIN${on}; the PIN is now blocked`, { triesLeft: 0 });
      const details: ErrorDetails = {};
      if (state.triesLeft !== undefined) details.triesLeft = state.triesLeft;
      return wrapped('PIN_INCORRECT', `Wrong PIN${on}`, details);
    }
    case CKR.PIN_LOCKED:
      return wrapped('PIN_BLOCKED', `The PIN${on} is blocked`, { triesLeft: 0 });
    case CKR.PIN_LEN_RANGE:
    case CKR.PIN_INVALID:
      return wrapped('PIN_FORMAT', `The PIN has a length or form the token${on.replace(' on token', '')} does not accept (${name})`);
    case CKR.PIN_EXPIRED:
      return wrapped('CARD_ERROR', `The PIN${on} has expired and must be changed first (${name})`);
    case CKR.DEVICE_REMOVED:
    case CKR.TOKEN_NOT_PRESENT:
    case CKR.SESSION_HANDLE_INVALID:
    case CKR.SESSION_CLOSED:
      return wrapped('CARD_REMOVED', `The card or token was removed during ${context.operation} (${name})`);
    case CKR.SLOT_ID_INVALID:
      return wrapped('READER_REMOVED', `The reader was removed during ${context.operation} (${name})`);
    case CKR.TOKEN_NOT_RECOGNIZED:
      return wrapped('UNSUPPORTED_CARD', `The PKCS#11 module does not recognise the card (${name})`);
    case CKR.FUNCTION_CANCELED:
      return wrapped('USER_CANCELLED', `The PIN entry was cancelled (${name})`);
    case CKR.KEY_HANDLE_INVALID:
    case CKR.OBJECT_HANDLE_INVALID:
      return wrapped('CERTIFICATE_NOT_FOUND', `The key for this certificate is not on the token${on} (${name})`);
    case CKR.MECHANISM_INVALID:
    case CKR.FUNCTION_NOT_SUPPORTED:
      return wrapped('UNSUPPORTED_CARD', `The PKCS#11 module will not ${context.operation} with this key${on} (${name})`, { hint: MODULE_CANNOT_SIGN_HINT });
    case CKR.USER_PIN_NOT_INITIALIZED:
      return wrapped('CARD_ERROR', `The token${on} has no user PIN set (${name})`);
    default:
      return wrapped('CARD_ERROR', `PKCS#11 ${context.operation} failed${on} (${name})`);
  }
}
