import 'reflect-metadata';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate as NodeX509Certificate, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import * as x509 from '@peculiar/x509';
import { createTestPki, GOVERNMENT_TEST_CARD_NAMES, readTestPki, V11_PKI_OPTIONS, writeTestPki, type TestCertificateAndKey, type TestPki } from './test-pki.js';

function keyUsages(item: TestCertificateAndKey): number | undefined {
  return item.certificate.getExtension(x509.KeyUsagesExtension)?.usages;
}

function nodeCert(item: TestCertificateAndKey): NodeX509Certificate {
  return new NodeX509Certificate(item.der);
}

/** Verifies the chain with node:crypto (OpenSSL), independently of the generator's library. */
function expectChain(pki: TestPki): void {
  const root = nodeCert(pki.root);
  const ca = nodeCert(pki.citizenCa);
  expect(root.verify(root.publicKey)).toBe(true);
  expect(ca.checkIssued(root)).toBe(true);
  expect(ca.verify(root.publicKey)).toBe(true);
  for (const leaf of [pki.authentication, pki.signing].filter((x): x is TestCertificateAndKey => x !== undefined)) {
    const cert = nodeCert(leaf);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.verify(root.publicKey)).toBe(false);
  }
  const rrn = nodeCert(pki.rrn);
  expect(rrn.checkIssued(root)).toBe(true);
  expect(rrn.verify(root.publicKey)).toBe(true);
}

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each(['rsa', 'ec'] as const)('createTestPki (%s)', (keyType) => {
  let pki: TestPki;

  it('builds a chain that verifies from the leaves to the root', async () => {
    pki = await createTestPki({ keyType });
    expectChain(pki);
    const chain = await new x509.X509ChainBuilder({ certificates: [pki.root.certificate, pki.citizenCa.certificate] }).build(
      pki.authentication.certificate,
    );
    expect(chain.map((c) => c.subject)).toEqual([
      pki.authentication.certificate.subject,
      pki.citizenCa.certificate.subject,
      pki.root.certificate.subject,
    ]);
  });

  it('uses the key type and signature hash of the card generation', () => {
    const key = nodeCert(pki.authentication).publicKey;
    if (keyType === 'rsa') {
      expect(key.asymmetricKeyType).toBe('rsa');
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(pki.authentication.certificate.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } });
    } else {
      expect(key.asymmetricKeyType).toBe('ec');
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
      expect(pki.authentication.certificate.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-384' } });
    }
  });

  it('names the citizen like a real card does', () => {
    const subject = pki.authentication.certificate.subjectName;
    expect(subject.getField('C')).toEqual(['BE']);
    expect(subject.getField('CN')).toEqual(['Alice Marie Peeters (Authentication)']);
    expect(subject.getField('SN')).toEqual(['Peeters']);
    expect(subject.getField('2.5.4.42')).toEqual(['Alice Marie']);
    expect(subject.getField('2.5.4.5')).toEqual(['85073000259']);
    expect(pki.signing?.certificate.subjectName.getField('CN')).toEqual(['Alice Marie Peeters (Signature)']);
    expect(pki.citizenCa.certificate.subjectName.getField('CN')).toEqual(['Citizen CA']);
    expect(pki.citizenCa.certificate.subjectName.getField('2.5.4.5')).toEqual(['202501']);
    expect(pki.root.certificate.subjectName.getField('CN')[0]).toContain('TEST');
    expect(pki.rrn.certificate.subjectName.getField('CN')).toEqual(['RRN']);
    expect(pki.rrn.certificate.subjectName.getField('O')).toEqual(['RRN']);
    // OpenSSL reads the same names.
    expect(nodeCert(pki.authentication).subject).toContain('serialNumber=85073000259');
  });

  it('gives each certificate the usages a validator checks', () => {
    const F = x509.KeyUsageFlags;
    expect(keyUsages(pki.authentication)).toBe(F.digitalSignature);
    expect(pki.authentication.certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(keyUsages(pki.signing!)).toBe(F.nonRepudiation);
    expect(keyUsages(pki.rrn)).toBe(F.digitalSignature | F.nonRepudiation);
    for (const ca of [pki.root, pki.citizenCa]) {
      expect(ca.certificate.getExtension(x509.BasicConstraintsExtension)).toMatchObject({ ca: true, critical: true });
      expect(keyUsages(ca)).toBe(F.keyCertSign | F.cRLSign);
      expect(nodeCert(ca).ca).toBe(true);
    }
    for (const leaf of [pki.authentication, pki.signing!, pki.rrn]) expect(nodeCert(leaf).ca).toBe(false);
    // Key identifiers link each certificate to its issuer.
    const ski = (item: TestCertificateAndKey) => item.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    const aki = (item: TestCertificateAndKey) => item.certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
    expect(ski(pki.root)).toMatch(/^[0-9a-f]{40}$/);
    expect(aki(pki.citizenCa)).toBe(ski(pki.root));
    expect(aki(pki.authentication)).toBe(ski(pki.citizenCa));
    expect(aki(pki.rrn)).toBe(ski(pki.root));
  });

  it('exports private keys that match their certificates', () => {
    const data = Buffer.from('to be signed');
    const hash = keyType === 'rsa' ? 'sha256' : 'sha384';
    for (const item of [pki.authentication, pki.signing!]) {
      const fromDer = createPrivateKey({ key: Buffer.from(item.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
      const fromPem = createPrivateKey(item.privateKeyPem);
      expect(item.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      const signature = nodeSign(hash, data, fromDer);
      expect(nodeVerify(hash, data, nodeCert(item).publicKey, signature)).toBe(true);
      expect(fromPem.export({ format: 'der', type: 'pkcs8' }).equals(Buffer.from(item.privateKeyPkcs8))).toBe(true);
    }
  });
});

describe('createTestPki options', () => {
  it('makes a Kids-ID style card without a signature key, under a Foreigner CA, for another person', async () => {
    const pki = await createTestPki({
      keyType: 'ec',
      withSigning: false,
      caName: 'Foreigner CA',
      person: { givenNames: 'Jan', surname: 'Janssens', nationalNumber: '01010100126' },
    });
    expect(pki.signing).toBeUndefined();
    expect(pki.citizenCa.certificate.subjectName.getField('CN')).toEqual(['Foreigner CA']);
    expect(pki.authentication.certificate.subjectName.getField('CN')).toEqual(['Jan Janssens (Authentication)']);
    expect(pki.person).toEqual({ givenNames: 'Jan', surname: 'Janssens', nationalNumber: '01010100126' });
    expectChain(pki);
  });

  it('puts two cards under one root and honours the leaf validity', async () => {
    const first = await createTestPki({ keyType: 'ec', withSigning: false });
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2021-01-01T00:00:00Z');
    const second = await createTestPki({ keyType: 'ec', root: first.root, notBefore, notAfter, withSigning: false });
    expect(second.root).toBe(first.root);
    expect(second.authentication.certificate.notBefore.getTime()).toBe(notBefore.getTime());
    expect(second.authentication.certificate.notAfter.getTime()).toBe(notAfter.getTime());
    // The expired leaf still chains: its CA covers its validity.
    expect(second.citizenCa.certificate.notBefore.getTime()).toBeLessThan(notBefore.getTime());
    expectChain(second);
    expect(second.authentication.certificate.serialNumber).not.toBe(first.authentication.certificate.serialNumber);
  });
});

describe('the government test card shape and V1.1 cards', () => {
  it('names the root "eID test Root CA" and the RRN certificate "test RRN"', async () => {
    const pki = await createTestPki(GOVERNMENT_TEST_CARD_NAMES);
    expect(pki.root.certificate.subjectName.getField('CN')).toEqual(['eID test Root CA']);
    expect(pki.rrn.certificate.subjectName.getField('CN')).toEqual(['test RRN']);
    expect(pki.rrn.certificate.subjectName.getField('O')).toEqual(['test RRN']);
    expect(keyUsages(pki.rrn)).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation);
    expectChain(pki);
  });

  it('makes RSA-1024 card keys under SHA-1 signatures for V1.1, and reads them back', async () => {
    const pki = await createTestPki(V11_PKI_OPTIONS);
    expectChain(pki);
    expect(pki.signatureHash).toBe('SHA-1');
    for (const leaf of [pki.authentication, pki.signing!, pki.rrn]) {
      expect(nodeCert(leaf).publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
      expect(leaf.certificate.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-1' } });
    }
    // The CAs keep 2048-bit keys, as they had when V1.1 cards were issued.
    expect(nodeCert(pki.citizenCa).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const dir = await mkdtemp(join(tmpdir(), 'eid-test-pki-'));
    tempDirs.push(dir);
    await writeTestPki(pki, dir);
    const read = await readTestPki(dir);
    expect(read.signatureHash).toBe('SHA-1');
    const data = new TextEncoder().encode('challenge');
    const signature = await globalThis.crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, read.rrn.privateKey, data);
    expect(nodeVerify('sha1', data, nodeCert(pki.rrn).publicKey, new Uint8Array(signature))).toBe(true);
  });
});

describe('writeTestPki / readTestPki', () => {
  it.each(['rsa', 'ec'] as const)('round-trips a %s PKI through a directory', async (keyType) => {
    const pki = await createTestPki({ keyType, person: { givenNames: 'Émile', surname: 'Dubois', nationalNumber: '85073000160' } });
    const dir = await mkdtemp(join(tmpdir(), 'eid-test-pki-'));
    tempDirs.push(dir);
    await writeTestPki(pki, dir);
    expect((await readdir(dir)).sort()).toEqual(
      [
        'authentication.der', 'authentication.key.pem', 'authentication.pem',
        'citizen-ca.der', 'citizen-ca.key.pem', 'citizen-ca.pem',
        'person.json',
        'root.der', 'root.key.pem', 'root.pem',
        'rrn.der', 'rrn.key.pem', 'rrn.pem',
        'signing.der', 'signing.key.pem', 'signing.pem',
      ].sort(),
    );
    const read = await readTestPki(dir);
    expect(read.keyType).toBe(keyType);
    expect(read.person).toEqual(pki.person);
    for (const field of ['root', 'citizenCa', 'authentication', 'signing', 'rrn'] as const) {
      expect(Buffer.from(read[field]!.der).equals(Buffer.from(pki[field]!.der))).toBe(true);
      expect(Buffer.from(read[field]!.privateKeyPkcs8).equals(Buffer.from(pki[field]!.privateKeyPkcs8))).toBe(true);
      expect(read[field]!.pem).toBe(pki[field]!.pem);
    }
    // The keys read back still work: a new card issued under the stored root chains to it.
    const sibling = await createTestPki({ keyType, root: read.root, withSigning: false });
    expect(new NodeX509Certificate(sibling.citizenCa.der).verify(createPublicKey(Buffer.from(pki.root.pem)))).toBe(true);
    const algorithm = keyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-384' };
    const data = new TextEncoder().encode('challenge');
    const signature = await globalThis.crypto.subtle.sign(algorithm, read.authentication.privateKey, data);
    expect(await globalThis.crypto.subtle.verify(algorithm, read.authentication.publicKey, signature, data)).toBe(true);
  });

  it('reads a PKI without a signature certificate', async () => {
    const pki = await createTestPki({ keyType: 'ec', withSigning: false });
    const dir = await mkdtemp(join(tmpdir(), 'eid-test-pki-'));
    tempDirs.push(dir);
    await writeTestPki(pki, dir);
    expect((await readdir(dir)).some((f) => f.startsWith('signing'))).toBe(false);
    const read = await readTestPki(dir);
    expect(read.signing).toBeUndefined();
    expect(read.keyType).toBe('ec');
  });
});
