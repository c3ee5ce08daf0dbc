/**
 * The PKCS#11 backend against real SoftHSM2 tokens laid out like Belgian eID
 * cards. SoftHSM2 reads SOFTHSM2_CONF at C_Initialize, so this file sets it
 * before the backend first loads the module.
 */
import { createHash, createPublicKey, verify, X509Certificate, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EidBridgeError, type ErrorCode } from '../../../../shared/errors.js';
import { createTestPki, type TestPki } from '../../../../devtools/test-pki/test-pki.js';
import { createSoftHsmToken, softHsmAvailable, type SoftHsmToken } from '../../../../tests/helpers/softhsm.js';
import type { DigestAlgorithm, SignOperation, TokenCertificate } from '../card-backend.js';
import { CKR } from './errors.js';
import { isBelpicTokenLabel, Pkcs11Backend } from './pkcs11-backend.js';

const PIN = new TextEncoder().encode('1234');
const NODE_HASH: Record<DigestAlgorithm, string> = {
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

async function expectEidError(promise: Promise<unknown>, code: ErrorCode): Promise<EidBridgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(EidBridgeError);
  expect((error as EidBridgeError).code).toBe(code);
  return error as EidBridgeError;
}

function digestOf(message: Buffer, algorithm: DigestAlgorithm): Uint8Array {
  return new Uint8Array(createHash(NODE_HASH[algorithm]).update(message).digest());
}

function signOp(certificate: TokenCertificate, message: Buffer, algorithm: DigestAlgorithm, pin: Uint8Array | undefined = PIN): SignOperation {
  return { certificate, digest: digestOf(message, algorithm), digestAlgorithm: algorithm, pin };
}

