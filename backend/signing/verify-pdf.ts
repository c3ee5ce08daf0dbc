/**
 * Validation of the signatures in a PDF (PAdES / adbe CMS detached), each on
 * its own: that its /ByteRange covers its whole revision but the /Contents
 * hole, that the CMS signature verifies over those bytes, that the signing
 * certificate is one for signatures (non-repudiation) and chains to a trusted
 * root, when it was made (as claimed), what revocation data the document
 * carries for it, and whether the document was changed after it (later
 * revisions that add only signatures or validation data are allowed; any
 * other change is reported). docs/signing.md says what is and is not checked.
 *
 * PDF objects are read with pdf-lib, CMS and OCSP with the @peculiar/asn1-*
 * schemas, and signatures are checked with node:crypto.
 */
import { createHash, X509Certificate, verify as verifySignature, webcrypto } from 'node:crypto';
import { ContentInfo, SignedData, id_contentType, id_data, id_messageDigest, id_signedData, id_signingTime, type SignerInfo } from '@peculiar/asn1-cms';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Certificate, Time } from '@peculiar/asn1-x509';
import { KeyUsageFlags, KeyUsagesExtension, X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { fromBER } from 'asn1js';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, PDFString, type PDFContext, type PDFObject } from 'pdf-lib';
import { SignedAttributesSet } from './cms-signed-data.js';
import { ID_AA_SIGNING_CERTIFICATE_V2, SigningCertificateV2 } from './signing-certificate-v2.js';
import { trustedPath } from './signer-certificate.js';
import { signedByIssuerOrDelegate } from '../../shared/token-validator/ocsp.js';

/** Why a signature does not hold; each is said in words in `message`. */
export type PdfSignatureProblemCode =
  | 'byte-range-invalid'
  | 'cms-unreadable'
  | 'digest-mismatch'
  | 'signature-invalid'
  | 'signing-certificate-mismatch'
  | 'not-a-signing-certificate'
  | 'certificate-not-valid-now'
  | 'untrusted'
  | 'revoked'
  | 'changed-after-signing';

export interface PdfSignatureProblem {
  code: PdfSignatureProblemCode;
  message: string;
}

/**
 * What the document looks like after this signature:
 *   whole-document: the signature covers every byte but its own /Contents;
 *   signatures-added: later revisions add only signatures or validation data (a DSS);
 *   changed-after-signing: a later revision changes the content;
 *   unknown: the byte range is unusable, so nothing can be said.
 */
export type PdfSignatureCoverage = 'whole-document' | 'signatures-added' | 'changed-after-signing' | 'unknown';

/** Revocation of the signing certificate as the document's own OCSP responses (its DSS) say; nothing is fetched. */
export type PdfRevocationStatus = 'good' | 'revoked' | 'unknown' | 'not-checked';

export interface PdfSignatureVerdict {
  /** 1 for the first signature made (the earliest revision), and so on. */
  number: number;
  /** The signature field's name (/T), when it has one. */
  fieldName: string | undefined;
  signer: {
    /** Given names and surname from the certificate, or its common name. */
    name: string;
    /** The subject's serialNumber: the national register number on eID certificates. */
    nationalNumber: string | undefined;
    subject: string;
    issuer: string;
  } | undefined;
  /** When it was signed, as claimed by the signer (no time-stamp proves it), and where the claim is written. */
  signingTime: { time: string; source: 'signing-time attribute' | 'signature dictionary' } | undefined;
  coverage: PdfSignatureCoverage;
  /** What changed in later revisions, when coverage is changed-after-signing. */
  changes: string[];
  revocation: { status: PdfRevocationStatus; detail: string };
  /** True when there is no problem. */
  holds: boolean;
  problems: PdfSignatureProblem[];
}

export interface PdfVerification {
  /** True when the PDF carries at least one signature and every one holds. */
  valid: boolean;
  signatures: PdfSignatureVerdict[];
}

export interface PdfTrust {
  /** The trust anchors (roots, or issuing CAs trusted directly). */
  trusted: readonly Uint8Array[];
  /** Issuing CAs that may complete a path (the built-in Belgian ones); certificates the CMS carries are used too. */
  intermediates: readonly Uint8Array[];
}

