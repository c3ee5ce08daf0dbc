/**
 * "Sign a document": a logged-in person uploads a PDF, sees what it is, and
 * signs it with the signature key of their eID; the backend makes it a PAdES
 * signed PDF (backend/signing/, docs/signing.md). Three steps, because the
 * card signs in the person's browser between them:
 *
 *   POST /api/signing/documents              the PDF → its title, page count, first page (PNG)
 *   POST /api/signing/documents/:id/prepare  the signing certificate → the hash the card signs
 *   POST /api/signing/documents/:id/finish   the card's signature → the signed PDF, its PAdES level, and its check
 *
 * The document and its prepared signature wait in the database (any instance
 * takes the next step), for the session that uploaded it only, for
 * SIGNING_DOCUMENT_TTL_MS.
 */
import type { FastifyInstance } from 'fastify';
import { bytesToBase64, strictBase64ToBytes } from '../../shared/bytes.js';
import type { BackendContext } from '../context.js';
import { LEVELS } from '../context.js';
import type { SigningDocument } from '../db/store.js';
import { ApiError, type ApiErrorCode } from '../http/api-error.js';
import { requestCap } from '../http/rate-limits.js';
import { object, text } from '../http/schemas.js';
import { currentSession, requireAuth, type Authenticated } from '../http/sessions.js';
import { html, pageLanguage } from '../pages/html.js';
import { signPage } from '../pages/sign-page.js';
import { randomToken } from '../security/tokens.js';
import { documentPreview, DocumentUnreadableError } from '../signing/document-preview.js';
import { finishPdfSignature, PdfSigningError, preparePdfSignature, type PendingPdfSignature } from '../signing/pades.js';
import { verifyPdfSignatures } from '../signing/verify-pdf.js';
import { checkSignerCertificate, SignerCertificateError, type SignerCertificateProblem } from '../signing/signer-certificate.js';
import { withLongTermData } from '../signing/long-term.js';
import { signerRevocation } from '../signing/signer-revocation.js';
import { eidCheckOptions } from '../trust.js';

/** The largest PDF the service signs. */
export const MAX_SIGNING_PDF_BYTES = 5 * 1024 * 1024;
/** How long an uploaded document waits for its signature. */
export const SIGNING_DOCUMENT_TTL_MS = 15 * 60_000;

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

const UPLOAD_BODY = object({ fileName: text(255), pdf: text(base64Length(MAX_SIGNING_PDF_BYTES)) }, ['fileName', 'pdf']);
/** A card certificate is 1 to 2 KB; 16 KB leaves room. */
const PREPARE_BODY = object({ certificate: text(base64Length(16 * 1024)) }, ['certificate']);
/** RSA-2048 PKCS#1 v1.5 is 256 bytes, ECDSA P-384 r||s 96 bytes. */
const FINISH_BODY = object({ certificate: text(base64Length(16 * 1024)), signature: text(base64Length(1024)) }, ['certificate', 'signature']);
const DOCUMENT_PARAMS = { type: 'object', properties: { id: text(100) }, required: ['id'] };

export const CERTIFICATE_REFUSALS: Record<SignerCertificateProblem, { status: number; code: ApiErrorCode }> = {
  'not-a-certificate': { status: 400, code: 'CERTIFICATE_INVALID' },
  'not-a-signing-certificate': { status: 400, code: 'NOT_A_SIGNING_CERTIFICATE' },
  'not-yours': { status: 403, code: 'SIGNING_CERTIFICATE_NOT_YOURS' },
  expired: { status: 400, code: 'CERTIFICATE_EXPIRED' },
  untrusted: { status: 400, code: 'CERTIFICATE_UNTRUSTED' },
};

export function decodeBase64(value: string, field: string): Uint8Array {
  const bytes = strictBase64ToBytes(value);
  if (!bytes) throw new ApiError(400, 'BAD_REQUEST', `"${field}" must be standard base64`, { field });
  return bytes;
}

/** The pending signature as a database row keeps it: JSON with the bytes in base64. */
export function pendingToJson(pending: PendingPdfSignature): Record<string, unknown> {
  return {
    suite: pending.suite,
    preparedPdf: bytesToBase64(pending.preparedPdf),
    contentDigest: bytesToBase64(pending.contentDigest),
    signedAttributes: bytesToBase64(pending.signedAttributes),
    signerCertificate: bytesToBase64(pending.signerCertificate),
    chain: pending.chain.map(bytesToBase64),
  };
}

export function pendingFromJson(json: Record<string, unknown>): PendingPdfSignature {
  const bytes = (value: unknown) => strictBase64ToBytes(String(value)) ?? new Uint8Array(0);
  return {
    suite: json.suite as PendingPdfSignature['suite'],
    preparedPdf: bytes(json.preparedPdf),
    contentDigest: bytes(json.contentDigest),
    signedAttributes: bytes(json.signedAttributes),
    signerCertificate: bytes(json.signerCertificate),
    chain: (json.chain as unknown[]).map(bytes),
  };
}

