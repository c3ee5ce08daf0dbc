import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import * as x509 from '@peculiar/x509';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertStatus,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { WebEidTokenValidator, type TokenValidatorOptions } from './validator.js';
import { InMemoryNonceStore, issueChallengeNonce, generateChallengeNonce, type Clock } from './nonce-store.js';
import { createTestAuthToken } from './test-token.js';
import { isTokenValidationError, type TokenErrorCode } from './errors.js';
import { fetchWithLimits } from './fetch.js';
import { bytesToBase64, strictBase64ToBytes } from '../bytes.js';

const crypto = webcrypto as unknown as Crypto;
const ORIGIN = 'https://login.example.be';

let rsa: TestPki;
let ec: TestPki;
let otherRoot: TestPki;

beforeAll(async () => {
  [rsa, ec, otherRoot] = await Promise.all([createTestPki({ keyType: 'rsa' }), createTestPki({ keyType: 'ec' }), createTestPki({ keyType: 'ec' })]);
});

function validatorFor(pki: TestPki, extra: Partial<TokenValidatorOptions> = {}): WebEidTokenValidator {
  return new WebEidTokenValidator({ siteOrigin: ORIGIN, trustedCertificates: [pki.root.pem, pki.citizenCa.pem], crypto, ...extra });
}

async function tokenFor(pki: TestPki, nonce: string, extra: { origin?: string; algorithm?: 'RS256' | 'PS256' | 'PS384' | 'RS512' | 'ES384' } = {}) {
  return createTestAuthToken({
    certificateDer: pki.authentication.der,
    privateKey: pki.authentication.privateKey,
    origin: extra.origin ?? ORIGIN,
    nonce,
    ...(extra.algorithm ? { algorithm: extra.algorithm } : {}),
    crypto,
  });
}

