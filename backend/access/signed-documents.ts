/**
 * The documents of this part that people sign with their eID: a mandate
 * (giver, then holder) and the exception form (the legal representative).
 * The PAdES signing itself is the backend's one implementation
 * (../signing/pades.ts); this module keeps, per document, the PDF as signed
 * so far and the signature being prepared, in the database (any instance
 * takes the next step):
 *
 *   prepare: the signer's certificate must be their own signing certificate
 *     (non-repudiation, trusted chain, serialNumber = the national number the
 *     caller names); the answer is the hash the card signs and what the
 *     extension's dialog shows (title, page count, first page);
 *   finish: the card's signature must verify over the prepared signed
 *     attributes with that certificate; only then does the signed PDF replace
 *     the document, in the same transaction as the effect (a mandate side
 *     signed, an exception request received).
 *
 * A document that holds a signature already gets the next one as an
 * incremental update, so the earlier signature stays valid.
 */
import { bytesToBase64, strictBase64ToBytes } from '../../shared/bytes.js';
import type { BackendContext } from '../context.js';
import type { AccessDocument, AccessSignatureEffect } from '../db/store.js';
import { ApiError } from '../http/api-error.js';
import { object, text } from '../http/schemas.js';
import { checkedSignerChain, decodeBase64, embedCardSignature, pendingFromJson, pendingToJson, type SigningTrust } from '../routes/signing.js';

export type { SigningTrust };
import { documentPreview } from '../signing/document-preview.js';
import { PdfSigningError, preparePdfSignature } from '../signing/pades.js';
import { withLongTermData } from '../signing/long-term.js';
import { eidCheckOptions } from '../trust.js';

/** The certificates a signer's card must chain to: the same as the eID login's. */

/** A card certificate is 1 to 2 KB; a card signature at most 256 bytes (RSA-2048). */
export const PREPARE_SIGNATURE_FIELDS = { certificate: text(22_000) };
export const FINISH_SIGNATURE_FIELDS = { certificate: text(22_000), signature: text(1400) };
export const PREPARE_SIGNATURE_BODY = object(PREPARE_SIGNATURE_FIELDS, ['certificate']);
export const FINISH_SIGNATURE_BODY = object(FINISH_SIGNATURE_FIELDS, ['certificate', 'signature']);

export type SignerSide = 'giver' | 'holder' | 'representative';

export interface DocumentForDialog {
  title: string;
  pageCount: number;
  /** base64 PNG; absent when the first page could not be rendered. */
  firstPage?: string;
}

export interface PreparedAccessSignature {
  hash: string;
  hashFunction: string;
  document: DocumentForDialog;
}

/**
 * Prepares `side`'s signature on the document `subject` for the signer whose
 * national number is `nationalNumber`. `makePdf` makes the document when it
 * has none yet (the first signer's page language fixes its wording).
 */
export async function prepareAccessSignature(
  ctx: BackendContext,
  trust: SigningTrust,
  input: {
    subject: string;
    side: SignerSide;
    nationalNumber: string;
    certificate: string;
    language: string;
    fileName: string;
    reason: string;
    makePdf: () => Promise<Uint8Array>;
  },
): Promise<PreparedAccessSignature> {
  const certificate = decodeBase64(input.certificate, 'certificate');
  const now = ctx.clock.now();
  const chain = await checkedSignerChain(ctx, trust, certificate, input.nationalNumber, now);
  const stored = await ctx.store.findAccessDocument(input.subject);
  const language = stored?.language ?? input.language;
  const pdf = stored ? strictBase64ToBytes(stored.pdf)! : await input.makePdf();
  let prepared;
  try {
    // Incremental from the first signature on: the next signer's field then joins the same form.
    prepared = await preparePdfSignature({ pdf, signerCertificate: certificate, chain, signingTime: new Date(now), reason: input.reason, incremental: true });
  } catch (e) {
    if (e instanceof PdfSigningError && e.code === 'unsupported-key') throw new ApiError(400, 'CERTIFICATE_INVALID', e.message);
    throw e;
  }
  const row: AccessDocument = {
    subject: input.subject,
    language,
    pdf: bytesToBase64(pdf),
    pending: JSON.stringify(pendingToJson(prepared.pending)),
    pendingSide: input.side,
    pendingBy: input.nationalNumber,
    updatedAt: now,
  };
  await ctx.store.saveAccessDocument(row);
  const preview = await documentPreview(pdf, input.fileName);
  return {
    hash: bytesToBase64(prepared.hashToSign),
    hashFunction: prepared.hashAlgorithm,
    document: { title: preview.title, pageCount: preview.pageCount, ...(preview.firstPage ? { firstPage: bytesToBase64(preview.firstPage) } : {}) },
  };
}

/**
 * Finishes the signature `side` prepared on `subject`: checks the card's
 * signature, writes the signed PDF and records `effect`, once. Returns the
 * signed PDF.
 */
export async function finishAccessSignature(
  ctx: BackendContext,
  trust: SigningTrust,
  input: { subject: string; side: SignerSide; nationalNumber: string; certificate: string; signature: string; effect: AccessSignatureEffect },
): Promise<Uint8Array> {
  const stored = await ctx.store.findAccessDocument(input.subject);
  if (!stored?.pending || stored.pendingSide !== input.side || stored.pendingBy !== input.nationalNumber) {
    throw new ApiError(409, 'SIGNING_NOT_PREPARED', 'Prepare the signature with your signing certificate first');
  }
  const pending = pendingFromJson(JSON.parse(stored.pending) as Record<string, unknown>);
  let signed = await embedCardSignature(pending, input.certificate, input.signature);
  const before = Buffer.from(strictBase64ToBytes(stored.pdf)!);
  // The signatures made before this one stay valid only if their bytes are untouched: the new one is appended.
  if (!Buffer.from(signed.subarray(0, before.length)).equals(before)) {
    throw new Error('the new signature did not leave the signed document before it unchanged');
  }
  // B-LT when the signer's OCSP answer is good now (appended too); a card revoked since prepare signs nothing.
  const longTerm = await withLongTermData(signed, pending, eidCheckOptions(ctx.config, trust.trusted).ocsp, new Date(ctx.clock.now()));
  if ('revoked' in longTerm) throw new ApiError(400, 'CERTIFICATE_REVOKED', `Your signing certificate is revoked: ${longTerm.revoked}`);
  signed = longTerm.signed;
  if (!(await ctx.store.finishAccessSignature(input.subject, stored.pending, bytesToBase64(signed), input.effect))) {
    throw new ApiError(409, 'SIGNING_NOT_PREPARED', 'This signature was finished already or prepared again; prepare it again');
  }
  return signed;
}

/** The document as signed so far, or undefined when nobody has prepared a signature on it. */
export async function storedAccessPdf(ctx: BackendContext, subject: string): Promise<Uint8Array | undefined> {
  const stored = await ctx.store.findAccessDocument(subject);
  return stored ? strictBase64ToBytes(stored.pdf) : undefined;
}