export class PdfUnreadableError extends Error {
  override readonly name = 'PdfUnreadableError';
}

const HASH_BY_OID: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const SHA1_OID = '1.3.14.3.2.26';

/** Signature algorithms with PKCS#1 v1.5 or ECDSA, as node:crypto verifies them with the digest algorithm's hash. */
const SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.113549.1.1.1', // rsaEncryption
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4', // ecdsa-with-SHA512
]);
const HASH_OF_SIGNATURE_ALGORITHM: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

const name = (key: string) => PDFName.of(key);

/** A signature dictionary as the document's last revision has it. */
interface SignatureDictionary {
  fieldName: string | undefined;
  byteRange: number[] | undefined;
  contents: Uint8Array | undefined;
  claimedTime: Date | undefined;
}

function numbersOf(array: PDFObject | undefined): number[] | undefined {
  if (!(array instanceof PDFArray)) return undefined;
  const numbers = array.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : Number.NaN));
  return numbers.every(Number.isInteger) ? numbers : undefined;
}

function textOf(value: PDFObject | undefined): string | undefined {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

/** The signature dictionaries (/Type /Sig, or any with /ByteRange and /Contents) and their fields' names. */
function signatureDictionaries(document: PDFDocument): SignatureDictionary[] {
  const context = document.context;
  const fieldNames = new Map<PDFObject, string>();
  for (const [, object] of context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict)) continue;
    const value = object.get(name('V'));
    const dictionary = value instanceof PDFRef ? context.lookup(value) : value;
    const title = textOf(object.get(name('T')));
    if (dictionary && title !== undefined) fieldNames.set(dictionary, title);
  }
  const found: SignatureDictionary[] = [];
  for (const [, object] of context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || !object.has(name('ByteRange')) || !object.has(name('Contents'))) continue;
    const type = object.get(name('Type'));
    if (type && type !== name('Sig')) continue;
    const contents = object.get(name('Contents'));
    let claimedTime: Date | undefined;
    const m = object.get(name('M'));
    try {
      if (m instanceof PDFString || m instanceof PDFHexString) claimedTime = m.decodeDate();
    } catch {
      claimedTime = undefined;
    }
    found.push({
      fieldName: fieldNames.get(object),
      byteRange: numbersOf(context.lookup(object.get(name('ByteRange')))),
      contents: contents instanceof PDFHexString || contents instanceof PDFString ? contents.asBytes() : undefined,
      claimedTime,
    });
  }
  // In file order: the first signature made covers the shortest revision.
  return found.sort((a, b) => (a.byteRange?.[2] ?? 0) + (a.byteRange?.[3] ?? 0) - ((b.byteRange?.[2] ?? 0) + (b.byteRange?.[3] ?? 0)));
}

/** The problem with a /ByteRange [a b c d], or undefined when it is one revision with only the /Contents hex string left out. */
function byteRangeProblem(pdf: Uint8Array, range: number[] | undefined, contents: Uint8Array | undefined): string | undefined {
  if (!range || range.length !== 4) return 'the signature has no byte range of four numbers';
  const [start, firstLength, secondStart, secondLength] = range as [number, number, number, number];
  if (start !== 0) return 'the signed bytes do not start at the beginning of the file';
  if (firstLength <= 0 || secondStart <= firstLength || secondLength < 0 || secondStart + secondLength > pdf.length) {
    return 'the byte range does not fit the file';
  }
  const hole = Buffer.from(pdf.subarray(firstLength, secondStart)).toString('latin1');
  if (!/^<[0-9A-Fa-f\s]*>$/.test(hole)) return 'the bytes left out are more than the signature value';
  if (!contents || !Buffer.from(hole.slice(1, -1).replace(/\s/g, ''), 'hex').equals(Buffer.from(contents))) {
    return "the bytes left out are not this signature's value";
  }
  const revisionEnd = Buffer.from(pdf.subarray(Math.max(0, secondStart + secondLength - 16), secondStart + secondLength)).toString('latin1');
  if (!/%%EOF\s*$/.test(revisionEnd)) return 'the signed bytes do not end where a revision of the document ends';
  return undefined;
}