async function rejection(p: Promise<unknown>): Promise<TokenErrorCode> {
  try {
    await p;
  } catch (e) {
    if (isTokenValidationError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** A variant of the EC card's authentication certificate, issued by its citizen CA, with other extensions. */
async function authenticationCertificateWith(pki: TestPki, serialNumber: string, extensions: x509.Extension[]): Promise<Uint8Array> {
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber,
      subject: pki.authentication.certificate.subjectName,
      issuer: pki.citizenCa.certificate.subjectName,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
      publicKey: pki.authentication.publicKey,
      signingKey: pki.citizenCa.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
      extensions,
    },
    crypto,
  );
  return new Uint8Array(cert.rawData);
}

describe('accepting tokens', () => {
  it('accepts an RSA card token (RS256) and names the person from the certificate', async () => {
    const nonce = generateChallengeNonce(crypto);
    const result = await validatorFor(rsa).validate(await tokenFor(rsa, nonce), nonce);
    expect(result.person).toEqual({ name: 'Alice Marie Peeters', givenNames: 'Alice Marie', surname: 'Peeters', nationalNumber: '85073000259', country: 'BE' });
    expect(result.algorithm).toBe('RS256');
  });

  it('accepts a P-384 card token (ES384, raw r‖s) and PS/RS variants with other hashes', async () => {
    const nonce = generateChallengeNonce(crypto);
    expect((await validatorFor(ec).validate(await tokenFor(ec, nonce), nonce)).algorithm).toBe('ES384');
    for (const algorithm of ['PS256', 'PS384', 'RS512'] as const) {
      const n = generateChallengeNonce(crypto);
      expect((await validatorFor(rsa).validate(await tokenFor(rsa, n, { algorithm }), n)).algorithm).toBe(algorithm);
    }
  });

  it('accepts the token as a JSON string too', async () => {
    const nonce = generateChallengeNonce(crypto);
    const token = JSON.stringify(await tokenFor(ec, nonce));
    await expect(validatorFor(ec).validate(token, nonce)).resolves.toBeTruthy();
  });

  it('completes the path with an intermediate when only the root is trusted', async () => {
    const nonce = generateChallengeNonce(crypto);
    const token = await tokenFor(rsa, nonce);
    const rootOnly = new WebEidTokenValidator({ siteOrigin: ORIGIN, trustedCertificates: [rsa.root.pem], intermediateCertificates: [rsa.citizenCa.der], crypto });
    expect((await rootOnly.validate(token, nonce)).trustedBy.subject).toContain('TEST Root');
    const noIntermediate = new WebEidTokenValidator({ siteOrigin: ORIGIN, trustedCertificates: [rsa.root.pem], crypto });
    expect(await rejection(noIntermediate.validate(token, nonce))).toBe('CERTIFICATE_UNTRUSTED');
  });
});

describe('rejecting tokens', () => {
  it('refuses a token signed for another site (wrong origin)', async () => {
    const nonce = generateChallengeNonce(crypto);
    const token = await tokenFor(ec, nonce, { origin: 'https://evil.example' });
    expect(await rejection(validatorFor(ec).validate(token, nonce))).toBe('SIGNATURE_INVALID');
  });

  it('refuses a bad signature and a signature over another nonce', async () => {
    const nonce = generateChallengeNonce(crypto);
    const token = await tokenFor(rsa, nonce);
    const sig = strictBase64ToBytes(token.signature)!;
    sig[10] = sig[10]! ^ 0xff;
    expect(await rejection(validatorFor(rsa).validate({ ...token, signature: bytesToBase64(sig) }, nonce))).toBe('SIGNATURE_INVALID');
    expect(await rejection(validatorFor(rsa).validate(token, generateChallengeNonce(crypto)))).toBe('SIGNATURE_INVALID');
  });

  it('refuses a DER-encoded ECDSA signature (must be raw r‖s)', async () => {
    const nonce = generateChallengeNonce(crypto);
    const token = await tokenFor(ec, nonce);
    const raw = strictBase64ToBytes(token.signature)!;
    const int = (b: Uint8Array) => (b[0]! & 0x80 ? [0x02, b.length + 1, 0, ...b] : [0x02, b.length, ...b]);
    const body = [...int(raw.subarray(0, 48)), ...int(raw.subarray(48))];
    const der = new Uint8Array([0x30, body.length, ...body]);
    expect(await rejection(validatorFor(ec).validate({ ...token, signature: bytesToBase64(der) }, nonce))).toBe('SIGNATURE_FORMAT');
  });

  it('refuses expired and not-yet-valid certificates', async () => {
    const day = 86_400_000;
    const expired = await createTestPki({ keyType: 'ec', notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - day), withSigning: false });
    const future = await createTestPki({ keyType: 'ec', notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 400 * day), withSigning: false });
    const nonce = generateChallengeNonce(crypto);
    expect(await rejection(validatorFor(expired).validate(await tokenFor(expired, nonce), nonce))).toBe('CERTIFICATE_EXPIRED');
    expect(await rejection(validatorFor(future).validate(await tokenFor(future, nonce), nonce))).toBe('CERTIFICATE_NOT_YET_VALID');
  });

  it('refuses a certificate from another root', async () => {
    const nonce = generateChallengeNonce(crypto);
    expect(await rejection(validatorFor(ec).validate(await tokenFor(otherRoot, nonce), nonce))).toBe('CERTIFICATE_UNTRUSTED');
  });

  it('refuses the signature certificate (no digitalSignature) and a certificate without clientAuth', async () => {
    const nonce = generateChallengeNonce(crypto);
    const signToken = await createTestAuthToken({ certificateDer: ec.signing!.der, privateKey: ec.signing!.privateKey, origin: ORIGIN, nonce, crypto });
    expect(await rejection(validatorFor(ec).validate(signToken, nonce))).toBe('CERTIFICATE_KEY_USAGE');

    const serverAuthOnly = await authenticationCertificateWith(ec, '0102', [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ]);
    const ekuToken = await createTestAuthToken({ certificateDer: serverAuthOnly, privateKey: ec.authentication.privateKey, origin: ORIGIN, nonce, crypto });
    expect(await rejection(validatorFor(ec).validate(ekuToken, nonce))).toBe('CERTIFICATE_EXTENDED_KEY_USAGE');
  });

  it('refuses oversized, tiny, malformed, wrongly formatted and mismatched tokens', async () => {
    const nonce = generateChallengeNonce(crypto);
    const token = await tokenFor(ec, nonce);
    const v = validatorFor(ec);
    expect(await rejection(v.validate({ ...token, appVersion: 'x'.repeat(10_001) }, nonce))).toBe('TOKEN_SIZE');
    expect(await rejection(v.validate({ format: 'web-eid:1.0' }, nonce))).toBe('TOKEN_SIZE');
    expect(await rejection(v.validate(undefined, nonce))).toBe('TOKEN_MISSING');
    expect(await rejection(v.validate('{' + 'x'.repeat(200), nonce))).toBe('TOKEN_PARSE');
    expect(await rejection(v.validate({ ...token, format: 'web-eid:2.0' }, nonce))).toBe('TOKEN_FORMAT');
    expect(await rejection(v.validate({ ...token, algorithm: 'HS256' }, nonce))).toBe('TOKEN_ALGORITHM_UNSUPPORTED');
    expect(await rejection(v.validate({ ...token, algorithm: 'RS256' }, nonce))).toBe('TOKEN_ALGORITHM_KEY_MISMATCH');
    expect(await rejection(v.validate({ ...token, unverifiedCertificate: 'AAAA' + token.unverifiedCertificate.slice(4) }, nonce))).toBe('CERTIFICATE_PARSE');
    expect(await rejection(v.validate(token, 'c2hvcnQ='))).toBe('NONCE_INVALID');
  });

  it('refuses a configuration without trusted CAs or with an http origin', () => {
    expect(() => new WebEidTokenValidator({ siteOrigin: ORIGIN, trustedCertificates: [] })).toThrow(/trusted/);
    expect(() => new WebEidTokenValidator({ siteOrigin: 'http://example.be', trustedCertificates: [ec.root.pem] })).toThrow(/https/);
    expect(() => new WebEidTokenValidator({ siteOrigin: 'http://localhost:8080', trustedCertificates: [ec.root.pem] })).not.toThrow();
  });
});

