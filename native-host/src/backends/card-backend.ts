/**
 * The one interface every card backend implements: BELPIC over PC/SC and
 * PKCS#11. Commands (authenticate, sign, ...) only speak to this interface,
 * so they behave the same whatever holds the key.
 */
import type { BackendName, BackendStatus, CertificateUsage, ReaderStatus } from '../../../shared/protocol.js';

export interface TokenCertificate {
  tokenId: string;
  tokenLabel: string;
  reader: string;
  usage: CertificateUsage;
  /** DER bytes */
  der: Uint8Array;
  /** Backend-specific handle of the private key (PKCS#11 CKA_ID hex, BELPIC key reference). */
  keyRef: string;
}

export type DigestAlgorithm = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface SignOperation {
  certificate: TokenCertificate;
  /** The digest to sign; the backend adds DigestInfo for RSA PKCS#1 v1.5. */
  digest: Uint8Array;
  digestAlgorithm: DigestAlgorithm;
  /**
   * The PIN as bytes, or undefined for a PIN-pad reader. The backend must not
   * keep it; the caller zeroes the buffer after the call.
   */
  pin: Uint8Array | undefined;
  /** Aborted when the person cancels or the request times out. */
  signal?: AbortSignal;
}

export interface CardBackend {
  readonly name: BackendName;
  /** Whether the backend can run here (library present, service running), and why not. */
  status(): Promise<BackendStatus>;
  /** Readers or slots, and what is in them. */
  readers(): Promise<ReaderStatus[]>;
  /** Certificates of every present card or token. */
  certificates(): Promise<TokenCertificate[]>;
  /**
   * Signs with the key belonging to `certificate`. RSA: PKCS#1 v1.5 signature.
   * EC: raw r‖s. Throws EidBridgeError (PIN_INCORRECT, PIN_BLOCKED, CARD_REMOVED, ...).
   */
  sign(op: SignOperation): Promise<Uint8Array>;
  /** Releases everything (library handles, connections). */
  close(): Promise<void>;
}

/** Backends that can change the card's PIN (BELPIC over PC/SC). */
export interface PinChangingBackend extends CardBackend {
  changePin(op: { reader?: string; currentPin: Uint8Array | undefined; newPin: Uint8Array | undefined; signal?: AbortSignal }): Promise<void>;
}

export function canChangePin(backend: CardBackend): backend is PinChangingBackend {
  return typeof (backend as Partial<PinChangingBackend>).changePin === 'function';
}
