/**
 * Validates Web eID authentication tokens ("web-eid:1.0") the way the
 * official Java, .NET and PHP validators do, for any JavaScript runtime with
 * WebCrypto (browsers, Node, Deno, Bun, workers):
 *
 *   nonce (single use, lifetime, bound to the session: see nonce-store.ts),
 *   token size and format, certificate validity, chain to a configured
 *   trusted CA, keyUsage digitalSignature and EKU clientAuth, optionally OCSP,
 *   and the signature over H(origin) ‖ H(nonce) with the site's own origin.
 *
 * Each refusal throws a TokenValidationError with its own code.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { TokenValidationError } from './errors.js';
import { strictBase64ToBytes, bytesToBase64, concatBytes, utf8 } from '../bytes.js';
import { consumeChallengeNonce, NONCE_BYTES, systemClock, type Clock, type NonceStore } from './nonce-store.js';
import { checkOcsp, type OcspOptions } from './ocsp.js';
import type { ResourceFetch } from './fetch.js';

export const TOKEN_MIN_LENGTH = 100;
export const TOKEN_MAX_LENGTH = 10000;
export const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

export type TokenAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

export interface WebEidAuthToken {
  unverifiedCertificate: string;
  algorithm: TokenAlgorithm;
  signature: string;
  format: string;
  appVersion?: string;
}

/** A certificate as PEM text, base64 DER, DER bytes or a parsed certificate. */
export type CertificateInput = string | Uint8Array | ArrayBuffer | x509.X509Certificate;

export interface TokenValidatorOptions {
  /** The site's own origin, https://host[:port]; http only for localhost and 127.0.0.1. */
  siteOrigin: string;
  /** The certificate authorities trusted to issue authentication certificates (roots or issuing CAs). */
  trustedCertificates: CertificateInput[];
  /** Untrusted CA certificates that may complete a path to a trusted one (e.g. Citizen CA when only the root is trusted). */
  intermediateCertificates?: CertificateInput[];
  /** Revocation checking (fails closed: no valid answer, no login); off unless given. */
  ocsp?: OcspOptions & {
    /** Check only certificates whose path ends at one of these (e.g. the real roots but not a test root); every certificate when absent. */
    trustAnchors?: CertificateInput[];
  };
  /**
   * Fetch a missing issuing CA from the address in the certificate (AIA
   * caIssuers), as browsers do. What is fetched only completes a path: trust
   * still has to end at a configured certificate. The address comes from a
   * certificate nobody has verified yet, so the fetcher must refuse hosts off
   * an allow-list and internal addresses (shared-node/guarded-fetch.ts).
   * Off unless given.
   */
  fetchIntermediates?: { fetch: ResourceFetch };
  clock?: Clock;
  crypto?: Crypto;
}

export interface AuthenticatedPerson {
  /** The subject CN without the "(Authentication)" suffix, e.g. "Alice Marie Peeters". */
  name: string;
  givenNames: string;
  surname: string;
  /** The subject serialNumber: the national number on Belgian cards. */
  nationalNumber: string;
  country: string;
}

export interface ValidatedToken {
  certificate: x509.X509Certificate;
  /** The trusted CA certificate the path ended at. */
  trustedBy: x509.X509Certificate;
  algorithm: TokenAlgorithm;
  person: AuthenticatedPerson;
}

interface ParsedCertificate {
  certificate: x509.X509Certificate;
  person: AuthenticatedPerson;
  usageError: TokenValidationError | undefined;
  /** Imported public keys, per token algorithm. */
  keys: Map<string, CryptoKey>;
}

interface AlgorithmSpec {
  family: 'RSA' | 'RSA-PSS' | 'EC';
  hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  hashBytes: number;
  /** JWS ties each ES algorithm to one curve. */
  curve?: 'P-256' | 'P-384' | 'P-521';
}

const ALGORITHMS: Record<TokenAlgorithm, AlgorithmSpec> = {
  RS256: { family: 'RSA', hash: 'SHA-256', hashBytes: 32 },
  RS384: { family: 'RSA', hash: 'SHA-384', hashBytes: 48 },
  RS512: { family: 'RSA', hash: 'SHA-512', hashBytes: 64 },
  PS256: { family: 'RSA-PSS', hash: 'SHA-256', hashBytes: 32 },
  PS384: { family: 'RSA-PSS', hash: 'SHA-384', hashBytes: 48 },
  PS512: { family: 'RSA-PSS', hash: 'SHA-512', hashBytes: 64 },
  ES256: { family: 'EC', hash: 'SHA-256', hashBytes: 32, curve: 'P-256' },
  ES384: { family: 'EC', hash: 'SHA-384', hashBytes: 48, curve: 'P-384' },
  ES512: { family: 'EC', hash: 'SHA-512', hashBytes: 64, curve: 'P-521' },
};