function signedBytes(pdf: Uint8Array, range: number[]): Uint8Array {
  const [, firstLength, secondStart, secondLength] = range as [number, number, number, number];
  return Buffer.concat([pdf.subarray(0, firstLength), pdf.subarray(secondStart, secondStart + secondLength)]);
}

/** The /Contents holds the DER padded with zeros: only the DER is parsed. */
function signedDataOf(contents: Uint8Array): SignedData {
  const parsed = fromBER(contents);
  if (parsed.offset === -1) throw new Error('the signature value is not DER');
  const contentInfo = AsnConvert.parse(contents.subarray(0, parsed.offset), ContentInfo);
  if (contentInfo.contentType !== id_signedData) throw new Error('the signature value is not CMS SignedData');
  return AsnConvert.parse(contentInfo.content, SignedData);
}

function attributeValue(signerInfo: SignerInfo, type: string): ArrayBuffer | undefined {
  return signerInfo.signedAttrs?.find((attribute) => attribute.attrType === type)?.attrValues[0];
}

/** The certificate the SignerInfo names (issuer and serial number, or subject key identifier). */
function signerCertificateOf(signedData: SignedData, signerInfo: SignerInfo): Certificate | undefined {
  const certificates = (signedData.certificates ?? []).flatMap((choice) => (choice.certificate ? [choice.certificate] : []));
  const byIssuerSerial = signerInfo.sid.issuerAndSerialNumber;
  if (byIssuerSerial) {
    const issuer = Buffer.from(AsnConvert.serialize(byIssuerSerial.issuer));
    const serial = Buffer.from(byIssuerSerial.serialNumber);
    return certificates.find(
      (c) => Buffer.from(AsnConvert.serialize(c.tbsCertificate.issuer)).equals(issuer) && Buffer.from(c.tbsCertificate.serialNumber).equals(serial),
    );
  }
  const keyId = signerInfo.sid.subjectKeyIdentifier;
  if (!keyId) return undefined;
  return certificates.find((c) => {
    const peculiar = new PeculiarCertificate(AsnConvert.serialize(c));
    const extension = peculiar.getExtension('2.5.29.14');
    return extension !== null && Buffer.from(extension.value).subarray(-keyId.byteLength).equals(Buffer.from(keyId.buffer));
  });
}

function nameField(certificate: PeculiarCertificate, oid: string): string | undefined {
  return certificate.subjectName.getField(oid)[0];
}

function signerOf(der: Uint8Array): NonNullable<PdfSignatureVerdict['signer']> {
  const certificate = new PeculiarCertificate(new Uint8Array(der));
  const given = nameField(certificate, '2.5.4.42');
  const surname = nameField(certificate, '2.5.4.4');
  const commonName = nameField(certificate, '2.5.4.3');
  return {
    name: given && surname ? `${given} ${surname}` : (commonName ?? certificate.subject),
    nationalNumber: nameField(certificate, '2.5.4.5'),
    subject: certificate.subject,
    issuer: certificate.issuer,
  };
}

function timeOf(value: ArrayBuffer): Date | undefined {
  try {
    return AsnConvert.parse(value, Time).getTime();
  } catch {
    return undefined;
  }
}

/**
 * The checks of the CMS: message digest, signature over the signed
 * attributes, and (when present) that signing-certificate-v2 names the certificate used.
 */
