/**
 * Messages inside the extension: content script ↔ background (page requests)
 * and background ↔ dialog window (what to show, what the person did).
 */
import { isRecord, type HashFunction, type SignDocumentPreview } from '../../shared/protocol.js';
import type { ErrorCode, ErrorDetails, WebEidErrorCode } from '../../shared/errors.js';
import type { Language } from '../../shared/text/format.js';

export const PAGE_ACTIONS = ['status', 'authenticate', 'get-signing-certificate', 'sign', 'read-identity'] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];

/** Content script → background. Carries the page's arguments and nothing else: the origin comes from the sender. */
export interface PageRequestMessage {
  type: 'eid-bridge:page-request';
  action: PageAction;
  args: Record<string, unknown>;
}

/**
 * The content script sends its page's requests over one runtime port of this
 * name: the port closes when the page navigates away or its tab closes, and
 * the background then drops what that page asked.
 */
export const PAGE_PORT_NAME = 'eid-bridge:page';

/** Content script → background over the page port. */
export interface PagePortRequest extends PageRequestMessage {
  id: number;
}

/** Background → content script over the page port. */
export interface PagePortReply {
  id: number;
  reply: PageReply;
}

export interface PageErrorPayload extends ErrorDetails {
  /** The Web eID code a web-eid.js page receives. */
  code: WebEidErrorCode;
  /** Our precise code (window.eidBridge errors expose it as .code). */
  bridgeCode: ErrorCode;
  message: string;
}

export type PageReply = { ok: true; result: unknown } | { ok: false; error: PageErrorPayload };

export function isPagePortRequest(message: unknown): message is PagePortRequest {
  return isPageRequestMessage(message) && typeof (message as { id?: unknown }).id === 'number';
}

export function isPageRequestMessage(message: unknown): message is PageRequestMessage {
  return (
    isRecord(message) &&
    message.type === 'eid-bridge:page-request' &&
    (PAGE_ACTIONS as readonly unknown[]).includes(message.action) &&
    isRecord(message.args)
  );
}

/** Options page → background: the settings changed; answered once window.eidBridge is registered for the new origins. */
export interface SettingsSavedMessage {
  type: 'eid-bridge:settings-saved';
}

export function isSettingsSavedMessage(message: unknown): message is SettingsSavedMessage {
  return isRecord(message) && message.type === 'eid-bridge:settings-saved';
}

/** Options page → background: how is the host doing? */
export interface HostStatusMessage {
  type: 'eid-bridge:host-status';
}

export function isHostStatusMessage(message: unknown): message is HostStatusMessage {
  return isRecord(message) && message.type === 'eid-bridge:host-status';
}

export interface HostStatusReply {
  state: string;
  hostVersion?: string;
  error?: PageErrorPayload;
  readers?: Array<{ name: string; cardPresent: boolean; pinPad: boolean; cardType?: string }>;
}

// ---- Dialog -------------------------------------------------------------

export type DialogKind = 'authenticate' | 'sign' | 'get-signing-certificate' | 'read-identity';

export interface DialogCertificate {
  certificate: string;
  commonName: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  tokenLabel: string;
  reader: string;
  pinPad: boolean;
}

/** Something the person can fix (insert the card, retype the PIN), shown in the dialog. */
export interface DialogProblem {
  code: ErrorCode;
  triesLeft?: number;
}

export interface DialogState {
  kind: DialogKind;
  origin: string;
  government: boolean;
  language: Language;
  certificates: DialogCertificate[];
  /** The certificate the dialog preselects (for sign: the only one allowed). */
  selectedCertificate?: string;
  /** A PIN is asked (authenticate, sign). */
  needsPin: boolean;
  triesLeft?: number;
  problem?: DialogProblem;
  /** The PIN is blocked: only closing is left. */
  blocked: boolean;
  /** Waiting for the card (or for the PIN on the reader's pad). */
  busy: boolean;
  /** For sign: the hash, and what the page says the signed document is (checked: shared/protocol.ts SIGN_DOCUMENT_PREVIEW). */
  sign?: { hashHex: string; hashFunction: HashFunction; document?: SignDocumentPreview };
  identity?: { photoRequested: boolean };
  /** When the request gives up (epoch ms). */
  deadline: number;
}

export type DialogAction =
  | { type: 'submit'; certificate?: string; pin?: string; includePhoto?: boolean }
  | { type: 'retry' }
  | { type: 'cancel' };

/** Background → dialog */
export type DialogMessage = { type: 'state'; state: DialogState } | { type: 'close' };

export const DIALOG_PORT_PREFIX = 'eid-bridge-dialog:';

export function isDialogAction(message: unknown): message is DialogAction {
  if (!isRecord(message)) return false;
  if (message.type === 'retry' || message.type === 'cancel') return true;
  if (message.type !== 'submit') return false;
  return (
    (message.certificate === undefined || typeof message.certificate === 'string') &&
    (message.pin === undefined || typeof message.pin === 'string') &&
    (message.includePhoto === undefined || typeof message.includePhoto === 'boolean')
  );
}
