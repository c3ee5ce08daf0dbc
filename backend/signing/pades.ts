import { X509Certificate, verify } from 'node:crypto';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { AsnEcSignatureFormatter, KeyUsageFlags, KeyUsagesExtension, X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { cmsSignedData, digest, pAdESSignedAttributes, type SignatureSuite } from './cms-signed-data.js';

/**
 * PAdES baseline B-B signing in two steps, because the signature is made
 * later, by the card, in the person's browser:
 *   preparePdfSignature: adds a signature field and a /Contents placeholder,
 *     hashes the signed byte ranges, builds the signed attributes and
 *     returns the hash the card signs (the digest of the signed attributes);
 *   finishPdfSignature: checks the card's signature against the signer's
 *     certificate, wraps it in CMS SignedData and writes it into the placeholder.
 * The state between the two holds only what the server made itself.
 */

/** Room for the CMS: signer certificate, two CA certificates and the signature, with space to spare. */
const CONTENTS_PLACEHOLDER_BYTES = 16_384;

export type PdfSigningErrorCode = 'not-a-signing-certificate' | 'unsupported-key' | 'signature-does-not-match' | 'document-changed';

export class PdfSigningError extends Error {
  override readonly name = 'PdfSigningError';
  constructor(
    readonly code: PdfSigningErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface PreparePdfSignatureInput {
  pdf: Uint8Array;
  /** DER of the card's signature certificate. */
  signerCertificate: Uint8Array;
  /** DER of the issuing CAs, signer's issuer first (Citizen CA, then root). */
  chain: readonly Uint8Array[];
  /** The claimed signing time, written as the signature dictionary's M entry. */
  signingTime: Date;
  reason?: string;
  location?: string;
  /**
   * Append the signature field as an incremental update even to an unsigned
   * PDF (one with a classic cross-reference table, as pdfkit writes), so that
   * every later signature finds the form it extends (documents signed by
   * several people in turn: access/signed-documents.ts).
   */
  incremental?: boolean;
}

/** What the server keeps between the two steps (in memory or a database row; it holds no secret). */
export interface PendingPdfSignature {
  suite: SignatureSuite;
  /** The PDF with the signature field and the empty placeholder. */
  preparedPdf: Uint8Array;
  /** Digest of the byte ranges the signature covers, as the message-digest attribute holds it. */
  contentDigest: Uint8Array;
  signedAttributes: Uint8Array;
  signerCertificate: Uint8Array;
  chain: Uint8Array[];
}

export interface PreparedPdfSignature {
  pending: PendingPdfSignature;
  /** What the extension's sign() gets: the digest of the DER signed attributes. */
  hashToSign: Uint8Array;
  hashAlgorithm: SignatureSuite['hash'];
}

/** The suite of the signer's key: EC P-384 cards sign SHA-384 digests, RSA cards SHA-256. */
export function signatureSuiteOf(certificateDer: Uint8Array): SignatureSuite {
  const key = new X509Certificate(certificateDer).publicKey;
  if (key.asymmetricKeyType === 'rsa') return { keyType: 'RSA', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') return { keyType: 'EC', hash: 'SHA-384' };
  throw new PdfSigningError('unsupported-key', `a ${key.asymmetricKeyType} key of this kind is on no eID card`);
}

function commonName(certificateDer: Uint8Array): string {
  const subject = new X509Certificate(certificateDer).subject;
  return /^CN=(.*)$/m.exec(subject)?.[1] ?? subject;
}

/**
 * @signpdf/signpdf fills in the /ByteRange and hands its Signer the bytes
 * the signature covers; this Signer hashes them and has the CMS made from that.
 */
class ByteRangeSigner extends Signer {
  constructor(private readonly makeContents: (signedBytes: Uint8Array) => Uint8Array) {
    super();
  }
  override async sign(signedBytes: Buffer): Promise<Buffer> {
    return Buffer.from(this.makeContents(new Uint8Array(signedBytes)));
  }
}

/**
 * A document signature is made with the card's signature key, whose
 * certificate (the qualified one) alone has the non-repudiation key usage;
 * the authentication key's certificate has only digital signature.
 */
function assertSigningCertificate(certificateDer: Uint8Array): void {
  const keyUsage = new PeculiarCertificate(new Uint8Array(certificateDer)).getExtension(KeyUsagesExtension);
  if (!keyUsage || (keyUsage.usages & KeyUsageFlags.nonRepudiation) === 0) {
    throw new PdfSigningError('not-a-signing-certificate', 'documents are signed with the certificate for signatures (non-repudiation), not this one');
  }
}

/** Whether the PDF carries a signature already (a filled-in /ByteRange). */
function alreadySigned(pdf: Uint8Array): boolean {
  return /\/ByteRange\s*\[\s*0\s+\d+\s+\d+\s+\d+\s*\]/.test(Buffer.from(pdf).toString('latin1'));
}

/**
 * The next signature is placed by the incremental writer (@signpdf/placeholder-plain),
 * which finds the form it extends by the text "/Type /AcroForm" at the start of
 * the form's object. pdf-lib writes the form without /Type (the key is optional),
 * and the writer then made a form listing only the new field. The form is
 * rewritten with /Type /AcroForm as its first key, so a later signer's form
 * lists every earlier field too.
 */
function typeTheForm(document: PDFDocument): void {
  const key = PDFName.of('AcroForm');
  const form = document.catalog.lookupMaybe(key, PDFDict);
  if (!form) return;
  const typed = document.context.obj({ Type: 'AcroForm' });
  for (const [name, value] of form.entries()) if (name !== PDFName.Type) typed.set(name, value);
  const reference = document.catalog.get(key);
  if (reference instanceof PDFRef) document.context.assign(reference, typed);
  else document.catalog.set(key, document.context.register(typed));
}

export async function preparePdfSignature(input: PreparePdfSignatureInput): Promise<PreparedPdfSignature> {
  assertSigningCertificate(input.signerCertificate);
  const suite = signatureSuiteOf(input.signerCertificate);
  const placeholder = {
    reason: input.reason ?? '',
    contactInfo: '',
    name: commonName(input.signerCertificate),
    location: input.location ?? '',
    signingTime: input.signingTime,
    signatureLength: CONTENTS_PLACEHOLDER_BYTES,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
  };
  let preparedPdf: Uint8Array;
  if (input.incremental || alreadySigned(input.pdf)) {
    // Rewriting a signed file would break its signatures: the new field is appended as an incremental update.
    preparedPdf = new Uint8Array(plainAddPlaceholder({ pdfBuffer: Buffer.from(input.pdf), ...placeholder }));
  } else {
    const document = await PDFDocument.load(input.pdf);
    pdflibAddPlaceholder({ pdfDoc: document, ...placeholder });
    typeTheForm(document);
    // Object streams would hide the signature dictionary from the byte-range search.
    preparedPdf = await document.save({ useObjectStreams: false });
  }
  let contentDigest: Uint8Array | undefined;
  // The document this run makes (an empty /Contents) is not kept: finish runs the same placement with the real CMS.
  await new SignPdf().sign(
    Buffer.from(preparedPdf),
    new ByteRangeSigner((signedBytes) => {
      contentDigest = digest(suite.hash, signedBytes);
      return new Uint8Array(0);
    }),
  );
  if (!contentDigest) throw new Error('the PDF signer did not hand over the signed byte ranges');
  const signedAttributes = pAdESSignedAttributes(suite, contentDigest, input.signerCertificate);
  return {
    pending: {
      suite,
      preparedPdf,
      contentDigest,
      signedAttributes,
      signerCertificate: input.signerCertificate,
      chain: [...input.chain],
    },
    hashToSign: digest(suite.hash, signedAttributes),
    hashAlgorithm: suite.hash,
  };
}

/**
 * The signature value as CMS carries it. The card gives ECDSA as r||s (96
 * bytes for P-384); CMS wants the DER ECDSA-Sig-Value. RSA PKCS#1 v1.5 is the same in both.
 */
function cmsSignatureValue(suite: SignatureSuite, cardSignature: Uint8Array): Uint8Array {
  if (suite.keyType === 'RSA') return cardSignature;
  const der = new AsnEcSignatureFormatter().toAsnSignature({ name: 'ECDSA', namedCurve: 'P-384' } as EcKeyAlgorithm, new Uint8Array(cardSignature));
  if (!der) throw new PdfSigningError('signature-does-not-match', `an ECDSA P-384 signature is 96 bytes, not ${cardSignature.length}`);
  return new Uint8Array(der);
}

/** The card's signature over the signed attributes, checked with the signer certificate's key. */
function signatureMatches(pending: PendingPdfSignature, cardSignature: Uint8Array): boolean {
  const key = new X509Certificate(pending.signerCertificate).publicKey;
  const algorithm = pending.suite.hash.replace('-', '').toLowerCase();
  try {
    if (pending.suite.keyType === 'EC') return verify(algorithm, pending.signedAttributes, { key, dsaEncoding: 'ieee-p1363' }, cardSignature);
    return verify(algorithm, pending.signedAttributes, key, cardSignature);
  } catch {
    return false;
  }
}

/**
 * The signed PDF. Refuses a signature that does not verify over this
 * signing's signed attributes (another hash, another key, a cut-off value),
 * so no document with a broken signature leaves the server.
 */
export async function finishPdfSignature(pending: PendingPdfSignature, cardSignature: Uint8Array): Promise<Uint8Array> {
  if (!signatureMatches(pending, cardSignature)) {
    throw new PdfSigningError('signature-does-not-match', "the signature does not verify with the signer's certificate over this document's signed attributes");
  }
  const contents = cmsSignedData({
    suite: pending.suite,
    signedAttributes: pending.signedAttributes,
    signatureValue: cmsSignatureValue(pending.suite, cardSignature),
    signerCertificate: pending.signerCertificate,
    chain: pending.chain,
  });
  const signed = await new SignPdf().sign(
    Buffer.from(pending.preparedPdf),
    new ByteRangeSigner((signedBytes) => {
      // The placement is the same as in prepare; a different digest means the stored state was altered.
      if (!Buffer.from(digest(pending.suite.hash, signedBytes)).equals(Buffer.from(pending.contentDigest))) {
        throw new PdfSigningError('document-changed', 'the prepared PDF no longer has the content the signed attributes name');
      }
      return contents;
    }),
  );
  return new Uint8Array(signed);
}
