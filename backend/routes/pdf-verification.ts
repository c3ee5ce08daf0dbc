/**
 * "Check a signed PDF": POST /api/signing/verify takes a PDF and answers,
 * per signature, who signed, when, and whether it holds (backend/signing/verify-pdf.ts,
 * docs/signing.md); the page /check-document puts it before a person. No
 * session is needed: the answer is made from the
 * uploaded file and public certificates only, nothing is stored and nothing
 * about anyone is revealed, and whoever receives a signed document (the other
 * party of a mandate, an office) may have no account here. The request cap
 * and the size limit bound what a stranger can make the server parse.
 */
import type { FastifyInstance } from 'fastify';
import type { BackendContext } from '../context.js';
import { ApiError } from '../http/api-error.js';
import { checkPage } from '../pages/check-page.js';
import { html, pageLanguage } from '../pages/html.js';
import { requestCap } from '../http/rate-limits.js';
import { object, text } from '../http/schemas.js';
import { PdfUnreadableError, verifyPdfSignatures, type PdfTrust } from '../signing/verify-pdf.js';
import { decodeBase64, MAX_SIGNING_PDF_BYTES } from './signing.js';

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

const VERIFY_BODY = object({ pdf: text(base64Length(MAX_SIGNING_PDF_BYTES)) }, ['pdf']);

/** `trust` is the signing routes' trust: the eID login's anchors and the built-in issuing CAs. */
export function registerPdfVerificationRoutes(app: FastifyInstance, ctx: BackendContext, trust: PdfTrust): void {
  app.get('/check-document', async (request, reply) => html(reply, checkPage({ language: pageLanguage(request, reply), maxPdfBytes: MAX_SIGNING_PDF_BYTES })));

  app.post(
    '/api/signing/verify',
    { schema: { body: VERIFY_BODY }, bodyLimit: base64Length(MAX_SIGNING_PDF_BYTES) + 4096, config: { rateLimit: requestCap(ctx, 'documentVerification') } },
    async (request, reply) => {
      const pdf = decodeBase64((request.body as { pdf: string }).pdf, 'pdf');
      if (pdf.length > MAX_SIGNING_PDF_BYTES) throw new ApiError(413, 'PDF_TOO_LARGE', `A document to check is at most ${MAX_SIGNING_PDF_BYTES} bytes`);
      try {
        const result = await verifyPdfSignatures(pdf, trust, new Date(ctx.clock.now()));
        reply.header('Cache-Control', 'no-store');
        return result;
      } catch (e) {
        if (e instanceof PdfUnreadableError) throw new ApiError(400, 'PDF_INVALID', 'The file is not a PDF that can be read');
        throw e;
      }
    },
  );
}
