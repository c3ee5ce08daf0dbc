/**
 * The card's two steps of a document signature, for the page scripts that
 * sign (sign.ts, access.ts): the signing certificate, then the signature
 * over the hash the backend prepared, with the document's description for
 * the extension's dialog. window.eidBridge when the extension offers it on
 * this site, else the Web eID page protocol over window.postMessage.
 */
import { CardFailure, webEidRequest } from './web-eid.js';

export interface DocumentDescription {
  title: string;
  pageCount: number;
  /** base64 PNG of the first page; absent when the backend could not render it. */
  firstPage?: string;
}

interface CardRequestOptions {
  lang: string;
  userInteractionTimeout: number;
  document?: DocumentDescription;
}

interface EidBridgeSigning {
  getSigningCertificate(options: CardRequestOptions): Promise<{ certificate: string }>;
  sign(certificate: string, hash: string, hashFunction: string, options: CardRequestOptions): Promise<{ signature: string }>;
}

const USER_INTERACTION_TIMEOUT_MS = 120_000;

function bridge(): EidBridgeSigning | undefined {
  const api = (window as unknown as { eidBridge?: Partial<EidBridgeSigning> }).eidBridge;
  return api && typeof api.sign === 'function' && typeof api.getSigningCertificate === 'function' ? (api as EidBridgeSigning) : undefined;
}

export async function signingCertificate(lang: string): Promise<string> {
  const options: CardRequestOptions = { lang, userInteractionTimeout: USER_INTERACTION_TIMEOUT_MS };
  const api = bridge();
  const result = api ? await api.getSigningCertificate(options) : await webEidRequest('get-signing-certificate', { options });
  return result.certificate as string;
}

export async function cardSignature(lang: string, certificate: string, hash: string, hashFunction: string, document: DocumentDescription): Promise<string> {
  const options: CardRequestOptions = { lang, userInteractionTimeout: USER_INTERACTION_TIMEOUT_MS, document };
  const api = bridge();
  const result = api ? await api.sign(certificate, hash, hashFunction, options) : await webEidRequest('sign', { certificate, hash, hashFunction, options });
  return result.signature as string;
}

/** The code a failed step reports: the backend's, or the card's (eID Bridge's finer one first). */
export function cardErrorCode(e: unknown, backendCode: string | undefined): string | undefined {
  return backendCode ?? (e instanceof CardFailure ? (e.bridgeCode ?? e.code) : (e as { code?: string } | undefined)?.code);
}