function cmsProblems(signerInfo: SignerInfo, signerDer: Uint8Array, content: Uint8Array): PdfSignatureProblem[] {
  const hash = HASH_BY_OID[signerInfo.digestAlgorithm.algorithm];
  if (!hash) return [{ code: 'signature-invalid', message: `the digest algorithm ${signerInfo.digestAlgorithm.algorithm} is not accepted` }];
  if (!signerInfo.signedAttrs) return [{ code: 'cms-unreadable', message: 'the signature has no signed attributes' }];
  const problems: PdfSignatureProblem[] = [];
  const contentType = attributeValue(signerInfo, id_contentType);
  if (!contentType || !Buffer.from(contentType).equals(Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]))) {
    // The content-type attribute's value is the OID id-data (1.2.840.113549.1.7.1), DER above.
    problems.push({ code: 'signature-invalid', message: `the signed content type is not ${id_data}` });
  }
  const messageDigest = attributeValue(signerInfo, id_messageDigest);
  const expected = createHash(hash).update(content).digest();
  if (!messageDigest || !Buffer.from(AsnConvert.parse(messageDigest, OctetString).buffer).equals(expected)) {
    problems.push({ code: 'digest-mismatch', message: 'the signed bytes are not the ones that were signed: the document was changed after signing' });
  }
  const algorithm = signerInfo.signatureAlgorithm.algorithm;
  const signatureHash = HASH_OF_SIGNATURE_ALGORITHM[algorithm] ?? hash;
  let signatureHolds = false;
  if (SIGNATURE_ALGORITHMS.has(algorithm)) {
    try {
      const signedAttributes = AsnConvert.serialize(new SignedAttributesSet([...signerInfo.signedAttrs]));
      signatureHolds = verifySignature(signatureHash, Buffer.from(signedAttributes), new X509Certificate(signerDer).publicKey, Buffer.from(signerInfo.signature.buffer));
    } catch {
      signatureHolds = false;
    }
  }
  if (!signatureHolds) {
    problems.push({
      code: 'signature-invalid',
      message: SIGNATURE_ALGORITHMS.has(algorithm) ? "the signature does not verify with the signer's certificate" : `the signature algorithm ${algorithm} is not accepted`,
    });
  }
  const signingCertificate = attributeValue(signerInfo, ID_AA_SIGNING_CERTIFICATE_V2);
  if (signingCertificate) {
    const essId = AsnConvert.parse(signingCertificate, SigningCertificateV2).certs[0];
    const essHash = essId?.hashAlgorithm ? HASH_BY_OID[essId.hashAlgorithm.algorithm] : 'sha256';
    if (!essId || !essHash || !Buffer.from(essId.certHash.buffer).equals(createHash(essHash).update(signerDer).digest())) {
      problems.push({ code: 'signing-certificate-mismatch', message: 'the signed attributes name another certificate than the one that signed' });
    }
  }
  return problems;
}

function certificateProblems(signerDer: Uint8Array, signedData: SignedData, trust: PdfTrust, now: Date): PdfSignatureProblem[] {
  const problems: PdfSignatureProblem[] = [];
  const keyUsage = new PeculiarCertificate(new Uint8Array(signerDer)).getExtension(KeyUsagesExtension);
  if (!keyUsage || (keyUsage.usages & KeyUsageFlags.nonRepudiation) === 0) {
    problems.push({ code: 'not-a-signing-certificate', message: 'the certificate is not one for signatures (no non-repudiation key usage)' });
  }
  const leaf = new X509Certificate(signerDer);
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) {
    problems.push({ code: 'certificate-not-valid-now', message: `the certificate is valid from ${new Date(leaf.validFrom).toISOString()} to ${new Date(leaf.validTo).toISOString()}, not now` });
  }
  const carried = (signedData.certificates ?? []).flatMap((choice) => (choice.certificate ? [new Uint8Array(AsnConvert.serialize(choice.certificate))] : []));
  if (!trustedPath({ certificateDer: signerDer, trusted: trust.trusted, intermediates: [...trust.intermediates, ...carried], at: now })) {
    problems.push({ code: 'untrusted', message: 'the certificate does not chain to a trusted root' });
  }
  return problems;
}

/** The DSS's OCSP responses (decoded streams), if the document has a DSS. */
function dssOcspResponses(document: PDFDocument): Uint8Array[] | undefined {
  const context = document.context;
  const dss = context.lookup(document.catalog.get(name('DSS')));
  if (!(dss instanceof PDFDict)) return undefined;
  const list = context.lookup(dss.get(name('OCSPs')));
  if (!(list instanceof PDFArray)) return [];
  return list.asArray().flatMap((entry) => {
    const stream = context.lookup(entry);
    if (!(stream instanceof PDFRawStream)) return [];
    try {
      return [decodePDFRawStream(stream).decode()];
    } catch {
      return [];
    }
  });
}

