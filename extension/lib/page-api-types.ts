/** The types of window.eidBridge, for sites that call it. */
import type { ErrorCode, ErrorDetails, WebEidErrorCode } from '../../shared/errors.js';
import type { AuthenticationToken, GetSigningCertificateResult, HashFunction, SignDocumentPreview, SignResult } from '../../shared/protocol.js';
import type { ReadIdentityResult } from '../../shared/identity.js';

export interface EidBridgeRequestOptions {
  /** How long the person has to answer, in ms (default 120000). */
  userInteractionTimeout?: number;
  /** nl, fr, de or en; the person's own setting wins. */
  lang?: string;
}

/** What any page with window.eidBridge may know without asking the person. */
export interface EidBridgeStatus {
  extension: string;
  nativeApp: string;
  /** A card is in one of the readers. */
  cardPresent: boolean;
}

/** Every rejection of window.eidBridge is one of these. */
export interface EidBridgePageError extends Error {
  name: 'EidBridgeError';
  code: ErrorCode;
  webEidCode: WebEidErrorCode;
  details: ErrorDetails;
}

export interface EidBridgePageApi {
  readonly version: string;
  status(): Promise<EidBridgeStatus>;
  authenticate(challengeNonce: string, options?: EidBridgeRequestOptions): Promise<AuthenticationToken>;
  getSigningCertificate(options?: EidBridgeRequestOptions): Promise<GetSigningCertificateResult>;
  /** `options.document` describes the signed document for the dialog (docs/signing.md, "What the dialog shows"). */
  sign(certificate: string, hash: string, hashFunction: HashFunction, options?: EidBridgeRequestOptions & { document?: SignDocumentPreview }): Promise<SignResult>;
  readIdentity(options?: EidBridgeRequestOptions & { includePhoto?: boolean }): Promise<ReadIdentityResult>;
}
