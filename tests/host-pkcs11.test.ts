/**
 * The real eid-bridge-host process with SoftHSM2 tokens through PKCS#11:
 * what a browser gets for authenticate, get-signing-certificate and sign.
 */
import { createHash, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../devtools/test-pki/test-pki.js';
import { HostProcess } from './helpers/host-process.js';
import { createSoftHsmToken, type SoftHsmToken } from './helpers/softhsm.js';

const ORIGIN = 'https://www.belgium.be';

function hostFor(token: SoftHsmToken): HostProcess {
  return new HostProcess({ ...token.env, EID_BRIDGE_BACKENDS: 'pkcs11', EID_BRIDGE_PKCS11_MODULE: token.modulePath });
}

/** What a Web eID validator does with the token: verify over H(origin) ‖ H(nonce). */
function verifyToken(token: Record<string, unknown>, origin: string, nonce: string): boolean {
  const algorithm = token.algorithm as string;
  const hash = { RS256: 'sha256', ES384: 'sha384' }[algorithm];
  if (!hash) throw new Error(`unexpected algorithm ${algorithm}`);
  const signed = Buffer.concat([createHash(hash).update(origin).digest(), createHash(hash).update(nonce).digest()]);
  const cert = new X509Certificate(Buffer.from(token.unverifiedCertificate as string, 'base64'));
  return createVerify(hash)
    .update(signed)
    .verify({ key: cert.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(token.signature as string, 'base64'));
}

let host: HostProcess | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe.each([
  ['rsa', 'RS256'],
  ['ec', 'ES384'],
] as const)('host with a SoftHSM2 %s token', (keyType, algorithm) => {
  let pki: TestPki;
  let token: SoftHsmToken;
  beforeAll(async () => {
    pki = await createTestPki({ keyType });
    token = await createSoftHsmToken({ label: `eid-${keyType}`, pki });
  });
  afterAll(async () => token.cleanup());

  it('lists the authentication and signing certificates with their details', async () => {
    host = hostFor(token);
    await host.next();
    const { result } = await host.request('list-certificates');
    const certs = result?.certificates as Array<Record<string, unknown>>;
    expect(certs.map((c) => c.usage).sort()).toEqual(['authentication', 'signing']);
    const auth = certs.find((c) => c.usage === 'authentication');
    expect(auth).toMatchObject({
      commonName: 'Alice Marie Peeters (Authentication)',
      keyType: keyType === 'rsa' ? 'RSA' : 'EC',
      keySize: keyType === 'rsa' ? 2048 : 384,
      certificate: Buffer.from(pki.authentication.der).toString('base64'),
    });
    expect(auth?.issuer).toContain('Citizen CA');
  });

  it(`authenticates: the ${algorithm} token verifies over the origin and nonce`, async () => {
    host = hostFor(token);
    await host.next();
    const nonce = randomBytes(32).toString('base64');
    const { result, error } = await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN, pin: '1234' });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ algorithm, format: 'web-eid:1.0', unverifiedCertificate: Buffer.from(pki.authentication.der).toString('base64') });
    expect(verifyToken(result!, ORIGIN, nonce)).toBe(true);
    // Bound to the origin: the same token does not verify for another site.
    expect(verifyToken(result!, 'https://evil.example', nonce)).toBe(false);
  });

  it('signs a document hash with the signing key', async () => {
    host = hostFor(token);
    await host.next();
    const cert = await host.request('get-signing-certificate');
    expect(cert.result?.certificate).toBe(Buffer.from(pki.signing!.der).toString('base64'));
    expect(cert.result?.supportedSignatureAlgorithms).toContainEqual({
      cryptoAlgorithm: keyType === 'rsa' ? 'RSA' : 'ECC',
      hashFunction: 'SHA-256',
      paddingScheme: keyType === 'rsa' ? 'PKCS1.5' : 'NONE',
    });
    const document = Buffer.from('Ik verklaar hierbij dat alle gegevens juist zijn.');
    const hash = createHash('sha256').update(document).digest('base64');
    const { result, error } = await host.request('sign', { certificate: cert.result!.certificate, hash, hashFunction: 'SHA-256', pin: '1234' });
    expect(error).toBeUndefined();
    const ok = createVerify('sha256')
      .update(document)
      .verify({ key: new X509Certificate(pki.signing!.der).publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(result!.signature as string, 'base64'));
    expect(ok).toBe(true);
  });

  it('answers PIN_INCORRECT for a wrong PIN and PIN_REQUIRED without one, then still works', async () => {
    host = hostFor(token);
    await host.next();
    const nonce = randomBytes(32).toString('base64');
    const wrong = await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN, pin: '9999' });
    expect(wrong.error?.code).toBe('PIN_INCORRECT');
    expect(JSON.stringify(wrong)).not.toContain('9999');
    const none = await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN });
    expect(none.error?.code).toBe('PIN_REQUIRED');
    const right = await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN, pin: '1234' });
    expect(verifyToken(right.result!, ORIGIN, nonce)).toBe(true);
  });
});