const CURVE_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;

const OID = { commonName: '2.5.4.3', surname: '2.5.4.4', serialNumber: '2.5.4.5', country: '2.5.4.6', givenName: '2.5.4.42' };

function fail(code: ConstructorParameters<typeof TokenValidationError>[0], message: string, cause?: unknown): never {
  throw new TokenValidationError(code, message, cause === undefined ? undefined : { cause });
}

export function toCertificate(input: CertificateInput): x509.X509Certificate {
  if (input instanceof x509.X509Certificate) return input;
  if (typeof input === 'string') return new x509.X509Certificate(input.trim());
  return new x509.X509Certificate(input instanceof Uint8Array ? input.slice().buffer : input);
}

/** Splits a PEM bundle (one or many certificates) into certificates. */
export function parsePemBundle(pem: string): x509.X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new x509.X509Certificate(b));
}

/** https://host[:port], or http://localhost / 127.0.0.1 for development. */
export function checkSiteOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    fail('CONFIGURATION', `The site origin ${JSON.stringify(origin)} is not a URL`);
  }
  if (url.origin !== origin || origin.length > 255) fail('CONFIGURATION', 'The site origin must be scheme://host[:port], no path, at most 255 characters');
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) fail('CONFIGURATION', 'The site origin must be https (http only for localhost)');
  return origin;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks size, JSON shape and format; returns the typed token. */