/** The session's own document, not expired; anything else reads as gone. */
async function ownDocument(ctx: BackendContext, auth: Authenticated, id: string): Promise<SigningDocument> {
  const document = await ctx.store.findSigningDocument(id);
  if (!document || document.personId !== auth.person.id || document.sessionHash !== auth.session.tokenHash || document.expiresAt <= ctx.clock.now()) {
    throw new ApiError(410, 'SIGNING_DOCUMENT_EXPIRED', 'This document is no longer waiting for a signature; upload it again');
  }
  return document;
}

function signedFileName(fileName: string): string {
  const base = fileName.replace(/\.pdf$/i, '').replace(/[^\p{L}\p{N} ._-]+/gu, '_').trim() || 'document';
  return `${base}-signed.pdf`;
}

/** What a signer's certificate must chain to: the trust anchors and issuing CAs of the eID login. */
export interface SigningTrust {
  trusted: readonly Uint8Array[];
  intermediates: readonly Uint8Array[];
}

/**
 * A prepare's check of the signer's certificate: their own (serial number =
 * `nationalNumber`), a signing certificate, valid at `now`, chained to a
 * trusted root, and not revoked: a revoked card is refused before the person
 * types the PIN (any other OCSP answer is settled at finish). Answers the
 * chain, nearest issuer first. Used by every place a person signs.
 */
export async function checkedSignerChain(ctx: BackendContext, trust: SigningTrust, certificate: Uint8Array, nationalNumber: string, now: number): Promise<Uint8Array[]> {
  let chain: Uint8Array[];
  try {
    chain = checkSignerCertificate({ certificateDer: certificate, nationalNumber, trusted: trust.trusted, intermediates: trust.intermediates, now: new Date(now) });
  } catch (e) {
    if (!(e instanceof SignerCertificateError)) throw e;
    const refusal = CERTIFICATE_REFUSALS[e.problem];
    throw new ApiError(refusal.status, refusal.code, e.message);
  }
  const revocation = await signerRevocation(certificate, chain, eidCheckOptions(ctx.config, trust.trusted).ocsp, new Date(now));
  if (revocation.status === 'revoked') throw new ApiError(400, 'CERTIFICATE_REVOKED', `Your signing certificate is revoked: ${revocation.reason}`);
  return chain;
}

/**
 * A finish's card signature put into the prepared PDF: the certificate must
 * be the one the signature was prepared for, and a signature that does not
 * match (another hash, another card) leaves the prepared document waiting
 * for the right one. Used by every place a person signs.
 */
export async function embedCardSignature(pending: PendingPdfSignature, certificate: string, signature: string): Promise<Uint8Array> {
  if (!Buffer.from(decodeBase64(certificate, 'certificate')).equals(Buffer.from(pending.signerCertificate))) {
    throw new ApiError(409, 'SIGNING_CERTIFICATE_CHANGED', 'The signature was prepared for another certificate; prepare it again');
  }
  try {
    return await finishPdfSignature(pending, decodeBase64(signature, 'signature'));
  } catch (e) {
    if (e instanceof PdfSigningError && e.code === 'signature-does-not-match') throw new ApiError(400, 'SIGNATURE_INVALID', e.message);
    throw e;
  }
}

/**
 * The routes, and the page at /sign. `trust` is what the eID login trusts:
 * the trust anchors and the issuing CAs that complete a card's path.
 */