describe.skipIf(!softHsmAvailable())('Pkcs11Backend with SoftHSM2', () => {
  let alice: TestPki; // RSA, authentication and signature
  let bob: TestPki; // EC P-384, authentication and signature
  let kid: TestPki; // EC P-384, no signature key (Kids-ID)
  const tokens: SoftHsmToken[] = [];
  let backend: Pkcs11Backend;
  const savedConf = process.env.SOFTHSM2_CONF;

  beforeAll(async () => {
    [alice, bob, kid] = await Promise.all([
      createTestPki({ keyType: 'rsa' }),
      createTestPki({ keyType: 'ec', person: { givenNames: 'Bob', surname: 'Janssens', nationalNumber: '85073000160' } }),
      createTestPki({ keyType: 'ec', withSigning: false, person: { givenNames: 'Kim', surname: 'Maes', nationalNumber: '01010100126' } }),
    ]);
    const first = await createSoftHsmToken({ label: 'Alice RSA', pki: alice });
    tokens.push(first);
    tokens.push(await createSoftHsmToken({ label: 'Bob EC', pki: bob, dir: first.dir }));
    tokens.push(await createSoftHsmToken({ label: 'Kim Kids-ID', pki: kid, dir: first.dir }));
    // Labelled like the official middleware labels a Belgian card.
    tokens.push(await createSoftHsmToken({ label: 'BELPIC', pki: kid, dir: first.dir }));
    process.env.SOFTHSM2_CONF = first.env.SOFTHSM2_CONF;
    backend = new Pkcs11Backend({ modulePath: first.modulePath });
  });

  afterAll(async () => {
    await backend?.close();
    for (const token of tokens) await token.cleanup();
    if (savedConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = savedConf;
  });

  async function certificateOf(label: string, usage: 'authentication' | 'signing'): Promise<TokenCertificate> {
    const found = (await backend.certificates()).find((c) => c.tokenLabel === label && c.usage === usage);
    if (!found) throw new Error(`no ${usage} certificate on ${label}`);
    return found;
  }

  it('reports the module as available', async () => {
    const status = await backend.status();
    expect(status).toMatchObject({ name: 'pkcs11', available: true });
    expect(status.detail).toContain('SoftHSM');
  });

  it('lists every token as a reader with a distinct, stable token id', async () => {
    const readers = await backend.readers();
    const withTokens = readers.filter((r) => r.tokenLabel !== undefined);
    expect(withTokens.map((r) => r.tokenLabel).sort()).toEqual(['Alice RSA', 'BELPIC', 'Bob EC', 'Kim Kids-ID']);
    for (const reader of withTokens) {
      const cardType = reader.tokenLabel === 'BELPIC' ? 'BELPIC (PKCS#11)' : 'PKCS#11 token';
      expect(reader).toMatchObject({ backend: 'pkcs11', cardPresent: true, pinPad: false, cardType, virtual: true });
      expect(reader.name).not.toBe('');
      expect(reader.tokenId).toMatch(/^pkcs11:token=/);
    }
    expect(new Set(withTokens.map((r) => r.tokenId)).size).toBe(4);
    // Asking again gives the same ids: the host may hold on to them between requests.
    expect((await backend.readers()).map((r) => r.tokenId)).toEqual(readers.map((r) => r.tokenId));
  });

  it('lists authentication and signing certificates by key usage, with the key IDs of the card', async () => {
    const certificates = await backend.certificates();
    const summary = certificates.map((c) => `${c.tokenLabel}/${c.usage}/${c.keyRef}`).sort();
    // The CA and Root certificates on each token are not offered.
    expect(summary).toEqual([
      'Alice RSA/authentication/02',
      'Alice RSA/signing/03',
      'BELPIC/authentication/02',
      'Bob EC/authentication/02',
      'Bob EC/signing/03',
      'Kim Kids-ID/authentication/02',
    ]);
    const aliceAuth = certificates.find((c) => c.tokenLabel === 'Alice RSA' && c.usage === 'authentication')!;
    expect(Buffer.from(aliceAuth.der).equals(Buffer.from(alice.authentication.der))).toBe(true);
    const bobSign = certificates.find((c) => c.tokenLabel === 'Bob EC' && c.usage === 'signing')!;
    expect(Buffer.from(bobSign.der).equals(Buffer.from(bob.signing!.der))).toBe(true);
    const readers = await backend.readers();
    expect(readers.find((r) => r.tokenLabel === 'Bob EC')?.tokenId).toBe(bobSign.tokenId);
    expect(readers.find((r) => r.tokenLabel === 'Bob EC')?.name).toBe(bobSign.reader);
  });

  it('lists only the authentication certificate of a token without a signature key', async () => {
    const kidCertificates = (await backend.certificates()).filter((c) => c.tokenLabel === 'Kim Kids-ID');
    expect(kidCertificates.map((c) => c.usage)).toEqual(['authentication']);
  });

  it.each(['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'] as const)(
    'signs a %s digest with the RSA authentication key (PKCS#1 v1.5 that node:crypto verifies)',
    async (algorithm) => {
      const certificate = await certificateOf('Alice RSA', 'authentication');
      const message = randomBytes(100);
      const signature = await backend.sign(signOp(certificate, message, algorithm));
      expect(signature.length).toBe(256);
      const publicKey = new X509Certificate(certificate.der).publicKey;
      expect(verify(NODE_HASH[algorithm], message, publicKey, signature)).toBe(true);
      expect(verify(NODE_HASH[algorithm], randomBytes(100), publicKey, signature)).toBe(false);
    },
  );

  it('signs with the RSA signature key, which wants the PIN again for every signature', async () => {
    const certificate = await certificateOf('Alice RSA', 'signing');
    const message = Buffer.from('document to sign');
    const signature = await backend.sign(signOp(certificate, message, 'SHA-256'));
    expect(verify('sha256', message, new X509Certificate(certificate.der).publicKey, signature)).toBe(true);
  });

  it('needs the context-specific login: SoftHSM2 refuses the signature key without it', async () => {
    // The same module, initialised by the backend in this process; this handle only borrows it.
    const direct = new pkcs11js.PKCS11();
    direct.load(tokens[0]!.modulePath);
    try {
      direct.C_Initialize();
    } catch (e) {
      expect((e as { code?: number }).code).toBe(CKR.CRYPTOKI_ALREADY_INITIALIZED);
    }
    const slot = direct.C_GetSlotList(true).find((s) => direct.C_GetTokenInfo(s).label.trim() === 'Alice RSA')!;
    const session = direct.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      direct.C_Login(session, pkcs11js.CKU_USER, '1234');
      direct.C_FindObjectsInit(session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_ID, value: Buffer.from('03', 'hex') },
      ]);
      const key = direct.C_FindObjects(session)!;
      direct.C_FindObjectsFinal(session);
      direct.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, key);
      expect(() => direct.C_Sign(session, Buffer.from('x'), Buffer.alloc(512))).toThrow(/CKR_USER_NOT_LOGGED_IN/);
    } finally {
      direct.C_Logout(session);
      direct.C_CloseSession(session);
    }
  });

  it.each([
    ['authentication', 'SHA-384'],
    ['signing', 'SHA-384'],
    ['authentication', 'SHA-256'],
  ] as const)('signs with the P-384 %s key over %s, raw r‖s that node:crypto verifies', async (usage, algorithm) => {
    const certificate = await certificateOf('Bob EC', usage);
    const message = randomBytes(64);
    const signature = await backend.sign(signOp(certificate, message, algorithm));
    expect(signature.length).toBe(96);
    const key = { key: new X509Certificate(certificate.der).publicKey, dsaEncoding: 'ieee-p1363' as const };
    expect(verify(NODE_HASH[algorithm], message, key, signature)).toBe(true);
    expect(verify(NODE_HASH[algorithm], randomBytes(64), key, signature)).toBe(false);
  });

  it('answers a wrong PIN with PIN_INCORRECT, without a tries count SoftHSM2 does not have, and keeps working', async () => {
    const certificate = await certificateOf('Bob EC', 'authentication');
    const error = await expectEidError(backend.sign(signOp(certificate, Buffer.from('x'), 'SHA-384', new TextEncoder().encode('9999'))), 'PIN_INCORRECT');
    expect(error.details.triesLeft).toBeUndefined();
    expect(error.message).not.toContain('9999');
    // The wrong PIN left the token usable: a right PIN signs at once.
    const signature = await backend.sign(signOp(certificate, Buffer.from('x'), 'SHA-384'));
    expect(signature.length).toBe(96);
  });

  it('counts tries from the token flags on a token labelled BELPIC (3 tries), and clears them after a right PIN', async () => {
    // SoftHSM2 has no retry counter; it sets CKF_USER_PIN_COUNT_LOW after a wrong PIN and clears it after a right one.
    // This checks that the flags are read after the failure and read the way a 3-try Belgian card means them.
    const certificate = await certificateOf('BELPIC', 'authentication');
    const error = await expectEidError(backend.sign(signOp(certificate, Buffer.from('x'), 'SHA-384', new TextEncoder().encode('0000'))), 'PIN_INCORRECT');
    expect(error.details.triesLeft).toBe(2);
    expect((await backend.readers()).find((r) => r.tokenLabel === 'BELPIC')?.pinTriesLeft).toBe(2);
    await backend.sign(signOp(certificate, Buffer.from('x'), 'SHA-384'));
    expect((await backend.readers()).find((r) => r.tokenLabel === 'BELPIC')?.pinTriesLeft).toBeUndefined();
  });

  it('answers a wrong PIN on the signature key with PIN_INCORRECT', async () => {
    const certificate = await certificateOf('Alice RSA', 'signing');
    await expectEidError(backend.sign(signOp(certificate, Buffer.from('x'), 'SHA-256', new TextEncoder().encode('0000'))), 'PIN_INCORRECT');
  });

  it('asks for a PIN when none is given and the token has no PIN pad', async () => {
    const certificate = await certificateOf('Alice RSA', 'authentication');
    await expectEidError(backend.sign({ ...signOp(certificate, Buffer.from('x'), 'SHA-256'), pin: undefined }), 'PIN_REQUIRED');
  });

  it('reports a token that is gone as CARD_REMOVED and a missing key as CERTIFICATE_NOT_FOUND', async () => {
    const certificate = await certificateOf('Alice RSA', 'authentication');
    await expectEidError(
      backend.sign(signOp({ ...certificate, tokenId: 'pkcs11:token=Alice%20RSA;serial=0000000000000000' }, Buffer.from('x'), 'SHA-256')),
      'CARD_REMOVED',
    );
    await expectEidError(backend.sign(signOp({ ...certificate, keyRef: '7f' }, Buffer.from('x'), 'SHA-256')), 'CERTIFICATE_NOT_FOUND');
  });

  it('rejects a digest of the wrong length and a cancelled request before touching the PIN', async () => {
    const certificate = await certificateOf('Alice RSA', 'authentication');
    await expectEidError(
      backend.sign({ certificate, digest: new Uint8Array(20), digestAlgorithm: 'SHA-256', pin: PIN }),
      'INVALID_ARGUMENT',
    );
    const controller = new AbortController();
    controller.abort();
    await expectEidError(backend.sign({ ...signOp(certificate, Buffer.from('x'), 'SHA-256'), signal: controller.signal }), 'USER_CANCELLED');
  });

  it('runs concurrent requests one after another, each with its own session', async () => {
    const rsa = await certificateOf('Alice RSA', 'authentication');
    const ec = await certificateOf('Bob EC', 'authentication');
    const message = Buffer.from('concurrent');
    const [a, b, c] = await Promise.all([
      backend.sign(signOp(rsa, message, 'SHA-256')),
      backend.sign(signOp(ec, message, 'SHA-384')),
      backend.sign(signOp(rsa, message, 'SHA-256', new TextEncoder().encode('5555'))).catch((e: unknown) => e),
    ]);
    expect(verify('sha256', message, new X509Certificate(rsa.der).publicKey, a)).toBe(true);
    expect(verify('sha384', message, { key: new X509Certificate(ec.der).publicKey, dsaEncoding: 'ieee-p1363' }, b)).toBe(true);
    expect((c as EidBridgeError).code).toBe('PIN_INCORRECT');
  });
});

