/**
 * Popup (and options page) → background: what the popup asks of the native
 * host, and the eID and itsme sign-ins to the reference backend. Only our own extension
 * pages may send these; the background checks the sender.
 */
import { isRecord, type BackendName, type StatusResult, type CertificateDescription } from '../../shared/protocol.js';
import type { ReadIdentityResult } from '../../shared/identity.js';
import type { PageErrorPayload } from '../lib/messages.js';

export const POPUP_MESSAGE_TYPE = 'eid-bridge:popup';

export type PopupRequest =
  | { type: typeof POPUP_MESSAGE_TYPE; op: 'status' }
  | { type: typeof POPUP_MESSAGE_TYPE; op: 'certificates' }
  | { type: typeof POPUP_MESSAGE_TYPE; op: 'test-reader'; reader?: string }
  | { type: typeof POPUP_MESSAGE_TYPE; op: 'configure-backends'; backends: BackendName[]; pkcs11Module: string | null; pkcs11ModuleConfirmed?: boolean }
  | { type: typeof POPUP_MESSAGE_TYPE; op: 'eid-login'; lang?: string }
  | { type: typeof POPUP_MESSAGE_TYPE; op: 'itsme-login'; lang?: string };

export type PopupOp = PopupRequest['op'];

/** The host's status with the versions on both sides (the host's from the handshake). */
export interface PopupStatus extends StatusResult {
  extensionVersion: string;
}

/** "Test my reader": what the card says, without photo or address. */
export interface ReaderTestResult {
  firstNames: string;
  surname: string;
  cardType: string;
  documentTypeName: string;
  validityEnd: string;
  verified: boolean;
  virtual: boolean;
}

export interface PopupResults {
  status: PopupStatus;
  certificates: { certificates: CertificateDescription[] };
  'test-reader': ReaderTestResult;
  'configure-backends': { backends: StatusResult['backends'] };
  'eid-login': { person: { givenNames: string; surname: string }; level: number; method: string };
  'itsme-login': { person: { givenNames: string; surname: string }; level: number; method: string };
}

/** A failure: the host's error, or (backendCode) the reference backend's. */
export interface PopupErrorPayload extends PageErrorPayload {
  backendCode?: string;
  backendStatus?: number;
}

export type PopupReply<T> = { ok: true; result: T } | { ok: false; error: PopupErrorPayload };

const OPS: readonly PopupOp[] = ['status', 'certificates', 'test-reader', 'configure-backends', 'eid-login', 'itsme-login'];

export function isPopupRequest(message: unknown): message is PopupRequest {
  if (!isRecord(message) || message.type !== POPUP_MESSAGE_TYPE || !OPS.includes(message.op as PopupOp)) return false;
  switch (message.op as PopupOp) {
    case 'test-reader':
      return message.reader === undefined || typeof message.reader === 'string';
    case 'configure-backends':
      return (
        Array.isArray(message.backends) &&
        message.backends.every((b) => b === 'pcsc' || b === 'pkcs11') &&
        (message.pkcs11Module === null || typeof message.pkcs11Module === 'string') &&
        (message.pkcs11ModuleConfirmed === undefined || typeof message.pkcs11ModuleConfirmed === 'boolean')
      );
    case 'eid-login':
    case 'itsme-login':
      return message.lang === undefined || typeof message.lang === 'string';
    default:
      return true;
  }
}

export function toReaderTestResult(identity: ReadIdentityResult): ReaderTestResult {
  return {
    firstNames: identity.identity.firstNames,
    surname: identity.identity.surname,
    cardType: identity.cardType,
    documentTypeName: identity.identity.documentTypeName,
    validityEnd: identity.identity.validityEnd,
    verified: identity.verification.verified,
    virtual: identity.virtual === true,
  };
}
