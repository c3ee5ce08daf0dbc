/**
 * OCSP (RFC 6960) revocation check for the authentication certificate:
 * build a request for the certificate, POST it to the responder (the
 * certificate's AIA address or a configured one) with a timeout, and accept
 * the answer only when it is signed by the issuer or by a responder the
 * issuer delegated (EKU OCSPSigning), is fresh within the allowed clock skew
 * and is about this very certificate.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
} from '@peculiar/asn1-ocsp';
import { TokenValidationError } from './errors.js';
import type { Clock } from './nonce-store.js';
import { equalBytes } from '../bytes.js';
import { fetchWithLimits, type ResourceFetch } from './fetch.js';

export interface OcspOptions {
  /** Ask this responder instead of the one named in the certificate. */
  responderUrl?: string;
  /** Default 5 s (for the default fetcher; an injected one keeps its own). */
  timeoutMs?: number;
  /** Default 15 minutes. */
  allowedSkewMs?: number;
  /**
   * How the request is sent. The responder's address comes from the
   * certificate unless responderUrl is given: pass a fetcher that refuses
   * hosts off an allow-list and internal addresses (shared-node/guarded-fetch.ts).
   * Default: fetchWithLimits over the runtime's fetch (no address checks).
   */
  fetch?: ResourceFetch;
}

const SHA1_OID = '1.3.14.3.2.26';

const SIGNATURE_ALGORITHMS: Record<string, { kind: 'RSA' | 'EC'; hash: string }> = {
  '1.2.840.113549.1.1.5': { kind: 'RSA', hash: 'SHA-1' },
  '1.2.840.113549.1.1.11': { kind: 'RSA', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { kind: 'RSA', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { kind: 'RSA', hash: 'SHA-512' },
  '1.2.840.10045.4.3.2': { kind: 'EC', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { kind: 'EC', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { kind: 'EC', hash: 'SHA-512' },
};

const CURVE_BYTES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

function invalid(message: string, cause?: unknown): never {
  throw new TokenValidationError('OCSP_RESPONSE_INVALID', message, cause === undefined ? undefined : { cause });
}


/** The CertID for a certificate: SHA-1 of the issuer's name and key, and the serial number. */
export async function ocspCertId(certificate: x509.X509Certificate, issuer: x509.X509Certificate, crypto: Crypto): Promise<CertID> {
  const issuerKey = AsnConvert.parse(issuer.publicKey.rawData, SubjectPublicKeyInfo).subjectPublicKey;
  const [nameHash, keyHash] = await Promise.all([
    crypto.subtle.digest('SHA-1', issuer.subjectName.toArrayBuffer()),
    crypto.subtle.digest('SHA-1', issuerKey),
  ]);
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1_OID, parameters: null }),
    issuerNameHash: new OctetString(nameHash),
    issuerKeyHash: new OctetString(keyHash),
    serialNumber: AsnConvert.parse(certificate.rawData, Certificate).tbsCertificate.serialNumber,
  });
}

export function ocspUrlOf(certificate: x509.X509Certificate): string | undefined {
  const aia = certificate.getExtension(x509.AuthorityInfoAccessExtension);
  const name = aia?.ocsp.find((n) => n.type === 'url');
  return name?.value;
}

/** ECDSA signatures in X.509 structures are DER SEQUENCE { r, s }; WebCrypto wants raw r‖s. */
function derEcdsaToRaw(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  let offset = 0;
  const readLength = (): number => {
    let len = der[offset++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | der[offset++]!;
    }
    return len;
  };
  if (der[offset++] !== 0x30) invalid('Bad ECDSA signature');
  readLength();
  const out = new Uint8Array(2 * size);
  for (let part = 0; part < 2; part++) {
    if (der[offset++] !== 0x02) invalid('Bad ECDSA signature');
    const len = readLength();
    let value = der.subarray(offset, offset + len);
    offset += len;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) invalid('Bad ECDSA signature');
    out.set(value, part * size + (size - value.length));
  }
  return out;
}

async function verifiedBy(basic: BasicOCSPResponse, signer: x509.X509Certificate, crypto: Crypto): Promise<boolean> {
  const algorithm = SIGNATURE_ALGORITHMS[basic.signatureAlgorithm.algorithm];
  if (!algorithm || !basic.tbsResponseDataRaw) return false;
  const keyAlgorithm = signer.publicKey.algorithm as Algorithm & { namedCurve?: string };
  const signerIsEc = keyAlgorithm.name === 'ECDSA' || keyAlgorithm.name === 'EC';
  if (signerIsEc !== (algorithm.kind === 'EC')) return false;
  try {
    if (algorithm.kind === 'EC') {
      const curve = keyAlgorithm.namedCurve ?? '';
      const key = await crypto.subtle.importKey('spki', signer.publicKey.rawData, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
      const raw = derEcdsaToRaw(new Uint8Array(basic.signature), CURVE_BYTES[curve] ?? 0);
      return await crypto.subtle.verify({ name: 'ECDSA', hash: algorithm.hash }, key, raw, basic.tbsResponseDataRaw);
    }
    const key = await crypto.subtle.importKey('spki', signer.publicKey.rawData, { name: 'RSASSA-PKCS1-v1_5', hash: algorithm.hash }, false, ['verify']);
    return await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, basic.signature, basic.tbsResponseDataRaw);
  } catch {
    return false;
  }
}