export function registerSigningRoutes(app: FastifyInstance, ctx: BackendContext, trust: SigningTrust): void {
  const rateLimit = requestCap(ctx, 'documentSigning');
  // The signing certificate's revocation is asked as the login asks it: same responder, fetcher and policy.
  const signingOcsp = eidCheckOptions(ctx.config, trust.trusted).ocsp;

  app.get('/sign', async (request, reply) => {
    const language = pageLanguage(request, reply);
    const current = await currentSession(ctx, request);
    const person = current?.session.personId ? await ctx.store.findPersonById(current.session.personId) : undefined;
    if (!current || !person) return reply.redirect(`/login?${new URLSearchParams({ lang: language, return: '/sign' })}`);
    return html(reply, signPage({ language, person, csrfToken: current.session.csrfToken, maxPdfBytes: MAX_SIGNING_PDF_BYTES }));
  });

  app.post(
    '/api/signing/documents',
    { schema: { body: UPLOAD_BODY }, bodyLimit: base64Length(MAX_SIGNING_PDF_BYTES) + 4096, config: { rateLimit } },
    async (request, reply) => {
      const auth = await requireAuth(ctx, request, LEVELS.password);
      const body = request.body as { fileName: string; pdf: string };
      const pdf = decodeBase64(body.pdf, 'pdf');
      if (pdf.length > MAX_SIGNING_PDF_BYTES) throw new ApiError(413, 'PDF_TOO_LARGE', `A document to sign is at most ${MAX_SIGNING_PDF_BYTES} bytes`);
      if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-') throw new ApiError(400, 'PDF_INVALID', 'The file is not a PDF');
      let preview;
      try {
        preview = await documentPreview(pdf, body.fileName);
      } catch (e) {
        if (e instanceof DocumentUnreadableError) throw new ApiError(400, 'PDF_INVALID', 'The PDF cannot be read (damaged or encrypted)');
        throw e;
      }
      const now = ctx.clock.now();
      const id = randomToken();
      await ctx.store.createSigningDocument({
        id,
        personId: auth.person.id,
        sessionHash: auth.session.tokenHash,
        fileName: body.fileName,
        title: preview.title,
        pageCount: preview.pageCount,
        pdf: bytesToBase64(pdf),
        pending: null,
        createdAt: now,
        expiresAt: now + SIGNING_DOCUMENT_TTL_MS,
      });
      reply.header('Cache-Control', 'no-store');
      return {
        documentId: id,
        title: preview.title,
        pageCount: preview.pageCount,
        firstPage: preview.firstPage ? bytesToBase64(preview.firstPage) : null,
        expiresAt: new Date(now + SIGNING_DOCUMENT_TTL_MS).toISOString(),
      };
    },
  );

  app.post('/api/signing/documents/:id/prepare', { schema: { body: PREPARE_BODY, params: DOCUMENT_PARAMS }, config: { rateLimit } }, async (request, reply) => {
    const auth = await requireAuth(ctx, request, LEVELS.password);
    const document = await ownDocument(ctx, auth, (request.params as { id: string }).id);
    const certificate = decodeBase64((request.body as { certificate: string }).certificate, 'certificate');
    const now = ctx.clock.now();
    const chain = await checkedSignerChain(ctx, trust, certificate, auth.person.nationalNumber, now);
    let prepared;
    try {
      prepared = await preparePdfSignature({ pdf: strictBase64ToBytes(document.pdf)!, signerCertificate: certificate, chain, signingTime: new Date(now) });
    } catch (e) {
      if (e instanceof PdfSigningError && e.code === 'unsupported-key') throw new ApiError(400, 'CERTIFICATE_INVALID', e.message);
      if (e instanceof PdfSigningError) throw e;
      throw new ApiError(400, 'PDF_INVALID', 'The PDF cannot take a signature field');
    }
    await ctx.store.setSigningDocumentPending(document.id, pendingToJson(prepared.pending));
    reply.header('Cache-Control', 'no-store');
    return { documentId: document.id, hash: bytesToBase64(prepared.hashToSign), hashFunction: prepared.hashAlgorithm };
  });

  app.post('/api/signing/documents/:id/finish', { schema: { body: FINISH_BODY, params: DOCUMENT_PARAMS }, config: { rateLimit } }, async (request, reply) => {
    const auth = await requireAuth(ctx, request, LEVELS.password);
    const document = await ownDocument(ctx, auth, (request.params as { id: string }).id);
    const body = request.body as { certificate: string; signature: string };
    if (!document.pending) throw new ApiError(409, 'SIGNING_NOT_PREPARED', 'Prepare the signature with your signing certificate first');
    const pending = pendingFromJson(document.pending);
    const signed = await embedCardSignature(pending, body.certificate, body.signature);
    const longTerm = await withLongTermData(signed, pending, signingOcsp, new Date(ctx.clock.now()));
    if ('revoked' in longTerm) throw new ApiError(400, 'CERTIFICATE_REVOKED', `Your signing certificate is revoked: ${longTerm.revoked}`);
    // Once only: of two finishes (two instances, two tabs) one hands out the document.
    if (!(await ctx.store.takeSigningDocument(document.id))) {
      throw new ApiError(410, 'SIGNING_DOCUMENT_EXPIRED', 'This document is no longer waiting for a signature; upload it again');
    }
    // The person sees what B-B means; why the revocation data is missing (a responder down, none configured) is for the operator.
    if ('levelReason' in longTerm) request.log.warn(`document signed without revocation data (PAdES B-B): ${longTerm.levelReason}`);
    // The check anyone who receives the document makes (POST /api/signing/verify), on the very bytes handed out.
    // The document is taken already: a check that fails or throws is logged, and the person still gets it.
    const verification = await verifyPdfSignatures(longTerm.signed, trust, new Date(ctx.clock.now())).catch((e: unknown) => {
      request.log.error(`the check of a document signed here failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    if (verification && !verification.valid) request.log.error(`a document signed here does not pass its own check: ${JSON.stringify(verification.signatures.map((v) => v.problems))}`);
    reply.header('Cache-Control', 'no-store');
    return {
      fileName: signedFileName(document.fileName),
      title: document.title,
      signedPdf: bytesToBase64(longTerm.signed),
      level: longTerm.level,
      ...('levelReason' in longTerm ? { levelReason: longTerm.levelReason } : {}),
      ...(verification ? { verification } : {}),
    };
  });

}