describe('nonces', () => {
  it('accepts a nonce once: a replayed token is refused', async () => {
    const store = new InMemoryNonceStore();
    const { nonce } = await issueChallengeNonce(store, 'session-1', { crypto });
    expect(nonce).toHaveLength(44);
    const token = await tokenFor(ec, nonce);
    await expect(validatorFor(ec).validateWithStore(token, store, 'session-1')).resolves.toBeTruthy();
    expect(await rejection(validatorFor(ec).validateWithStore(token, store, 'session-1'))).toBe('NONCE_NOT_FOUND');
  });

  it('binds the nonce to the session it was issued to', async () => {
    const store = new InMemoryNonceStore();
    const { nonce } = await issueChallengeNonce(store, 'session-a', { crypto });
    const token = await tokenFor(ec, nonce);
    expect(await rejection(validatorFor(ec).validateWithStore(token, store, 'session-b'))).toBe('NONCE_NOT_FOUND');
  });

  it('refuses a nonce after its 5 minutes', async () => {
    let now = Date.now();
    const clock: Clock = { now: () => now };
    const store = new InMemoryNonceStore(clock);
    const { nonce } = await issueChallengeNonce(store, 's', { clock, crypto });
    const token = await tokenFor(ec, nonce);
    now += 5 * 60 * 1000 + 1;
    expect(await rejection(validatorFor(ec, { clock }).validateWithStore(token, store, 's'))).toBe('NONCE_EXPIRED');
  });
});