describe.skipIf(!softHsmAvailable())('Pkcs11Backend lifecycle', () => {
  it('finalises on close, so a new backend reads a new SOFTHSM2_CONF', async () => {
    const savedConf = process.env.SOFTHSM2_CONF;
    const [pkiA, pkiB] = await Promise.all([createTestPki({ keyType: 'ec', withSigning: false }), createTestPki({ keyType: 'ec', withSigning: false })]);
    const tokenA = await createSoftHsmToken({ label: 'Token A', pki: pkiA });
    const tokenB = await createSoftHsmToken({ label: 'Token B', pki: pkiB });
    try {
      process.env.SOFTHSM2_CONF = tokenA.env.SOFTHSM2_CONF;
      const first = new Pkcs11Backend({ modulePath: tokenA.modulePath });
      expect((await first.certificates()).map((c) => c.tokenLabel)).toEqual(['Token A']);
      await first.close();
      expect(await first.status()).toMatchObject({ available: false });

      process.env.SOFTHSM2_CONF = tokenB.env.SOFTHSM2_CONF;
      const second = new Pkcs11Backend({ modulePath: tokenB.modulePath });
      const certificates = await second.certificates();
      expect(certificates.map((c) => c.tokenLabel)).toEqual(['Token B']);
      const message = Buffer.from('after re-initialisation');
      const signature = await second.sign(signOp(certificates[0]!, message, 'SHA-384'));
      expect(verify('sha384', message, { key: createPublicKey(pkiB.authentication.pem), dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
      await second.close();
    } finally {
      if (savedConf === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = savedConf;
      await tokenA.cleanup();
      await tokenB.cleanup();
    }
  });
});

describe('Pkcs11Backend without a module', () => {
  const dummyCertificate: TokenCertificate = {
    tokenId: 'pkcs11:token=BELPIC;serial=534C494E336600296CFF2623660B0826',
    tokenLabel: 'BELPIC',
    reader: 'Some reader',
    usage: 'authentication',
    der: new Uint8Array([0x30, 0x00]),
    keyRef: '02',
  };

  it('is unavailable with a reason naming what to install when no default module exists', async () => {
    const backend = new Pkcs11Backend({ candidatePaths: ['/nonexistent/libbeidpkcs11.so.0', '/nonexistent/p11-kit-proxy.so'] });
    const status = await backend.status();
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/No PKCS#11 module found/);
    expect(status.reason).toMatch(/middleware/);
    expect(status.reason).toContain('EID_BRIDGE_PKCS11_MODULE');
    expect(status.detail).toContain('/nonexistent/libbeidpkcs11.so.0');
    expect(await backend.readers()).toEqual([]);
    expect(await backend.certificates()).toEqual([]);
    const error = await expectEidError(backend.sign(signOp(dummyCertificate, Buffer.from('x'), 'SHA-256')), 'PKCS11_MODULE_MISSING');
    expect(error.details.hint).toMatch(/middleware/);
    await backend.close();
  });

  it('names a configured module that does not exist, and does not fall back to another', async () => {
    const backend = new Pkcs11Backend({ modulePath: '/nonexistent/custom-pkcs11.so', candidatePaths: ['/usr/lib/softhsm/libsofthsm2.so'] });
    const status = await backend.status();
    expect(status.available).toBe(false);
    expect(status.reason).toContain('/nonexistent/custom-pkcs11.so');
    await expectEidError(backend.sign(signOp(dummyCertificate, Buffer.from('x'), 'SHA-256')), 'PKCS11_MODULE_MISSING');
  });

  it('says so when the configured file is not a loadable library', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eid-pkcs11-'));
    try {
      const notALibrary = join(dir, 'not-a-library.so');
      await writeFile(notALibrary, 'this is text, not a shared object');
      const backend = new Pkcs11Backend({ modulePath: notALibrary });
      const status = await backend.status();
      expect(status.available).toBe(false);
      expect(status.reason).toMatch(/could not be loaded/);
      await expectEidError(backend.sign(signOp(dummyCertificate, Buffer.from('x'), 'SHA-256')), 'PKCS11_MODULE_MISSING');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('isBelpicTokenLabel', () => {
  it('knows the Belgian card as the official middleware and as OpenSC label it, and nothing else', () => {
    expect(isBelpicTokenLabel('BELPIC')).toBe(true);
    expect(isBelpicTokenLabel('BELPIC (Basic PIN)')).toBe(true);
    expect(isBelpicTokenLabel('BELPICX')).toBe(false);
    expect(isBelpicTokenLabel('Alice RSA')).toBe(false);
  });
});
