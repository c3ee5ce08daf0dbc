/**
 * PC/SC return codes and reader state bits (PC/SC spec part 5, as defined in
 * pcsc-lite's pcsclite.h and the Windows WinSCard headers; the values are the
 * same on every platform), and how a failure maps to an eID Bridge error code.
 */
import { EidBridgeError, type ErrorCode } from '../../../shared/errors.js';

export const SCARD = {
  E_CANCELLED: 0x80100002,
  E_INVALID_HANDLE: 0x80100003,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_PROTO_MISMATCH: 0x8010000f,
  F_COMM_ERROR: 0x80100013,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  /** pcsc-lite uses this value for both SCARD_E_UNEXPECTED and SCARD_E_UNSUPPORTED_FEATURE. */
  E_UNSUPPORTED_FEATURE: 0x8010001f,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNSUPPORTED_CARD: 0x80100065,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
  /** "Access denied": a policy (polkit) refused this program, or pcscd stopped during the call. */
  W_SECURITY_VIOLATION: 0x8010006a,
} as const;

/** dwEventState bits of SCARD_READERSTATE. */
export const SCARD_STATE = {
  CHANGED: 0x0002,
  UNKNOWN: 0x0004,
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
} as const;

export const PCSC_UNAVAILABLE_HINT =
  process.platform === 'linux'
    ? 'Start the PC/SC service: sudo systemctl start pcscd (install it with: sudo apt-get install pcscd)'
    : process.platform === 'win32'
      ? 'Start the "Smart Card" Windows service'
      : 'The PC/SC service (com.apple.ctkpcscd) is not running';

export const PCSC_ACCESS_DENIED_HINT =
  'Try again; if it keeps happening, the PC/SC service does not let this session use card readers (on Linux: its polkit policy)';

/**
 * The binding reports failures as "SCardConnect error: No smart card inserted.(0x8010000c)";
 * the code in brackets is what we switch on.
 */
export function scardCodeOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /\(0x([0-9a-fA-F]{8})\)/.exec(message);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

/**
 * Codes that may only mean the card was pulled out, or pcscd stopped, during the
 * call: the caller waits a moment for the reader state or the service to say which.
 * pcsc-lite answers some calls cut off by pcscd stopping with "Access denied"
 * (seen in tests/reliability/service-faults.test.ts).
 */
export function mayMeanSomethingWentAway(code: number | undefined): boolean {
  return (
    code === undefined ||
    code === SCARD.W_SECURITY_VIOLATION ||
    code === SCARD.W_REMOVED_CARD ||
    code === SCARD.E_NO_SMARTCARD ||
    code === SCARD.E_NOT_TRANSACTED ||
    code === SCARD.F_COMM_ERROR ||
    code === SCARD.W_UNPOWERED_CARD ||
    code === SCARD.W_UNRESPONSIVE_CARD ||
    code === SCARD.E_INVALID_HANDLE
  );
}

/**
 * Maps a PC/SC failure to the error a person can act on. `during` says whether
 * a card session was open (a missing card then means it was removed).
 */
export function pcscError(error: unknown, context: { reader?: string; during: 'connect' | 'transmit' | 'control' | 'context' }): EidBridgeError {
  if (error instanceof EidBridgeError) return error;
  const code = scardCodeOf(error);
  const raw = error instanceof Error ? error.message : String(error);
  const where = context.reader ? ` (reader "${context.reader}")` : '';
  const make = (c: ErrorCode, message: string, hint?: string) =>
    new EidBridgeError(c, `${message}${where}: ${raw}`, hint ? { hint } : {}, { cause: error });
  switch (code) {
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return make('PCSC_UNAVAILABLE', 'The PC/SC service is not running', PCSC_UNAVAILABLE_HINT);
    case SCARD.E_NO_READERS_AVAILABLE:
      return make('NO_READER', 'No card reader is connected');
    case SCARD.E_UNKNOWN_READER:
    case SCARD.E_READER_UNAVAILABLE:
      return make('READER_REMOVED', 'The card reader was removed');
    case SCARD.E_NO_SMARTCARD:
    case SCARD.W_REMOVED_CARD:
      return context.during === 'connect'
        ? make('NO_CARD', 'There is no card in the reader')
        : make('CARD_REMOVED', 'The card was removed');
    case SCARD.E_TIMEOUT:
      return make('TIMEOUT', 'The card reader did not answer in time');
    case SCARD.E_SHARING_VIOLATION:
      return make('BUSY', 'Another application is using the card exclusively');
    case SCARD.W_UNSUPPORTED_CARD:
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.W_UNPOWERED_CARD:
      return make('CARD_ERROR', 'The card does not respond; take it out and insert it again');
    case SCARD.W_RESET_CARD:
      return make('CARD_ERROR', 'Another application reset the card; try again');
    case SCARD.W_SECURITY_VIOLATION:
      return make('PCSC_UNAVAILABLE', 'The PC/SC service refused access to the reader', PCSC_ACCESS_DENIED_HINT);
    default:
      return make('CARD_ERROR', 'The card reader reported an error');
  }
}