/**
 * Whether `basic` is signed by `issuer` itself, or by a responder certificate
 * it carries that the issuer signed for OCSP signing and that was valid at
 * `at` (RFC 6960, 4.2.2.2). For a fresh answer `at` is now; for one kept in a
 * signed document, when it was produced.
 */
export async function signedByIssuerOrDelegate(basic: BasicOCSPResponse, issuer: x509.X509Certificate, at: Date, crypto: Crypto): Promise<boolean> {
  if (await verifiedBy(basic, issuer, crypto)) return true;
  for (const embedded of basic.certs ?? []) {
    const responder = new x509.X509Certificate(AsnConvert.serialize(embedded));
    const eku = responder.getExtension(x509.ExtendedKeyUsageExtension);
    if (!eku?.usages.includes(id_kp_OCSPSigning)) continue;
    if (at < responder.notBefore || at > responder.notAfter) continue;
    if (responder.issuer !== issuer.subject || !(await responder.verify({ publicKey: issuer, signatureOnly: true }, crypto).catch(() => false))) continue;
    if (await verifiedBy(basic, responder, crypto)) return true;
  }
  return false;
}

export async function checkOcsp(
  certificate: x509.X509Certificate,
  issuer: x509.X509Certificate,
  options: OcspOptions & { clock: Clock; crypto: Crypto },
): Promise<Uint8Array> {
  const url = options.responderUrl ?? ocspUrlOf(certificate);
  if (!url) throw new TokenValidationError('OCSP_UNAVAILABLE', 'The certificate names no OCSP responder and none is configured');
  const { crypto } = options;
  const certId = await ocspCertId(certificate, issuer, crypto);
  const nonce = crypto.getRandomValues(new Uint8Array(32));
  const request = new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: certId })],
      requestExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))) })],
    }),
  });

  const send = options.fetch ?? fetchWithLimits({ timeoutMs: options.timeoutMs ?? 5000 });
  let body: Uint8Array;
  try {
    body = await send(url, {
      method: 'POST',
      contentType: 'application/ocsp-request',
      accept: 'application/ocsp-response',
      body: new Uint8Array(AsnConvert.serialize(request)),
    });
  } catch (e) {
    throw new TokenValidationError('OCSP_UNAVAILABLE', `The OCSP responder did not answer: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }

  let basic: BasicOCSPResponse;
  try {
    const response = AsnConvert.parse(body.slice().buffer, OCSPResponse);
    if (response.responseStatus === OCSPResponseStatus.tryLater) throw new TokenValidationError('OCSP_UNAVAILABLE', 'The OCSP responder asks to try later');
    if (response.responseStatus !== OCSPResponseStatus.successful || !response.responseBytes) invalid(`OCSP status ${response.responseStatus}`);
    if (response.responseBytes.responseType !== id_pkix_ocsp_basic) invalid('Not a basic OCSP response');
    basic = AsnConvert.parse(response.responseBytes.response, BasicOCSPResponse);
  } catch (e) {
    if (e instanceof TokenValidationError) throw e;
    invalid('The OCSP response cannot be decoded', e);
  }

  const now = new Date(options.clock.now());
  if (!(await signedByIssuerOrDelegate(basic, issuer, now, crypto))) invalid('The OCSP response is not signed by the issuer or its delegated responder');

  const data = basic.tbsResponseData;
  const echoed = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  if (echoed && !equalBytes(echoed.extnValue.buffer, AsnConvert.serialize(new OctetString(nonce)))) invalid('The OCSP response nonce does not match the request');

  const single = data.responses.find(
    (r) =>
      equalBytes(r.certID.serialNumber, certId.serialNumber) &&
      equalBytes(r.certID.issuerKeyHash.buffer, certId.issuerKeyHash.buffer) &&
      equalBytes(r.certID.issuerNameHash.buffer, certId.issuerNameHash.buffer),
  );
  if (!single) invalid('The OCSP response is not about this certificate');
  const skew = options.allowedSkewMs ?? 15 * 60 * 1000;
  const t = now.getTime();
  if (single.thisUpdate.getTime() > t + skew) invalid('The OCSP response is from the future');
  if (single.nextUpdate ? single.nextUpdate.getTime() < t - skew : single.thisUpdate.getTime() < t - skew) invalid('The OCSP response is out of date');

  if (single.certStatus.revoked) {
    throw new TokenValidationError('CERTIFICATE_REVOKED', `The certificate was revoked on ${single.certStatus.revoked.revocationTime.toISOString()}`);
  }
  if (single.certStatus.good === undefined) throw new TokenValidationError('CERTIFICATE_STATUS_UNKNOWN', 'The OCSP responder does not know the certificate');
  // The checked answer, as the responder sent it: a signed document keeps it as proof (PAdES B-LT, backend/signing/).
  return body;
}
