/**
 * A card certificate names where its issuing CA can be fetched (AIA
 * caIssuers). The certificate is not verified yet when that address is read,
 * so the backend must not become a way to make requests elsewhere: fetching
 * is off by default, and when on it asks only allowed hosts at public
 * addresses. The address here points at a real server of the test on
 * 127.0.0.1, which counts every connection it gets.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { GuardedFetchError } from '../../shared-node/guarded-fetch.js';
import { generateChallengeNonce } from '../../shared/token-validator/nonce-store.js';
import { createTestAuthToken } from '../../shared/token-validator/test-token.js';
import { TokenValidationError } from '../../shared/token-validator/errors.js';
import { WebEidTokenValidator } from '../../shared/token-validator/validator.js';
import { configFromEnv, type BackendConfig } from '../config.js';
import { startBackend } from '../server.js';
import { eidCheckOptions } from '../trust.js';
import { Client, errorCode, loginWithCard, testBackendConfig } from './helpers.js';

const crypto = webcrypto as unknown as Crypto;

let pki: TestPki;
/** The test card, its certificate naming the test server as its issuer's address. */
let card: TestPki;
let server: Server;
let issuerUrl: string;
let connections = 0;

/** The test card's key in a certificate its Citizen CA issues with other extensions. */
async function cardCertificate(serialNumber: string, extensions: x509.Extension[]): Promise<Uint8Array> {
  const auth = pki.authentication;
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber,
      subject: auth.certificate.subject,
      issuer: pki.citizenCa.certificate.subject,
      notBefore: auth.certificate.notBefore,
      notAfter: auth.certificate.notAfter,
      publicKey: auth.publicKey,
      signingKey: pki.citizenCa.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true), ...extensions],
    },
    crypto,
  );
  return new Uint8Array(certificate.rawData);
}

beforeAll(async () => {
  pki = await createTestPki({ keyType: 'ec', withSigning: false });
  server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/pkix-cert' });
    res.end(Buffer.from(pki.citizenCa.der));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/citizen-ca.crt`;

  const der = await cardCertificate('0c0ffee0', [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    new x509.AuthorityInfoAccessExtension({ caIssuers: [new x509.GeneralName('url', issuerUrl)] }),
  ]);
  card = { ...pki, authentication: { ...pki.authentication, certificate: new x509.X509Certificate(der.slice().buffer), der } };
}, 30_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  connections = 0;
});

/** A real backend trusting only the test root (not its Citizen CA) unless told otherwise, and one login with the card. */
async function loginTrustingOnlyTheRoot(overrides: Partial<BackendConfig>, trusted = [pki.root.der]): Promise<string | undefined> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eid-bridge-fetching-'));
  const backend = await startBackend(testBackendConfig(dataDir, overrides), { trustedCertificates: trusted });
  try {
    const login = await loginWithCard(new Client(backend.url), card, backend.origin);
    return login.status === 200 ? 'logged in' : errorCode(login);
  } finally {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe("fetching a card's issuing CA from the address in its certificate", () => {
  it('is off by default: a card whose issuing CA is not known is refused and nothing is fetched', async () => {
    // The card itself is fine: with its Citizen CA known, it logs in.
    expect(await loginTrustingOnlyTheRoot({}, [pki.root.der, pki.citizenCa.der])).toBe('logged in');
    const defaults = configFromEnv({});
    expect(defaults.fetchIntermediates).toBe(false);
    expect(await loginTrustingOnlyTheRoot({ fetchIntermediates: defaults.fetchIntermediates })).toBe('CERTIFICATE_UNTRUSTED');
    expect(connections).toBe(0);
  });

  it('when on, asks only the Belgian PKI hosts: an address elsewhere is never contacted', async () => {
    expect(await loginTrustingOnlyTheRoot({ fetchIntermediates: true })).toBe('CERTIFICATE_UNTRUSTED');
    expect(connections).toBe(0);
  });

  it('when on, never connects to a loopback address, even on the allow-list', async () => {
    expect(await loginTrustingOnlyTheRoot({ fetchIntermediates: true, pkiHosts: ['127.0.0.1'] })).toBe('CERTIFICATE_UNTRUSTED');
    expect(connections).toBe(0);
  });

  it('refuses an allowed name that resolves to an internal address, and says why', async () => {
    const aimed = `http://ca.test:${new URL(issuerUrl).port}/citizen-ca.crt`;
    const aimedCard = await cardCertificate('0c0ffee1', [new x509.AuthorityInfoAccessExtension({ caIssuers: [new x509.GeneralName('url', aimed)] })]);
    let resolved = 0;
    const options = eidCheckOptions({ ...configFromEnv({}), fetchIntermediates: true, pkiHosts: ['ca.test'] }, [pki.root.der], async () => {
      resolved++;
      return [{ address: '127.0.0.1', family: 4 }];
    });
    const validator = new WebEidTokenValidator({ siteOrigin: 'https://login.example.be', trustedCertificates: [pki.root.der], ...options, crypto });
    const nonce = generateChallengeNonce(crypto);
    const token = await createTestAuthToken({ certificateDer: aimedCard, privateKey: pki.authentication.privateKey, origin: 'https://login.example.be', nonce, crypto });
    const refusal = await validator.validate(token, nonce).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(TokenValidationError);
    expect((refusal as TokenValidationError).code).toBe('CERTIFICATE_UNTRUSTED');
    const reasons = ((refusal as Error).cause as AggregateError).errors;
    expect(reasons.map((e: unknown) => (e instanceof GuardedFetchError ? e.code : e))).toEqual(['ADDRESS_NOT_PUBLIC']);
    expect(resolved).toBe(1);
    expect(connections).toBe(0);
  });

  it("sends OCSP requests to the certificate's own responder address under the same rules", async () => {
    const withOcspAddress = await cardCertificate('0c0ffee2', [
      new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', issuerUrl.replace('/citizen-ca.crt', '/ocsp'))] }),
    ]);
    const trusted = [pki.root.der, pki.citizenCa.der];
    const validator = new WebEidTokenValidator({
      siteOrigin: 'https://login.example.be',
      trustedCertificates: trusted,
      ...eidCheckOptions({ ...configFromEnv({}), ocsp: 'all', pkiHosts: ['127.0.0.1'] }, trusted),
      crypto,
    });
    const nonce = generateChallengeNonce(crypto);
    const token = await createTestAuthToken({ certificateDer: withOcspAddress, privateKey: pki.authentication.privateKey, origin: 'https://login.example.be', nonce, crypto });
    const refusal = await validator.validate(token, nonce).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((refusal as TokenValidationError).code).toBe('OCSP_UNAVAILABLE');
    expect(((refusal as Error).cause as GuardedFetchError).code).toBe('ADDRESS_NOT_PUBLIC');
    expect(connections).toBe(0);
  });
});