/**
 * The signing certificate's status in the document's OCSP responses: a
 * response counts when it is signed by the certificate's issuer or by a
 * responder the issuer delegated, checked as the eID login checks a fresh
 * answer (shared/token-validator/ocsp.ts), the responder valid when it answered.
 */
async function revocationOf(responses: Uint8Array[] | undefined, signerDer: Uint8Array, issuers: Uint8Array[]): Promise<PdfSignatureVerdict['revocation']> {
  if (responses === undefined) return { status: 'not-checked', detail: 'the document carries no revocation data (no DSS)' };
  const signer = AsnConvert.parse(signerDer, Certificate);
  const issuerDer = issuers[0];
  if (!issuerDer) return { status: 'not-checked', detail: "the certificate's issuer is unknown" };
  const issuer = new PeculiarCertificate(new Uint8Array(issuerDer));
  const issuerKey = Buffer.from(AsnConvert.parse(issuerDer, Certificate).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
  const issuerKeyHash = (hash: string) => createHash(hash).update(issuerKey).digest();
  for (const der of responses) {
    let basic: BasicOCSPResponse;
    try {
      const response = AsnConvert.parse(der, OCSPResponse);
      if (response.responseStatus !== OCSPResponseStatus.successful || response.responseBytes?.responseType !== id_pkix_ocsp_basic) continue;
      basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
    } catch {
      continue;
    }
    const single = basic.tbsResponseData.responses.find((r) => {
      const hash = r.certID.hashAlgorithm.algorithm === SHA1_OID ? 'sha1' : HASH_BY_OID[r.certID.hashAlgorithm.algorithm];
      return (
        hash !== undefined &&
        Buffer.from(r.certID.serialNumber).equals(Buffer.from(signer.tbsCertificate.serialNumber)) &&
        Buffer.from(r.certID.issuerKeyHash.buffer).equals(issuerKeyHash(hash))
      );
    });
    if (!single) continue;
    const producedAt = basic.tbsResponseData.producedAt;
    if (!(await signedByIssuerOrDelegate(basic, issuer, producedAt, webcrypto as unknown as Crypto))) continue;
    const produced = producedAt.toISOString();
    if (single.certStatus.good !== undefined) return { status: 'good', detail: `not revoked, says an OCSP response of ${produced} in the document` };
    if (single.certStatus.revoked) {
      return { status: 'revoked', detail: `revoked on ${single.certStatus.revoked.revocationTime.toISOString()}, says an OCSP response of ${produced} in the document` };
    }
    return { status: 'unknown', detail: `the OCSP response of ${produced} in the document does not know the certificate` };
  }
  return { status: 'not-checked', detail: 'the document has revocation data, but no signed OCSP response for this certificate' };
}

/** Whether a dictionary is a signature field, or the widget of one. */
function isSignatureField(context: PDFContext, object: PDFObject | undefined): boolean {
  const dict = object instanceof PDFRef ? context.lookup(object) : object;
  if (!(dict instanceof PDFDict)) return false;
  if (dict.get(name('FT')) === name('Sig')) return true;
  const parent = context.lookup(dict.get(name('Parent')));
  return parent instanceof PDFDict && parent.get(name('FT')) === name('Sig');
}

function serialised(object: PDFObject | undefined): string {
  if (object === undefined) return '';
  if (object instanceof PDFStream) return `${object.dict.toString()}\n${Buffer.from(object.getContents()).toString('latin1')}`;
  return object.toString();
}

/** Keys that carry validation data or form structure and, changed, change nothing a reader shows. */
const VALIDATION_KEYS = new Set(['DSS', 'Extensions']);

function resolve(context: PDFContext, value: PDFObject | undefined): PDFObject | undefined {
  return value instanceof PDFRef ? context.lookup(value) : value;
}

/**
 * Whether `after` (in the whole document) differs from `before` (in the
 * signed revision) only by added signature fields (in /Annots or /Fields), a
 * filled-in signature field, or validation data.
 */
function onlySignaturesAdded(revision: PDFContext, whole: PDFContext, before: PDFObject | undefined, after: PDFObject | undefined): boolean {
  if (before instanceof PDFArray && after instanceof PDFArray) {
    // @signpdf's incremental placeholder replaces the form's /Fields with the new field alone: an
    // earlier signature field leaving the list (its signature stays in the file) is no change of content.
    const old = before.asArray().map(serialised);
    const now = after.asArray().map(serialised);
    const added = after.asArray().filter((item) => !old.includes(serialised(item)));
    const removed = before.asArray().filter((item) => !now.includes(serialised(item)));
    return added.every((item) => isSignatureField(whole, item)) && removed.every((item) => isSignatureField(revision, item));
  }
  if (!(before instanceof PDFDict && after instanceof PDFDict) || before instanceof PDFStream || after instanceof PDFStream) return false;
  const keys = new Set([...before.keys(), ...after.keys()].map((k) => k.decodeText()));
  for (const key of keys) {
    const oldValue = before.get(name(key));
    const newValue = after.get(name(key));
    if (serialised(oldValue) === serialised(newValue)) continue;
    if (VALIDATION_KEYS.has(key)) continue;
    if (key === 'SigFlags' || ((key === 'V' || key === 'AP') && isSignatureField(whole, after))) continue;
    // The same placeholder writes the interactive form's dictionary with a /Type /AcroForm it did not have.
    if (key === 'Type' && after.has(name('Fields')) && newValue === name('AcroForm')) continue;
    if (key === 'Annots' || key === 'Fields') {
      const oldArray = oldValue === undefined ? PDFArray.withContext(revision) : resolve(revision, oldValue);
      if (onlySignaturesAdded(revision, whole, oldArray, resolve(whole, newValue))) continue;
      return false;
    }
    if (key === 'AcroForm' && onlySignaturesAdded(revision, whole, oldValue === undefined ? PDFDict.withContext(revision) : resolve(revision, oldValue), resolve(whole, newValue))) continue;
    return false;
  }
  return true;
}

/** What later revisions changed other than adding signatures and validation data, described for people. */
function changesAfterRevision(revision: PDFDocument, whole: PDFDocument): string[] {
  const changes: string[] = [];
  const oldRoot = revision.context.trailerInfo.Root;
  const newRoot = whole.context.trailerInfo.Root;
  if (serialised(oldRoot) !== serialised(newRoot)) {
    if (!onlySignaturesAdded(revision.context, whole.context, revision.catalog, whole.catalog)) changes.push('the document catalog was replaced');
  }
  for (const [ref, after] of whole.context.enumerateIndirectObjects()) {
    const before = revision.context.lookup(ref);
    // New objects matter only through the existing objects that point to them, which are compared here.
    if (before === undefined || serialised(before) === serialised(after)) continue;
    if (onlySignaturesAdded(revision.context, whole.context, before, after)) continue;
    const type = after instanceof PDFDict ? after.get(name('Type')) : after instanceof PDFStream ? after.dict.get(name('Type')) : undefined;
    changes.push(`object ${ref.toString()}${type instanceof PDFName ? ` (${type.decodeText()})` : after instanceof PDFStream ? ' (content stream)' : ''} was changed`);
  }
  return changes;
}

async function load(pdf: Uint8Array): Promise<PDFDocument> {
  return PDFDocument.load(pdf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
}

/** The CMS, certificate and revocation checks of one signature, into its verdict. */
async function checkSignature(verdict: PdfSignatureVerdict, contents: Uint8Array, content: Uint8Array, trust: PdfTrust, now: Date, ocspResponses: Uint8Array[] | undefined): Promise<void> {
  let signedData: SignedData;
  let signerInfo: SignerInfo | undefined;
  let signerCertificate: Certificate | undefined;
  try {
    signedData = signedDataOf(contents);
    signerInfo = signedData.signerInfos[0];
    signerCertificate = signerInfo && signerCertificateOf(signedData, signerInfo);
  } catch (e) {
    verdict.problems.push({ code: 'cms-unreadable', message: `the signature value cannot be read: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  if (!signerInfo || !signerCertificate) {
    verdict.problems.push({ code: 'cms-unreadable', message: "the signature does not carry the signer's certificate" });
    return;
  }
  const signerDer = new Uint8Array(AsnConvert.serialize(signerCertificate));
  verdict.signer = signerOf(signerDer);
  const signingTime = attributeValue(signerInfo, id_signingTime);
  const attributeTime = signingTime && timeOf(signingTime);
  if (attributeTime) verdict.signingTime = { time: attributeTime.toISOString(), source: 'signing-time attribute' };
  verdict.problems.push(...cmsProblems(signerInfo, signerDer, content));
  verdict.problems.push(...certificateProblems(signerDer, signedData, trust, now));
  const carried = (signedData.certificates ?? []).flatMap((choice) => (choice.certificate ? [new Uint8Array(AsnConvert.serialize(choice.certificate))] : []));
  const signer = new X509Certificate(signerDer);
  const issuers = [...trust.trusted, ...trust.intermediates, ...carried].filter((der) => signer.checkIssued(new X509Certificate(der)));
  verdict.revocation = await revocationOf(ocspResponses, signerDer, issuers);
  if (verdict.revocation.status === 'revoked') verdict.problems.push({ code: 'revoked', message: `the certificate is ${verdict.revocation.detail}` });
}

/**
 * Validates every signature of `pdf` against `trust` at `now`. Throws
 * PdfUnreadableError for a file that is no PDF pdf-lib can read.
 */
export async function verifyPdfSignatures(pdf: Uint8Array, trust: PdfTrust, now: Date = new Date()): Promise<PdfVerification> {
  if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-') throw new PdfUnreadableError('the file is not a PDF');
  let document: PDFDocument;
  try {
    document = await load(pdf);
  } catch (e) {
    throw new PdfUnreadableError(`the PDF cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ocspResponses = dssOcspResponses(document);
  const verdicts: PdfSignatureVerdict[] = [];
  for (const [index, dictionary] of signatureDictionaries(document).entries()) {
    const verdict: PdfSignatureVerdict = {
      number: index + 1,
      fieldName: dictionary.fieldName,
      signer: undefined,
      signingTime: dictionary.claimedTime ? { time: dictionary.claimedTime.toISOString(), source: 'signature dictionary' } : undefined,
      coverage: 'unknown',
      changes: [],
      revocation: { status: 'not-checked', detail: 'the signature could not be read' },
      holds: false,
      problems: [],
    };
    verdicts.push(verdict);
    const rangeProblem = byteRangeProblem(pdf, dictionary.byteRange, dictionary.contents);
    if (rangeProblem) {
      verdict.problems.push({ code: 'byte-range-invalid', message: rangeProblem });
      continue;
    }
    const range = dictionary.byteRange!;
    const revisionEnd = range[2]! + range[3]!;
    if (revisionEnd === pdf.length) verdict.coverage = 'whole-document';
    else {
      try {
        verdict.changes = changesAfterRevision(await load(pdf.subarray(0, revisionEnd)), document);
      } catch {
        verdict.changes = ['the signed revision cannot be read on its own'];
      }
      verdict.coverage = verdict.changes.length === 0 ? 'signatures-added' : 'changed-after-signing';
      if (verdict.changes.length > 0) verdict.problems.push({ code: 'changed-after-signing', message: `the document was changed after this signature: ${verdict.changes.join('; ')}` });
    }
    try {
      await checkSignature(verdict, dictionary.contents!, signedBytes(pdf, range), trust, now, ocspResponses);
    } catch (e) {
      // ASN.1 or keys the schemas or node:crypto refuse (a damaged or hostile file): nothing can be said for it.
      verdict.problems.push({ code: 'cms-unreadable', message: `the signature cannot be checked: ${e instanceof Error ? e.message : String(e)}` });
    }
    verdict.holds = verdict.problems.length === 0;
  }
  return { valid: verdicts.length > 0 && verdicts.every((v) => v.holds), signatures: verdicts };
}