describe('host with unusual tokens', () => {
  it('says there is no signing certificate on a token without one', async () => {
    const pki = await createTestPki({ keyType: 'ec', withSigning: false });
    const token = await createSoftHsmToken({ label: 'kids-id', pki, withSigning: false });
    try {
      host = hostFor(token);
      await host.next();
      const reply = await host.request('get-signing-certificate');
      expect(reply.error?.code).toBe('NO_SIGNING_CERTIFICATE');
    } finally {
      await token.cleanup();
    }
  });

  it('asks to choose between two tokens, then uses the chosen one', async () => {
    const alice = await createTestPki({ keyType: 'ec' });
    const bob = await createTestPki({ keyType: 'rsa', person: { givenNames: 'Bob', surname: 'Janssens', nationalNumber: '85073000160' } });
    const first = await createSoftHsmToken({ label: 'alice', pki: alice });
    const second = await createSoftHsmToken({ label: 'bob', pki: bob, dir: first.dir });
    try {
      host = hostFor(first);
      await host.next();
      const nonce = randomBytes(32).toString('base64');
      const ask = await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN, pin: '1234' });
      expect(ask.error?.code).toBe('CERTIFICATE_CHOICE_REQUIRED');
      const choices = ask.error?.choices as Array<{ certificate: string; subject: string }>;
      expect(choices).toHaveLength(2);
      expect(choices.map((c) => c.subject)).toEqual(
        expect.arrayContaining([expect.stringContaining('CN=Alice Marie Peeters (Authentication)'), expect.stringContaining('CN=Bob Janssens (Authentication)')]),
      );
      const bobCert = Buffer.from(bob.authentication.der).toString('base64');
      const chosen = await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN, pin: '1234', certificate: bobCert });
      expect(chosen.result).toMatchObject({ algorithm: 'RS256', unverifiedCertificate: bobCert });
      expect(verifyToken(chosen.result!, ORIGIN, nonce)).toBe(true);
    } finally {
      await second.cleanup();
      await first.cleanup();
    }
  });

  it('names what to install when no PKCS#11 module exists', async () => {
    host = new HostProcess({ EID_BRIDGE_BACKENDS: 'pkcs11', EID_BRIDGE_PKCS11_MODULE: '/nonexistent/libnothing.so' });
    await host.next();
    const status = await host.request('status');
    expect(status.result?.backends).toEqual([expect.objectContaining({ name: 'pkcs11', available: false, reason: expect.stringContaining('/nonexistent/libnothing.so') })]);
    const auth = await host.request('authenticate', { challengeNonce: randomBytes(32).toString('base64'), origin: ORIGIN, pin: '1234' });
    expect(auth.error?.code).toMatch(/PKCS11_MODULE_MISSING|NO_CARD/);
  });
});

describe('choosing the card backends from the options page', () => {
  it('switches to PKCS#11 with a given module, and keeps the choice for the next start', async () => {
    const { chmodSync, copyFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'eid-host-config-'));
    const pki = await createTestPki({ keyType: 'ec' });
    const token = await createSoftHsmToken({ label: 'configured', pki });
    const env = { ...token.env, EID_BRIDGE_CONFIG: join(dir, 'host.json'), EID_BRIDGE_BACKENDS: '', EID_BRIDGE_PKCS11_MODULE: '' };
    try {
      host = new HostProcess(env);
      await host.next();
      const bad = await host.request('configure-backends', { backends: ['pkcs11'], pkcs11Module: 'libsofthsm2.so' });
      expect(bad.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'pkcs11Module' });
      // SoftHSM is not a known card-module location: the person must have confirmed it in the options page.
      const unconfirmed = await host.request('configure-backends', { backends: ['pkcs11'], pkcs11Module: token.modulePath });
      expect(unconfirmed.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'pkcs11Module', message: expect.stringContaining('not a known PKCS#11 module location') });
      // A copy of the library where any user could have put it is refused even when confirmed.
      const planted = join(dir, 'libsofthsm2.so');
      copyFileSync(token.modulePath, planted);
      chmodSync(dir, 0o777);
      const refused = await host.request('configure-backends', { backends: ['pkcs11'], pkcs11Module: planted, pkcs11ModuleConfirmed: true });
      expect(refused.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('could be replaced by another user') });
      chmodSync(dir, 0o700);
      const set = await host.request('configure-backends', { backends: ['pkcs11'], pkcs11Module: token.modulePath, pkcs11ModuleConfirmed: true });
      expect(set.result?.backends).toEqual([expect.objectContaining({ name: 'pkcs11', available: true })]);
      const certs = await host.request('list-certificates');
      expect((certs.result?.certificates as unknown[]).length).toBe(2);
      await host.close();

      host = new HostProcess(env);
      await host.next();
      const status = await host.request('status');
      expect((status.result?.backends as Array<{ name: string }>).map((b) => b.name)).toEqual(['pkcs11']);
      expect(status.result?.readers).toEqual([expect.objectContaining({ tokenLabel: 'configured', virtual: true })]);
    } finally {
      await token.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