export function parseAuthToken(token: unknown): WebEidAuthToken {
  if (token === undefined || token === null || token === '') fail('TOKEN_MISSING', 'No authentication token');
  let text: string;
  try {
    text = typeof token === 'string' ? token : JSON.stringify(token);
  } catch (e) {
    fail('TOKEN_PARSE', 'The authentication token cannot be serialized', e);
  }
  if (text.length < TOKEN_MIN_LENGTH || text.length > TOKEN_MAX_LENGTH) {
    fail('TOKEN_SIZE', `The authentication token must be ${TOKEN_MIN_LENGTH} to ${TOKEN_MAX_LENGTH} characters (got ${text.length})`);
  }
  let value: unknown = token;
  if (typeof token === 'string') {
    try {
      value = JSON.parse(token);
    } catch (e) {
      fail('TOKEN_PARSE', 'The authentication token is not JSON', e);
    }
  }
  if (!isRecord(value)) fail('TOKEN_MISSING', 'The authentication token must be a JSON object');
  for (const field of ['unverifiedCertificate', 'algorithm', 'signature', 'format'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') fail('TOKEN_PARSE', `The token field "${field}" must be a non-empty string`);
  }
  if (value.appVersion !== undefined && typeof value.appVersion !== 'string') fail('TOKEN_PARSE', 'The token field "appVersion" must be a string');
  const format = value.format as string;
  if (!/^web-eid:1(\.\d+)?$/.test(format)) fail('TOKEN_FORMAT', `Unsupported token format ${JSON.stringify(format.slice(0, 40))}`);
  const algorithm = value.algorithm as string;
  if (!Object.prototype.hasOwnProperty.call(ALGORITHMS, algorithm)) {
    fail('TOKEN_ALGORITHM_UNSUPPORTED', `Unsupported signature algorithm ${JSON.stringify(algorithm.slice(0, 20))}`);
  }
  return value as unknown as WebEidAuthToken;
}

function field(name: x509.Name, oid: string): string {
  return name.getField(oid)[0] ?? '';
}

export function personFromCertificate(certificate: x509.X509Certificate): AuthenticatedPerson {
  const subject = certificate.subjectName;
  const cn = field(subject, OID.commonName);
  return {
    name: cn.replace(/\s*\((Authentication|Authentification|Authentifizierung|Authenticatie)\)\s*$/i, ''),
    givenNames: field(subject, OID.givenName),
    surname: field(subject, OID.surname),
    nationalNumber: field(subject, OID.serialNumber),
    country: field(subject, OID.country),
  };
}

function sameBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export class WebEidTokenValidator {
  readonly siteOrigin: string;
  private readonly trusted: x509.X509Certificate[];
  private readonly intermediates: x509.X509Certificate[];
  private readonly clock: Clock;
  private readonly crypto: Crypto;
  private readonly ocsp: OcspOptions | undefined;
  /** The trust anchors whose certificates get OCSP; undefined = all. */
  private readonly ocspAnchors: x509.X509Certificate[] | undefined;
  /**
   * Issuer signatures already checked, keyed by the child certificate's bytes:
   * a CA's signature on a certificate never changes, so a returning card costs
   * one signature check instead of one per certificate on the path.
   */
  private readonly verifiedIssuers = new Map<string, x509.X509Certificate>();
  /**
   * Decoding a certificate and its extensions costs far more than the
   * signature check; what never changes for the same bytes (the parsed
   * certificate, its usage verdict, the person, the imported key) is kept for
   * returning cards. Time, chain, revocation and signature are checked on
   * every token.
   */
  private readonly parsed = new Map<string, ParsedCertificate>();
  private readonly fetchIntermediates: TokenValidatorOptions['fetchIntermediates'];
  /** CA certificates fetched from AIA addresses, by address. */
  private readonly fetched = new Map<string, x509.X509Certificate>();

  constructor(options: TokenValidatorOptions) {
    this.siteOrigin = checkSiteOrigin(options.siteOrigin);
    if (!options.trustedCertificates?.length) fail('CONFIGURATION', 'At least one trusted certificate authority is required');
    try {
      this.trusted = options.trustedCertificates.map(toCertificate);
      this.intermediates = (options.intermediateCertificates ?? []).map(toCertificate);
      this.ocspAnchors = options.ocsp?.trustAnchors?.map(toCertificate);
    } catch (e) {
      fail('CONFIGURATION', 'A configured CA certificate cannot be decoded', e);
    }
    this.clock = options.clock ?? systemClock;
    this.crypto = options.crypto ?? globalThis.crypto;
    this.ocsp = options.ocsp;
    this.fetchIntermediates = options.fetchIntermediates;
  }

  /** Takes the session's nonce from the store (once) and validates the token against it. */
  async validateWithStore(token: unknown, store: NonceStore, sessionId: string): Promise<ValidatedToken> {
    const nonce = await consumeChallengeNonce(store, sessionId, this.clock);
    return this.validate(token, nonce);
  }

  /**
   * Validates a token against a nonce the caller has already taken from its
   * store (single use and lifetime are the store's job; see validateWithStore).
   */
  async validate(token: unknown, challengeNonce: string): Promise<ValidatedToken> {
    const nonceBytes = strictBase64ToBytes(challengeNonce);
    if (!nonceBytes || nonceBytes.length < NONCE_BYTES) fail('NONCE_INVALID', `The challenge nonce must be base64 of at least ${NONCE_BYTES} bytes`);
    const parsed = parseAuthToken(token);
    const spec = ALGORITHMS[parsed.algorithm];

    const entry = this.parse(parsed.unverifiedCertificate);
    const { certificate } = entry;

    const now = new Date(this.clock.now());
    if (now < certificate.notBefore) fail('CERTIFICATE_NOT_YET_VALID', `The certificate is valid from ${certificate.notBefore.toISOString()}`);
    if (now > certificate.notAfter) fail('CERTIFICATE_EXPIRED', `The certificate expired on ${certificate.notAfter.toISOString()}`);
    if (entry.usageError) throw entry.usageError;

    const path = await this.buildPath(certificate, now);
    const trustedBy = path[path.length - 1]!;
    if (this.ocsp && (!this.ocspAnchors || this.ocspAnchors.some((a) => sameBytes(a.rawData, trustedBy.rawData)))) {
      await checkOcsp(certificate, path[0]!, { ...this.ocsp, clock: this.clock, crypto: this.crypto });
    }

    await this.verifySignature(entry, parsed, spec, challengeNonce);

    return {
      certificate,
      trustedBy,
      algorithm: parsed.algorithm,
      person: { ...entry.person },
    };
  }

  private parse(base64: string): ParsedCertificate {
    const cached = this.parsed.get(base64);
    if (cached) return cached;
    const der = strictBase64ToBytes(base64);
    if (!der) fail('CERTIFICATE_PARSE', 'The certificate is not base64');
    let certificate: x509.X509Certificate;
    let person: AuthenticatedPerson;
    try {
      certificate = new x509.X509Certificate(der.slice().buffer);
      person = personFromCertificate(certificate);
    } catch (e) {
      fail('CERTIFICATE_PARSE', 'The certificate cannot be decoded', e);
    }
    let usageError: TokenValidationError | undefined;
    try {
      this.checkKeyUsage(certificate);
    } catch (e) {
      if (!(e instanceof TokenValidationError)) throw e;
      usageError = e;
    }
    const entry: ParsedCertificate = { certificate, person, usageError, keys: new Map() };
    if (this.parsed.size >= 1000) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(base64, entry);
    return entry;
  }

  private checkKeyUsage(certificate: x509.X509Certificate): void {
    const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
    if (!keyUsage || (keyUsage.usages & x509.KeyUsageFlags.digitalSignature) === 0) {
      fail('CERTIFICATE_KEY_USAGE', 'The certificate is not for digital signatures (keyUsage)');
    }
    const eku = certificate.getExtension(x509.ExtendedKeyUsageExtension);
    if (eku && !eku.usages.includes(CLIENT_AUTH_EKU)) fail('CERTIFICATE_EXTENDED_KEY_USAGE', 'The certificate is not for client authentication (extendedKeyUsage)');
  }

  private isTrusted(certificate: x509.X509Certificate): boolean {
    return this.trusted.some((t) => sameBytes(t.rawData, certificate.rawData));
  }

  private async issuedBy(child: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
    if (child.issuer !== issuer.subject) return false;
    const key = bytesToBase64(new Uint8Array(child.rawData));
    if (this.verifiedIssuers.get(key) === issuer) return true;
    const constraints = issuer.getExtension(x509.BasicConstraintsExtension);
    if (!constraints?.ca) return false;
    const usage = issuer.getExtension(x509.KeyUsagesExtension);
    if (usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) return false;
    let ok = false;
    try {
      ok = await child.verify({ publicKey: issuer, signatureOnly: true }, this.crypto);
    } catch {
      ok = false;
    }
    if (ok) {
      if (this.verifiedIssuers.size >= 10_000) this.verifiedIssuers.delete(this.verifiedIssuers.keys().next().value!);
      this.verifiedIssuers.set(key, issuer);
    }
    return ok;
  }

  /**
   * The issuer named by the certificate's AIA caIssuers address, when fetching
   * is on and it really signed the certificate. Failures are collected: they
   * explain an untrusted certificate.
   */
  private async fetchIssuer(child: x509.X509Certificate, failures: unknown[]): Promise<x509.X509Certificate | undefined> {
    if (!this.fetchIntermediates) return undefined;
    const aia = child.getExtension(x509.AuthorityInfoAccessExtension);
    const urls = (aia?.caIssuers ?? []).filter((n) => n.type === 'url' && /^https?:\/\//i.test(n.value)).map((n) => n.value);
    for (const url of urls.slice(0, 2)) {
      let candidate = this.fetched.get(url);
      if (!candidate) {
        try {
          const bytes = await this.fetchIntermediates.fetch(url, { method: 'GET', accept: 'application/pkix-cert' });
          const text = new TextDecoder().decode(bytes);
          candidate = text.includes('-----BEGIN CERTIFICATE-----') ? parsePemBundle(text)[0] : new x509.X509Certificate(bytes.slice().buffer);
        } catch (e) {
          failures.push(e); // refused, unreachable or not a certificate: the path stays incomplete
          continue;
        }
        if (!candidate) continue;
      }
      if (await this.issuedBy(child, candidate)) {
        if (this.fetched.size >= 100) this.fetched.delete(this.fetched.keys().next().value!);
        this.fetched.set(url, candidate);
        return candidate;
      }
    }
    return undefined;
  }

  /** Returns [issuer, …, trusted CA]. Every configured certificate is a trust anchor, as in Web eID's validators. */
  private async buildPath(leaf: x509.X509Certificate, now: Date): Promise<x509.X509Certificate[]> {
    const path: x509.X509Certificate[] = [];
    const fetchFailures: unknown[] = [];
    let current = leaf;
    for (let depth = 0; depth < 6; depth++) {
      let next: x509.X509Certificate | undefined;
      for (const candidate of [...this.trusted, ...this.intermediates]) {
        if (await this.issuedBy(current, candidate)) {
          next = candidate;
          break;
        }
      }
      next ??= await this.fetchIssuer(current, fetchFailures);
      if (!next) break;
      if (now < next.notBefore || now > next.notAfter) fail('CA_CERTIFICATE_INVALID', `The CA certificate "${next.subject}" is not valid now`);
      path.push(next);
      if (this.isTrusted(next)) return path;
      current = next;
    }
    fail(
      'CERTIFICATE_UNTRUSTED',
      `The certificate issued by "${leaf.issuer}" does not chain to a trusted certificate authority`,
      fetchFailures.length ? new AggregateError(fetchFailures, 'Fetching the issuing CA failed') : undefined,
    );
  }

  private async verifySignature(entry: ParsedCertificate, token: WebEidAuthToken, spec: AlgorithmSpec, nonce: string): Promise<void> {
    const { certificate } = entry;
    const signature = strictBase64ToBytes(token.signature);
    if (!signature) fail('SIGNATURE_FORMAT', 'The signature is not base64');
    const keyAlgorithm = certificate.publicKey.algorithm as Algorithm & { namedCurve?: string };
    const keyIsEc = keyAlgorithm.name === 'ECDSA' || keyAlgorithm.name === 'EC';
    if (keyIsEc !== (spec.family === 'EC')) fail('TOKEN_ALGORITHM_KEY_MISMATCH', `${token.algorithm} does not fit the certificate's ${keyIsEc ? 'EC' : 'RSA'} key`);

    let importParams: RsaHashedImportParams | EcKeyImportParams;
    let verifyParams: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
    if (spec.family === 'EC') {
      if (keyAlgorithm.namedCurve !== spec.curve) fail('TOKEN_ALGORITHM_KEY_MISMATCH', `${token.algorithm} needs a ${spec.curve} key, the certificate has ${keyAlgorithm.namedCurve}`);
      if (signature.length !== 2 * CURVE_BYTES[spec.curve!]) fail('SIGNATURE_FORMAT', 'An ECDSA signature must be raw r‖s of the curve size');
      importParams = { name: 'ECDSA', namedCurve: spec.curve! };
      verifyParams = { name: 'ECDSA', hash: spec.hash };
    } else if (spec.family === 'RSA-PSS') {
      importParams = { name: 'RSA-PSS', hash: spec.hash };
      verifyParams = { name: 'RSA-PSS', saltLength: spec.hashBytes };
    } else {
      importParams = { name: 'RSASSA-PKCS1-v1_5', hash: spec.hash };
      verifyParams = { name: 'RSASSA-PKCS1-v1_5' };
    }
    let key = entry.keys.get(token.algorithm);
    if (!key) {
      try {
        key = await this.crypto.subtle.importKey('spki', certificate.publicKey.rawData, importParams, false, ['verify']);
      } catch (e) {
        fail('TOKEN_ALGORITHM_KEY_MISMATCH', `The certificate's key cannot be used with ${token.algorithm}`, e);
      }
      entry.keys.set(token.algorithm, key);
    }
    const subtle = this.crypto.subtle;
    const [originHash, nonceHash] = await Promise.all([subtle.digest(spec.hash, utf8(this.siteOrigin)), subtle.digest(spec.hash, utf8(nonce))]);
    const signed = concatBytes(new Uint8Array(originHash), new Uint8Array(nonceHash));
    let ok = false;
    try {
      ok = await subtle.verify(verifyParams, key, signature, signed);
    } catch (e) {
      fail('SIGNATURE_INVALID', 'The signature could not be verified', e);
    }
    if (!ok) fail('SIGNATURE_INVALID', 'The signature does not match this site, this challenge and this certificate');
  }
}

/** The data a card signs for a Web eID login: H(origin) ‖ H(nonce), hashed once more by the signature scheme. */
export async function authenticationSignedData(origin: string, nonce: string, hash: AlgorithmSpec['hash'], crypto: Crypto = globalThis.crypto): Promise<Uint8Array<ArrayBuffer>> {
  const [o, n] = await Promise.all([crypto.subtle.digest(hash, utf8(origin)), crypto.subtle.digest(hash, utf8(nonce))]);
  return concatBytes(new Uint8Array(o), new Uint8Array(n));
}

export function hashForAlgorithm(algorithm: TokenAlgorithm): 'SHA-256' | 'SHA-384' | 'SHA-512' {
  return ALGORITHMS[algorithm].hash;
}