describe('OCSP', () => {
  type Answer = 'good' | 'revoked' | 'unknown' | 'silent' | 'foreign-signer';
  let answer: Answer = 'good';
  let server: Server;
  let url: string;

  async function signedResponse(requestDer: Buffer, pki: TestPki): Promise<ArrayBuffer> {
    const request = AsnConvert.parse(requestDer, OCSPRequest);
    const certID = request.tbsRequest.requestList[0]!.reqCert;
    const status =
      answer === 'revoked'
        ? new CertStatus({ revoked: new RevokedInfo({ revocationTime: new Date(Date.now() - 3600_000) }) })
        : answer === 'unknown'
          ? new CertStatus({ unknown: null })
          : new CertStatus({ good: null });
    const data = new ResponseData({
      responderID: new ResponderID({ byName: AsnConvert.parse(pki.citizenCa.certificate.rawData, Certificate).tbsCertificate.subject }),
      producedAt: new Date(),
      responses: [new SingleResponse({ certID, certStatus: status, thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 3600_000) })],
    });
    const tbs = AsnConvert.serialize(data);
    const signerKey = answer === 'foreign-signer' ? otherRoot.citizenCa.privateKey : pki.citizenCa.privateKey;
    const derSig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, signerKey, tbs));
    // WebCrypto gives raw r‖s; OCSP carries DER SEQUENCE { r, s }.
    const int = (b: Uint8Array) => {
      let i = 0;
      while (i < b.length - 1 && b[i] === 0) i++;
      const v = b.subarray(i);
      return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
    };
    const body = [...int(derSig.subarray(0, 48)), ...int(derSig.subarray(48))];
    const sig = new Uint8Array([0x30, ...(body.length > 127 ? [0x81, body.length] : [body.length]), ...body]);
    const basic = new BasicOCSPResponse({
      tbsResponseData: data,
      signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }),
      signature: sig.buffer,
    });
    return AsnConvert.serialize(
      new OCSPResponse({
        responseStatus: OCSPResponseStatus.successful,
        responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
      }),
    );
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (answer === 'silent') return; // never answers: the validator must time out
        signedResponse(Buffer.concat(chunks), ec).then(
          (body) => {
            res.writeHead(200, { 'Content-Type': 'application/ocsp-response' });
            res.end(Buffer.from(body));
          },
          (e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocsp`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function withOcsp(a: Answer, trustAnchors?: string[]): Promise<TokenErrorCode | 'accepted'> {
    answer = a;
    const nonce = generateChallengeNonce(crypto);
    const v = validatorFor(ec, { ocsp: { responderUrl: url, timeoutMs: 300, ...(trustAnchors ? { trustAnchors } : {}) } });
    try {
      await v.validate(await tokenFor(ec, nonce), nonce);
      return 'accepted';
    } catch (e) {
      if (isTokenValidationError(e)) return e.code;
      throw e;
    }
  }

  it('accepts a good certificate and refuses revoked and unknown ones', async () => {
    expect(await withOcsp('good')).toBe('accepted');
    expect(await withOcsp('revoked')).toBe('CERTIFICATE_REVOKED');
    expect(await withOcsp('unknown')).toBe('CERTIFICATE_STATUS_UNKNOWN');
  });

  it('refuses an answer signed by someone else and gives up after the timeout', async () => {
    expect(await withOcsp('foreign-signer')).toBe('OCSP_RESPONSE_INVALID');
    const started = Date.now();
    expect(await withOcsp('silent')).toBe('OCSP_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('asks only about certificates under the trust anchors it is given, when given some', async () => {
    expect(await withOcsp('revoked', [ec.citizenCa.pem])).toBe('CERTIFICATE_REVOKED');
    expect(await withOcsp('revoked', [otherRoot.root.pem])).toBe('accepted');
  });
});

describe('fetching a missing issuing CA (AIA caIssuers)', () => {
  let server: Server;
  let base: string;
  let served: Uint8Array;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/pkix-cert' });
      res.end(Buffer.from(served));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** A card certificate naming where its issuer can be fetched, like the real ones (certs.eid.belgium.be). */
  function leafWithAia(pki: TestPki): Promise<Uint8Array> {
    return authenticationCertificateWith(pki, '0a0b', [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.AuthorityInfoAccessExtension({ caIssuers: [new x509.GeneralName('url', `${base}/citizen.crt`)] }),
    ]);
  }

  it('completes the path to a trusted root with the fetched CA, and only when that CA really signed the card', async () => {
    const der = await leafWithAia(ec);
    const nonce = generateChallengeNonce(crypto);
    const token = await createTestAuthToken({ certificateDer: der, privateKey: ec.authentication.privateKey, origin: ORIGIN, nonce, crypto });
    const rootOnly = (fetching: boolean) =>
      new WebEidTokenValidator({
        siteOrigin: ORIGIN,
        trustedCertificates: [ec.root.pem],
        crypto,
        ...(fetching ? { fetchIntermediates: { fetch: fetchWithLimits({ timeoutMs: 2000 }) } } : {}),
      });

    served = ec.citizenCa.der;
    expect((await rootOnly(true).validate(token, nonce)).trustedBy.subject).toContain('TEST Root');
    expect(await rejection(rootOnly(false).validate(token, nonce))).toBe('CERTIFICATE_UNTRUSTED');

    served = otherRoot.citizenCa.der; // same name, another key: must not complete the path
    expect(await rejection(rootOnly(true).validate(token, nonce))).toBe('CERTIFICATE_UNTRUSTED');
  });
});
